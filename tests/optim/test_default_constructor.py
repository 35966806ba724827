"""Unit tests of ``DefaultOptimWrapperConstructor`` and ``build_optim_wrapper``."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
import torch
import torch.nn as nn

from engine.optim import DefaultOptimWrapperConstructor, build_optim_wrapper
from engine.optim.optimizer import builder
from engine.registry import OPTIMIZERS


class DeformConv2d(nn.Module):
    """Named like mmcv's deformable conv, which is recognised by name."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(2, 2, 1, 1))
        self.conv_offset = nn.Conv2d(2, 2, 1)


def _group(wrapper: Any, param: torch.Tensor) -> dict:
    return next(
        g
        for g in wrapper.optimizer.param_groups
        if any(p is param for p in g["params"])
    )


def _build(model: nn.Module, paramwise_cfg: dict | None, **optimizer: Any) -> Any:
    optimizer = {"type": "SGD", "lr": 0.01, "weight_decay": 1e-4, **optimizer}
    return build_optim_wrapper(
        model, dict(optimizer=optimizer, paramwise_cfg=paramwise_cfg)
    )


def test_dcn_offset_lr_mult_and_bias_exclusion() -> None:
    model = nn.Module()
    model.dcn = DeformConv2d()
    wrapper = _build(model, dict(dcn_offset_lr_mult=0.1, bias_lr_mult=2))
    assert _group(wrapper, model.dcn.conv_offset.weight)["lr"] == pytest.approx(1e-3)
    assert _group(wrapper, model.dcn.conv_offset.bias)["lr"] == pytest.approx(1e-3)
    assert _group(wrapper, model.dcn.weight).get("lr", 0.01) == 0.01


def test_without_paramwise_cfg_there_is_one_group() -> None:
    model = nn.Sequential(nn.Linear(1, 1), nn.BatchNorm1d(1))
    assert len(_build(model, None).optimizer.param_groups) == 1
    assert len(_build(model, {}).optimizer.param_groups) == 1


def test_frozen_parameters_are_skipped(log_lines: list[str]) -> None:
    model = nn.Linear(1, 1)
    model.weight.requires_grad = False
    wrapper = _build(model, dict(bias_lr_mult=2))
    assert len(wrapper.optimizer.param_groups) == 1
    assert "weight is skipped since its requires_grad=False" in log_lines


def test_implicit_bias_options_are_logged(log_lines: list[str]) -> None:
    _build(nn.Linear(1, 1), dict(norm_decay_mult=0))
    assert [line for line in log_lines if line.startswith("paramwise")] == [
        "paramwise_options -- bias:lr=0.01",
        "paramwise_options -- bias:weight_decay=0.0001",
    ]


def test_weight_decay_precedence() -> None:
    model = nn.Module()
    model.dw = nn.Conv2d(2, 2, 3, groups=2)
    model.bn = nn.BatchNorm1d(2)
    cfg = dict(dwconv_decay_mult=0.5, bias_decay_mult=0.25, norm_decay_mult=0.1,
               flat_decay_mult=2)  # fmt: skip
    wrapper = _build(model, cfg)
    assert _group(wrapper, model.dw.weight)["weight_decay"] == pytest.approx(5e-5)
    assert _group(wrapper, model.dw.bias)["weight_decay"] == pytest.approx(2.5e-5)
    assert _group(wrapper, model.bn.bias)["weight_decay"] == pytest.approx(1e-5)


def test_longest_custom_key_wins_and_replaces_rules() -> None:
    model = nn.Module()
    model.layer = nn.Linear(1, 1)
    cfg = dict(custom_keys={"layer": dict(lr_mult=2), "layer.bias": dict(lr_mult=3)},
               bias_lr_mult=10)  # fmt: skip
    wrapper = _build(model, cfg)
    assert _group(wrapper, model.layer.bias)["lr"] == pytest.approx(0.03)
    assert _group(wrapper, model.layer.weight)["lr"] == pytest.approx(0.02)


@pytest.mark.parametrize(
    ("paramwise_cfg", "error"),
    [
        (dict(custom_keys=[1]), TypeError),
        ("norm", TypeError),
        (dict(norm_decay_mult=0), ValueError),
        (dict(custom_keys={"a": dict(decay_mult=0)}), ValueError),
    ],
)
def test_bad_paramwise_cfg(paramwise_cfg: Any, error: type) -> None:
    with pytest.raises(error):
        DefaultOptimWrapperConstructor(
            dict(optimizer=dict(type="SGD", lr=0.01)), paramwise_cfg
        )


def test_bad_wrapper_cfg() -> None:
    with pytest.raises(KeyError, match="optimizer"):
        DefaultOptimWrapperConstructor(dict(type="OptimWrapper"))
    with pytest.raises(TypeError, match="dict"):
        DefaultOptimWrapperConstructor([])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Config"):
        build_optim_wrapper(nn.Linear(1, 1), 3)


def test_unknown_optimizer_names_the_type() -> None:
    with pytest.raises(TypeError, match="'Nope'"):
        _build(nn.Linear(1, 1), None, type="Nope")


def test_shared_parameter_error_suggests_bypass() -> None:
    model = nn.Module()
    model.a, model.b = nn.Linear(1, 1), nn.Linear(1, 1)
    model.b.weight = model.a.weight
    with pytest.raises(ValueError, match="bypass_duplicate"):
        _build(model, dict(bias_lr_mult=2))


def test_wrapped_model_uses_module() -> None:
    inner = nn.Linear(1, 1)
    outer = nn.Module()
    outer.module = inner
    wrapper = _build(outer, dict(bias_lr_mult=2))
    assert _group(wrapper, inner.bias)["lr"] == pytest.approx(0.02)


@pytest.fixture
def fake_lion() -> Iterator[type]:
    """A stand-in ``lion_pytorch`` module (the real one is not installed)."""
    module = types.ModuleType("lion_pytorch")

    class Lion(torch.optim.SGD):
        pass

    module.Lion = Lion  # type: ignore[attr-defined]
    sys.modules["lion_pytorch"] = module
    yield Lion
    del sys.modules["lion_pytorch"]
    OPTIMIZERS.module_dict.pop("Lion", None)


def test_extras_register_only_when_installed(fake_lion: type) -> None:
    assert builder.register_extra_optimizers() == ["Lion"]
    assert OPTIMIZERS.get("Lion") is fake_lion
