"""Unit tests of OneCycle, CosineRestart and ReduceOnPlateau."""

from __future__ import annotations

import doctest
from typing import Any

import pytest
import torch

import engine.optim.scheduler as sched
from engine.optim.scheduler import _one_cycle, _plateau, _restart

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def sgd(lr: float = 1.0) -> torch.optim.SGD:
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr, momentum=0.9)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(total_steps=0),
        dict(total_steps=5.0),
        dict(total_steps=5, pct_start=1.5),
        dict(total_steps=5, anneal_strategy="x"),
        dict(eta_max=[1, 2], total_steps=5),
    ],
)
def test_one_cycle_invalid(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        sched.OneCycleLR(sgd(), **kwargs)


def test_one_cycle_lr_only_and_groups() -> None:
    with pytest.raises(AssertionError, match="learning rate"):
        sched.OneCycleParamScheduler(sgd(), "weight_decay", eta_max=1, total_steps=5)
    opt = sgd()
    s = sched.OneCycleLR(opt, eta_max=0.5, begin=2, end=12)
    assert s.total_steps == 10
    group = opt.param_groups[0]
    assert (group["initial_lr"], group["max_lr"], group["min_lr"]) == (0.02, 0.5, 2e-06)
    assert group["lr"] == 1.0  # before ``begin``


def test_one_cycle_past_total_steps() -> None:
    s = sched.OneCycleLR(sgd(), eta_max=0.5, total_steps=10)
    for _ in range(10):
        s.step()
    with pytest.raises(ValueError, match="Tried to step 12 times"):
        s.step()


def test_one_cycle_build_iter_scales_total() -> None:
    s = sched.OneCycleLR.build_iter_from_epoch(
        sgd(), eta_max=1, total_steps=5, epoch_length=10
    )
    assert s.total_steps == 50
    assert s._schedule_phases[0]["end_step"] == 14.0


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(periods=[3], restart_weights=[1, 1], eta_min=0),
        dict(periods=[3]),
        dict(periods=[3], eta_min=0, eta_min_ratio=0.1),
    ],
)
def test_cosine_restart_invalid(kwargs: dict) -> None:
    with pytest.raises(AssertionError):
        sched.CosineRestartLR(sgd(), **kwargs)


def test_cosine_restart_state_and_conversion() -> None:
    s = sched.CosineRestartLR.build_iter_from_epoch(
        sgd(), periods=[3, 5], restart_weights=[1, 0.5], eta_min=0, epoch_length=4
    )
    assert (s.periods, s.cumulative_periods) == ([12, 20], [12, 32])
    assert list(s.state_dict())[:5] == [
        "periods", "eta_min", "eta_min_ratio", "restart_weights", "cumulative_periods",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(factor=1.0), "Factor"),
        (dict(rule="x"), "mode x"),
        (dict(threshold_rule="x"), "threshold mode x"),
        (dict(min_value=[1, 2]), "expected 1 min_lrs"),
    ],
)
def test_plateau_invalid(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sched.ReduceOnPlateauLR(sgd(), **kwargs)


def test_plateau_state_and_counters() -> None:
    opt = sgd()
    s = sched.ReduceOnPlateauLR(opt, patience=1, factor=0.5, cooldown=1, min_value=0.2)
    state = s.state_dict()
    assert "base_values" not in state and list(state)[-1] == "_last_value"
    assert (state["last_step"], state["_global_step"], state["best"]) == (-1, 0, 1e9)
    s.step()
    assert (s.last_step, s._global_step) == (-1, 1)
    lrs = []
    for loss in [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]:
        s.step(dict(loss=loss))
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2]
    assert s.need_val_args is True
    assert not hasattr(sched.ReduceOnPlateauLR, "build_iter_from_epoch")
    assert not hasattr(sched._ParamScheduler, "build_iter_from_epoch")


def test_plateau_resume_needs_initial() -> None:
    with pytest.raises(KeyError, match="initial_lr"):
        sched.ReduceOnPlateauLR(sgd(), last_step=3)


@pytest.mark.parametrize("module", [_one_cycle, _restart, _plateau])
def test_doctests(module: Any) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
