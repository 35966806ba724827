"""Reduce a value when a monitored metric stops improving.

Re-exported by :mod:`engine.optim.scheduler.param_scheduler`, its public
module. Unlike the other families it is driven by metrics:
``step(metrics)`` (after validation) judges the metric, while ``step()``
without metrics only advances the step counter that the ``begin``/``end``
window is checked against.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.optim.scheduler._base import INF, OptimizerLike, _ParamScheduler
from engine.registry import PARAM_SCHEDULERS
from engine.utils._errors import CompatValueError


@PARAM_SCHEDULERS.register_module()
class ReduceOnPlateauParamScheduler(_ParamScheduler):
    """Multiply the value by ``factor`` after ``patience`` bad evaluations.

    An evaluation is good when ``metrics[monitor]`` beats the best so far by
    more than ``threshold`` (relative or absolute, ``threshold_rule``) in
    the direction ``rule``. After more than ``patience`` bad evaluations the
    value becomes ``max(value * factor, min_value)`` (kept unless it changes
    by more than ``eps``), then ``cooldown`` evaluations are not counted.

    Args:
        optimizer: The optimizer or optimizer wrapper.
        param_name: The param-group key to schedule.
        monitor: The metric key. Defaults to ``'loss'``.
        rule: ``'less'`` or ``'greater'`` is better. Defaults to ``'less'``.
        factor: The decay, < 1. Defaults to 0.1.
        patience: Bad evaluations tolerated. Defaults to 10.
        threshold: Improvement needed. Defaults to 1e-4.
        threshold_rule: ``'rel'`` or ``'abs'``. Defaults to ``'rel'``.
        cooldown: Evaluations skipped after a reduction. Defaults to 0.
        min_value: Lower bound, one or one per group. Defaults to 0.
        eps: Smallest change applied. Defaults to 1e-8.
        begin: First active step. Defaults to 0.
        end: End of the window (exclusive). Defaults to ``INF``.
        last_step: Last step index. Defaults to -1.
        by_epoch: Count epochs (True) or iterations. Defaults to True.
        verbose: Log every update. Defaults to False.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = ReduceOnPlateauParamScheduler(opt, 'lr', patience=0, factor=0.5)
        >>> s.step(dict(loss=1.0)); s.step(dict(loss=2.0))
        >>> opt.param_groups[0]['lr']
        0.5
    """

    need_val_args = True

    def __init__(
        self,
        optimizer: OptimizerLike,
        param_name: str,
        monitor: str = "loss",
        rule: str = "less",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_rule: str = "rel",
        cooldown: int = 0,
        min_value: float | Sequence[float] = 0.0,
        eps: float = 1e-8,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        if factor >= 1.0:
            raise CompatValueError("Factor should be < 1.0.")
        super().__init__(
            optimizer, param_name, begin, end, last_step, by_epoch, verbose
        )
        del self.base_values, self._last_value
        self._global_step = last_step + 1
        self.last_step = last_step
        self.factor = factor
        self.min_values = _min_values(min_value, len(optimizer.param_groups))
        self.patience = patience
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.rule_worse: float = 0
        self.best: float = 0
        self.num_bad_epochs = 0
        self.eps = eps
        self.monitor = monitor
        self._init_is_better(rule, threshold, threshold_rule)
        self._reset()
        self._last_value = self._current()

    def _init_is_better(self, rule: str, threshold: float, threshold_rule: str) -> None:
        """Validate and store the comparison rule."""
        if rule not in ("less", "greater"):
            raise CompatValueError(f"mode {rule} is unknown!")
        if threshold_rule not in ("rel", "abs"):
            raise CompatValueError(f"threshold mode {threshold_rule} is unknown!")
        self.rule_worse = INF if rule == "less" else -INF
        self.rule = rule
        self.threshold = threshold
        self.threshold_rule = threshold_rule

    def _reset(self) -> None:
        """Forget the best metric, the bad count and the cooldown."""
        self.best = self.rule_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _is_better(self, a: float, best: float) -> bool:
        """Whether metric ``a`` improves on ``best`` by the threshold."""
        if self.threshold_rule == "rel":
            scale = 1 - self.threshold if self.rule == "less" else self.threshold + 1
            return a < best * scale if self.rule == "less" else a > best * scale
        if self.rule == "less":
            return a < best - self.threshold
        return a > best + self.threshold

    def _in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def step(self, metrics: dict[str, float] | None = None) -> None:
        """Judge ``metrics`` (reduce if needed); without them count a step.

        Args:
            metrics: The evaluation results, holding ``monitor``. Defaults
                to None (only the step counter advances).
        """
        if metrics is None:
            self._global_step += 1
            return
        if self.begin <= self._global_step < self.end:
            self.last_step += 1
            self._judge(metrics)
        self._last_value = self._current()

    def _judge(self, metrics: dict[str, float]) -> None:
        """Update the best metric and counters; reduce after ``patience``."""
        if self.monitor not in metrics:
            raise KeyError(
                f"Excepted key in {list(metrics.keys())}, but got key "
                f"{self.monitor} is not in dict"
            )
        current = metrics[self.monitor]
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self._in_cooldown():
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for i, (group, value) in enumerate(
                zip(self.optimizer.param_groups, self._get_value())
            ):
                if group[self.param_name] - value > self.eps:
                    self._set_value(group, value)
                    self.print_value(self.verbose, i, value)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0

    def _get_value(self) -> list[float]:
        return [
            max(value * self.factor, low)
            for value, low in zip(self._current(), self.min_values)
        ]


def _min_values(min_value: float | Sequence[float], groups: int) -> list[float]:
    """One lower bound per param group."""
    if isinstance(min_value, (list, tuple)):
        if len(min_value) != groups:
            raise CompatValueError(f"expected {groups} min_lrs, got {len(min_value)}")
        return list(min_value)
    return [min_value] * groups  # type: ignore[list-item]


__all__ = ["ReduceOnPlateauParamScheduler"]
