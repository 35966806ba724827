"""``OptimWrapper``: one optimizer with accumulation, clipping and logging."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn as nn
from torch.optim import Optimizer

from engine.logging import MessageHub, print_log
from engine.optim.optimizer.base import BaseOptimWrapper
from engine.registry import OPTIM_WRAPPERS

__all__ = ["OptimWrapper"]

_CLIP_FUNCS: dict[str, tuple[Callable[..., Any], str]] = {
    "norm": (nn.utils.clip_grad_norm_, "grad_norm"),
    "value": (nn.utils.clip_grad_value_, "grad_value"),
}


def _clip_setup(clip_grad: dict) -> tuple[Callable[..., Any], str, dict]:
    """The clipping function, its logged name and its keyword arguments."""
    if not isinstance(clip_grad, dict):
        raise TypeError(
            f"clip_grad must be a dict such as dict(max_norm=1) or "
            f"dict(clip_value=0.2), but got {clip_grad!r}"
        )
    kwargs = dict(clip_grad)
    default = "value" if "clip_value" in kwargs and "max_norm" not in kwargs else "norm"
    clip_type = kwargs.pop("type", default)
    if clip_type not in _CLIP_FUNCS:
        raise ValueError(
            f'type of clip_grad should be "norm" or "value" but got {clip_type!r}'
        )
    func, name = _CLIP_FUNCS[clip_type]
    return func, name, kwargs


@OPTIM_WRAPPERS.register_module()
class OptimWrapper(BaseOptimWrapper):
    """Wrap an optimizer: ``update_params`` = backward + step + zero_grad.

    With ``accumulative_counts=n`` the parameters are updated every ``n``
    calls of :meth:`update_params` and each loss is divided by the number of
    calls in its accumulation window (``n``, or fewer for the last window of
    a run whose length :meth:`initialize_count_status` gave).

    Args:
        optimizer: The optimizer to wrap.
        accumulative_counts: Number of calls that accumulate gradients before
            one update. Must be at least 1.
        clip_grad: ``None`` (no clipping), ``dict(max_norm=..., ...)``
            (``clip_grad_norm_``) or ``dict(clip_value=...)``
            (``clip_grad_value_``). ``type='norm'|'value'`` selects the
            function explicitly. The total norm is logged to the current
            :class:`MessageHub` as ``train/grad_norm``.

    Examples:
        >>> import torch
        >>> model = torch.nn.Linear(1, 1)
        >>> wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
        >>> wrapper.update_params(model(torch.ones(1, 1)).sum())
        >>> wrapper.get_lr()
        {'lr': [0.01]}
    """

    def __init__(
        self,
        optimizer: Optimizer,
        accumulative_counts: int = 1,
        clip_grad: dict | None = None,
    ) -> None:
        if not isinstance(accumulative_counts, int) or accumulative_counts < 1:
            raise ValueError(
                f"accumulative_counts must be an int >= 1, but got "
                f"{accumulative_counts!r}"
            )
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"optimizer must be a torch.optim.Optimizer, but got "
                f"{type(optimizer).__name__}"
            )
        super().__init__(optimizer)
        self._accumulative_counts = accumulative_counts
        self.clip_grad_kwargs: dict = {}
        if clip_grad is not None:
            self.clip_func, self.grad_name, self.clip_grad_kwargs = _clip_setup(
                clip_grad
            )
        self.message_hub = MessageHub.get_current_instance()
        self._inner_count = 0
        self._max_counts = -1
        self._remainder_counts = -1

    # --- the training step ---------------------------------------------------

    def update_params(
        self,
        loss: torch.Tensor,
        step_kwargs: dict | None = None,
        zero_kwargs: dict | None = None,
    ) -> None:
        """Scale ``loss``, backward it and, at the end of a window, step.

        Args:
            loss: The loss of this iteration.
            step_kwargs: Keyword arguments of :meth:`step`.
            zero_kwargs: Keyword arguments of :meth:`zero_grad`.
        """
        loss = self.scale_loss(loss)
        self.backward(loss)
        if self.should_update():
            self.step(**(step_kwargs or {}))
            self.zero_grad(**(zero_kwargs or {}))

    def backward(self, loss: torch.Tensor, **kwargs: Any) -> None:
        """``loss.backward(**kwargs)`` and count one accumulation call."""
        loss.backward(**kwargs)
        self._inner_count += 1

    def zero_grad(self, **kwargs: Any) -> None:
        """``optimizer.zero_grad(**kwargs)``."""
        self.optimizer.zero_grad(**kwargs)

    def step(self, **kwargs: Any) -> None:
        """Clip the gradients (if configured), then ``optimizer.step``."""
        if self.clip_grad_kwargs:
            self._clip_grad()
        self.optimizer.step(**kwargs)

    def _clip_grad(self) -> None:
        params = [
            p
            for group in self.optimizer.param_groups
            if group is not self.base_param_settings
            for p in group["params"]
            if p.requires_grad and p.grad is not None
        ]
        if not params:
            return
        result = self.clip_func(params, **self.clip_grad_kwargs)
        if result is not None:
            self.message_hub.update_scalar(f"train/{self.grad_name}", float(result))

    # --- accumulation --------------------------------------------------------

    def initialize_count_status(
        self, model: nn.Module, init_counts: int, max_counts: int
    ) -> None:
        """Set the call counter (``init_counts``) and the run length.

        Args:
            model: The trained model (checked for BatchNorm layers, which
                accumulation affects).
            init_counts: Calls already made (the resumed iteration).
            max_counts: Total calls of the run.
        """
        first = self._max_counts == -1
        self._inner_count = init_counts
        self._max_counts = max_counts
        if init_counts % self._accumulative_counts != 0:
            print_log(
                "Resumed iteration number is not divisible by "
                "`_accumulative_counts` in `GradientCumulativeOptimizerHook`, "
                "which means the gradient of some iterations is lost and the "
                "result may be influenced slightly.",
                logger="current",
                level=logging.WARNING,
            )
        if first and self._accumulative_counts > 1 and _has_batch_norm(model):
            print_log(
                "Gradient accumulative may slightly decrease performance "
                "because the model has BatchNorm layers.",
                logger="current",
                level=logging.WARNING,
            )
        self._remainder_counts = max_counts % self._accumulative_counts

    def scale_loss(self, loss: torch.Tensor) -> torch.Tensor:
        """Divide ``loss`` by the number of calls in the current window."""
        counts = self._accumulative_counts
        if counts == 1:
            return loss
        in_last = (
            self._max_counts != -1
            and self._remainder_counts > 0
            and self._inner_count >= self._max_counts - self._remainder_counts
        )
        return loss / (self._remainder_counts if in_last else counts)

    def should_update(self) -> bool:
        """Whether the current call closes an accumulation window."""
        return (
            self._inner_count % self._accumulative_counts == 0
            or self._inner_count == self._max_counts
        )

    def should_sync(self) -> bool:
        """Whether the next backward must synchronise gradients (DDP)."""
        nxt = self._inner_count + 1
        return nxt % self._accumulative_counts == 0 or nxt == self._max_counts

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """Skip DDP's gradient synchronisation on accumulation calls.

        Args:
            model: The model whose forward runs in the context.
        """
        no_sync = getattr(model, "no_sync", None)
        if not self.should_sync() and callable(no_sync):
            with no_sync():
                yield
        else:
            yield

    @property
    def inner_count(self) -> int:
        """Number of :meth:`backward` calls so far."""
        return self._inner_count

    def __repr__(self) -> str:
        return (
            f"Type: {type(self).__name__}\n"
            f"_accumulative_counts: {self._accumulative_counts}\n"
            f"optimizer: \n{self.optimizer!r}\n"
        )


def _has_batch_norm(model: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
