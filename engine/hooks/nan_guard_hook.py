"""``NanLossGuardHook``: stop as soon as a training loss is NaN or infinite.

Not part of MMEngine (its documentation shows a ``CheckInvalidLossHook``
that asserts on ``outputs['loss']``). After every ``interval``-th training
iteration this hook looks at every value of ``outputs`` (the dict returned
by ``train_step``: the parsed losses and whatever else the model logs) and
raises :class:`FloatingPointError` naming the iteration and every key whose
value is not finite, instead of training further on garbage.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from engine.hooks.hook import Hook
from engine.registry import HOOKS

__all__ = ["NanLossGuardHook"]


@HOOKS.register_module()
class NanLossGuardHook(Hook):
    """Raise when a loss of a training iteration is NaN or infinite.

    It runs at ``'ABOVE_NORMAL'`` priority, before the logger and the
    checkpoint hook see the iteration.

    Args:
        interval: Check every ``interval`` training iterations. Defaults to 1.

    Raises:
        ValueError: If ``interval`` is not a positive integer.

    Examples:
        >>> # custom_hooks = [dict(type='NanLossGuardHook', interval=1)]
        >>> import torch
        >>> invalid_loss_keys(dict(loss=torch.tensor(float('nan')), acc=1.0))
        ['loss']
    """

    priority = "ABOVE_NORMAL"

    def __init__(self, interval: int = 1) -> None:
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(
                f"NanLossGuardHook: interval must be a positive int, got {interval!r}"
            )
        self.interval = interval

    def after_train_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: Any = None,
        outputs: Any = None,
    ) -> None:
        """Raise :class:`FloatingPointError` if ``outputs`` has a bad loss."""
        if not isinstance(outputs, Mapping):
            return
        if not self.every_n_train_iters(runner, self.interval):
            return
        bad = invalid_loss_keys(outputs)
        if bad:
            values = ", ".join(f"{key}={_as_float(outputs[key])}" for key in bad)
            raise FloatingPointError(
                f"Non-finite loss at iteration {runner.iter + 1} (epoch "
                f"{runner.epoch + 1}): {values}; offending keys: {bad}"
            )


def invalid_loss_keys(outputs: Mapping[str, Any]) -> list[str]:
    """The keys of ``outputs`` whose numeric value has a NaN or an infinity.

    Args:
        outputs: A mapping from names to tensors or numbers; other values
            are ignored.

    Returns:
        The offending keys, in the mapping's order.

    Examples:
        >>> invalid_loss_keys({'loss': 1.0, 'loss_cls': float('inf')})
        ['loss_cls']
    """
    return [key for key, value in outputs.items() if not _is_finite(value)]


def _is_finite(value: Any) -> bool:
    import torch

    if isinstance(value, torch.Tensor):
        if not (value.is_floating_point() or value.is_complex()):
            return True
        return bool(torch.isfinite(value.detach()).all())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return math.isfinite(value)
    return True


def _as_float(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    return value
