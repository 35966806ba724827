"""Unit tests of the scheduler base: window, state, resume, errors."""

from __future__ import annotations

import doctest
import logging
from typing import Any

import pytest
import torch

import engine.optim.scheduler as sched
from engine.optim.scheduler import (
    _annealing,
    _base,
    lr_scheduler,
    momentum_scheduler,
    param_scheduler,
)
from engine.registry import PARAM_SCHEDULERS

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def sgd(lr: float = 1.0) -> torch.optim.SGD:
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr, momentum=0.9)


class Wrapper:
    """Duck-typed optimizer wrapper: ``.optimizer`` and ``.param_groups``."""

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        self.optimizer = optimizer

    @property
    def param_groups(self) -> list[dict[str, Any]]:
        return self.optimizer.param_groups


def test_construction_takes_first_step() -> None:
    opt = sgd()
    s = sched.LinearLR(opt, start_factor=0.5, end=5)
    assert (s.last_step, s._global_step) == (0, 0)
    assert opt.param_groups[0]["lr"] == 0.5
    assert opt.param_groups[0]["initial_lr"] == 1.0
    assert s.get_last_value() == [0.5]


def test_window_counts_active_steps_only() -> None:
    opt = sgd()
    s = sched.PolyLR(opt, begin=2, end=6)
    assert s.last_step == -1
    for _ in range(8):
        s.step()
    assert (s.last_step, s._global_step) == (3, 8)
    assert opt.param_groups[0]["lr"] == 0.0


def test_state_dict_round_trip() -> None:
    opt = sgd()
    s = sched.StepLR(opt, step_size=2, gamma=0.5)
    s.step()
    state = s.state_dict()
    assert "optimizer" not in state
    assert list(state)[:2] == ["step_size", "gamma"]
    other = sched.StepLR(sgd(), step_size=7)
    other.load_state_dict(state)
    assert other.state_dict() == state


def test_resume_needs_initial_value() -> None:
    with pytest.raises(KeyError, match="initial_lr"):
        sched.LinearLR(sgd(), last_step=3)
    opt = sgd()
    opt.param_groups[0]["initial_lr"] = 2.0
    s = sched.ExponentialLR(opt, gamma=0.5, last_step=3)
    assert s.base_values == [2.0]
    assert s.last_step == 4


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: sched.LinearLR(sgd(), begin=3, end=3), ValueError),
        (lambda: sched.LinearLR(sgd(), start_factor=1.5), ValueError),
        (lambda: sched.LinearLR(sgd(), end_factor=-0.1), ValueError),
        (lambda: sched.ConstantLR(sgd(), factor=2), ValueError),
        (
            lambda: sched.CosineAnnealingLR(sgd(), eta_min=0, eta_min_ratio=0.1),
            ValueError,
        ),
        (lambda: sched.LinearLR(object()), TypeError),
    ],
)
def test_invalid_arguments(make: Any, error: type) -> None:
    with pytest.raises(error):
        make()
    with pytest.raises(AssertionError):  # MMEngine raises AssertionError
        make()


def test_accepts_wrapper_by_attribute() -> None:
    opt = sgd()
    s = sched.MultiStepLR(Wrapper(opt), milestones=[1])
    s.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)


def test_momentum_on_betas_and_sgd() -> None:
    adam = torch.optim.Adam([torch.zeros(1, requires_grad=True)], betas=(0.8, 0.99))
    s = sched.ExponentialMomentum(adam, gamma=0.5)
    assert s.use_betas and adam.param_groups[0]["initial_momentum"] == 0.8
    s.step()
    assert adam.param_groups[0]["betas"] == (0.4, 0.99)
    assert adam.param_groups[0]["momentum"] == 0.4
    opt = sgd()
    m = sched.StepMomentum(opt, step_size=1, gamma=0.5)
    m.step()
    assert not m.use_betas and opt.param_groups[0]["momentum"] == 0.45


def test_param_name_missing_raises() -> None:
    adam = torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    with pytest.raises(KeyError, match="momentum"):
        sched.LinearParamScheduler(adam, "momentum")


def test_build_iter_from_epoch_scales_family_args() -> None:
    s = sched.StepLR.build_iter_from_epoch(sgd(), step_size=2, epoch_length=5)
    assert (s.step_size, s.by_epoch) == (10, False)
    c = sched.CosineAnnealingLR.build_iter_from_epoch(
        sgd(), T_max=3, end=4, epoch_length=5
    )
    assert (c.T_max, c.end) == (15, 20)
    with pytest.raises(ValueError, match="epoch_length"):
        sched.StepLR.build_iter_from_epoch(sgd(), step_size=2, epoch_length=None)


def test_cosine_defaults() -> None:
    s = sched.CosineAnnealingLR(sgd(), begin=2, end=6)
    assert (s.T_max, s.eta_min, s.eta_min_ratio) == (4, 0.0, None)


def test_all_registered() -> None:
    for name in sched.__all__:
        if name != "_ParamScheduler":
            assert PARAM_SCHEDULERS.get(name) is getattr(sched, name)


def test_verbose_logs() -> None:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    from engine.logging import MMLogger

    logger = MMLogger.get_current_instance()
    handler = Collect()
    logger.addHandler(handler)
    try:
        sched.ExponentialLR(sgd(), gamma=0.5, verbose=True).step()
    finally:
        logger.removeHandler(handler)
    assert lines[-1] == "Adjusting parameter value of group 0 to 5.0000e-01."


@pytest.mark.parametrize(
    "module",
    [_base, _annealing, param_scheduler, lr_scheduler, momentum_scheduler],
)
def test_doctests(module: Any) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
