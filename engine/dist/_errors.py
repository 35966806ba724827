"""The error a collective raises when its peers fail it.

A backend reports a dead or missing peer with a terse message
("Connection reset by peer", "Timed out waiting 5000ms for recv operation");
:class:`CollectiveError` says which operation failed on which rank, keeps the
backend's text and chains its exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch.distributed as torch_dist

if TYPE_CHECKING:
    from torch.distributed import ProcessGroup


class CollectiveError(RuntimeError):
    """A collective operation failed: a peer died, never arrived or mismatched.

    Attributes:
        op: The name of the operation (``'all_reduce'``, ...).
        rank: The global rank of the process that raised it.
    """

    def __init__(self, message: str, op: str, rank: int) -> None:
        super().__init__(message)
        self.op = op
        self.rank = rank


def comm_error(
    op: str, group: ProcessGroup | None, exc: BaseException
) -> CollectiveError:
    """Build the :class:`CollectiveError` for ``exc`` raised inside ``op``.

    Args:
        op: The name of the failed operation.
        group: The group it ran on (None: the default group).
        exc: The backend's exception.
    """
    rank, where = -1, "outside any process group"
    if torch_dist.is_initialized():
        rank = torch_dist.get_rank()
        size = torch_dist.get_world_size(group)
        backend = torch_dist.get_backend(group)
        where = f"world size {size}, backend {backend}"
    message = (
        f"{op} failed on rank {rank} ({where}): {exc}\n"
        f"(If a peer is at fault, it exited, did not reach this {op} within "
        f"the process group timeout, or called a different collective.)"
    )
    return CollectiveError(message, op, rank)
