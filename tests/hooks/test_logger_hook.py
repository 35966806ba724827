"""LoggerHook: when it logs, what goes to the visualizer and to files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from engine.hooks import LoggerHook
from engine.logging import MessageHub
from engine.registry import HOOKS
from engine.runner import LogProcessor
from tests.hooks.conftest import FakeRunner

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _train_lines(hook: LoggerHook, runner: FakeRunner, iters: int) -> list[str]:
    """Messages of ``iters`` training iterations (epochs of the loader's length)."""
    length = len(runner.train_dataloader)
    hook.before_run(runner)
    for it in range(iters):
        runner.iter = it
        hook.after_train_iter(runner, it % length)
    return runner.logger.messages


def test_registered_with_priority_below_normal() -> None:
    assert HOOKS.get("LoggerHook") is LoggerHook
    assert LoggerHook.priority == "BELOW_NORMAL"


def test_defaults() -> None:
    hook = LoggerHook()
    assert (hook.interval, hook.ignore_last, hook.interval_exp_name) == (10, True, 1000)
    assert hook.out_dir is None and hook.keep_local and hook.log_metric_by_epoch
    assert hook.out_suffix == (".json", ".log", ".py", "yaml")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(interval=0), ValueError, "interval must be greater than 0"),
        (dict(interval=2.0), TypeError, "interval must be an integer"),
        (dict(interval_exp_name=-1), ValueError, "interval_exp_name must be greater"),
        (dict(ignore_last="yes"), TypeError, "ignore_last must be a boolean"),
        (dict(keep_local=1), TypeError, "keep_local must be a boolean"),
        (dict(out_dir=3), TypeError, "out_dir must be a str or Path object"),
        (dict(out_suffix=[".a", 3]), TypeError, "out_suffix should be a string"),
        (dict(file_client_args={}), ValueError, "when `out_dir` is not specified"),
        (
            dict(out_dir="o", file_client_args={"backend": "disk"}, backend_args={}),
            ValueError,
            "cannot be set at the same time",
        ),
    ],
)
def test_argument_errors(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        LoggerHook(**kwargs)


def test_train_interval_and_ignore_last(runner: FakeRunner) -> None:
    # 4 iterations per epoch, interval 3: batch 2 of each epoch; the last
    # batch (3) does not fill an interval and is skipped.
    lines = _train_lines(LoggerHook(interval=3), runner, 8)
    assert [m for m in lines if m.startswith("train")] == [
        "train iter 2",
        "train iter 2",
    ]
    exp_name = f"Exp name: {runner.experiment_name}"
    assert lines.count(exp_name) == 2  # at the end of each epoch


def test_train_last_iteration_logged_without_ignore_last(runner: FakeRunner) -> None:
    lines = _train_lines(LoggerHook(interval=3, ignore_last=False), runner, 8)
    assert [m for m in lines if m.startswith("train")] == [
        "train iter 2",
        "train iter 3",
        "train iter 2",
        "train iter 3",
    ]


def test_short_epochs_are_logged_at_their_end(runner: FakeRunner) -> None:
    lines = _train_lines(LoggerHook(interval=10), runner, 8)
    assert [m for m in lines if m.startswith("train")] == ["train iter 3"] * 2


def test_exp_name_every_interval_exp_name_iterations(runner: FakeRunner) -> None:
    runner.train_dataloader = list(range(100))
    lines = _train_lines(LoggerHook(interval=50, interval_exp_name=3), runner, 7)
    exp_name = f"Exp name: {runner.experiment_name}"
    assert lines == [exp_name, exp_name]  # after iterations 3 and 6


def test_train_scalars_go_to_the_visualizer(runner: FakeRunner) -> None:
    _train_lines(LoggerHook(interval=2), runner, 4)
    assert runner.visualizer.scalars == [
        ({"loss": 1.0}, dict(step=2, file_path=f"{runner.timestamp}.json")),
        ({"loss": 1.0}, dict(step=4, file_path=f"{runner.timestamp}.json")),
    ]


@pytest.mark.parametrize("mode", ["val", "test"])
def test_val_and_test_iterations(runner: FakeRunner, mode: str) -> None:
    hook = LoggerHook(interval=2, ignore_last=False)
    for idx in range(5):
        getattr(hook, f"after_{mode}_iter")(runner, idx)
    assert runner.logger.messages == [f"{mode} iter 1", f"{mode} iter 3"]
    assert runner.visualizer.scalars == []


@pytest.mark.parametrize(
    ("by_epoch", "train_loop", "step"),
    [(True, "built", 2), (False, "built", 9), (True, None, 0), (False, {}, 0)],
)
def test_val_epoch_metrics(
    runner: FakeRunner, by_epoch: bool, train_loop: Any, step: int
) -> None:
    hook = LoggerHook(log_metric_by_epoch=by_epoch)
    hook.before_run(runner)
    runner.epoch, runner.iter = 2, 9
    if train_loop != "built":
        runner._train_loop = train_loop
    hook.after_val_epoch(runner, {"acc": 1.0})
    assert runner.log_processor.calls == [("epoch", 3, "val", False)]
    assert runner.logger.messages == ["val epoch 3"]
    assert runner.visualizer.scalars == [
        ({"loss": 1.0}, dict(step=step, file_path=f"{runner.timestamp}.json"))
    ]


def test_test_epoch_writes_json(runner: FakeRunner) -> None:
    runner.log_processor.tag = {
        "acc": 0.5,
        "t": torch.tensor([1.0, 2.0]),
        "n": np.array([[1, 2]]),
        "nested": {"x": torch.tensor(3.0)},
        "tuple": (1, 2),
        "odd": object(),
    }
    hook = LoggerHook()
    hook.before_run(runner)
    hook.after_test_epoch(runner, {})
    assert runner.log_processor.calls == [("epoch", 3, "test", True)]
    path = os.path.join(runner.log_dir, f"{runner.timestamp}.json")
    with open(path) as f:
        assert json.load(f) == {
            "acc": 0.5,
            "t": [1.0, 2.0],
            "n": [[1, 2]],
            "nested": {"x": 3.0},
            "tuple": [1, 2],
            "odd": None,
        }


def test_after_run_closes_the_visualizer(runner: FakeRunner) -> None:
    hook = LoggerHook()
    hook.before_run(runner)
    hook.after_run(runner)
    assert runner.visualizer.closed == 1


def _write_logs(runner: FakeRunner) -> None:
    for name in ("a.log", "a.json", "cfg.py", "x.yaml", "notes.txt", "vis/s.json"):
        path = Path(runner.log_dir, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)


@pytest.mark.parametrize("keep_local", [True, False])
def test_out_dir_receives_the_logs(
    runner: FakeRunner, tmp_path: Path, keep_local: bool
) -> None:
    _write_logs(runner)
    hook = LoggerHook(out_dir=str(tmp_path / "out"), keep_local=keep_local)
    hook.before_run(runner)
    target = tmp_path / "out" / "work"
    assert hook.out_dir == str(target)
    assert runner.logger.messages[0] == (
        f"Text logs will be saved to {target} after the training process."
    )
    hook.after_run(runner)
    copied = sorted(
        str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()
    )
    assert copied == ["a.json", "a.log", "cfg.py", "vis/s.json", "x.yaml"]
    assert (target / "vis" / "s.json").read_text() == "vis/s.json"
    local = sorted(
        str(p.relative_to(runner.log_dir))
        for p in Path(runner.log_dir).rglob("*")
        if p.is_file()
    )
    assert local == (sorted(copied + ["notes.txt"]) if keep_local else ["notes.txt"])
    uploaded = [m for m in runner.logger.messages if "has been uploaded to" in m]
    assert len(uploaded) == 5
    removed = [m for m in runner.logger.messages if "was removed due to" in m]
    assert len(removed) == (0 if keep_local else 5)


def test_out_suffix_string(runner: FakeRunner, tmp_path: Path) -> None:
    _write_logs(runner)
    hook = LoggerHook(out_dir=tmp_path / "out", out_suffix=".log")
    hook.before_run(runner)
    hook.after_run(runner)
    assert os.listdir(tmp_path / "out" / "work") == ["a.log"]


def test_with_the_real_log_processor(runner: FakeRunner) -> None:
    runner.log_processor = LogProcessor(window_size=1)
    runner.message_hub = MessageHub.get_instance("real-lp")
    hook = LoggerHook(interval=2)
    hook.before_run(runner)
    runner.iter = 1
    runner.message_hub.update_scalar("train/lr", 0.01)
    runner.message_hub.update_scalar("train/loss", 0.25)
    hook.after_train_iter(runner, 1)
    assert runner.logger.messages == [
        "Epoch(train) [1][2/4]  lr: 1.0000e-02  loss: 0.2500"
    ]
    tag, kwargs = runner.visualizer.scalars[0]
    assert tag == {"lr": 0.01, "loss": 0.25, "epoch": 1, "iter": 2}
    assert kwargs == dict(step=2, file_path=f"{runner.timestamp}.json")


def test_deprecated_file_client_args(runner: FakeRunner, tmp_path: Path) -> None:
    _write_logs(runner)
    hook = LoggerHook(
        out_dir=str(tmp_path / "out"), file_client_args={"backend": "disk"}
    )
    hook.before_run(runner)
    hook.after_run(runner)
    assert (tmp_path / "out" / "work" / "a.log").read_text() == "a.log"
