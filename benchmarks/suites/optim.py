"""Optimizer wrapper: ``update_params`` overhead on a tiny model.

Each case runs N (smoke: 200; full: 5,000) training iterations of a
``Linear(8, 1)`` on a fixed ``4x8`` batch with SGD:

* ``raw``: plain ``loss.backward(); optimizer.step(); optimizer.zero_grad()``
  (the baseline, identical for both implementations);
* ``update_params acc=1`` / ``acc=4``: ``OptimWrapper.update_params`` with
  ``accumulative_counts`` 1 and 4 (``initialize_count_status`` called);
* ``... clip``: the same with ``clip_grad=dict(max_norm=1.0)``, which also
  logs the grad norm to the message hub.

The forward pass is part of every case, so the difference to ``raw`` is
the wrapper's own overhead.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn

from benchmarks.suite import Case

NAME = "optim"


def _setup() -> tuple[nn.Module, torch.Tensor]:
    torch.manual_seed(0)
    return nn.Linear(8, 1), torch.randn(4, 8)


def _raw(iters: int) -> Case:
    model, x = _setup()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)

    def case() -> None:
        for _ in range(iters):
            loss = model(x).sum()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

    return case


def _wrapped(optim: Any, iters: int, counts: int, clip: bool) -> Case:
    model, x = _setup()
    clip_grad = dict(max_norm=1.0) if clip else None

    def case() -> None:
        wrapper = optim.OptimWrapper(
            torch.optim.SGD(model.parameters(), lr=1e-3),
            accumulative_counts=counts,
            clip_grad=clip_grad,
        )
        wrapper.initialize_count_status(model, 0, iters)
        for _ in range(iters):
            wrapper.update_params(model(x).sum())

    return case


def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]:
    """The raw baseline and four ``update_params`` variants for ``impl``."""
    optim = importlib.import_module(f"{impl}.optim")
    iters = 200 if smoke else 5000
    result: dict[str, Case] = {f"raw backward/step/zero_grad x{iters}": _raw(iters)}
    for counts in (1, 4):
        for clip in (False, True):
            name = f"update_params acc={counts}{' clip' if clip else ''} x{iters}"
            result[name] = _wrapped(optim, iters, counts, clip)
    return result
