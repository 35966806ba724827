"""``MMSeparateDistributedDataParallel``: one DDP per trainable submodule.

A model with several optimizers (a GAN's generator and discriminator)
updates its parts separately in its own ``train_step``, which one DDP
around the whole model cannot synchronise. This wrapper instead wraps each
direct child that has a trainable parameter in its own
:class:`~engine.model.wrappers.MMDistributedDataParallel` and calls the
model's ``train_step``, whose forwards run through those children (so the
model's code is unchanged). The module name keeps MMEngine's spelling.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

import torch
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

from engine.model.wrappers.distributed import MMDistributedDataParallel
from engine.registry import MODEL_WRAPPERS

if TYPE_CHECKING:
    from engine.optim import OptimWrapperDict

__all__ = ["MMSeparateDistributedDataParallel"]


@MODEL_WRAPPERS.register_module()
class MMSeparateDistributedDataParallel(DistributedDataParallel):
    """Wrap each trainable child of ``module`` in its own DDP.

    The wrapper itself is a plain container: it holds ``module`` (whose
    children with a parameter that requires grad are replaced, in place, by
    :class:`MMDistributedDataParallel` wrappers) and does no synchronisation
    of its own.

    Args:
        module: The model; its direct children are wrapped.
        broadcast_buffers: Passed to each child's DDP. Defaults to False.
        find_unused_parameters: Passed to each child's DDP. Defaults to
            False.
        **kwargs: Passed to each child's DDP.

    Examples:
        >>> wrapper = MMSeparateDistributedDataParallel(gan)  # doctest: +SKIP
        >>> type(wrapper.module.generator).__name__  # doctest: +SKIP
        'MMDistributedDataParallel'
        >>> wrapper.train_step(data, optim_wrapper_dict)  # doctest: +SKIP
    """

    def __init__(
        self,
        module: nn.Module,
        broadcast_buffers: bool = False,
        find_unused_parameters: bool = False,
        **kwargs: Any,
    ) -> None:
        nn.Module.__init__(self)
        self.module = module
        device = _training_device()
        if device.type != "cpu":
            module.to(device)
        device_ids = [device.index] if device.type == "cuda" else None
        for name, child in list(module.named_children()):
            if any(param.requires_grad for param in child.parameters()):
                with warnings.catch_warnings():
                    # torch >= 2.12 deprecates the argument this wrapper
                    # documents (and passes, False by default) for each child.
                    warnings.filterwarnings(
                        "ignore", "`broadcast_buffers` is deprecated", FutureWarning
                    )
                    wrapped = MMDistributedDataParallel(
                        module=child,
                        device_ids=device_ids,
                        broadcast_buffers=broadcast_buffers,
                        find_unused_parameters=find_unused_parameters,
                        **kwargs,
                    )
                setattr(module, name, wrapped)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Call the wrapped model (its children synchronise themselves)."""
        return self.module(*args, **kwargs)

    def train_step(
        self, data: dict | tuple | list, optim_wrapper: OptimWrapperDict
    ) -> dict[str, torch.Tensor]:
        """The wrapped model's ``train_step(data, optim_wrapper)``.

        Args:
            data: A batch from the dataloader.
            optim_wrapper: The optimizer wrappers of the model's parts.

        Returns:
            The model's ``log_vars``.
        """
        return self.module.train_step(data, optim_wrapper)

    def val_step(self, data: dict | tuple | list) -> list:
        """The wrapped model's ``val_step(data)``."""
        return self.module.val_step(data)

    def test_step(self, data: dict | tuple | list) -> list:
        """The wrapped model's ``test_step(data)``."""
        return self.module.test_step(data)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Skip the gradient synchronisation of every wrapped child."""
        with ExitStack() as stack:
            for child in self.module.children():
                if isinstance(child, DistributedDataParallel):
                    stack.enter_context(child.no_sync())
            yield

    def train(self, mode: bool = True) -> MMSeparateDistributedDataParallel:
        """Set training mode on the wrapper and the wrapped model.

        Args:
            mode: Training (True) or evaluation (False). Defaults to True.

        Returns:
            The wrapper.
        """
        self.training = mode
        self.module.train(mode)
        return self


def _training_device() -> torch.device:
    """The current CUDA device if there is one, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")
