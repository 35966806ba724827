"""Unit tests of EMAHook with a stand-in runner."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import torch
from torch import nn

from engine.hooks import EMAHook
from engine.model import ExponentialMovingAverage
from engine.registry import HOOKS


def _runner(model: nn.Module, resume: bool = False, **kw: Any) -> Any:
    base = dict(model=model, _resume=resume, iter=0, epoch=0, max_iters=8)
    base.update(max_epochs=2, **kw)
    return SimpleNamespace(**base)


def _built(model: nn.Module, **kw: Any) -> tuple[EMAHook, Any]:
    hook = EMAHook(momentum=0.5, **kw)
    runner = _runner(model)
    hook.before_run(runner)
    return hook, runner


def test_arguments_and_registry() -> None:
    hook = HOOKS.build(dict(type="EMAHook", momentum=0.01, begin_epoch=2))
    assert hook.ema_cfg == dict(type="ExponentialMovingAverage", momentum=0.01)
    assert (hook.begin_iter, hook.begin_epoch, hook.enabled_by_epoch) == (0, 2, True)
    assert hook.strict_load is False


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (dict(begin_iter=1, begin_epoch=1), "should not be both set"),
        (dict(begin_iter=-1), "got begin_iter: -1"),
        (dict(begin_epoch=-2), "got begin_epoch: -2"),
    ],
)
def test_invalid_begin(kw: dict, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        EMAHook(**kw)


def test_before_train_checks_the_begin_against_the_length() -> None:
    hook, runner = _built(nn.Linear(2, 1), begin_epoch=3)
    with pytest.raises(AssertionError, match="max_epochs: 2, but got begin_epoch: 3"):
        hook.before_train(runner)
    hook, runner = _built(nn.Linear(2, 1), begin_iter=9)
    with pytest.raises(AssertionError, match="max_iters: 8, but got begin_iter: 9"):
        hook.before_train(runner)


def test_builds_from_the_unwrapped_model() -> None:
    model = nn.Linear(2, 1)
    hook, _ = _built(nn.DataParallel(model))
    assert hook.src_model is model
    assert isinstance(hook.ema_model, ExponentialMovingAverage)


def test_copies_before_the_start_then_averages() -> None:
    model = nn.Linear(1, 1, bias=False)
    hook, runner = _built(model, begin_iter=2)
    with torch.no_grad():
        model.weight.fill_(4.0)
    hook.after_train_iter(runner, 0)  # iteration 1 < 2: copy
    assert hook.ema_model.module.weight.item() == 4.0
    assert int(hook.ema_model.steps) == 0
    runner.iter = 1
    hook.after_train_iter(runner, 1)  # started: first update copies
    with torch.no_grad():
        model.weight.fill_(0.0)
    runner.iter = 2
    hook.after_train_iter(runner, 2)  # (1 - 0.5) * 4 + 0.5 * 0
    assert hook.ema_model.module.weight.item() == 2.0


def test_epoch_start_counts_from_one() -> None:
    hook, runner = _built(nn.Linear(1, 1), begin_epoch=1)
    assert hook._ema_started(runner)
    hook, runner = _built(nn.Linear(1, 1), begin_epoch=2)
    assert not hook._ema_started(runner)
    runner.epoch = 1
    assert hook._ema_started(runner)


def test_val_and_test_swap_in_and_back() -> None:
    model = nn.Linear(1, 1, bias=False)
    hook, runner = _built(model)
    with torch.no_grad():
        hook.ema_model.module.weight.fill_(7.0)
        model.weight.fill_(1.0)
    for before, after in [
        (hook.before_val_epoch, hook.after_val_epoch),
        (hook.before_test_epoch, hook.after_test_epoch),
    ]:
        before(runner)
        assert model.weight.item() == 7.0
        assert hook.ema_model.module.weight.item() == 1.0
        after(runner)
        assert model.weight.item() == 1.0
        assert hook.ema_model.module.weight.item() == 7.0


def _checkpoint_of(hook: EMAHook, model: nn.Module) -> dict:
    checkpoint = dict(state_dict=dict(model.state_dict()))
    hook.before_save_checkpoint(SimpleNamespace(), checkpoint)
    return checkpoint


def test_save_puts_the_averaged_weights_in_state_dict() -> None:
    model = nn.Linear(1, 1, bias=False)
    hook, _ = _built(model)
    with torch.no_grad():
        hook.ema_model.module.weight.fill_(7.0)
        model.weight.fill_(1.0)
    checkpoint = _checkpoint_of(hook, model)
    assert checkpoint["state_dict"]["weight"].item() == 7.0
    assert checkpoint["ema_state_dict"]["module.weight"].item() == 1.0
    assert set(checkpoint["ema_state_dict"]) == {"steps", "module.weight"}
    assert model.weight.item() == 1.0  # the model is untouched


def test_resume_swaps_back_and_loads_the_average() -> None:
    model = nn.Linear(1, 1, bias=False)
    hook, _ = _built(model)
    with torch.no_grad():
        hook.ema_model.module.weight.fill_(7.0)
        hook.ema_model.steps.fill_(5)
        model.weight.fill_(1.0)
    checkpoint = _checkpoint_of(hook, model)
    fresh, _ = _built(nn.Linear(1, 1, bias=False))
    fresh.after_load_checkpoint(_runner(model, resume=True), checkpoint)
    assert checkpoint["state_dict"]["weight"].item() == 1.0
    assert fresh.ema_model.module.weight.item() == 7.0
    assert int(fresh.ema_model.steps) == 5


def test_load_from_copies_state_dict_into_the_average(
    capsys: pytest.CaptureFixture,
) -> None:
    model = nn.Linear(1, 1, bias=False)
    hook, _ = _built(model)
    checkpoint = dict(state_dict=dict(weight=torch.full((1, 1), 3.0)))
    hook.after_load_checkpoint(_runner(model, resume=False), checkpoint)
    assert hook.ema_model.module.weight.item() == 3.0
    assert int(hook.ema_model.steps) == 0
    captured = capsys.readouterr()
    assert "ema_state_dict" not in captured.out + captured.err  # no warning


def test_strict_load_on_a_plain_checkpoint() -> None:
    model = nn.Linear(1, 1, bias=False)
    hook, _ = _built(model, strict_load=True)
    checkpoint = dict(state_dict=dict(weight=torch.ones(1, 1), extra=torch.ones(1)))
    with pytest.raises(RuntimeError, match="unexpected key in source state_dict"):
        hook.after_load_checkpoint(_runner(model), checkpoint)


def test_swap_names_the_missing_key() -> None:
    model = nn.Linear(1, 1, bias=False)
    hook, _ = _built(model)
    checkpoint = _checkpoint_of(hook, model)
    checkpoint["ema_state_dict"]["module.extra"] = torch.ones(1)
    with pytest.raises(KeyError, match="has no 'extra'"):
        hook.after_load_checkpoint(_runner(model, resume=True), checkpoint)


def test_resume_without_ema_state_warns(capsys: pytest.CaptureFixture) -> None:
    model = nn.Linear(1, 1, bias=False)
    hook, _ = _built(model)
    checkpoint = dict(state_dict=dict(weight=torch.full((1, 1), 3.0)))
    hook.after_load_checkpoint(_runner(model, resume=True), checkpoint)
    captured = capsys.readouterr()
    assert "There is no `ema_state_dict` in checkpoint" in captured.out + captured.err
    assert hook.ema_model.module.weight.item() == 3.0
