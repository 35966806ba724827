"""Annealing parameter schedulers: cosine annealing and polynomial decay.

Re-exported by :mod:`engine.optim.scheduler.param_scheduler`, their public
module.
"""

from __future__ import annotations

import math
from typing import Any

from engine.optim.scheduler._base import INF, OptimizerLike, _EpochConvertible
from engine.registry import PARAM_SCHEDULERS
from engine.utils._errors import CompatValueError


@PARAM_SCHEDULERS.register_module()
class CosineAnnealingParamScheduler(_EpochConvertible):
    """Anneal the value along a cosine from its base value to ``eta_min``.

    Closed form, ``t`` steps after ``begin``: ``m + (b - m) * (1 + cos(pi *
    t / T_max)) / 2``, with ``m = eta_min`` or ``b * eta_min_ratio``. Past
    ``T_max`` the cosine goes on (periodically), as PyTorch's.

    Args:
        optimizer: The optimizer or optimizer wrapper.
        param_name: The param-group key to schedule.
        T_max: Half period in steps. Defaults to None (``end - begin``).
        eta_min: Minimum value. Defaults to None (0 unless
            ``eta_min_ratio`` is given).
        begin: First active step. Defaults to 0.
        end: End of the window (exclusive). Defaults to ``INF``.
        last_step: Last step index. Defaults to -1.
        by_epoch: Count epochs (True) or iterations. Defaults to True.
        verbose: Log every update. Defaults to False.
        eta_min_ratio: Minimum as a ratio of the base value. At most one of
            ``eta_min`` and ``eta_min_ratio`` may be given. Defaults to None.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = CosineAnnealingParamScheduler(opt, 'lr', T_max=2)
        >>> s.step(); round(opt.param_groups[0]['lr'], 6)
        0.5
    """

    def __init__(
        self,
        optimizer: OptimizerLike,
        param_name: str,
        T_max: int | None = None,
        eta_min: float | None = None,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
        eta_min_ratio: float | None = None,
    ) -> None:
        if eta_min is None and eta_min_ratio is None:
            eta_min = 0.0
        if (eta_min is None) == (eta_min_ratio is None):
            raise CompatValueError(
                "Either `eta_min` or `eta_min_ratio should be specified"
            )
        self.T_max = T_max or end - begin
        self.eta_min = eta_min
        self.eta_min_ratio = eta_min_ratio
        super().__init__(
            optimizer, param_name, begin, end, last_step, by_epoch, verbose
        )

    @classmethod
    def _epoch_kwargs_to_iter(
        cls, kwargs: dict[str, Any], epoch_length: int
    ) -> dict[str, Any]:
        if kwargs.get("T_max") is not None:
            kwargs["T_max"] = kwargs["T_max"] * epoch_length
        return kwargs

    def _get_value(self) -> list[float]:
        current = self._current()
        t, period = self.last_step, self.T_max
        if t == 0:
            return current
        if (t - 1 - period) % (2 * period) == 0:
            rise = (1 - math.cos(math.pi / period)) / 2
            return [
                value + (base - self._minimum(base)) * rise
                for value, base in zip(current, self.base_values)
            ]
        ratio = (1 + math.cos(math.pi * t / period)) / (
            1 + math.cos(math.pi * (t - 1) / period)
        )
        values = []
        for value, base in zip(current, self.base_values):
            low = self._minimum(base)
            values.append(ratio * (value - low) + low)
        return values

    def _minimum(self, base: float) -> float:
        """``eta_min``, or ``base * eta_min_ratio``."""
        if self.eta_min_ratio is not None:
            return base * self.eta_min_ratio
        assert self.eta_min is not None
        return self.eta_min


@PARAM_SCHEDULERS.register_module()
class PolyParamScheduler(_EpochConvertible):
    """Decay the value polynomially to ``eta_min`` at step ``end - 1``.

    Closed form: ``m + (b - m) * (1 - min(t, T) / T) ** power`` with ``T =
    end - begin - 1``.

    Args:
        optimizer: The optimizer or optimizer wrapper.
        param_name: The param-group key to schedule.
        eta_min: The final value. Defaults to 0.
        power: The power of the polynomial. Defaults to 1.0.
        begin: First active step. Defaults to 0.
        end: End of the window (exclusive). Defaults to ``INF``.
        last_step: Last step index. Defaults to -1.
        by_epoch: Count epochs (True) or iterations. Defaults to True.
        verbose: Log every update. Defaults to False.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = PolyParamScheduler(opt, 'lr', end=3)
        >>> s.step(); opt.param_groups[0]['lr']
        0.5
    """

    def __init__(
        self,
        optimizer: OptimizerLike,
        param_name: str,
        eta_min: float = 0,
        power: float = 1.0,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        self.eta_min = eta_min
        self.power = power
        self.total_iters = end - begin - 1
        super().__init__(
            optimizer, param_name, begin, end, last_step, by_epoch, verbose
        )

    def _get_value(self) -> list[float]:
        current = self._current()
        t = self.last_step
        if t == 0 or t > self.total_iters:
            return current
        decay = (1.0 - 1.0 / (self.total_iters - t + 1)) ** self.power
        return [(v - self.eta_min) * decay + self.eta_min for v in current]


__all__ = ["CosineAnnealingParamScheduler", "PolyParamScheduler"]
