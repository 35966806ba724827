"""RuntimeInfoHook: what it writes into the message hub, and when."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from engine._identity import COMPAT_MMENGINE_VERSION
from engine.hooks import RuntimeInfoHook
from engine.registry import HOOKS
from tests.hooks.conftest import FakeRunner


def test_registered_with_priority_very_high() -> None:
    assert HOOKS.get("RuntimeInfoHook") is RuntimeInfoHook
    assert RuntimeInfoHook.priority == "VERY_HIGH"


def test_before_run_records_config_seed_name_and_version(runner: FakeRunner) -> None:
    RuntimeInfoHook().before_run(runner)
    info = runner.message_hub.runtime_info
    assert info["cfg"] == runner.cfg.pretty_text
    assert info["seed"] == 42
    assert info["experiment_name"] == runner.experiment_name
    assert info["mmengine_version"] == COMPAT_MMENGINE_VERSION


def test_before_train_records_counters_and_dataset_meta(runner: FakeRunner) -> None:
    runner.epoch, runner.iter = 1, 5
    runner.train_dataloader = SimpleNamespace(
        dataset=SimpleNamespace(metainfo={"c": 1})
    )
    RuntimeInfoHook().before_train(runner)
    info = runner.message_hub.runtime_info
    assert (info["loop_stage"], info["epoch"], info["iter"]) == ("train", 1, 5)
    assert (info["max_epochs"], info["max_iters"]) == (3, 12)
    assert info["dataset_meta"] == {"c": 1}


def test_dataset_without_metainfo_records_nothing(runner: FakeRunner) -> None:
    runner.train_dataloader = SimpleNamespace(dataset=object())
    RuntimeInfoHook().before_train(runner)
    assert "dataset_meta" not in runner.message_hub.runtime_info


def test_iteration_records_iter_lrs_and_outputs(runner: FakeRunner) -> None:
    hook = RuntimeInfoHook()
    runner.iter = 7
    runner.optim_wrapper = SimpleNamespace(
        get_lr=lambda: {"gen.lr": [0.2, 0.3], "disc.lr": [0.01]}
    )
    hook.before_train_iter(runner, 0)
    hook.after_train_iter(runner, 0, None, {"loss": torch.tensor(1.5), "acc": 3})
    hub = runner.message_hub
    assert hub.get_info("iter") == 7
    assert hub.get_scalar("train/gen.lr").current() == 0.2
    assert hub.get_scalar("train/disc.lr").current() == 0.01
    assert hub.get_scalar("train/loss").current() == 1.5
    assert hub.get_scalar("train/acc").current() == 3


def test_after_train_iter_without_outputs(runner: FakeRunner) -> None:
    RuntimeInfoHook().after_train_iter(runner, 0, None, None)
    assert len(runner.message_hub.log_scalars) == 0


def test_non_scalar_outputs_are_refused(runner: FakeRunner) -> None:
    with pytest.raises(AssertionError):
        RuntimeInfoHook().after_train_iter(runner, 0, None, {"loss": [1, 2]})


def test_before_train_epoch_records_epoch(runner: FakeRunner) -> None:
    runner.epoch = 2
    RuntimeInfoHook().before_train_epoch(runner)
    assert runner.message_hub.get_info("epoch") == 2


@pytest.mark.parametrize("mode", ["val", "test"])
def test_metrics_scalars_and_infos(runner: FakeRunner, mode: str) -> None:
    metrics = {
        "acc": 0.9,
        "t": torch.tensor(2.0),
        "one": np.array([1.5]),
        "n": np.float32(0.25),
        "flag": True,
        "vec": torch.tensor([1.0, 2.0]),
        "name": "x",
        "z": 1 + 2j,
    }
    getattr(RuntimeInfoHook(), f"after_{mode}_epoch")(runner, metrics)
    hub = runner.message_hub
    scalars = {k.split("/", 1)[1] for k in hub.log_scalars}
    assert scalars == {"acc", "t", "one", "n", "flag"}
    assert hub.get_scalar(f"{mode}/t").current() == 2.0
    assert hub.get_info(f"{mode}/name") == "x"
    assert hub.get_info(f"{mode}/z") == 1 + 2j
    assert torch.equal(hub.get_info(f"{mode}/vec"), torch.tensor([1.0, 2.0]))


@pytest.mark.parametrize("metrics", [None, {}])
def test_no_metrics(runner: FakeRunner, metrics: dict | None) -> None:
    RuntimeInfoHook().after_val_epoch(runner, metrics)
    assert len(runner.message_hub.log_scalars) == 0


def _stage(runner: FakeRunner) -> str | None:
    return runner.message_hub.runtime_info.get("loop_stage")


def test_validation_inside_training_returns_to_train(runner: FakeRunner) -> None:
    hook = RuntimeInfoHook()
    hook.before_train(runner)
    hook.before_val(runner)
    assert _stage(runner) == "val"
    hook.after_val(runner)
    assert _stage(runner) == "train"
    hook.after_train(runner)
    assert _stage(runner) is None


def test_standalone_validation_and_test_leave_no_stage(runner: FakeRunner) -> None:
    hook = RuntimeInfoHook()
    hook.before_val(runner)
    assert _stage(runner) == "val"
    hook.after_val(runner)
    assert _stage(runner) is None
    hook.before_test(runner)
    assert _stage(runner) == "test"
    hook.after_test(runner)
    assert _stage(runner) is None


def test_after_val_without_before_val(runner: FakeRunner) -> None:
    RuntimeInfoHook().after_val(runner)
    assert _stage(runner) is None
