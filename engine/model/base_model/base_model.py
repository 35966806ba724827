"""``BaseModel``: the model contract the runner's loops rely on.

The loops call three steps; each runs the data preprocessor and then
``forward`` in a mode::

    train_step(data, optim_wrapper):
        with optim_wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
            losses = self(**data, mode='loss')      # self(*data, ...) for a tuple
        loss, log_vars = self.parse_losses(losses)
        optim_wrapper.update_params(loss)
        return log_vars

    val_step(data) == test_step(data):
        data = self.data_preprocessor(data, False)
        return self(**data, mode='predict')

``parse_losses`` averages each loss tensor, sums each list of tensors, and
totals the entries whose key contains ``'loss'``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import torch
import torch.nn as nn

from engine.model.base_model.data_preprocessor import (
    BaseDataPreprocessor,
    _accelerator_device,
    _target_device,
)
from engine.model.base_module import BaseModule
from engine.registry import MODELS
from engine.utils import is_list_of

if TYPE_CHECKING:
    from engine.optim import OptimWrapper


def _build_preprocessor(cfg: dict | nn.Module | None) -> nn.Module:
    if cfg is None:
        cfg = dict(type="BaseDataPreprocessor")
    if isinstance(cfg, nn.Module):
        return cfg
    if isinstance(cfg, dict):
        return MODELS.build(cfg)
    raise TypeError(
        "data_preprocessor should be a `dict` or `nn.Module` instance, "
        f"but got {type(cfg)}"
    )


def _reduce_loss(name: str, value: Any) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.mean()
    if is_list_of(value, torch.Tensor):
        return sum(item.mean() for item in value)
    raise TypeError(f"{name} is not a tensor or list of tensors")


class BaseModel(BaseModule):
    """Base class of the models a runner trains, validates and tests.

    Subclasses implement :meth:`forward`; the steps are implemented here
    (see the module docstring).

    Args:
        data_preprocessor: The data preprocessor, built from ``MODELS`` when
            it is a dict. Defaults to None (a :class:`BaseDataPreprocessor`).
        init_cfg: See :class:`~engine.model.BaseModule`. Defaults to None.

    Raises:
        TypeError: if ``data_preprocessor`` is neither a dict nor a module.

    Examples:
        >>> import torch
        >>> import torch.nn as nn
        >>> import torch.nn.functional as F
        >>> class ToyModel(BaseModel):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.linear = nn.Linear(1, 1)
        ...     def forward(self, inputs, labels=None, mode='tensor'):
        ...         out = self.linear(inputs)
        ...         if mode == 'loss':
        ...             return dict(loss=F.mse_loss(out, labels))
        ...         return out
        >>> model = ToyModel()
        >>> model.val_step((torch.ones(2, 1),)).shape
        torch.Size([2, 1])
    """

    def __init__(
        self,
        data_preprocessor: dict | nn.Module | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg)
        self.data_preprocessor = _build_preprocessor(data_preprocessor)

    def train_step(
        self, data: dict | tuple | list, optim_wrapper: OptimWrapper
    ) -> dict[str, torch.Tensor]:
        """One optimisation step on a batch.

        Args:
            data: The batch from the dataloader.
            optim_wrapper: Updates the parameters from the loss.

        Returns:
            The ``log_vars`` of :meth:`parse_losses`.
        """
        with optim_wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
            losses = self._run_forward(data, mode="loss")
        parsed_losses, log_vars = self.parse_losses(losses)  # type: ignore[arg-type]
        optim_wrapper.update_params(parsed_losses)
        return log_vars

    def val_step(self, data: tuple | dict | list) -> list:
        """Predictions on a validation batch (``mode='predict'``).

        Args:
            data: The batch from the dataloader.

        Returns:
            What ``forward`` returns in ``'predict'`` mode.
        """
        data = self.data_preprocessor(data, False)
        return self._run_forward(data, mode="predict")  # type: ignore[return-value]

    def test_step(self, data: dict | tuple | list) -> list:
        """Predictions on a test batch (``mode='predict'``).

        Args:
            data: The batch from the dataloader.

        Returns:
            What ``forward`` returns in ``'predict'`` mode.
        """
        data = self.data_preprocessor(data, False)
        return self._run_forward(data, mode="predict")  # type: ignore[return-value]

    def parse_losses(
        self, losses: dict[str, torch.Tensor]
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Reduce a loss dict to the loss to optimise and the values to log.

        Each tensor is averaged and each list of tensors becomes the sum of
        their averages. The total is the sum of the entries whose key
        contains ``'loss'``; ``log_vars`` holds it first, as ``'loss'``, then
        every entry in order (an entry named ``'loss'`` replaces the total's
        value but keeps the first place). In a distributed run the logged
        values are averaged over the ranks (one ``all_reduce`` of all of
        them), so every rank logs the same numbers; the returned loss stays
        this rank's own. MMEngine 0.10.7 logs each rank's own values.

        Args:
            losses: Name -> tensor or list of tensors.

        Returns:
            The total loss and the ``log_vars`` OrderedDict.

        Raises:
            TypeError: for a value that is neither a tensor nor a list of
                tensors.

        Examples:
            >>> import torch
            >>> class Net(BaseModel):
            ...     def forward(self, *args, mode='tensor'):
            ...         pass
            >>> loss, log_vars = Net().parse_losses(dict(
            ...     loss_a=torch.tensor([1., 3.]), acc=torch.tensor(0.5)))
            >>> loss.item(), list(log_vars)
            (2.0, ['loss', 'loss_a', 'acc'])
        """
        reduced = [(name, _reduce_loss(name, value)) for name, value in losses.items()]
        loss: Any = sum(value for name, value in reduced if "loss" in name)
        log_vars: OrderedDict[str, Any] = OrderedDict(loss=loss)
        log_vars.update(reduced)
        return loss, _mean_over_ranks(log_vars)

    def to(self, *args: Any, **kwargs: Any) -> nn.Module:  # type: ignore[override]
        """``nn.Module.to`` that also moves every data preprocessor's device."""
        device = _target_device(*args, **kwargs)
        moved = super().to(*args, **kwargs)
        if device is not None:
            self._set_device(device)
        return moved

    def cuda(  # type: ignore[override]
        self, device: int | str | torch.device | None = None
    ) -> nn.Module:
        """``nn.Module.cuda`` that also moves every data preprocessor's device."""
        moved = super().cuda(device)  # type: ignore[arg-type]
        self._set_device(_accelerator_device("cuda", device))
        return moved

    def musa(self, device: int | str | torch.device | None = None) -> nn.Module:
        """Move to a MUSA device (needs a torch build with MUSA)."""
        return self._to_accelerator("musa", device)

    def mlu(self, device: int | str | torch.device | None = None) -> nn.Module:
        """Move to a Cambricon MLU (needs ``torch_mlu``)."""
        return self._to_accelerator("mlu", device)

    def npu(self, device: int | str | torch.device | None = None) -> nn.Module:
        """Move to an Ascend NPU (needs ``torch_npu``)."""
        return self._to_accelerator("npu", device)

    def cpu(self, *args: Any, **kwargs: Any) -> nn.Module:  # type: ignore[override]
        """``nn.Module.cpu`` that also moves every data preprocessor's device."""
        moved = super().cpu()
        self._set_device(torch.device("cpu"))
        return moved

    def _to_accelerator(
        self, kind: str, device: int | str | torch.device | None
    ) -> nn.Module:
        moved = getattr(super(), kind)(device)  # AttributeError without the backend
        self._set_device(_accelerator_device(kind, device))
        return moved

    def _set_device(self, device: torch.device) -> None:
        """Point every :class:`BaseDataPreprocessor` in the model at ``device``."""
        for module in self.modules():
            if isinstance(module, BaseDataPreprocessor):
                module._device = device

    @abstractmethod
    def forward(
        self,
        inputs: torch.Tensor,
        data_samples: list | None = None,
        mode: str = "tensor",
    ) -> dict[str, torch.Tensor] | list:
        """Run the model in one of three modes.

        * ``'loss'``: return a dict of differentiable losses (used by
          :meth:`train_step`);
        * ``'predict'``: return post-processed predictions, e.g. a list of
          data elements (used by :meth:`val_step` and :meth:`test_step`);
        * ``'tensor'``: return raw tensors without post-processing.

        Args:
            inputs: The batch inputs, unpacked from the preprocessed data.
            data_samples: The annotations of the batch. Defaults to None.
            mode: ``'tensor'``, ``'predict'`` or ``'loss'``. Defaults to
                ``'tensor'``.

        Returns:
            Depends on ``mode``, see above.
        """

    def _run_forward(
        self, data: dict | tuple | list, mode: str
    ) -> dict[str, torch.Tensor] | list:
        """Call ``self(**data, mode=mode)``, or ``self(*data, ...)`` for a sequence.

        Raises:
            TypeError: if ``data`` is not a dict, tuple or list.
        """
        if isinstance(data, dict):
            return self(**data, mode=mode)
        if isinstance(data, (list, tuple)):
            return self(*data, mode=mode)
        raise TypeError(
            "Output of `data_preprocessor` should be list, tuple or dict, "
            f"but got {type(data)}"
        )


def _mean_over_ranks(log_vars: OrderedDict[str, Any]) -> OrderedDict[str, Any]:
    """``log_vars`` averaged over the ranks (detached); as is in one process."""
    import torch.distributed as dist

    if (
        not (dist.is_available() and dist.is_initialized())
        or dist.get_world_size() == 1
    ):
        return log_vars
    values = torch.stack(
        [torch.as_tensor(v).detach().float().reshape(()) for v in log_vars.values()]
    )
    dist.all_reduce(values)
    values /= dist.get_world_size()
    return OrderedDict(zip(log_vars.keys(), values.unbind()))
