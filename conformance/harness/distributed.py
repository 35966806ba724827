"""Run a function on several real processes (gloo on 127.0.0.1).

Example:
    >>> def world(impl_name):                      # module level: picklable
    ...     import torch.distributed as dist
    ...     return dist.get_world_size()
    >>> run_on_ranks(world, "engine", world_size=2)  # doctest: +SKIP
    [2, 2]
"""

from __future__ import annotations

import multiprocessing as mp
import os
import socket
import traceback
from collections.abc import Callable
from typing import Any

_TIMEOUT_S = 120.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _child(
    fn: Callable[..., Any],
    rank: int,
    world_size: int,
    port: int,
    init: bool,
    args: tuple[Any, ...],
    queue: Any,
) -> None:
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(world_size),
        LOCAL_WORLD_SIZE=str(world_size),
    )
    try:
        if init:
            import torch.distributed as dist

            dist.init_process_group("gloo", rank=rank, world_size=world_size)
        queue.put((rank, True, fn(*args)))
    except BaseException:  # report every failure to the parent
        queue.put((rank, False, traceback.format_exc()))
    finally:
        if init:
            import torch.distributed as dist

            if dist.is_initialized():
                dist.destroy_process_group()


def run_on_ranks(
    fn: Callable[..., Any],
    *args: Any,
    world_size: int = 2,
    init_process_group: bool = True,
    timeout: float = _TIMEOUT_S,
) -> list[Any]:
    """Run ``fn(*args)`` on ``world_size`` spawned processes, one per rank.

    Each process gets ``RANK``/``WORLD_SIZE``/``LOCAL_RANK``/``MASTER_*``
    set and, unless ``init_process_group`` is False, a gloo process group.

    Returns:
        The return value of each rank, indexed by rank.

    Raises:
        RuntimeError: naming the rank and its traceback if any rank failed.
    """
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    port = free_port()
    procs = [
        ctx.Process(
            target=_child,
            args=(fn, rank, world_size, port, init_process_group, args, queue),
        )
        for rank in range(world_size)
    ]
    for proc in procs:
        proc.start()
    results: dict[int, Any] = {}
    errors: list[str] = []
    try:
        for _ in procs:
            rank, ok, value = queue.get(timeout=timeout)
            if ok:
                results[rank] = value
            else:
                errors.append(f"rank {rank} failed:\n{value}")
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
    if errors:
        raise RuntimeError("\n".join(errors))
    return [results[rank] for rank in range(world_size)]
