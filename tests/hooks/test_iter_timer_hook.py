"""IterTimerHook: data_time, time and eta on a fake clock."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from engine.hooks import IterTimerHook
from engine.registry import HOOKS
from tests.hooks.conftest import FakeRunner


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def time(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(
        "engine.hooks.iter_timer_hook.time", SimpleNamespace(time=clock.time)
    )
    return clock


def _history(runner: FakeRunner, key: str) -> list[float]:
    return list(runner.message_hub.get_scalar(key).data[0])


def test_registered_with_priority_normal() -> None:
    assert HOOKS.get("IterTimerHook") is IterTimerHook
    assert IterTimerHook.priority == "NORMAL"


def test_train_times_and_eta(runner: FakeRunner, clock: Clock) -> None:
    hook = IterTimerHook()
    runner.max_iters = 10
    hook.before_train(runner)
    hook.before_train_epoch(runner)
    clock.tick(2)
    hook.before_train_iter(runner, 0)
    clock.tick(3)
    hook.after_train_iter(runner, 0)
    # 5 s for the first iteration, 9 left.
    assert runner.message_hub.get_info("eta") == pytest.approx(45)
    runner.iter = 1
    clock.tick(5)
    hook.before_train_iter(runner, 1)
    clock.tick(1)
    hook.after_train_iter(runner, 1)
    assert _history(runner, "train/data_time") == [2, 5]
    assert _history(runner, "train/time") == [5, 6]
    # (5 + 6) / 2 s per iteration, 8 left.
    assert runner.message_hub.get_info("eta") == pytest.approx(44)


def test_resumed_training_averages_from_the_start_iter(
    runner: FakeRunner, clock: Clock
) -> None:
    hook = IterTimerHook()
    runner.iter, runner.max_iters = 6, 10
    hook.before_train(runner)
    hook.before_train_epoch(runner)
    clock.tick(4)
    hook.before_train_iter(runner, 0)
    hook.after_train_iter(runner, 0)
    assert hook.start_iter == 6
    assert runner.message_hub.get_info("eta") == pytest.approx(4 * 3)


@pytest.mark.parametrize("mode", ["val", "test"])
def test_val_and_test_eta_use_their_dataloader(
    runner: FakeRunner, clock: Clock, mode: str
) -> None:
    hook = IterTimerHook()
    setattr(runner, f"{mode}_dataloader", [0] * 4)
    getattr(hook, f"before_{mode}_epoch")(runner)
    for idx in range(2):
        clock.tick(1)
        getattr(hook, f"before_{mode}_iter")(runner, idx)
        clock.tick(2)
        getattr(hook, f"after_{mode}_iter")(runner, idx)
    assert _history(runner, f"{mode}/data_time") == [1, 1]
    assert _history(runner, f"{mode}/time") == [3, 3]
    assert runner.message_hub.get_info("eta") == pytest.approx(3 * 2)
    getattr(hook, f"after_{mode}_epoch")(runner, {})
    assert hook.time_sec_test_val == 0


def test_validation_does_not_disturb_the_train_average(
    runner: FakeRunner, clock: Clock
) -> None:
    hook = IterTimerHook()
    runner.max_iters = 10
    hook.before_train(runner)
    hook.before_train_epoch(runner)
    clock.tick(4)
    hook.before_train_iter(runner, 0)
    hook.after_train_iter(runner, 0)
    hook.after_train_epoch(runner)
    hook.before_val_epoch(runner)
    clock.tick(100)
    hook.before_val_iter(runner, 0)
    hook.after_val_iter(runner, 0)
    hook.after_val_epoch(runner, {})
    assert hook.time_sec_tot == pytest.approx(4)
    # The first train iteration after validation is timed from its end.
    runner.iter = 1
    clock.tick(1)
    hook.before_train_iter(runner, 1)
    hook.after_train_iter(runner, 1)
    assert _history(runner, "train/time") == [4, 1]
