"""Rank, world size and local rank for naming and routing log output.

The logger must not import torch: without torch in ``sys.modules`` no
process group can exist, so the answers are those of a single process.
Otherwise the query functions of :mod:`engine.dist` answer (or, where that
package is absent, ``torch.distributed`` directly). The local rank, which
names the device in per-rank log files, comes from the ``LOCAL_RANK``
environment variable that launchers (torchrun, slurm through ``init_dist``)
set.
"""

from __future__ import annotations

import os
import sys


def rank_and_world_size() -> tuple[int, int]:
    """``(rank, world_size)`` of this process; ``(0, 1)`` when not distributed."""
    if "torch" not in sys.modules:
        return 0, 1
    try:
        from engine.dist import get_rank, get_world_size
    except ImportError:
        import torch.distributed as torch_dist

        if not (torch_dist.is_available() and torch_dist.is_initialized()):
            return 0, 1
        return torch_dist.get_rank(), torch_dist.get_world_size()
    return get_rank(), get_world_size()


def local_rank() -> int:
    """Rank of this process on its node (``LOCAL_RANK``, default 0)."""
    try:
        return int(os.environ.get("LOCAL_RANK", "0"))
    except ValueError:
        return 0
