"""Parameter schedulers: stepping a 3-scheduler composition.

``10,000 scheduler steps``: a linear warm-up (iterations [0, 500)), a
multi-step decay (milestones 3,000 and 6,000) and a cosine annealing on
[5,000, 10,000) on one SGD optimizer with 4 param groups, all iteration
based; one step is one call of ``step()`` on each of the three, as the
``ParamSchedulerHook`` does after every iteration. Smoke: 1,000 steps.
The schedulers are built inside the measured call (building is cheap and
each measurement must start from a fresh optimizer); one optimizer is
built during setup, since PyTorch's first one imports ``torch._dynamo``.
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path
from typing import Any

from benchmarks.suite import Case

NAME = "scheduler"


def _composition(scheduler: Any, steps: int) -> Case:
    import torch

    params = [torch.zeros(1, requires_grad=True) for _ in range(4)]
    # The first optimizer built in a process imports torch._dynamo (seconds);
    # pay it here, outside the measurement.
    torch.optim.SGD(params, lr=0.1)

    def case() -> None:
        groups = [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)]
        opt = torch.optim.SGD(groups, lr=0.1, momentum=0.9)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            chain = [
                scheduler.LinearLR(opt, start_factor=0.001, by_epoch=False, end=500),
                scheduler.MultiStepLR(opt, milestones=[3000, 6000], by_epoch=False),
                scheduler.CosineAnnealingLR(
                    opt, T_max=5000, by_epoch=False, begin=5000, end=10_000
                ),
            ]
            for _ in range(steps):
                for s in chain:
                    s.step()

    return case


def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]:
    """The scheduler case for ``impl``."""
    scheduler = importlib.import_module(f"{impl}.optim.scheduler")
    steps = 1000 if smoke else 10_000
    return {f"3-scheduler composition x{steps} steps": _composition(scheduler, steps)}
