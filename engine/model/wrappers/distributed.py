"""``MMDistributedDataParallel``: DDP that runs ``BaseModel``'s steps.

``DistributedDataParallel`` synchronises gradients only for a forward that
runs through the wrapper, so the loss of :meth:`train_step` is computed by
calling the wrapper itself::

    with optim_wrapper.optim_context(self):    # no_sync() on accumulation
        data = module.data_preprocessor(data, training=True)
        losses = self(**data, mode='loss')     # or self(*data, mode='loss')
    loss, log_vars = module.parse_losses(losses)
    optim_wrapper.update_params(loss)          # backward (+ all-reduce), step
    return log_vars

``val_step`` and ``test_step`` need no synchronisation and call the wrapped
model's own steps. Importing this module also registers torch's
``DistributedDataParallel`` and ``DataParallel`` in ``MODEL_WRAPPERS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch.nn.parallel import DataParallel, DistributedDataParallel

from engine.model.utils import detect_anomalous_params
from engine.registry import MODEL_WRAPPERS

if TYPE_CHECKING:
    from engine.optim import OptimWrapper

__all__ = ["MMDistributedDataParallel"]

MODEL_WRAPPERS.register_module(module=DistributedDataParallel)
MODEL_WRAPPERS.register_module(module=DataParallel)


@MODEL_WRAPPERS.register_module()
class MMDistributedDataParallel(DistributedDataParallel):
    """``DistributedDataParallel`` with ``train_step``/``val_step``/``test_step``.

    The wrapped module is a :class:`~engine.model.BaseModel` (or anything
    with ``data_preprocessor``, ``parse_losses``, ``val_step`` and
    ``test_step``). A model needing a custom ``train_step`` over several
    optimizers (a GAN) is wrapped with
    :class:`~engine.model.wrappers.MMSeparateDistributedDataParallel`
    instead.

    Args:
        module: The model to wrap.
        detect_anomalous_params: After each loss, log (ERROR) the trainable
            parameters the loss does not depend on, the usual cause of DDP's
            unused-parameter errors. Slow; for debugging only. Defaults to
            False.
        **kwargs: Passed to ``DistributedDataParallel`` (``device_ids``,
            ``broadcast_buffers``, ``find_unused_parameters``, ...).

    Examples:
        >>> ddp = MMDistributedDataParallel(model)  # doctest: +SKIP
        >>> log_vars = ddp.train_step(data, optim_wrapper)  # doctest: +SKIP
        >>> ddp.module is model  # doctest: +SKIP
        True
    """

    def __init__(
        self,
        module: Any,
        detect_anomalous_params: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(module=module, **kwargs)
        self.detect_anomalous_params = detect_anomalous_params

    def train_step(
        self, data: dict | tuple | list, optim_wrapper: OptimWrapper
    ) -> dict[str, torch.Tensor]:
        """Preprocess, compute the loss through the wrapper, update.

        Args:
            data: A batch from the dataloader.
            optim_wrapper: Runs backward and the optimizer step; its
                ``optim_context`` skips gradient synchronisation on the
                accumulation iterations.

        Returns:
            The ``log_vars`` of ``module.parse_losses``.
        """
        with optim_wrapper.optim_context(self):
            data = self.module.data_preprocessor(data, training=True)
            losses = self._run_forward(data, mode="loss")
        parsed_loss, log_vars = self.module.parse_losses(losses)
        if self.detect_anomalous_params:
            detect_anomalous_params(parsed_loss, model=self)
        optim_wrapper.update_params(parsed_loss)
        return log_vars

    def val_step(self, data: dict | tuple | list) -> list:
        """The wrapped model's ``val_step(data)``."""
        return self.module.val_step(data)

    def test_step(self, data: dict | tuple | list) -> list:
        """The wrapped model's ``test_step(data)``."""
        return self.module.test_step(data)

    def _run_forward(self, data: dict | tuple | list, mode: str) -> Any:
        """Call the wrapper with ``data`` unpacked and ``mode``."""
        return _unpack_call(self, data, mode)


def _unpack_call(model: torch.nn.Module, data: Any, mode: str) -> Any:
    """``model(**data, mode=mode)`` or ``model(*data, mode=mode)``.

    Args:
        model: The module to call (a wrapper, so hooks and syncs run).
        data: The preprocessed batch, a dict or a list/tuple.
        mode: ``'loss'``, ``'predict'`` or ``'tensor'``.

    Raises:
        TypeError: if ``data`` is not a dict, list or tuple.
    """
    if isinstance(data, dict):
        return model(**data, mode=mode)
    if isinstance(data, (list, tuple)):
        return model(*data, mode=mode)
    raise TypeError(
        "Output of `data_preprocessor` should be list, tuple or dict, but got "
        f"{type(data).__name__}"
    )
