"""``parse_losses`` in a 2-rank job: logged values are the mean over ranks."""

from __future__ import annotations

from typing import Any

import torch

from conformance.harness.distributed import run_on_ranks


def _parse_on_rank() -> tuple[float, dict[str, float]]:
    import torch.distributed as dist

    from engine.model import BaseModel

    class Net(BaseModel):
        def forward(self, *args: Any, mode: str = "tensor") -> None:
            return None

    rank = dist.get_rank()
    own = torch.tensor(float(rank + 1), requires_grad=True)
    loss, log_vars = Net().parse_losses(
        dict(loss_a=own * 2, acc=torch.tensor(rank * 10.0))
    )
    return float(loss), {k: float(v) for k, v in log_vars.items()}


def test_logged_values_are_averaged_but_the_loss_is_not() -> None:
    results = run_on_ranks(_parse_on_rank, timeout=90)
    # rank 0: loss_a 2, acc 0; rank 1: loss_a 4, acc 10
    assert [loss for loss, _ in results] == [2.0, 4.0]
    for _, log_vars in results:
        assert log_vars == {"loss": 3.0, "loss_a": 3.0, "acc": 5.0}
