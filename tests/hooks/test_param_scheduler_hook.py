"""ParamSchedulerHook: which schedulers step where, and with what."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import torch

from engine.hooks import ParamSchedulerHook
from engine.optim.scheduler import ReduceOnPlateauLR, StepLR
from engine.registry import HOOKS


class Recorder:
    def __init__(self, by_epoch: bool) -> None:
        self.by_epoch = by_epoch
        self.steps: list[tuple] = []

    def step(self, *args: Any) -> None:
        self.steps.append(args)


def test_registered_with_priority_low() -> None:
    assert HOOKS.get("ParamSchedulerHook") is ParamSchedulerHook
    assert ParamSchedulerHook.priority == "LOW"


@pytest.mark.parametrize("as_dict", [False, True])
def test_iter_and_epoch_schedulers(as_dict: bool) -> None:
    per_epoch, per_iter = Recorder(True), Recorder(False)
    schedulers: Any = [per_epoch, per_iter]
    if as_dict:
        schedulers = {"gen": [per_epoch], "disc": [per_iter]}
    runner = SimpleNamespace(param_schedulers=schedulers)
    hook = ParamSchedulerHook()
    for idx in range(3):
        hook.after_train_iter(runner, idx)
    hook.after_train_epoch(runner)
    hook.after_val_epoch(runner, {"acc": 1.0})
    assert per_iter.steps == [(), (), ()]
    assert per_epoch.steps == [()]


def test_no_schedulers() -> None:
    runner = SimpleNamespace(param_schedulers=None)
    hook = ParamSchedulerHook()
    hook.after_train_iter(runner, 0)
    hook.after_train_epoch(runner)
    hook.after_val_epoch(runner, {"acc": 1})


def test_wrong_schedulers_are_refused() -> None:
    hook = ParamSchedulerHook()
    with pytest.raises(TypeError, match="list of ParamScheduler"):
        hook.after_train_epoch(SimpleNamespace(param_schedulers="bad"))
    with pytest.raises(TypeError, match=r"param_schedulers\['a'\]"):
        hook.after_train_epoch(SimpleNamespace(param_schedulers={"a": "bad"}))


def _optimizer() -> torch.optim.Optimizer:
    return torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=1.0)


def test_reduce_on_plateau_is_fed_the_validation_metrics() -> None:
    optimizer = _optimizer()
    plateau = ReduceOnPlateauLR(
        optimizer, monitor="loss", rule="less", factor=0.5, patience=0, by_epoch=True
    )
    step = StepLR(optimizer, step_size=100, by_epoch=True)
    runner = SimpleNamespace(param_schedulers=[plateau, step])
    hook = ParamSchedulerHook()
    hook.after_val_epoch(runner, {"loss": 1.0})
    hook.after_val_epoch(runner, {"loss": 2.0})  # no improvement: halve the lr
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.5)
    assert step.last_step == 0  # StepLR needs no metrics: not stepped
    hook.after_val_epoch(runner, None)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.5)


class FakePlateau(ReduceOnPlateauLR):
    """A scheduler that needs metrics; records its steps."""

    def __init__(self, by_epoch: bool) -> None:
        self.by_epoch = by_epoch
        self.steps: list[tuple] = []

    def step(self, *args: Any) -> None:  # type: ignore[override]
        self.steps.append(args)


def test_iter_based_reduce_on_plateau_is_not_fed_metrics() -> None:
    per_epoch, per_iter = FakePlateau(True), FakePlateau(False)
    runner = SimpleNamespace(param_schedulers=[per_epoch, per_iter])
    hook = ParamSchedulerHook()
    hook.after_val_epoch(runner, {"loss": 1.0})
    hook.after_train_iter(runner, 0)
    hook.after_train_epoch(runner)
    assert per_epoch.steps == [({"loss": 1.0},), ()]
    assert per_iter.steps == [()]


def test_schedulers_of_another_kind_are_not_fed_metrics() -> None:
    imitation = Recorder(True)
    imitation.need_val_args = True  # type: ignore[attr-defined]
    hook = ParamSchedulerHook()
    hook.after_val_epoch(SimpleNamespace(param_schedulers=[imitation]), {"a": 1})
    assert imitation.steps == []
