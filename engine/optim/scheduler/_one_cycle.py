"""The 1cycle learning-rate policy (Smith & Topin, "Super-Convergence").

Re-exported by :mod:`engine.optim.scheduler.param_scheduler`, its public
module. The value goes from ``eta_max / div_factor`` up to ``eta_max`` over
the first ``pct_start`` of ``total_steps``, then down to ``initial /
final_div_factor`` (two phases), or back to the initial value and then down
(``three_phase``), annealed by a cosine or linearly. Values equal PyTorch's
``OneCycleLR`` (without momentum cycling).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from engine.optim.scheduler._base import INF, OptimizerLike, _EpochConvertible
from engine.registry import PARAM_SCHEDULERS
from engine.utils._errors import CompatValueError


def _anneal_cos(start: float, end: float, pct: float) -> float:
    """Cosine annealing from ``start`` to ``end`` as ``pct`` goes 0 -> 1."""
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def _anneal_linear(start: float, end: float, pct: float) -> float:
    """Linear annealing from ``start`` to ``end`` as ``pct`` goes 0 -> 1."""
    return (end - start) * pct + start


_ANNEAL = {"cos": _anneal_cos, "linear": _anneal_linear}


@PARAM_SCHEDULERS.register_module()
class OneCycleParamScheduler(_EpochConvertible):
    """The 1cycle policy; only ``param_name='lr'`` is supported.

    Args:
        optimizer: The optimizer or optimizer wrapper.
        param_name: Must be ``'lr'``.
        eta_max: Peak value, one for all groups or one per group.
            Defaults to 0.
        total_steps: Length of the cycle. Defaults to None (``end - begin``).
        pct_start: Fraction of the cycle spent rising. Defaults to 0.3.
        anneal_strategy: ``'cos'`` or ``'linear'``. Defaults to ``'cos'``.
        div_factor: Initial value is ``eta_max / div_factor``. Defaults to 25.
        final_div_factor: Final value is ``initial / final_div_factor``.
            Defaults to 1e4.
        three_phase: Use three phases (up, down to initial, down to final).
            Defaults to False.
        begin: First active step. Defaults to 0.
        end: End of the window (exclusive). Defaults to ``INF``.
        last_step: Last step index. Defaults to -1.
        by_epoch: Count epochs (True) or iterations. Defaults to True.
        verbose: Log every update. Defaults to False.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = OneCycleParamScheduler(opt, 'lr', eta_max=0.5, total_steps=10)
        >>> s.step(); s.step(); opt.param_groups[0]['lr']
        0.5
    """

    def __init__(
        self,
        optimizer: OptimizerLike,
        param_name: str,
        eta_max: float | Sequence[float] = 0,
        total_steps: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        if param_name != "lr":
            raise CompatValueError(
                "OneCycle only works for learning rate updating, but got "
                f"patam_name as {param_name}"
            )
        self.eta_max = eta_max
        self.div_factor = div_factor
        self.final_div_factor = final_div_factor
        self.total_steps = _check_total(total_steps, begin, end)
        if not 0 <= pct_start <= 1 or not isinstance(pct_start, float):
            raise CompatValueError(
                f"Expected float between 0 and 1 pct_start, but got {pct_start}"
            )
        if anneal_strategy not in _ANNEAL:
            raise CompatValueError(
                'anneal_strategy must by one of "cos" or "linear", instead got '
                f"{anneal_strategy}"
            )
        self.anneal_func: Callable[[float, float, float], float]
        self.anneal_func = _ANNEAL[anneal_strategy]
        self._schedule_phases = _phases(pct_start, self.total_steps, three_phase)
        if last_step == -1:
            self._init_groups(optimizer.param_groups, param_name)
        super().__init__(
            optimizer, param_name, begin, end, last_step, by_epoch, verbose
        )

    def state_dict(self) -> dict[str, Any]:
        """The state, with the annealing function saved by name.

        MMEngine pickles the function itself, which ``torch.load(
        weights_only=True)`` refuses; engine saves ``'cos'`` or ``'linear'``.

        Returns:
            The state dict.
        """
        state = super().state_dict()
        state["anneal_func"] = _strategy_of(self.anneal_func)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state; the annealing function may be a name or a function.

        Args:
            state_dict: The state (from engine or MMEngine).
        """
        state = dict(state_dict)
        func = state.get("anneal_func")
        if func is not None:
            state["anneal_func"] = _ANNEAL[_strategy_of(func)]
        super().load_state_dict(state)

    def _init_groups(self, groups: list[dict[str, Any]], name: str) -> None:
        """Write ``initial_``, ``max_`` and ``min_<name>`` into every group."""
        if isinstance(self.eta_max, (list, tuple)):
            if len(self.eta_max) != len(groups):
                raise CompatValueError(
                    f"expected {len(groups)} values for max_lr, got {len(self.eta_max)}"
                )
            peaks = list(self.eta_max)
        else:
            peaks = [self.eta_max] * len(groups)
        for group, peak in zip(groups, peaks):
            initial = peak / self.div_factor
            group[f"initial_{name}"] = initial
            group[f"max_{name}"] = peak
            group[f"min_{name}"] = initial / self.final_div_factor

    @classmethod
    def _epoch_kwargs_to_iter(
        cls, kwargs: dict[str, Any], epoch_length: int
    ) -> dict[str, Any]:
        if kwargs.get("total_steps") is not None:
            kwargs["total_steps"] = kwargs["total_steps"] * epoch_length
        return kwargs

    def _get_value(self) -> list[float]:
        t = self.last_step
        if t > self.total_steps:
            raise CompatValueError(
                f"Tried to step {t + 1} times. The specified number of total "
                f"steps is {self.total_steps}"
            )
        return [self._value_at(group, t) for group in self.optimizer.param_groups]

    def _value_at(self, group: dict[str, Any], t: int) -> float:
        """The annealed value of one group at step ``t``."""
        start = 0.0
        last = len(self._schedule_phases) - 1
        for i, phase in enumerate(self._schedule_phases):
            stop = phase["end_step"]
            if t <= stop or i == last:
                pct = (t - start) / (stop - start)
                low, high = group[phase["start_lr"]], group[phase["end_lr"]]
                return self.anneal_func(low, high, pct)
            start = stop
        raise AssertionError("unreachable: the last phase always matches")


