"""MMSeparateDistributedDataParallel on 2 gloo processes: a GAN-style model
whose own ``train_step`` updates two parts with two optimizers gets each
part's gradients averaged over the ranks."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.harness.distributed import run_on_ranks

_INPUTS = [[1.0], [2.0], [-1.0], [0.5]]


def _two_parts_on_rank() -> dict[str, Any]:
    import torch
    import torch.distributed as torch_dist
    import torch.nn as nn

    from engine.model.base_model import BaseModel
    from engine.model.wrappers import MMSeparateDistributedDataParallel
    from engine.optim import OptimWrapper, OptimWrapperDict

    grads: dict[str, list[float]] = {}

    class TwoParts(BaseModel):
        def __init__(self) -> None:
            super().__init__()
            torch.manual_seed(0)
            self.first = nn.Linear(1, 1)
            self.second = nn.Linear(1, 1)

        def forward(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("train_step does not call forward")

        def train_step(self, data: dict, optim_wrapper: Any) -> dict:
            inputs = data["inputs"]
            for name in ("first", "second"):
                part = getattr(self, name)
                with optim_wrapper[name].optim_context(part):
                    loss = part(inputs).pow(2).mean()
                optim_wrapper[name].backward(loss)
                grads[name] = part.module.weight.grad.flatten().tolist()
                optim_wrapper[name].step()
                optim_wrapper[name].zero_grad()
            return {}

    rank = torch_dist.get_rank()
    model = TwoParts()
    wrapper = MMSeparateDistributedDataParallel(model)
    optim = OptimWrapperDict(
        first=OptimWrapper(torch.optim.SGD(model.first.parameters(), lr=0.1)),
        second=OptimWrapper(torch.optim.SGD(model.second.parameters(), lr=0.1)),
    )
    wrapper.train_step(
        dict(inputs=torch.tensor(_INPUTS[2 * rank : 2 * rank + 2])), optim
    )
    return grads


def _full_batch_grads() -> dict[str, list[float]]:
    """Each part's gradient on the whole batch, in one process, plain torch."""
    import torch
    import torch.nn as nn

    torch.manual_seed(0)
    parts = dict(first=nn.Linear(1, 1), second=nn.Linear(1, 1))
    grads = {}
    for name, part in parts.items():
        part(torch.tensor(_INPUTS)).pow(2).mean().backward()
        assert part.weight.grad is not None
        grads[name] = part.weight.grad.flatten().tolist()
    return grads


def test_each_part_is_synchronised_separately() -> None:
    expected = _full_batch_grads()
    for grads in run_on_ranks(_two_parts_on_rank, world_size=2):
        assert grads["first"] == pytest.approx(expected["first"], abs=1e-6)
        assert grads["second"] == pytest.approx(expected["second"], abs=1e-6)
