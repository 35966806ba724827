"""Unit tests of NanLossGuardHook."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import torch

from engine.hooks import NanLossGuardHook
from engine.hooks.nan_guard_hook import invalid_loss_keys
from engine.registry import HOOKS


def _runner(it: int = 0) -> Any:
    return SimpleNamespace(iter=it, epoch=0, max_iters=100)


def test_finite_losses_pass() -> None:
    hook = NanLossGuardHook()
    outputs = dict(loss=torch.tensor(0.5), loss_cls=1.0, acc=torch.tensor([1, 2]))
    hook.after_train_iter(_runner(), 0, None, outputs)


def test_raises_with_iteration_and_keys() -> None:
    outputs = dict(
        loss=torch.tensor(float("nan")),
        loss_box=torch.tensor(1.0),
        loss_cls=float("inf"),
    )
    with pytest.raises(FloatingPointError) as info:
        NanLossGuardHook().after_train_iter(_runner(6), 6, None, outputs)
    message = str(info.value)
    assert "iteration 7" in message
    assert "['loss', 'loss_cls']" in message
    assert "loss_box" not in message


def test_interval_skips_the_other_iterations() -> None:
    hook = NanLossGuardHook(interval=3)
    bad = dict(loss=torch.tensor(float("nan")))
    hook.after_train_iter(_runner(0), 0, None, bad)  # iteration 1: not checked
    with pytest.raises(FloatingPointError, match="iteration 3"):
        hook.after_train_iter(_runner(2), 2, None, bad)


def test_non_mapping_outputs_and_non_numbers_are_ignored() -> None:
    hook = NanLossGuardHook()
    hook.after_train_iter(_runner(), 0, None, None)
    assert invalid_loss_keys({"name": "nan", "flag": True}) == []


@pytest.mark.parametrize("interval", [0, -1, 1.5])
def test_bad_interval(interval: Any) -> None:
    with pytest.raises(ValueError, match="interval must be a positive int"):
        NanLossGuardHook(interval=interval)


def test_registered_above_normal() -> None:
    hook = HOOKS.build(dict(type="NanLossGuardHook"))
    assert hook.interval == 1
    assert hook.priority == "ABOVE_NORMAL"


def test_stops_a_real_runner_at_the_bad_iteration(tmp_path: Any) -> None:
    from conformance.harness.impl import Impl
    from conformance.runner_toys import build_runner, make_toys

    class NanAtThree(make_toys(Impl("engine")).ToyModel):  # type: ignore[misc]
        calls = 0

        def forward(self, inputs: Any, labels: Any, mode: str = "tensor") -> Any:
            out = super().forward(inputs, labels, mode)
            if mode == "loss":
                type(self).calls += 1
                if type(self).calls == 3:
                    out["loss"] = out["loss"] * float("nan")
            return out

    runner = build_runner(
        Impl("engine"),
        tmp_path,
        model=NanAtThree(),
        custom_hooks=[dict(type="NanLossGuardHook")],
        val_dataloader=None,
        val_cfg=None,
        val_evaluator=None,
    )
    with pytest.raises(FloatingPointError, match=r"iteration 3 .*\['loss'\]"):
        runner.train()
