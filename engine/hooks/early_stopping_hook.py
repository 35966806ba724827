"""``EarlyStoppingHook``: stop training when a validation metric stalls.

After every validation epoch the hook reads ``metrics[monitor]`` and, in
this order::

    missing          strict? RuntimeError : warn and skip
    not finite       (check_finite) stop
    past threshold   rule(score, stopping_threshold)? best = score, stop
    not improved     rule(best + min_delta, score)? wait += 1, stop at patience
    improved         otherwise: best = score, wait = 0

where ``rule`` is ``>`` ('greater') or ``<`` ('less') and ``min_delta`` is
negated for 'less'. Stopping sets ``runner.train_loop.stop_training``; the
loop ends after the current epoch (or iteration) and stays stopped.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

from engine.hooks._checkpoint_args import DEFAULT_GREATER_KEYS, DEFAULT_LESS_KEYS
from engine.hooks.hook import Hook
from engine.registry import HOOKS

__all__ = ["EarlyStoppingHook"]


@HOOKS.register_module()
class EarlyStoppingHook(Hook):
    """Early stop the training when the monitored metric stops improving.

    Args:
        monitor: The metric key (e.g. ``'accuracy/top1'``).
        rule: ``'greater'`` or ``'less'``: which direction is better.
            Defaults to None: ``'greater'`` when the key contains (case
            insensitively) one of :attr:`_default_greater_keys`, else
            ``'less'`` when it contains ``'loss'``.
        min_delta: The smallest change that counts as an improvement.
            Defaults to 0.1.
        strict: Raise when ``monitor`` is not among the metrics instead of
            warning. Defaults to False.
        check_finite: Stop when the metric is NaN or infinite. Defaults to
            True.
        patience: How many validations without improvement stop the
            training. Defaults to 5.
        stopping_threshold: Stop as soon as the metric is better than this.
            Defaults to None.

    Raises:
        ValueError: If ``rule`` is unknown, or None and cannot be inferred.

    Examples:
        >>> # custom_hooks = [dict(type='EarlyStoppingHook',
        >>> #                      monitor='accuracy/top1', patience=3)]
        >>> EarlyStoppingHook(monitor='accuracy/top1').rule
        'greater'
        >>> EarlyStoppingHook(monitor='val/loss').min_delta
        -0.1
    """

    priority = "LOWEST"

    rule_map: dict[str, Callable[[Any, Any], bool]] = {
        "greater": lambda x, y: x > y,
        "less": lambda x, y: x < y,
    }
    _default_greater_keys = list(DEFAULT_GREATER_KEYS)
    _default_less_keys = list(DEFAULT_LESS_KEYS)

    def __init__(
        self,
        monitor: str,
        rule: str | None = None,
        min_delta: float = 0.1,
        strict: bool = False,
        check_finite: bool = True,
        patience: int = 5,
        stopping_threshold: float | None = None,
    ) -> None:
        self.monitor = monitor
        if rule is not None and rule not in self.rule_map:
            raise ValueError(
                f'`rule` should be either "greater" or "less", but got {rule}'
            )
        self.rule = self._init_rule(rule, monitor)
        self.min_delta = min_delta if self.rule == "greater" else -1 * min_delta
        self.strict = strict
        self.check_finite = check_finite
        self.patience = patience
        self.stopping_threshold = stopping_threshold
        self.wait_count = 0
        self.best_score = -math.inf if self.rule == "greater" else math.inf

    def _init_rule(self, rule: str | None, key_indicator: str) -> str:
        """``rule``, or the one inferred from the metric's name."""
        if rule is not None:
            return rule
        key = key_indicator.lower()
        if any(k.lower() in key for k in self._default_greater_keys):
            return "greater"
        if any(k.lower() in key for k in self._default_less_keys):
            return "less"
        raise ValueError(
            f"Cannot infer the rule for {key_indicator}, thus rule must be specified."
        )

    def before_run(self, runner: Any) -> None:
        """Check that the train loop can be stopped."""
        assert hasattr(runner.train_loop, "stop_training"), (
            "`train_loop` should contain `stop_training` variable."
        )

    def after_val_epoch(
        self, runner: Any, metrics: dict[str, float] | None = None
    ) -> None:
        """Decide from ``metrics[monitor]`` whether to stop the training."""
        if metrics is None:
            raise TypeError("EarlyStoppingHook.after_val_epoch: metrics is None")
        if self.monitor not in metrics:
            if self.strict:
                raise RuntimeError(
                    f"Early stopping conditioned on metric `{self.monitor} is not "
                    f"available. Please check available metrics {metrics}, or set "
                    "`strict=False` in `EarlyStoppingHook`."
                )
            warnings.warn(
                "Skip early stopping process since the evaluation results "
                f"({metrics.keys()}) do not include `monitor` ({self.monitor}).",
                stacklevel=1,
            )
            return
        stop, message = self._check_stop_condition(metrics[self.monitor])
        if stop:
            runner.train_loop.stop_training = True
            runner.logger.info(message)

    def _check_stop_condition(self, current_score: Any) -> tuple[bool, str]:
        """Update the state with a new score; return (stop?, log message)."""
        compare = self.rule_map[self.rule]
        if self.check_finite and not math.isfinite(current_score):
            return True, (
                f"Monitored metric {self.monitor} = {current_score} is infinite. "
                f"Previous best value was {self.best_score:.3f}."
            )
        threshold = self.stopping_threshold
        if threshold is not None and compare(current_score, threshold):
            self.best_score = current_score
            self.wait_count = 0
            return True, (
                f"Stopping threshold reached: `{self.monitor}` = {current_score} "
                f"is {self.rule} than {threshold}."
            )
        if compare(self.best_score + self.min_delta, current_score):
            self.wait_count += 1
            if self.wait_count >= self.patience:
                return True, (
                    "the monitored metric did not improve in the last "
                    f"{self.wait_count} records. best score: {self.best_score:.3f}. "
                )
            return False, ""
        self.best_score = current_score
        self.wait_count = 0
        return False, ""