def _check_total(total_steps: int | None, begin: int, end: int) -> int:
    """``total_steps``, defaulting to the window length; must be positive."""
    if total_steps is None:
        total_steps = end - begin
    if not isinstance(total_steps, int) or total_steps <= 0:
        raise CompatValueError(
            f"Expected positive integer total_steps, but got {total_steps}"
        )
    return total_steps


def _phases(pct_start: float, total: int, three_phase: bool) -> list[dict[str, Any]]:
    """The phase table: each phase's last step and its start/end keys."""
    rise = float(pct_start * total) - 1
    if three_phase:
        return [
            {"end_step": rise, "start_lr": "initial_lr", "end_lr": "max_lr"},
            {"end_step": 2 * rise, "start_lr": "max_lr", "end_lr": "initial_lr"},
            {"end_step": total - 1, "start_lr": "initial_lr", "end_lr": "min_lr"},
        ]
    return [
        {"end_step": rise, "start_lr": "initial_lr", "end_lr": "max_lr"},
        {"end_step": total - 1, "start_lr": "max_lr", "end_lr": "min_lr"},
    ]


__all__ = ["OneCycleParamScheduler"]


def _strategy_of(func: Any) -> str:
    """``'cos'`` or ``'linear'`` for an annealing function or its name."""
    if isinstance(func, str):
        name = func
    else:
        name = getattr(func, "__name__", "")
    for strategy in _ANNEAL:
        if name == strategy or strategy in name:
            return strategy
    raise ValueError(
        f"unknown OneCycle annealing function {func!r}: expected 'cos' or 'linear'"
    )
