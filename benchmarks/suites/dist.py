"""dist: latency of collectives on 2 gloo processes (127.0.0.1), per operation.

One spawn of 2 processes measures every case. A *block* times ``iters``
calls of one operation after a barrier (time per call). A *round* runs
``BLOCKS`` blocks of every case, the cases taking turns block by block
(in forward, then backward order) so that a change of machine load hits
them alike, and gives each case the
fastest of its blocks on the slower rank (on a shared machine, the least
disturbed measure of the operation's cost). Each call of a case returns its
next round (a self-measured float); a new campaign starts when the rounds
run out.

``raw ...`` cases call ``torch.distributed`` directly and appear in both
runs: beside ``all_reduce 1M`` they show the implementation's overhead over
torch, and their own ratio shows the noise between the two runs. ``raw
all_gather`` allocates its output list on every call, as ``all_gather`` must
return new tensors.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.suite import Case

NAME = "dist"
ROUNDS = 7
BLOCKS = 5
_BIG = 1_000_000
_ITEMS = 10_000


def _sizes(smoke: bool) -> dict[str, int]:
    if smoke:
        return {"small": 4, "big": 1000, "items": 100, "fast": 5, "slow": 1}
    return {"small": 4, "big": _BIG, "items": _ITEMS, "fast": 100, "slow": 4}


def _ops(impl: str, sizes: dict[str, int]) -> dict[str, tuple]:
    """Case name -> (operation, iterations), for this rank."""
    import torch
    import torch.distributed as torch_dist

    dist = importlib.import_module(f"{impl}.dist")
    rank, world_size = torch_dist.get_rank(), torch_dist.get_world_size()
    small, big = torch.ones(sizes["small"]), torch.ones(sizes["big"])

    def raw_all_gather(data: Any) -> list:
        gathered = [torch.empty_like(data) for _ in range(world_size)]
        torch_dist.all_gather(gathered, data)
        return gathered

    obj = {"epoch": 3, "metrics": {"acc": 0.5, "loss": [0.1, 0.2]}, "name": "x" * 64}
    results = [
        {"index": i, "pred": [0.1, 0.2, 0.3], "label": i % 10}
        for i in range(rank, sizes["items"], world_size)
    ]
    fast, slow = sizes["fast"], sizes["slow"]
    return {
        "all_reduce small": (lambda: dist.all_reduce(small), fast),
        "raw all_reduce small": (lambda: torch_dist.all_reduce(small), fast),
        "all_reduce 1M": (lambda: dist.all_reduce(big), slow),
        "raw all_reduce 1M": (lambda: torch_dist.all_reduce(big), slow),
        "all_gather small": (lambda: dist.all_gather(small), fast),
        "raw all_gather small": (lambda: raw_all_gather(small), fast),
        "all_gather 1M": (lambda: dist.all_gather(big), slow),
        "raw all_gather 1M": (lambda: raw_all_gather(big), slow),
        "broadcast_object_list": (lambda: dist.broadcast_object_list([obj]), fast),
        "raw broadcast_object_list": (
            lambda: torch_dist.broadcast_object_list([obj]),
            fast,
        ),
        "collect_results cpu 10k": (
            lambda: dist.collect_results(results, sizes["items"]),
            slow,
        ),
        "collect_results gpu 10k": (
            lambda: dist.collect_results(results, sizes["items"], device="gpu"),
            slow,
        ),
    }


def _time(op: Callable[[], Any], iters: int) -> float:
    import torch.distributed as torch_dist

    for _ in range(min(1, iters)):
        op()
    torch_dist.barrier()
    start = time.perf_counter()
    for _ in range(iters):
        op()
    return (time.perf_counter() - start) / iters


def _campaign(impl: str, rounds: int, smoke: bool) -> dict[str, list]:
    """Runs on each rank: the per-operation time of every case, per round."""
    import torch

    torch.set_num_threads(1)
    ops = _ops(impl, _sizes(smoke))
    times: dict[str, list[float]] = {name: [] for name in ops}
    for _ in range(rounds):
        blocks: dict[str, list[float]] = {name: [] for name in ops}
        for block in range(1 if smoke else BLOCKS):
            order = list(ops) if block % 2 == 0 else list(reversed(ops))
            for name in order:  # alternate the order: no case always follows another
                op, iters = ops[name]
                blocks[name].append(_time(op, iters))
        for name, values in blocks.items():
            times[name].append(min(values))
    return times


def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]:
    """Every case, fed by one campaign of ``ROUNDS`` rounds at a time."""
    from conformance.harness.distributed import run_on_ranks

    rounds = 1 if smoke else ROUNDS
    pending: dict[str, list[float]] = {}

    def next_value(name: str) -> float:
        if not pending.get(name):
            per_rank = run_on_ranks(_campaign, impl, rounds, smoke, timeout=1200)
            for case in per_rank[0]:
                slowest = [max(values) for values in zip(*(r[case] for r in per_rank))]
                pending[case] = slowest
        return pending[name].pop(0)

    names = _ops_names()
    return {name: (lambda name=name: next_value(name)) for name in names}


def _ops_names() -> list[str]:
    """The case names, in table order (as :func:`_ops` builds them)."""
    sizes = ("small", "1M")
    names = []
    for op in ("all_reduce", "all_gather"):
        for size in sizes:
            names += [f"{op} {size}", f"raw {op} {size}"]
    names += ["broadcast_object_list", "raw broadcast_object_list"]
    return names + ["collect_results cpu 10k", "collect_results gpu 10k"]
