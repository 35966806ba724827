"""Unit tests of engine.model.averaged_model (EMA, SWA, annealed EMA)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import torch
import torch.nn as nn
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.model import averaged_model as am
from engine.model.averaged_model import (
    BaseAveragedModel,
    ExponentialMovingAverage,
    MomentumAnnealingEMA,
    StochasticWeightAverage,
)
from engine.registry import MODELS

_values = st.lists(
    st.floats(-100, 100, allow_nan=False, width=32), min_size=1, max_size=8
)


def _scalar_model(value: float = 0.0) -> nn.Linear:
    model = nn.Linear(1, 1, bias=False)
    model.weight.data.fill_(value)
    return model


def _feed(averaged: BaseAveragedModel, model: nn.Linear, values: list[float]) -> float:
    for value in values:
        model.weight.data.fill_(value)
        averaged.update_parameters(model)
    return averaged.module.weight.item()


def _with_bn() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))


# ------------------------------------------------------------ construction


def test_copy_is_deep_frozen_and_counts_steps_in_a_buffer() -> None:
    model = _with_bn()
    ema = ExponentialMovingAverage(model)
    assert ema.module is not model
    assert ema.module[0].weight is not model[0].weight
    assert torch.equal(ema.module[0].weight, model[0].weight)
    assert not any(p.requires_grad for p in ema.module.parameters())
    assert all(p.requires_grad for p in model.parameters())
    assert ema.steps.dtype == torch.long and ema.steps.item() == 0
    assert list(ema.state_dict())[0] == "steps"
    assert "module.1.running_mean" in ema.state_dict()


def test_averaged_tensors_without_and_with_buffers() -> None:
    model = _with_bn()
    params = ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert list(ExponentialMovingAverage(model).avg_parameters) == params
    buffers = ["1.running_mean", "1.running_var", "1.num_batches_tracked"]
    with_buffers = ExponentialMovingAverage(model, update_buffers=True)
    assert list(with_buffers.avg_parameters) == params + buffers
    # The averaged tensors are the copy's own (updated in place).
    assert with_buffers.avg_parameters["0.weight"] is with_buffers.module[0].weight


def test_device_moves_the_copy_and_steps() -> None:
    ema = ExponentialMovingAverage(nn.Linear(1, 1), device=torch.device("cpu"))
    assert ema.module.weight.device.type == "cpu"
    assert ema.steps.device.type == "cpu"


def test_forward_runs_the_copy() -> None:
    model = _scalar_model(3.0)
    ema = ExponentialMovingAverage(model)
    model.weight.data.fill_(100.0)  # the copy does not follow until updated
    assert ema(torch.ones(1, 1)).item() == 3.0


def test_registered_in_models_and_buildable() -> None:
    for name in (
        "ExponentialMovingAverage",
        "MomentumAnnealingEMA",
        "StochasticWeightAverage",
    ):
        assert MODELS.get(name) is getattr(am, name)
    assert "BaseAveragedModel" not in MODELS.module_dict
    built = MODELS.build(
        dict(type="ExponentialMovingAverage", model=nn.Linear(1, 1), momentum=0.1)
    )
    assert isinstance(built, ExponentialMovingAverage) and built.momentum == 0.1


@pytest.mark.parametrize("momentum", [0.0, 1.0, -0.1, 1.5])
def test_momentum_outside_open_unit_interval_is_rejected(momentum: float) -> None:
    with pytest.raises(ValueError, match="momentum must be in range"):
        ExponentialMovingAverage(nn.Linear(1, 1), momentum=momentum)
    with pytest.raises(AssertionError):  # MMEngine's type keeps working
        MomentumAnnealingEMA(nn.Linear(1, 1), momentum=momentum)


def test_large_momentum_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    logged: list[tuple[str, Any]] = []
    monkeypatch.setattr(
        am, "print_log", lambda msg, logger=None, level=0: logged.append((msg, level))
    )
    ExponentialMovingAverage(nn.Linear(1, 1), momentum=0.5)
    assert logged == []
    ExponentialMovingAverage(nn.Linear(1, 1), momentum=0.6)
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.WARNING and "0.6" in message


@pytest.mark.parametrize("gamma", [0, -1])
def test_gamma_must_be_positive(gamma: int) -> None:
    with pytest.raises(ValueError, match="gamma must be greater than 0"):
        MomentumAnnealingEMA(nn.Linear(1, 1), gamma=gamma)


# ---------------------------------------------------------------- updating


@settings(max_examples=40, deadline=None)
@given(
    first=st.floats(-100, 100, width=32),
    rest=_values,
    momentum=st.floats(0.01, 0.5),
)
def test_ema_matches_its_closed_form(
    first: float, rest: list[float], momentum: float
) -> None:
    model = _scalar_model()
    ema = ExponentialMovingAverage(model, momentum=momentum)
    expected = first  # the first update copies
    for value in rest:
        expected = (1 - momentum) * expected + momentum * value
    assert _feed(ema, model, [first, *rest]) == pytest.approx(expected, abs=1e-3)
    assert ema.steps.item() == len(rest) + 1


@settings(max_examples=40, deadline=None)
@given(values=_values)
def test_swa_is_the_mean_of_the_weights_seen(values: list[float]) -> None:
    model = _scalar_model()
    swa = StochasticWeightAverage(model)
    mean = sum(values) / len(values)
    assert _feed(swa, model, values) == pytest.approx(mean, abs=1e-3)


def test_annealed_momentum_is_max_of_momentum_and_gamma_ratio() -> None:
    model = _scalar_model()
    ema = MomentumAnnealingEMA(model, momentum=0.3, gamma=2)
    values = [100.0 * (i + 1) for i in range(6)]
    expected = values[0]
    for steps, value in enumerate(values[1:], start=1):
        momentum = max(0.3, 2 / (2 + steps))
        expected = (1 - momentum) * expected + momentum * value
    assert _feed(ema, model, values) == pytest.approx(expected, rel=1e-5)


def test_interval_averages_every_interval_calls() -> None:
    model = _scalar_model()
    ema = ExponentialMovingAverage(model, momentum=0.5, interval=3)
    seen = [_feed(ema, model, [float(8 * i)]) for i in range(1, 8)]
    # copy at call 1; average at calls 4 (steps 3) and 7 (steps 6).
    assert seen == [8.0, 8.0, 8.0, 20.0, 20.0, 20.0, 38.0]
    assert ema.steps.item() == 7


def test_buffers_follow_the_model_when_not_averaged() -> None:
    model = _with_bn()
    ema = ExponentialMovingAverage(model, momentum=0.5, interval=3)
    for step in range(1, 5):
        model[1].running_mean.fill_(float(step))
        model[1].num_batches_tracked.fill_(step)
        ema.update_parameters(model)
        assert ema.module[1].running_mean.tolist() == [float(step)] * 2
        assert ema.module[1].num_batches_tracked.item() == step


def test_float_buffers_averaged_and_integer_buffers_kept() -> None:
    model = _with_bn()
    ema = ExponentialMovingAverage(model, momentum=0.1, update_buffers=True)
    model[1].running_mean.fill_(7.0)
    model[1].num_batches_tracked.fill_(3)
    ema.update_parameters(model)  # copies everything
    model[1].running_mean.fill_(17.0)
    model[1].num_batches_tracked.fill_(100)
    ema.update_parameters(model)
    assert ema.module[1].running_mean.tolist() == pytest.approx([8.0, 8.0])
    assert ema.module[1].num_batches_tracked.item() == 3


def test_source_with_other_names_is_a_key_error() -> None:
    model = _scalar_model()
    ema = ExponentialMovingAverage(model)
    with pytest.raises(KeyError, match="'weight'.*unwrapped"):
        ema.update_parameters(nn.Sequential(model))


def test_steps_survive_a_state_dict_round_trip() -> None:
    model = _scalar_model(2.0)
    ema = ExponentialMovingAverage(model, momentum=0.5)
    _feed(ema, model, [2.0, 4.0])
    restored = ExponentialMovingAverage(_scalar_model(), momentum=0.5)
    restored.load_state_dict(ema.state_dict())
    assert restored.steps.item() == 2
    assert _feed(restored, model, [7.0]) == pytest.approx(0.5 * 3.0 + 0.5 * 7.0)


def test_subclass_defines_the_average() -> None:
    class Latest(BaseAveragedModel):
        def avg_func(
            self, averaged: torch.Tensor, source: torch.Tensor, steps: int
        ) -> None:
            averaged.copy_(source + steps)

    model = _scalar_model()
    latest = Latest(model)
    assert _feed(latest, model, [1.0, 1.0, 1.0]) == 3.0  # 1 + steps (2)


def test_annealed_ema_reads_the_steps_buffer() -> None:
    """Called directly, ``avg_func`` uses ``self.steps`` (as MMEngine does)."""
    ema = MomentumAnnealingEMA(nn.Linear(1, 1), momentum=0.1, gamma=10)
    averaged = torch.tensor([4.0])
    ema.avg_func(averaged, torch.tensor([8.0]), steps=30)
    assert averaged.item() == 8.0  # steps buffer is 0: momentum 10 / 10 = 1
