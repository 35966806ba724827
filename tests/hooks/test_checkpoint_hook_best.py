"""CheckpointHook: best checkpoints and published checkpoints."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pytest
import torch

from engine.hooks import CheckpointHook
from tests.hooks.conftest import FakeRunner

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _pth(runner: FakeRunner) -> list[str]:
    return [f for f in runner.files() if f.endswith(".pth")]


def test_best_tracks_the_greatest_accuracy(runner: FakeRunner) -> None:
    hook = CheckpointHook(save_best="acc")
    runner.train([hook], metrics=[{"acc": 0.5}, {"acc": 0.7}, {"acc": 0.6}])
    assert _pth(runner) == ["best_acc_epoch_2.pth", "epoch_3.pth"]
    hub = runner.message_hub
    assert hub.get_info("best_score") == 0.7
    assert hub.get_info("best_ckpt") == os.path.join(
        runner.work_dir, "best_acc_epoch_2.pth"
    )
    messages = runner.logger.messages
    first = os.path.join(runner.work_dir, "best_acc_epoch_1.pth")
    assert f"The previous best checkpoint {first} is removed" in messages
    assert (
        "The best checkpoint with 0.7000 acc at 2 epoch is saved to "
        "best_acc_epoch_2.pth."
    ) in messages


def test_rule_less_tracks_the_smallest(runner: FakeRunner) -> None:
    hook = CheckpointHook(save_best="acc", rule="less")
    runner.train([hook], metrics=[{"acc": 0.5}, {"acc": 0.7}, {"acc": 0.6}])
    assert "best_acc_epoch_1.pth" in _pth(runner)


def test_ties_do_not_replace_the_best(runner: FakeRunner) -> None:
    hook = CheckpointHook(save_best="acc")
    runner.train([hook], metrics=[{"acc": 0.5}, {"acc": 0.5}, {"acc": 0.5}])
    assert "best_acc_epoch_1.pth" in _pth(runner)


def test_best_checkpoint_call(runner: FakeRunner) -> None:
    runner.max_epochs = 1
    runner.train(
        [CheckpointHook(save_best="acc", interval=-1, save_last=False)], [{"acc": 1}]
    )
    assert runner.saved == [
        (
            (runner.work_dir,),
            dict(
                filename="best_acc_epoch_1.pth",
                file_client_args=None,
                save_optimizer=False,
                save_param_scheduler=False,
                meta=dict(epoch=1, iter=4),
                by_epoch=False,
                backend_args=None,
            ),
        )
    ]


def test_auto_takes_the_first_metric(runner: FakeRunner) -> None:
    hook = CheckpointHook(save_best="auto")
    runner.train(
        [hook],
        metrics=[{"loss": 3, "acc": 1}, {"loss": 2, "acc": 0}, {"loss": 4, "acc": 9}],
    )
    assert hook.key_indicators == ["loss"] and hook.rules == ["less"]
    assert "best_loss_epoch_2.pth" in _pth(runner)


def test_slashes_in_metric_names(runner: FakeRunner) -> None:
    runner.max_epochs = 1
    runner.train([CheckpointHook(save_best="coco/bbox_mAP")], [{"coco/bbox_mAP": 0.3}])
    assert "best_coco_bbox_mAP_epoch_1.pth" in _pth(runner)


def test_several_metrics(runner: FakeRunner) -> None:
    hook = CheckpointHook(save_best=["acc", "loss"])
    runner.train(
        [hook],
        metrics=[
            {"acc": 0.5, "loss": 3},
            {"acc": 0.7, "loss": 4},
            {"acc": 0.6, "loss": 1},
        ],
    )
    assert _pth(runner) == [
        "best_acc_epoch_2.pth",
        "best_loss_epoch_3.pth",
        "epoch_3.pth",
    ]
    hub = runner.message_hub
    assert (hub.get_info("best_score_acc"), hub.get_info("best_score_loss")) == (0.7, 1)
    assert hub.get_info("best_ckpt_loss").endswith("best_loss_epoch_3.pth")
    assert "best_score" not in hub.runtime_info


def test_iteration_based_best(runner: FakeRunner) -> None:
    hook = CheckpointHook(save_best="acc", by_epoch=False)
    runner.max_epochs = 1
    runner.train([hook], metrics=[{"acc": 1}])
    assert "best_acc_iter_4.pth" in _pth(runner)


def test_improvement_refreshes_the_current_checkpoint(runner: FakeRunner) -> None:
    # interval 2: epoch_2 is saved by the schedule; the improvements at
    # epochs 2 and 3 save the current epoch again, holding the new best.
    runner.max_epochs = 3
    hook = CheckpointHook(interval=2, save_best="acc", save_last=False)
    runner.train([hook], metrics=[{"acc": 0}, {"acc": 1}, {"acc": 2}])
    assert runner.saved_names == [
        "best_acc_epoch_1.pth",  # no regular checkpoint yet: nothing to refresh
        "epoch_2.pth",
        "best_acc_epoch_2.pth",
        "epoch_2.pth",
        "best_acc_epoch_3.pth",
        "epoch_3.pth",
    ]
    refreshed = torch.load(
        os.path.join(runner.work_dir, "epoch_3.pth"), weights_only=False
    )
    assert refreshed["message_hub"]["best_score"] == 2
    assert refreshed["meta"] == dict(epoch=3, iter=12)
    assert runner.logger.messages.count("Saving checkpoint at 2 epochs") == 1


def test_refresh_respects_retention(runner: FakeRunner) -> None:
    runner.max_epochs = 3
    hook = CheckpointHook(interval=1, save_best="acc", max_keep_ckpts=1)
    runner.train([hook], metrics=[{"acc": 0}, {"acc": 1}, {"acc": 2}])
    assert runner.message_hub.get_info("keep_ckpt_ids") == [3]
    assert _pth(runner) == ["best_acc_epoch_3.pth", "epoch_3.pth"]


def test_empty_metrics_warn(runner: FakeRunner) -> None:
    hook = CheckpointHook(save_best="acc")
    hook.before_train(runner)
    hook.after_val_epoch(runner, {})
    assert runner.logger.records[-1] == (
        "WARNING",
        "Since `metrics` is an empty dict, the behavior to save the best checkpoint "
        "will be skipped in this evaluation.",
    )
    assert runner.saved == []


def test_missing_metric(runner: FakeRunner) -> None:
    hook = CheckpointHook(save_best="acc")
    hook.before_train(runner)
    with pytest.raises(KeyError, match="'acc' is not among the validation metrics"):
        hook.after_val_epoch(runner, {"loss": 1.0})


def test_resumed_best_is_compared_and_replaced(runner: FakeRunner) -> None:
    old = Path(runner.work_dir, "best_acc_epoch_2.pth")
    old.write_text("x")
    runner.message_hub.update_info("best_score", 0.9)
    runner.message_hub.update_info("best_ckpt", str(old))
    hook = CheckpointHook(save_best="acc")
    hook.before_train(runner)
    runner.epoch = 3
    hook.after_val_epoch(runner, {"acc": 0.5})
    assert runner.saved == [] and old.exists()
    hook.after_val_epoch(runner, {"acc": 0.95})
    assert not old.exists()
    assert _pth(runner) == ["best_acc_epoch_3.pth"]


# --- publishing -----------------------------------------------------------------


def _sha8(obj: dict) -> str:
    return hashlib.sha256(pickle.dumps(obj)).hexdigest()[:8]


def test_publish_last_and_best(runner: FakeRunner) -> None:
    hook = CheckpointHook(
        interval=1, save_best="acc", published_keys=["meta", "state_dict"]
    )
    runner.train([hook], metrics=[{"acc": 1}, {"acc": 3}, {"acc": 2}])
    for name in ("epoch_3", "best_acc_epoch_2"):
        full = torch.load(
            os.path.join(runner.work_dir, f"{name}.pth"), weights_only=False
        )
        expected = {"meta": full["meta"], "state_dict": full["state_dict"]}
        path = os.path.join(runner.work_dir, f"{name}-{_sha8(expected)}.pth")
        assert torch.load(path, weights_only=False) == expected
        assert (
            f"The checkpoint ({runner.work_dir}/{name}.pth) is published to {path}."
            in (runner.logger.messages)
        )
    removed = "['optimizer', 'message_hub']"
    assert (
        f"Key {removed} will be removed because they are not found in published_keys. "
        f"If you want to keep them, please set `{removed}` in published_keys"
    ) in runner.logger.messages


def test_publish_without_save_last_only_the_best(runner: FakeRunner) -> None:
    runner.max_epochs = 2
    hook = CheckpointHook(
        interval=1, save_best="acc", save_last=False, published_keys="meta"
    )
    runner.train([hook], metrics=[{"acc": 1}, {"acc": 0}])
    published = [f for f in _pth(runner) if "-" in f]
    assert len(published) == 1 and published[0].startswith("best_acc_epoch_1-")


def test_publish_keeps_checkpoint_order_and_ignores_unknown_keys(
    runner: FakeRunner,
) -> None:
    runner.max_epochs = 1
    hook = CheckpointHook(interval=1, published_keys=["state_dict", "meta", "nope"])
    runner.train([hook])
    (published,) = [f for f in _pth(runner) if "-" in f]
    content = torch.load(os.path.join(runner.work_dir, published), weights_only=False)
    assert list(content) == ["meta", "state_dict"]


def test_publish_nothing_saved(runner: FakeRunner) -> None:
    hook = CheckpointHook(interval=-1, save_last=False, published_keys=["meta"])
    runner.train([hook])
    assert _pth(runner) == []


def test_refreshing_does_not_count_a_checkpoint_twice(runner: FakeRunner) -> None:
    runner.max_epochs = 5
    hook = CheckpointHook(interval=2, save_best="acc", max_keep_ckpts=3)
    runner.train([hook], metrics=[{"acc": i} for i in range(5)])
    assert runner.message_hub.get_info("keep_ckpt_ids") == [3, 4, 5]
    assert _pth(runner) == [
        "best_acc_epoch_5.pth",
        "epoch_3.pth",
        "epoch_4.pth",
        "epoch_5.pth",
    ]
