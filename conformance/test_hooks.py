"""hooks: priorities, default hooks, a custom hook, the mount points.

What needs no Runner (HOOK-01, HOOK-02, HOOK-14's class, HOOK-17's method
set); the Runner-driven checks live in test_runner_hooks.py.
"""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import pytest
import torch

from conformance.harness.impl import Impl
from conformance.runner_toys import STAGES

#: HOOK-17: the 22 mount points (doc L8549-8669, corrected by AMB-47).
MOUNT_POINTS = set(STAGES)


def _get_priority(impl: Impl) -> Any:
    return impl.attr("runner.priority.get_priority")


# --- HOOK-01: priorities ------------------------------------------------------------


@pytest.mark.spec("HOOK-01")
def test_priority_levels(impl: Impl) -> None:
    priority = impl.attr("runner.priority.Priority")
    assert {p.name: p.value for p in priority} == {
        "HIGHEST": 0,
        "VERY_HIGH": 10,
        "HIGH": 30,
        "ABOVE_NORMAL": 40,
        "NORMAL": 50,
        "BELOW_NORMAL": 60,
        "LOW": 70,
        "VERY_LOW": 90,
        "LOWEST": 100,
    }


@pytest.mark.spec("HOOK-01")
def test_priority_as_name_number_or_member(impl: Impl) -> None:
    get_priority = _get_priority(impl)
    priority = impl.attr("runner.priority.Priority")
    assert get_priority("ABOVE_NORMAL") == 40
    assert get_priority("below_normal") == 60
    assert get_priority(priority.HIGH) == 30
    assert get_priority(0) == 0 and get_priority(100) == 100 and get_priority(45) == 45


@pytest.mark.spec("HOOK-01")
def test_invalid_priorities(impl: Impl) -> None:
    get_priority = _get_priority(impl)
    for value in (-1, 101):
        with pytest.raises(ValueError):
            get_priority(value)
    with pytest.raises(KeyError):
        get_priority("MEDIUM")
    with pytest.raises(TypeError):
        get_priority(None)


# --- HOOK-02: the built-in hooks priorities -----------------------------------------

DEFAULT_HOOKS = {
    "RuntimeInfoHook": 10,  # VERY_HIGH
    "IterTimerHook": 50,  # NORMAL
    "DistSamplerSeedHook": 50,  # NORMAL
    "LoggerHook": 60,  # BELOW_NORMAL
    "ParamSchedulerHook": 70,  # LOW
    "CheckpointHook": 90,  # VERY_LOW
}


@pytest.mark.spec("HOOK-02")
@pytest.mark.parametrize(("name", "value"), sorted(DEFAULT_HOOKS.items()))
def test_default_hook_priorities(impl: Impl, name: str, value: int) -> None:
    cls = impl.attr(f"hooks.{name}")
    assert _get_priority(impl)(cls.priority) == value
    assert _get_priority(impl)(cls().priority) == value
    assert impl.attr("registry.HOOKS").get(name) is cls


@pytest.mark.spec("HOOK-02")
def test_custom_hooks_default_to_normal(impl: Impl) -> None:
    class MyHook(impl.attr("hooks.Hook")):  # type: ignore[misc]
        pass

    assert _get_priority(impl)(MyHook.priority) == 50


@pytest.mark.spec("HOOK-02")
def test_checkpoint_hook_runs_after_param_scheduler_hook(impl: Impl) -> None:
    # Doc L4599: the saved optimizer state must be the stepped one.
    get_priority = _get_priority(impl)
    checkpoint = get_priority(impl.attr("hooks.CheckpointHook").priority)
    scheduler = get_priority(impl.attr("hooks.ParamSchedulerHook").priority)
    assert checkpoint > scheduler


# --- HOOK-14: a custom hook ----------------------------------------------------------


