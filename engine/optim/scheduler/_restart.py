"""Cosine annealing with warm restarts (SGDR), by explicit periods.

Re-exported by :mod:`engine.optim.scheduler.param_scheduler`, its public
module.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from engine.optim.scheduler._base import INF, OptimizerLike, _EpochConvertible
from engine.registry import PARAM_SCHEDULERS
from engine.utils._errors import CompatValueError


@PARAM_SCHEDULERS.register_module()
class CosineRestartParamScheduler(_EpochConvertible):
    """Cosine annealing restarted at the end of every period.

    Period ``i`` lasts ``periods[i]`` steps. At its first step the value is
    ``restart_weights[i] * b`` (``b`` the base value); at its ``p``-th step it
    follows ``m + (v - m) * (1 + cos(pi * p / P)) / 2`` from the restart value
    ``v`` towards ``m = eta_min`` (or ``b * eta_min_ratio``), in PyTorch's
    chainable form, so overlapping schedulers multiply. After the last
    period the value is held.

    Args:
        optimizer: The optimizer or optimizer wrapper.
        param_name: The param-group key to schedule.
        periods: Length of every period, in steps.
        restart_weights: Weight of the value at each restart, one per period.
            Defaults to ``(1,)``.
        eta_min: Minimum value. Defaults to None.
        eta_min_ratio: Minimum as a ratio of the base value; exactly one of
            ``eta_min`` and ``eta_min_ratio`` must be given. Defaults to None.
        begin: First active step. Defaults to 0.
        end: End of the window (exclusive). Defaults to ``INF``.
        last_step: Last step index. Defaults to -1.
        by_epoch: Count epochs (True) or iterations. Defaults to True.
        verbose: Log every update. Defaults to False.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = CosineRestartParamScheduler(
        ...     opt, 'lr', periods=[2, 2], restart_weights=[1, 0.5], eta_min=0)
        >>> [(s.step(), opt.param_groups[0]['lr'])[1] for _ in range(2)]
        [0.5, 0.5]
    """

    def __init__(
        self,
        optimizer: OptimizerLike,
        param_name: str,
        periods: list[int],
        restart_weights: Sequence[float] = (1,),
        eta_min: float | None = None,
        eta_min_ratio: float | None = None,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        if (eta_min is None) == (eta_min_ratio is None):
            raise CompatValueError(
                "Either `eta_min` or `eta_min_ratio` should be specified"
            )
        if len(periods) != len(restart_weights):
            raise CompatValueError(
                "periods and restart_weights should have the same length, but "
                f"got {len(periods)} and {len(restart_weights)}"
            )
        self.periods = periods
        self.eta_min = eta_min
        self.eta_min_ratio = eta_min_ratio
        self.restart_weights = restart_weights
        self.cumulative_periods = list(itertools.accumulate(periods))
        super().__init__(
            optimizer, param_name, begin, end, last_step, by_epoch, verbose
        )

    @classmethod
    def _epoch_kwargs_to_iter(
        cls, kwargs: dict[str, Any], epoch_length: int
    ) -> dict[str, Any]:
        if "periods" in kwargs:
            kwargs["periods"] = [p * epoch_length for p in kwargs["periods"]]
        return kwargs

    def _get_value(self) -> list[float]:
        current = self._current()
        t = self.last_step
        index = next((i for i, c in enumerate(self.cumulative_periods) if t < c), None)
        if index is None:
            return current
        restart = self.cumulative_periods[index - 1] if index else 0
        pos, period = t - restart, self.periods[index]
        if pos == 0:
            weight = self.restart_weights[index]
            return [weight * base for base in self.base_values]
        ratio = (1 + math.cos(math.pi * pos / period)) / (
            1 + math.cos(math.pi * (pos - 1) / period)
        )
        values = []
        for value, base in zip(current, self.base_values):
            low = (
                self.eta_min
                if self.eta_min_ratio is None
                else base * self.eta_min_ratio
            )
            assert low is not None
            values.append(low + (value - low) * ratio)
        return values


__all__ = ["CosineRestartParamScheduler"]
