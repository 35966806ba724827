"""run_on_ranks starts real gloo processes and returns each rank's result."""

import pytest

from conformance.harness.distributed import run_on_ranks


def _rank_and_sum(offset: int) -> tuple[int, int, float]:
    import torch
    import torch.distributed as dist

    value = torch.tensor([float(dist.get_rank() + offset)])
    dist.all_reduce(value)
    return dist.get_rank(), dist.get_world_size(), float(value.item())


def _fail_on_rank_one() -> int:
    import os

    if os.environ["RANK"] == "1":
        raise ValueError("boom on rank 1")
    return 0


def test_run_on_ranks_returns_each_rank_result() -> None:
    assert run_on_ranks(_rank_and_sum, 10, world_size=2) == [
        (0, 2, 21.0),
        (1, 2, 21.0),
    ]


def test_run_on_ranks_reports_the_failing_rank() -> None:
    with pytest.raises(RuntimeError, match="(?s)rank 1 failed.*boom on rank 1"):
        run_on_ranks(_fail_on_rank_one, world_size=2, init_process_group=False)