def _check_invalid_loss_hook(impl: Impl) -> Any:
    """The doc's hook (L4833-4899), registered in HOOKS."""
    hooks = impl.attr("registry.HOOKS")

    @hooks.register_module(force=True)
    class CheckInvalidLossHook(impl.attr("hooks.Hook")):  # type: ignore[misc]
        priority = "ABOVE_NORMAL"

        def __init__(self, interval: int = 50) -> None:
            self.interval = interval

        def after_train_iter(
            self,
            runner: Any,
            batch_idx: int,
            data_batch: Any = None,
            outputs: Any = None,
        ) -> None:
            if self.every_n_train_iters(runner, self.interval):
                assert torch.isfinite(outputs["loss"]), runner.logger.info(
                    "loss become infinite or NaN!"
                )

    return CheckInvalidLossHook


@pytest.mark.spec("HOOK-14")
def test_custom_hook_is_built_from_its_config(impl: Impl) -> None:
    cls = _check_invalid_loss_hook(impl)
    hook = impl.attr("registry.HOOKS").build(
        dict(type="CheckInvalidLossHook", interval=50)
    )
    assert type(hook) is cls and hook.interval == 50
    get_priority = _get_priority(impl)
    assert get_priority(hook.priority) == 40
    assert get_priority(hook.priority) < get_priority(
        impl.attr("hooks.IterTimerHook").priority
    )
    assert hook.get_triggered_stages() == ["after_train_iter"]


@pytest.mark.spec("HOOK-14")
def test_custom_hook_checks_every_interval(impl: Impl) -> None:
    hook = _check_invalid_loss_hook(impl)(interval=50)
    logger = SimpleNamespace(info=lambda msg: None)
    nan = {"loss": torch.tensor(float("nan"))}
    hook.after_train_iter(SimpleNamespace(iter=48, logger=logger), 0, None, nan)
    with pytest.raises(AssertionError):
        hook.after_train_iter(SimpleNamespace(iter=49, logger=logger), 0, None, nan)
    ok = {"loss": torch.tensor(0.5)}
    hook.after_train_iter(SimpleNamespace(iter=99, logger=logger), 0, None, ok)


# --- HOOK-17: the 22 mount points ---------------------------------------------------


@pytest.mark.spec("HOOK-17")
def test_hook_defines_the_22_mount_points(impl: Impl) -> None:
    hook_cls = impl.attr("hooks.Hook")
    assert len(MOUNT_POINTS) == 22
    for name in MOUNT_POINTS:
        params = list(inspect.signature(getattr(hook_cls, name)).parameters)
        assert params[:2] == ["self", "runner"], name
    assert set(hook_cls.stages) == MOUNT_POINTS


@pytest.mark.spec("HOOK-17")
def test_mount_point_arguments(impl: Impl) -> None:
    hook_cls = impl.attr("hooks.Hook")

    def params(name: str) -> list[str]:
        return list(inspect.signature(getattr(hook_cls, name)).parameters)[2:]

    for mode in ("train", "val", "test"):
        assert params(f"before_{mode}_iter") == ["batch_idx", "data_batch"]
        assert params(f"after_{mode}_iter") == ["batch_idx", "data_batch", "outputs"]
        assert params(f"before_{mode}_epoch") == []
    assert params("after_train_epoch") == []
    assert params("after_val_epoch") == params("after_test_epoch") == ["metrics"]
    assert params("before_save_checkpoint") == ["checkpoint"]
    assert params("after_load_checkpoint") == ["checkpoint"]


@pytest.mark.spec("HOOK-17")
def test_base_mount_points_are_no_ops(impl: Impl) -> None:
    hook = impl.attr("hooks.Hook")()
    runner = object()
    for name in MOUNT_POINTS:
        if name.endswith("_iter"):
            assert getattr(hook, name)(runner, 0) is None
        elif name.endswith("_checkpoint"):
            assert getattr(hook, name)(runner, {}) is None
        else:
            assert getattr(hook, name)(runner) is None
    assert hook.get_triggered_stages() == []


@pytest.mark.spec("HOOK-14", "HOOK-17")
def test_every_n_train_iters(impl: Impl) -> None:
    hook = impl.attr("hooks.Hook")()
    hits = [
        i for i in range(200) if hook.every_n_train_iters(SimpleNamespace(iter=i), 50)
    ]
    assert hits == [49, 99, 149, 199]  # the 50th, 100th... iteration
