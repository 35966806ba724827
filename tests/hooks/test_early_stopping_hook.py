"""Unit tests of EarlyStoppingHook: rule inference, stopping and messages."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.hooks import EarlyStoppingHook
from engine.registry import HOOKS
from tests.hooks.conftest import RecordingLogger


def _runner() -> Any:
    return SimpleNamespace(
        train_loop=SimpleNamespace(stop_training=False), logger=RecordingLogger()
    )


def _feed(hook: EarlyStoppingHook, scores: list[float], key: str = "acc") -> list:
    runner = _runner()
    hook.before_run(runner)
    states = []
    for score in scores:
        hook.after_val_epoch(runner, {key: score})
        states.append((runner.train_loop.stop_training, hook.wait_count))
    return [states, runner.logger.messages]


@pytest.mark.parametrize(
    ("monitor", "rule"),
    [
        ("acc", "greater"),
        ("accuracy/top1", "greater"),
        ("coco/AR@100", "greater"),
        ("Acc", "greater"),
        ("mIoU", "greater"),
        ("loss", "less"),
        ("val/LOSS", "less"),
        ("loss_acc", "greater"),
    ],
)
def test_rule_is_inferred_from_the_key(monitor: str, rule: str) -> None:
    hook = EarlyStoppingHook(monitor)
    assert hook.rule == rule
    assert hook.best_score == (-math.inf if rule == "greater" else math.inf)
    assert hook.min_delta == (0.1 if rule == "greater" else -0.1)


def test_unknown_key_or_rule_raises() -> None:
    with pytest.raises(ValueError, match="Cannot infer the rule for foo"):
        EarlyStoppingHook("foo")
    with pytest.raises(ValueError, match='either "greater" or "less", but got up'):
        EarlyStoppingHook("foo", rule="up")


def test_registered_with_its_defaults() -> None:
    hook = HOOKS.build(dict(type="EarlyStoppingHook", monitor="acc"))
    assert (hook.patience, hook.strict, hook.check_finite) == (5, False, True)
    assert hook.stopping_threshold is None
    assert EarlyStoppingHook.priority == "LOWEST"


def test_patience_counts_records_without_improvement() -> None:
    hook = EarlyStoppingHook("acc", patience=2)
    states, messages = _feed(hook, [1.0, 1.05, 1.2, 1.2, 1.2])
    assert states == [(False, 0), (False, 1), (False, 0), (False, 1), (True, 2)]
    assert messages == [
        "the monitored metric did not improve in the last 2 records. "
        "best score: 1.200. "
    ]


def test_less_rule_and_equal_to_min_delta_counts_as_improvement() -> None:
    hook = EarlyStoppingHook("loss", min_delta=0.5, patience=1)
    states, _ = _feed(hook, [1.0, 0.5, 0.2], key="loss")
    assert states == [(False, 0), (False, 0), (True, 1)]
    assert hook.best_score == 0.5


def test_stopping_threshold_sets_best_and_logs() -> None:
    hook = EarlyStoppingHook("acc", stopping_threshold=0.9, min_delta=0.5)
    states, messages = _feed(hook, [0.5, 0.95])
    assert states[-1] == (True, 0)
    assert hook.best_score == 0.95
    assert messages == ["Stopping threshold reached: `acc` = 0.95 is greater than 0.9."]
    hook = EarlyStoppingHook("acc", stopping_threshold=0.9)
    assert _feed(hook, [0.9])[0] == [(False, 0)]


def test_non_finite_stops_unless_check_finite_is_off() -> None:
    hook = EarlyStoppingHook("acc")
    states, messages = _feed(hook, [0.5, math.inf])
    assert states[-1] == (True, 0)
    assert messages == [
        "Monitored metric acc = inf is infinite. Previous best value was 0.500."
    ]
    hook = EarlyStoppingHook("acc", check_finite=False)
    assert _feed(hook, [math.nan, 1.0])[0] == [(False, 0), (False, 0)]


def test_missing_metric_warns_or_raises_when_strict() -> None:
    runner = _runner()
    with pytest.warns(UserWarning, match=r"do not include `monitor` \(acc\)"):
        EarlyStoppingHook("acc").after_val_epoch(runner, {"other": 1.0})
    assert runner.train_loop.stop_training is False
    with pytest.raises(RuntimeError, match="metric `acc is not available"):
        EarlyStoppingHook("acc", strict=True).after_val_epoch(runner, {"x": 1.0})


def test_before_run_needs_a_stoppable_loop() -> None:
    with pytest.raises(AssertionError, match="stop_training"):
        EarlyStoppingHook("acc").before_run(SimpleNamespace(train_loop=object()))


@given(
    st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=15),
    st.integers(min_value=1, max_value=4),
)
def test_matches_a_direct_model_of_the_rule(scores: list[int], patience: int) -> None:
    hook = EarlyStoppingHook("acc", min_delta=1.0, patience=patience)
    states, _ = _feed(hook, [float(s) for s in scores])
    best, wait, stopped = -math.inf, 0, False
    for score, (stop, count) in zip(scores, states, strict=True):
        if best + 1.0 > score:
            wait += 1
            stopped = stopped or wait >= patience
        else:
            best, wait = score, 0
        assert (stop, count) == (stopped, wait)


def test_stops_a_real_runner_after_patience(tmp_path: Any) -> None:
    from conformance.harness.impl import Impl
    from conformance.runner_toys import build_runner

    runner = build_runner(
        Impl("engine"),
        tmp_path,
        train_cfg=dict(by_epoch=True, max_epochs=20, val_interval=1),
        custom_hooks=[
            dict(type="EarlyStoppingHook", monitor="mae", rule="less", patience=2)
        ],
    )
    runner.train()
    assert runner.train_loop.stop_training is True
    assert 3 <= runner.epoch < 20
