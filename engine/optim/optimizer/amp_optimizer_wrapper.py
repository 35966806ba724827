"""``AmpOptimWrapper``: mixed precision with autocast and a loss scaler."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn as nn
from torch.amp import GradScaler

from engine.optim.optimizer.optimizer_wrapper import OptimWrapper
from engine.registry import OPTIM_WRAPPERS

__all__ = ["AmpOptimWrapper"]

#: A static scale never grows (it still backs off on an overflow).
_NEVER = 2**31 - 1
_DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16}


def _device_type() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def _cast_dtype(dtype: str | torch.dtype | None, device: str) -> torch.dtype:
    if dtype is None:
        return torch.float16 if device == "cuda" else torch.bfloat16
    if isinstance(dtype, str):
        if dtype not in _DTYPES:
            raise ValueError(
                f"dtype must be one of {list(_DTYPES)} or None, but got {dtype!r}"
            )
        return _DTYPES[dtype]
    if dtype not in _DTYPES.values():
        raise ValueError(f"dtype must be float16 or bfloat16, but got {dtype!r}")
    return dtype


def _make_scaler(
    loss_scale: str | float | dict, device: str, enabled: bool
) -> GradScaler:
    if loss_scale == "dynamic":
        return GradScaler(device, enabled=enabled)
    if isinstance(loss_scale, (int, float)) and not isinstance(loss_scale, bool):
        return GradScaler(
            device,
            init_scale=float(loss_scale),
            growth_interval=_NEVER,
            enabled=enabled,
        )
    if isinstance(loss_scale, dict):
        return GradScaler(device, enabled=enabled, **loss_scale)
    raise TypeError(
        f"loss_scale must be 'dynamic', a number or a dict of GradScaler "
        f"arguments, but got {loss_scale!r}"
    )


@OPTIM_WRAPPERS.register_module()
class AmpOptimWrapper(OptimWrapper):
    """An :class:`OptimWrapper` that trains with automatic mixed precision.

    :meth:`optim_context` runs the forward under ``torch.autocast`` (CUDA
    when available, otherwise CPU). With float16 the loss is scaled by a
    ``torch.amp.GradScaler``; with bfloat16 the scaler is disabled (its
    range needs none). The scaler's state is saved as ``loss_scaler``.

    Args:
        loss_scale: ``'dynamic'`` (a dynamic scaler), a number (a static
            scale) or a dict of ``GradScaler`` arguments.
        dtype: ``None`` (float16 on CUDA, bfloat16 on CPU), ``'float16'``,
            ``'bfloat16'`` or the torch dtype.
        use_fsdp: Use FSDP's sharded grad scaler (needs CUDA).
        **kwargs: The arguments of :class:`OptimWrapper`.

    Examples:
        >>> import torch
        >>> model = torch.nn.Linear(1, 1)
        >>> wrapper = AmpOptimWrapper(
        ...     optimizer=torch.optim.SGD(model.parameters(), lr=0.01),
        ...     dtype='bfloat16')
        >>> with wrapper.optim_context(model):
        ...     out = model(torch.ones(1, 1))
        >>> out.dtype
        torch.bfloat16
    """

    valid_dtypes = ("float16", "bfloat16", None)

    def __init__(
        self,
        loss_scale: str | float | dict = "dynamic",
        dtype: str | torch.dtype | None = None,
        use_fsdp: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.device_type = _device_type()
        self.cast_dtype = _cast_dtype(dtype, self.device_type)
        enabled = self.cast_dtype == torch.float16
        if use_fsdp:
            from torch.distributed.fsdp.sharded_grad_scaler import (
                ShardedGradScaler,
            )

            self.loss_scaler: GradScaler = ShardedGradScaler(enabled=enabled)
        else:
            self.loss_scaler = _make_scaler(loss_scale, self.device_type, enabled)

    def backward(self, loss: torch.Tensor, **kwargs: Any) -> None:
        """Backward the scaled loss and count one accumulation call."""
        self.loss_scaler.scale(loss).backward(**kwargs)
        self._inner_count += 1

    def step(self, **kwargs: Any) -> None:
        """Unscale, clip (if configured), step through the scaler, update."""
        if self.clip_grad_kwargs:
            self.loss_scaler.unscale_(self.optimizer)
            self._clip_grad()
        self.loss_scaler.step(self.optimizer, **kwargs)
        self.loss_scaler.update()

    def state_dict(self) -> dict:
        """The optimizer's state dict plus ``loss_scaler``."""
        state = self.optimizer.state_dict()
        state["loss_scaler"] = self.loss_scaler.state_dict()
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Load the optimizer state and, if present, ``loss_scaler``."""
        state_dict = dict(state_dict)
        scaler_state = state_dict.pop("loss_scaler", None)
        if scaler_state is not None and self.loss_scaler.is_enabled():
            self.loss_scaler.load_state_dict(scaler_state)
        self.optimizer.load_state_dict(state_dict)
        self._rebind_base_group()

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """:meth:`OptimWrapper.optim_context` under ``torch.autocast``.

        Args:
            model: The model whose forward runs in the context.
        """
        with super().optim_context(model):
            with torch.autocast(self.device_type, dtype=self.cast_dtype):
                yield
