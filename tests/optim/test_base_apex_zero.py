"""Unit tests of ``BaseOptimWrapper``, ``ApexOptimWrapper`` (with a stand-in
``apex.amp``) and ``ZeroRedundancyOptimizer`` (two gloo ranks)."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import torch

from conformance.harness.distributed import run_on_ranks
from engine.optim import (
    ApexOptimWrapper,
    BaseOptimWrapper,
    OptimWrapper,
    ZeroRedundancyOptimizer,
)
from engine.registry import OPTIM_WRAPPERS, OPTIMIZERS


class _Plain(BaseOptimWrapper):
    def update_params(self, loss: torch.Tensor, *args: Any, **kwargs: Any) -> None:
        self.backward(loss)
        self.step()
        self.zero_grad()

    def backward(self, loss: torch.Tensor, **kwargs: Any) -> None:
        loss.backward()

    def step(self, **kwargs: Any) -> None:
        self.optimizer.step()

    def zero_grad(self, **kwargs: Any) -> None:
        self.optimizer.zero_grad()


def test_base_wrapper_is_abstract() -> None:
    model = torch.nn.Linear(1, 1)
    with pytest.raises(TypeError, match="abstract"):
        BaseOptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))  # type: ignore[abstract]
    assert issubclass(OptimWrapper, BaseOptimWrapper)


def test_base_wrapper_views_of_one_group() -> None:
    model = torch.nn.Linear(1, 1)
    wrapper = _Plain(torch.optim.Adam(model.parameters(), lr=0.1, betas=(0.8, 0.9)))
    assert wrapper.get_lr() == {"lr": [0.1]}
    assert wrapper.get_momentum() == {"momentum": [0.8]}
    assert wrapper.defaults["lr"] == 0.1
    assert wrapper.base_param_settings is None


def test_base_wrapper_keeps_base_settings_with_several_groups() -> None:
    model = torch.nn.Linear(1, 1)
    groups = [{"params": [model.weight]}, {"params": [model.bias], "lr": 0.2}]
    wrapper = _Plain(torch.optim.SGD(groups, lr=0.1))
    assert wrapper.get_lr() == {"base_lr": [0.1], "lr": [0.1, 0.2]}
    assert len(wrapper.param_groups) == 3
    state = wrapper.state_dict()
    wrapper.load_state_dict(state)
    assert wrapper.base_param_settings is wrapper.param_groups[-1]


# --- ApexOptimWrapper, against a stand-in apex.amp -------------------------


class _FakeAmp(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("apex.amp")
        self.calls: list[tuple[str, Any]] = []

    def initialize(self, model: Any, optimizer: Any, **kwargs: Any) -> Any:
        self.calls.append(("initialize", kwargs))
        optimizer._amp_stash = object()
        return model, optimizer

    @contextmanager
    def scale_loss(self, loss: torch.Tensor, optimizer: Any) -> Iterator[Any]:
        self.calls.append(("scale_loss", float(loss)))
        yield loss * 4

    def state_dict(self) -> dict:
        return {"loss_scaler0": {"loss_scale": 4.0}}

    def load_state_dict(self, state: dict) -> None:
        self.calls.append(("load_state_dict", state))


@pytest.fixture
def fake_amp(monkeypatch: pytest.MonkeyPatch) -> _FakeAmp:
    amp = _FakeAmp()
    apex = types.ModuleType("apex")
    apex.amp = amp  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "apex", apex)
    monkeypatch.setitem(sys.modules, "apex.amp", amp)
    return amp


def test_apex_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "apex", None)
    model = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ImportError, match="NVIDIA Apex") as info:
        ApexOptimWrapper(optimizer=optimizer)
    assert isinstance(info.value, AssertionError)  # what MMEngine raises
    assert "ApexOptimWrapper" in OPTIM_WRAPPERS.module_dict


def test_apex_initializes_once_with_its_arguments(fake_amp: _FakeAmp) -> None:
    model = torch.nn.Linear(2, 1)
    wrapper = ApexOptimWrapper(
        opt_level="O2", optimizer=torch.optim.SGD(model.parameters(), lr=0.1)
    )
    for _ in range(2):
        with wrapper.optim_context(model):
            loss = model(torch.ones(1, 2)).sum()
    inits = [kw for name, kw in fake_amp.calls if name == "initialize"]
    assert len(inits) == 1
    assert inits[0]["opt_level"] == "O2"
    assert inits[0]["loss_scale"] == "dynamic"
    assert inits[0]["max_loss_scale"] == 2.0**24
    before = model.weight.detach().clone()
    wrapper.update_params(loss)
    assert ("scale_loss", float(loss)) in fake_amp.calls
    # the loss was scaled by 4 in backward: the step is 4x the plain one
    expected = before - 0.1 * 4 * torch.ones(1, 2)
    torch.testing.assert_close(model.weight.detach(), expected)


def test_apex_state_loaded_before_init_is_applied_after(fake_amp: _FakeAmp) -> None:
    model = torch.nn.Linear(2, 1)
    first = ApexOptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    state = first.state_dict()
    assert state["apex_amp"] == {"loss_scaler0": {"loss_scale": 4.0}}
    second = ApexOptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    second.load_state_dict(state)
    assert "apex_amp" in state  # the caller's dict is left alone
    assert not [c for c in fake_amp.calls if c[0] == "load_state_dict"]
    with second.optim_context(model):
        pass
    assert fake_amp.calls[-1] == ("load_state_dict", state["apex_amp"])
    second.load_state_dict(state)  # initialised: applied at once
    assert fake_amp.calls[-1] == ("load_state_dict", state["apex_amp"])


# --- ZeroRedundancyOptimizer ----------------------------------------------


def _zero_two_ranks() -> tuple[int, list[str], float]:
    import torch.distributed as dist

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    optimizer = OPTIMIZERS.build(
        dict(
            type="ZeroRedundancyOptimizer",
            params=model.parameters(),
            optimizer_type="SGD",
            lr=0.5,
        )
    )
    model(torch.ones(1, 4)).sum().backward()
    optimizer.step()
    state = optimizer.state_dict()
    return dist.get_rank(), sorted(state), float(model.bias.detach().sum())


def test_zero_shards_and_gathers_state_on_rank_zero() -> None:
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    model(torch.ones(1, 4)).sum().backward()
    expected_bias = float((model.bias - 0.5 * model.bias.grad).detach().sum())
    results = sorted(run_on_ranks(_zero_two_ranks, timeout=90))
    assert results[0][1] == ["param_groups", "state"]
    assert results[1][1] == []
    for _, _, bias in results:
        assert bias == pytest.approx(expected_bias)


def test_zero_unknown_optimizer_type_names_it() -> None:
    with pytest.raises(AttributeError, match="'Nope'"):
        ZeroRedundancyOptimizer([torch.nn.Parameter(torch.ones(1))], "Nope", lr=0.1)
