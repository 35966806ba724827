"""Unit tests of SyncBuffersHook, with a real 2-process gloo group."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import torch

from conformance.harness.distributed import run_on_ranks
from engine.hooks import SyncBuffersHook


def test_single_process_is_a_no_op() -> None:
    hook = SyncBuffersHook()
    assert hook.distributed is False
    model = torch.nn.BatchNorm1d(2)
    model.get_buffer("running_mean").fill_(3.0)
    runner = SimpleNamespace(model=model)
    hook.after_train_epoch(runner)
    hook.before_val_epoch(runner)
    assert model.get_buffer("running_mean").tolist() == [3.0, 3.0]
    assert hook.called_in_train is False


def _two_ranks() -> list:
    import torch.distributed as dist

    rank = dist.get_rank()
    hook = SyncBuffersHook()
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
    runner = SimpleNamespace(model=model)
    bn = model.get_submodule("1")
    seen: list[list[Any]] = []
    bn.get_buffer("running_mean").fill_(2.0 * rank + 1)  # 1 and 3: mean 2
    bn.get_buffer("running_var").fill_(rank + 1.0)  # 1 and 2: mean 1.5
    bn.get_buffer("num_batches_tracked").fill_(rank + 3)  # 3 and 4: truncated mean 3
    hook.after_train_epoch(runner)
    seen.append(
        [bn.get_buffer("running_mean").tolist(), bn.get_buffer("running_var").tolist()]
    )
    seen.append([int(bn.get_buffer("num_batches_tracked")), hook.called_in_train])
    bn.get_buffer("running_mean").fill_(
        float(rank)
    )  # right after a train epoch: not synced
    hook.before_val_epoch(runner)
    seen.append([bn.get_buffer("running_mean").tolist(), hook.called_in_train])
    hook.before_val_epoch(runner)  # validation without a train epoch: synced
    seen.append([bn.get_buffer("running_mean").tolist(), hook.called_in_train])
    return [hook.distributed, seen]


def test_two_ranks_average_the_buffers() -> None:
    rank0, rank1 = run_on_ranks(_two_ranks, world_size=2)
    assert rank0[0] is rank1[0] is True
    assert rank0[1][0] == rank1[1][0] == [[2.0, 2.0], [1.5, 1.5]]
    assert rank0[1][1] == rank1[1][1] == [3, True]
    assert rank0[1][2] == [[0.0, 0.0], False]
    assert rank1[1][2] == [[1.0, 1.0], False]
    assert rank0[1][3] == rank1[1][3] == [[0.5, 0.5], False]
