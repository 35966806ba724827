"""Kill-and-resume: a run interrupted after a checkpoint and resumed ends
with the same parameters, bit for bit, as an uninterrupted run."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

import pytest
import torch

from engine.hooks import Hook
from engine.runner import Runner
from tests.runner.conftest import Pairs, Tiny, _forget_instances


class _Killed(Exception):
    pass


class _KillAfter(Hook):
    """Raise after iteration ``at`` (1-based), once its checkpoint is written."""

    priority = "LOWEST"

    def __init__(self, at: int) -> None:
        self.at = at

    def after_train_iter(self, runner: Any, batch_idx: int, **kwargs: Any) -> None:
        if runner.iter + 1 == self.at:
            raise _Killed


def _job(
    tmp_path: Path, by_epoch: bool, sampler: str | None = None, **extra: Any
) -> dict:
    sampler = sampler or ("DefaultSampler" if by_epoch else "InfiniteSampler")
    train_cfg = (
        dict(by_epoch=True, max_epochs=3)
        if by_epoch
        else dict(by_epoch=False, max_iters=12)
    )
    torch.manual_seed(0)
    return dict(
        model=Tiny(),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=Pairs(8), batch_size=2, sampler=dict(type=sampler, shuffle=True)
        ),
        train_cfg=train_cfg,
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1, momentum=0.9)),
        param_scheduler=dict(
            type="MultiStepLR", milestones=[2], by_epoch=by_epoch, gamma=0.5
        ),
        default_hooks=dict(
            checkpoint=dict(type="CheckpointHook", interval=1, by_epoch=by_epoch)
        ),
        randomness=dict(seed=1),
        experiment_name=f"resume-{uuid.uuid4().hex[:8]}",
        **extra,
    )


def _params(runner: Runner) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in runner.model.state_dict().items()}


@pytest.mark.parametrize(("by_epoch", "kill_at"), [(True, 4), (True, 8), (False, 5)])
def test_interrupted_and_resumed_run_equals_uninterrupted(
    tmp_path: Path, by_epoch: bool, kill_at: int
) -> None:
    full = Runner(**_job(tmp_path / "full", by_epoch))
    full.train()
    expected = _params(full)
    _forget_instances()

    killed = Runner(
        **_job(tmp_path / "cut", by_epoch, custom_hooks=[_KillAfter(kill_at)])
    )
    with pytest.raises(_Killed):
        killed.train()
    _forget_instances()

    resumed = Runner(**_job(tmp_path / "cut", by_epoch, resume=True))
    resumed.train()
    assert resumed.iter == full.iter
    got = _params(resumed)
    for name, value in expected.items():
        assert torch.equal(got[name], value), name


def test_resume_from_an_explicit_checkpoint(tmp_path: Path) -> None:
    first = Runner(**_job(tmp_path / "a", True))
    first.train()
    _forget_instances()
    job = _job(
        tmp_path / "b", True, resume=True, load_from=str(tmp_path / "a" / "epoch_2.pth")
    )
    job["train_cfg"] = dict(by_epoch=True, max_epochs=3)
    second = Runner(**copy.copy(job))
    second.train()
    assert second.epoch == 3


class _Counting(Pairs):
    loaded = 0

    def __getitem__(self, index: int) -> dict:
        type(self).loaded += 1
        return super().__getitem__(index)


@pytest.mark.parametrize("sampler", ["InfiniteSampler", "DefaultSampler"])
def test_iteration_resume_loads_no_skipped_batch(tmp_path: Path, sampler: str) -> None:
    job = _job(tmp_path, False, sampler, custom_hooks=[_KillAfter(6)])
    with pytest.raises(_Killed):
        Runner(**job).train()
    _forget_instances()
    job = _job(tmp_path, False, sampler, resume=True)
    job["train_dataloader"]["dataset"] = _Counting(8)
    _Counting.loaded = 0
    Runner(**job).train()
    assert _Counting.loaded == (12 - 6) * 2  # only the 6 remaining batches of 2
