"""Generic parameter schedulers: the ``XxxParamScheduler`` families.

Each family computes the value for ``last_step`` (steps since ``begin``)
from the current group values, in PyTorch's chainable form, so that
overlapping schedulers multiply. The closed forms, with ``b`` the base value
and ``t = last_step``:

* Constant: ``b * factor`` for ``t < end - begin - 1``, then ``b``.
* Linear: ``b * (s + (e - s) * min(t, T) / T)``, ``T = end - begin - 1``.
* Exponential: ``b * gamma ** t``.
* MultiStep: ``b * gamma ** (number of milestones <= t)``.
* Step: ``b * gamma ** (t // step_size)``.
* CosineAnnealing: ``m + (b - m) * (1 + cos(pi * t / T_max)) / 2``.
* Poly: ``m + (b - m) * (1 - min(t, T) / T) ** power``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from engine.optim.scheduler._base import INF, OptimizerLike, _EpochConvertible
from engine.registry import PARAM_SCHEDULERS
from engine.utils._errors import CompatValueError


def _check_factor(name: str, value: float) -> None:
    """Raise if a multiplicative factor is outside [0, 1]."""
    if not 0 <= value <= 1.0:
        raise CompatValueError(f"{name} multiplicative factor should between 0 and 1.")


@PARAM_SCHEDULERS.register_module()
class ConstantParamScheduler(_EpochConvertible):
    """Multiply the value by ``factor`` until ``end - 1``, then restore it.

    Args:
        optimizer: The optimizer or optimizer wrapper.
        param_name: The param-group key to schedule.
        factor: The multiplicative factor, in [0, 1]. Defaults to 1/3.
        begin: First active step. Defaults to 0.
        end: End of the window (exclusive). Defaults to ``INF``.
        last_step: Last step index. Defaults to -1.
        by_epoch: Count epochs (True) or iterations. Defaults to True.
        verbose: Log every update. Defaults to False.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = ConstantParamScheduler(opt, 'lr', factor=0.5, end=3)
        >>> opt.param_groups[0]['lr']
        0.5
    """

    def __init__(
        self,
        optimizer: OptimizerLike,
        param_name: str,
        factor: float = 1.0 / 3,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        _check_factor("Constant", factor)
        self.factor = factor
        self.total_iters = end - begin - 1
        super().__init__(
            optimizer, param_name, begin, end, last_step, by_epoch, verbose
        )

    def _get_value(self) -> list[float]:
        current = self._current()
        if self.last_step == 0:
            return [v * self.factor for v in current]
        if self.last_step != self.total_iters:
            return current
        return [v * (1.0 / self.factor) for v in current]


@PARAM_SCHEDULERS.register_module()
class LinearParamScheduler(_EpochConvertible):
    """Scale the value linearly from ``start_factor`` to ``end_factor``.

    The factor reaches ``end_factor`` at step ``end - 1`` (``total_iters =
    end - begin - 1``).

    Args:
        optimizer: The optimizer or optimizer wrapper.
        param_name: The param-group key to schedule.
        start_factor: Factor at ``begin``, in [0, 1]. Defaults to 1/3.
        end_factor: Factor at ``end - 1``, in [0, 1]. Defaults to 1.0.
        begin: First active step. Defaults to 0.
        end: End of the window (exclusive). Defaults to ``INF``.
        last_step: Last step index. Defaults to -1.
        by_epoch: Count epochs (True) or iterations. Defaults to True.
        verbose: Log every update. Defaults to False.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = LinearParamScheduler(opt, 'lr', start_factor=0.5, end=5)
        >>> s.step(); opt.param_groups[0]['lr']
        0.625
    """

    def __init__(
        self,
        optimizer: OptimizerLike,
        param_name: str,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        _check_factor("Starting", start_factor)
        _check_factor("Ending", end_factor)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = end - begin - 1
        super().__init__(
            optimizer, param_name, begin, end, last_step, by_epoch, verbose
        )

    def _get_value(self) -> list[float]:
        current = self._current()
        t, start, stop = self.last_step, self.start_factor, self.end_factor
        if t == 0:
            return [v * start for v in current]
        if t > self.total_iters:
            return current
        ratio = 1.0 + (stop - start) / (
            self.total_iters * start + (t - 1) * (stop - start)
        )
        return [v * ratio for v in current]


@PARAM_SCHEDULERS.register_module()
class ExponentialParamScheduler(_EpochConvertible):
    """Multiply the value by ``gamma`` at every active step after ``begin``.

    Args:
        optimizer: The optimizer or optimizer wrapper.
        param_name: The param-group key to schedule.
        gamma: The decay per step.
        begin: First active step. Defaults to 0.
        end: End of the window (exclusive). Defaults to ``INF``.
        last_step: Last step index. Defaults to -1.
        by_epoch: Count epochs (True) or iterations. Defaults to True.
        verbose: Log every update. Defaults to False.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = ExponentialParamScheduler(opt, 'lr', gamma=0.5)
        >>> s.step(); opt.param_groups[0]['lr']
        0.5
    """

    def __init__(
        self,
        optimizer: OptimizerLike,
        param_name: str,
        gamma: float,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        self.gamma = gamma
        super().__init__(
            optimizer, param_name, begin, end, last_step, by_epoch, verbose
        )

    def _get_value(self) -> list[float]:
        current = self._current()
        if self.last_step == 0:
            return current
        return [v * self.gamma for v in current]


@PARAM_SCHEDULERS.register_module()
class MultiStepParamScheduler(_EpochConvertible):
    """Multiply the value by ``gamma`` at each milestone (steps from ``begin``).

    Args:
        optimizer: The optimizer or optimizer wrapper.
        param_name: The param-group key to schedule.
        milestones: Steps (counted from ``begin``) where the value decays;
            a repeated milestone decays several times.
        gamma: The decay per milestone. Defaults to 0.1.
        last_step: Last step index. Defaults to -1.
        begin: First active step. Defaults to 0.
        end: End of the window (exclusive). Defaults to ``INF``.
        by_epoch: Count epochs (True) or iterations. Defaults to True.
        verbose: Log every update. Defaults to False.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = MultiStepParamScheduler(opt, 'lr', milestones=[1], gamma=0.5)
        >>> s.step(); opt.param_groups[0]['lr']
        0.5
    """

    def __init__(
        self,
        optimizer: OptimizerLike,
        param_name: str,
        milestones: list[int],
        gamma: float = 0.1,
        last_step: int = -1,
        begin: int = 0,
        end: int = INF,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(
            optimizer, param_name, begin, end, last_step, by_epoch, verbose
        )

    @classmethod
    def _epoch_kwargs_to_iter(
        cls, kwargs: dict[str, Any], epoch_length: int
    ) -> dict[str, Any]:
        if "milestones" in kwargs:
            kwargs["milestones"] = [m * epoch_length for m in kwargs["milestones"]]
        return kwargs

    def _get_value(self) -> list[float]:
        current = self._current()
        if self.last_step not in self.milestones:
            return current
        scale = self.gamma ** self.milestones[self.last_step]
        return [v * scale for v in current]


@PARAM_SCHEDULERS.register_module()
class StepParamScheduler(_EpochConvertible):
    """Multiply the value by ``gamma`` every ``step_size`` steps.

    Args:
        optimizer: The optimizer or optimizer wrapper.
        param_name: The param-group key to schedule.
        step_size: Period of the decay, in steps.
        gamma: The decay per period. Defaults to 0.1.
        begin: First active step. Defaults to 0.
        end: End of the window (exclusive). Defaults to ``INF``.
        last_step: Last step index. Defaults to -1.
        by_epoch: Count epochs (True) or iterations. Defaults to True.
        verbose: Log every update. Defaults to False.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = StepParamScheduler(opt, 'lr', step_size=2, gamma=0.5)
        >>> s.step(); s.step(); opt.param_groups[0]['lr']
        0.5
    """

    def __init__(
        self,
        optimizer: OptimizerLike,
        param_name: str,
        step_size: int,
        gamma: float = 0.1,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(
            optimizer, param_name, begin, end, last_step, by_epoch, verbose
        )

    @classmethod
    def _epoch_kwargs_to_iter(
        cls, kwargs: dict[str, Any], epoch_length: int
    ) -> dict[str, Any]:
        if "step_size" in kwargs:
            kwargs["step_size"] = kwargs["step_size"] * epoch_length
        return kwargs

    def _get_value(self) -> list[float]:
        current = self._current()
        if self.last_step == 0 or self.last_step % self.step_size != 0:
            return current
        return [v * self.gamma for v in current]


from engine.optim.scheduler._annealing import (  # noqa: E402
    CosineAnnealingParamScheduler,
    PolyParamScheduler,
)
from engine.optim.scheduler._one_cycle import OneCycleParamScheduler  # noqa: E402
from engine.optim.scheduler._plateau import ReduceOnPlateauParamScheduler  # noqa: E402
from engine.optim.scheduler._restart import CosineRestartParamScheduler  # noqa: E402

__all__ = [
    "ConstantParamScheduler",
    "CosineAnnealingParamScheduler",
    "CosineRestartParamScheduler",
    "OneCycleParamScheduler",
    "PolyParamScheduler",
    "ReduceOnPlateauParamScheduler",
    "ExponentialParamScheduler",
    "LinearParamScheduler",
    "MultiStepParamScheduler",
    "StepParamScheduler",
]
