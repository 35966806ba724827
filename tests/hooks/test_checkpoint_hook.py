"""CheckpointHook: arguments, schedule, retention, out_dir and last_checkpoint."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from engine.hooks import CheckpointHook, Hook
from engine.registry import HOOKS
from tests.hooks.conftest import FakeRunner

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_registered_with_priority_very_low() -> None:
    assert HOOKS.get("CheckpointHook") is CheckpointHook
    assert CheckpointHook.priority == "VERY_LOW"


def test_defaults() -> None:
    hook = CheckpointHook(extra=1)
    assert (hook.interval, hook.by_epoch, hook.max_keep_ckpts) == (-1, True, -1)
    assert hook.save_optimizer and hook.save_param_scheduler and hook.save_last
    assert hook.save_best is None and hook.published_keys is None
    assert hook.filename_tmpl == "epoch_{}.pth"
    assert CheckpointHook(by_epoch=False).filename_tmpl == "iter_{}.pth"
    assert hook.args == {"extra": 1}
    assert hook.save_begin == 0 and hook.last_ckpt is None


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(save_best=3), TypeError, '"save_best" should be a str or list'),
        (dict(save_best=["auto", "acc"]), ValueError, 'one "auto"'),
        (dict(save_best="acc", rule="bigger"), KeyError, "rule must be greater"),
        (dict(save_best="acc", rule=3), TypeError, '"rule" should be a str'),
        (dict(save_best="a", rule=["less", "less"]), ValueError, 'Number of "rule"'),
        (dict(save_best="mse"), ValueError, "Cannot infer the rule for key mse"),
        (dict(greater_keys=[1]), TypeError, "greater_keys should be a str"),
        (dict(less_keys=3), TypeError, "less_keys should be a str"),
        (dict(published_keys=3), TypeError, '"published_keys" should be a str'),
        (dict(published_keys=["meta", "meta"]), ValueError, "duplicate elements"),
        (dict(save_begin=-1), ValueError, "save_begin should not be less than 0"),
        (
            dict(file_client_args={"backend": "disk"}, backend_args={}),
            ValueError,
            "cannot be set at the same time",
        ),
    ],
)
def test_argument_errors(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        CheckpointHook(**kwargs)


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("accuracy", "greater"),
        ("Acc", "greater"),
        ("coco/bbox_mAP", "greater"),
        ("AR@100", "greater"),
        ("val_loss", "less"),
        ("top_loss", "greater"),  # greater keys are tried first
    ],
)
def test_rule_inference(key: str, rule: str) -> None:
    assert CheckpointHook(save_best=key).rules == [rule]


def test_exact_key_beats_a_substring() -> None:
    hook = CheckpointHook(save_best="Loss_top", less_keys=["loss_top"])
    assert hook.rules == ["less"]


def test_rules_per_metric() -> None:
    hook = CheckpointHook(save_best=["a", "b"], rule="less")
    assert hook.rules == ["less", "less"]
    hook = CheckpointHook(save_best=["a", "b"], rule=["greater", "less"])
    assert hook.rules == ["greater", "less"]
    assert hook.is_better_than["a"](2, 1) and hook.is_better_than["b"](1, 2)
    assert not hook.is_better_than["a"](1, 1)


def test_auto_waits_for_the_metrics() -> None:
    hook = CheckpointHook(save_best="auto")
    assert hook.key_indicators == ["auto"] and hook.rules == [None]


def test_published_keys_string() -> None:
    assert CheckpointHook(published_keys="meta").published_keys == ["meta"]


def test_before_train_out_dir_defaults_to_work_dir(runner: FakeRunner) -> None:
    hook = CheckpointHook()
    hook.before_train(runner)
    assert hook.out_dir == runner.work_dir
    assert runner.logger.messages == [
        f"Checkpoints will be saved to {runner.work_dir}."
    ]


def test_out_dir_gets_the_work_dir_name(runner: FakeRunner, tmp_path: Path) -> None:
    hook = CheckpointHook(interval=1, out_dir=str(tmp_path / "out"))
    runner.max_epochs = 1
    runner.train([hook])
    out = tmp_path / "out" / "work"
    assert hook.out_dir == str(out)
    assert sorted(os.listdir(out)) == ["epoch_1.pth"]
    # last_checkpoint stays in work_dir and points into out_dir.
    assert runner.files() == ["20240101_000000", "last_checkpoint"]
    assert Path(runner.work_dir, "last_checkpoint").read_text() == str(
        out / "epoch_1.pth"
    )


def test_epoch_interval_and_last(runner: FakeRunner) -> None:
    runner.max_epochs = 5
    runner.train([CheckpointHook(interval=2)])
    assert runner.saved_names == ["epoch_2.pth", "epoch_4.pth", "epoch_5.pth"]
    assert "Saving checkpoint at 4 epochs" in runner.logger.messages


def test_save_last_false_and_save_begin(runner: FakeRunner) -> None:
    runner.max_epochs = 8
    runner.train([CheckpointHook(interval=3, save_begin=2, save_last=False)])
    assert runner.saved_names == ["epoch_2.pth", "epoch_5.pth", "epoch_8.pth"]


def test_interval_minus_one_saves_the_last_only(runner: FakeRunner) -> None:
    runner.train([CheckpointHook()])
    assert runner.saved_names == ["epoch_3.pth"]


def test_save_checkpoint_call(runner: FakeRunner) -> None:
    runner.max_epochs = 1
    hook = CheckpointHook(interval=1, save_optimizer=False, backend_args=None)
    runner.train([hook])
    assert runner.saved == [
        (
            (runner.work_dir, "epoch_1.pth", None),
            dict(
                save_optimizer=False,
                save_param_scheduler=True,
                meta=dict(epoch=1, iter=4),
                by_epoch=True,
                backend_args=None,
            ),
        )
    ]


def test_iteration_schedule(runner: FakeRunner) -> None:
    hook = CheckpointHook(interval=5, by_epoch=False, filename_tmpl="ck_{:03d}.pth")
    runner.train([hook])  # 12 iterations
    assert runner.saved_names == ["ck_005.pth", "ck_010.pth", "ck_012.pth"]
    args, kwargs = runner.saved[0]
    assert kwargs["meta"] == dict(epoch=1, iter=5) and kwargs["by_epoch"] is False
    assert "Saving checkpoint at 10 iterations" in runner.logger.messages


def test_retention_keeps_the_newest(runner: FakeRunner) -> None:
    # The doc's example: interval 5, max_keep_ckpts 2, 20 epochs.
    runner.max_epochs = 20
    runner.train_dataloader = [0]
    hook = CheckpointHook(interval=5, max_keep_ckpts=2)
    seen = []

    class Spy(Hook):
        def after_train_epoch(self, runner: FakeRunner) -> None:
            seen.append([f for f in runner.files() if f.endswith(".pth")])

    runner.train([hook, Spy()])
    assert seen[9] == ["epoch_10.pth", "epoch_5.pth"]  # after epoch 10
    assert seen[14] == ["epoch_10.pth", "epoch_15.pth"]
    assert runner.files() == [
        "20240101_000000",
        "epoch_15.pth",
        "epoch_20.pth",
        "last_checkpoint",
    ]
    assert runner.message_hub.get_info("keep_ckpt_ids") == [15, 20]
    assert runner.message_hub.get_info("last_ckpt") == os.path.join(
        runner.work_dir, "epoch_20.pth"
    )


def test_resumed_retention_trims_the_saved_ids(runner: FakeRunner) -> None:
    for step in (1, 2, 3, 4):
        Path(runner.work_dir, f"epoch_{step}.pth").write_text("x")
    runner.message_hub.update_info("keep_ckpt_ids", [1, 2, 3, 4])
    hook = CheckpointHook(interval=1, max_keep_ckpts=2)
    hook.before_train(runner)
    assert list(hook.keep_ckpt_ids) == [3, 4]
    assert runner.message_hub.get_info("keep_ckpt_ids") == [3, 4]
    assert [f for f in runner.files() if f.endswith(".pth")] == [
        "epoch_3.pth",
        "epoch_4.pth",
    ]
    runner.epoch = 4
    hook.after_train_epoch(runner)
    assert [f for f in runner.files() if f.endswith(".pth")] == [
        "epoch_4.pth",
        "epoch_5.pth",
    ]


def test_without_max_keep_no_ids_are_recorded(runner: FakeRunner) -> None:
    runner.train([CheckpointHook(interval=1)])
    assert "keep_ckpt_ids" not in runner.message_hub.runtime_info


def test_last_checkpoint_file_follows_the_latest(runner: FakeRunner) -> None:
    hook = CheckpointHook(interval=1)
    runner.train([hook])
    latest = os.path.join(runner.work_dir, "epoch_3.pth")
    assert Path(runner.work_dir, "last_checkpoint").read_text() == latest
    assert hook.last_ckpt == latest


def test_hub_holds_the_state_when_saving(runner: FakeRunner) -> None:
    runner.max_epochs = 2
    runner.train([CheckpointHook(interval=1, max_keep_ckpts=1)])
    # The fake save_checkpoint stores the hub's runtime info in the file.
    saved = torch.load(os.path.join(runner.work_dir, "epoch_2.pth"), weights_only=False)
    assert saved["message_hub"]["keep_ckpt_ids"] == [2]
    assert saved["message_hub"]["last_ckpt"].endswith("epoch_2.pth")


def test_deprecated_file_client_args(runner: FakeRunner, tmp_path: Path) -> None:
    runner.max_epochs = 2
    hook = CheckpointHook(
        interval=1,
        max_keep_ckpts=1,
        out_dir=str(tmp_path / "out"),
        file_client_args={"backend": "disk"},
    )
    runner.train([hook])
    assert sorted(os.listdir(tmp_path / "out" / "work")) == ["epoch_2.pth"]
    args, _ = runner.saved[-1]
    assert args == (str(tmp_path / "out" / "work"), "epoch_2.pth", {"backend": "disk"})
