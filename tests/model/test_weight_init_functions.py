"""The init functions of engine.model.weight_init, against torch.nn.init."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import pytest
import torch
import torch.nn as nn
from hypothesis import given
from hypothesis import strategies as st

from engine.model import (
    bias_init_with_prob,
    caffe2_xavier_init,
    constant_init,
    kaiming_init,
    normal_init,
    trunc_normal_init,
    uniform_init,
    xavier_init,
)
from engine.model.weight_init import trunc_normal_

FUNCTIONS: list[tuple[Callable[..., None], dict[str, Any]]] = [
    (constant_init, dict(val=1)),
    (xavier_init, {}),
    (normal_init, {}),
    (trunc_normal_init, {}),
    (uniform_init, {}),
    (kaiming_init, {}),
    (caffe2_xavier_init, {}),
]


def seeded_pair(
    init: Callable[[nn.Linear], None], reference: Callable[[nn.Linear], None]
) -> tuple[nn.Linear, nn.Linear]:
    torch.manual_seed(0)
    ours = nn.Linear(20, 30)
    init(ours)
    torch.manual_seed(0)
    theirs = nn.Linear(20, 30)
    reference(theirs)
    return ours, theirs


@pytest.mark.parametrize(
    ("init", "reference"),
    [
        (
            lambda m: xavier_init(m, gain=2, bias=0.5),
            lambda m: nn.init.xavier_normal_(m.weight, gain=2),
        ),
        (
            lambda m: xavier_init(m, gain=2, bias=0.5, distribution="uniform"),
            lambda m: nn.init.xavier_uniform_(m.weight, gain=2),
        ),
        (
            lambda m: normal_init(m, mean=1, std=2, bias=0.5),
            lambda m: nn.init.normal_(m.weight, 1, 2),
        ),
        (
            lambda m: uniform_init(m, a=1, b=2, bias=0.5),
            lambda m: nn.init.uniform_(m.weight, 1, 2),
        ),
        (
            lambda m: kaiming_init(
                m, a=0.1, mode="fan_in", nonlinearity="leaky_relu", bias=0.5
            ),
            lambda m: nn.init.kaiming_normal_(
                m.weight, a=0.1, mode="fan_in", nonlinearity="leaky_relu"
            ),
        ),
        (
            lambda m: kaiming_init(m, bias=0.5, distribution="uniform"),
            lambda m: nn.init.kaiming_uniform_(
                m.weight, a=0, mode="fan_out", nonlinearity="relu"
            ),
        ),
        (
            lambda m: caffe2_xavier_init(m, bias=0.5),
            lambda m: nn.init.kaiming_uniform_(
                m.weight, a=1, mode="fan_in", nonlinearity="leaky_relu"
            ),
        ),
    ],
    ids=["xavier", "xavier-u", "normal", "uniform", "kaiming", "kaiming-u", "c2x"],
)
def test_random_inits_match_torch(init: Any, reference: Any) -> None:
    ours, theirs = seeded_pair(init, reference)
    assert torch.equal(ours.weight, theirs.weight)
    assert torch.equal(ours.bias, torch.full((30,), 0.5))


def test_constant_init() -> None:
    layer = nn.Conv2d(2, 3, 1)
    constant_init(layer, 4, bias=-1)
    assert torch.equal(layer.weight, torch.full((3, 2, 1, 1), 4.0))
    assert torch.equal(layer.bias, torch.full((3,), -1.0))


@pytest.mark.parametrize(("init", "kwargs"), FUNCTIONS)
def test_modules_without_weight_or_bias_are_fine(init: Any, kwargs: dict) -> None:
    init(nn.ReLU(), **kwargs)
    no_bias = nn.Linear(2, 3, bias=False)
    init(no_bias, **kwargs)
    assert no_bias.bias is None
    no_weight = nn.Linear(2, 3)
    no_weight.weight = None  # type: ignore[assignment]
    init(no_weight, **kwargs)
    assert torch.equal(no_weight.bias, torch.zeros(3))


@pytest.mark.parametrize("init", [xavier_init, kaiming_init])
def test_unknown_distribution(init: Any) -> None:
    with pytest.raises(ValueError, match="'foo'"):
        init(nn.Linear(2, 2), distribution="foo")
    with pytest.raises(AssertionError):  # MMEngine's type
        init(nn.Linear(2, 2), distribution="foo")


def test_trunc_normal_bounds_and_moments() -> None:
    torch.manual_seed(0)
    tensor = trunc_normal_(torch.empty(200_000))
    assert float(tensor.min()) >= -2.0 and float(tensor.max()) <= 2.0
    # Standard deviation of N(0, 1) truncated to [-2, 2] (closed form).
    pdf = math.exp(-2.0) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    expected_std = math.sqrt(1 - 2 * 2 * pdf / mass)
    assert float(tensor.mean()) == pytest.approx(0.0, abs=0.01)
    assert float(tensor.std()) == pytest.approx(expected_std, abs=0.01)


def test_trunc_normal_scaled_and_in_place() -> None:
    tensor = torch.empty(10_000)
    torch.manual_seed(0)
    assert trunc_normal_(tensor, mean=1.0, std=0.1, a=0.9, b=1.3) is tensor
    assert float(tensor.min()) >= 0.9 and float(tensor.max()) <= 1.3


def test_trunc_normal_warns_far_from_bounds() -> None:
    with pytest.warns(UserWarning, match="more than 2 std"):
        trunc_normal_(torch.empty(3), mean=10, std=1, a=-2, b=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trunc_normal_(torch.empty(3), mean=3, std=1, a=-2, b=2)


def test_trunc_normal_init_uses_bounds() -> None:
    layer = nn.Linear(50, 50)
    trunc_normal_init(layer, mean=0, std=1, a=-0.5, b=0.5, bias=3)
    assert float(layer.weight.detach().abs().max()) <= 0.5
    assert torch.equal(layer.bias, torch.full((50,), 3.0))


@given(st.floats(min_value=1e-6, max_value=1 - 1e-6))
def test_bias_init_with_prob_is_logit(prior: float) -> None:
    bias = bias_init_with_prob(prior)
    assert isinstance(bias, float)
    assert 1 / (1 + math.exp(-bias)) == pytest.approx(prior, rel=1e-6)


def test_bias_init_with_prob_edges() -> None:
    assert bias_init_with_prob(0.01) == pytest.approx(-4.59511985013459)
    assert bias_init_with_prob(1.0) == math.inf
    assert math.isnan(bias_init_with_prob(1.5))
    with pytest.raises(ZeroDivisionError):
        bias_init_with_prob(0)
