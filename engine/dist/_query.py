"""Who am I in the job: ranks, sizes, backend and the local (per-node) group.

Every function answers for a single, non-distributed process when no default
process group exists (world size 1, rank 0, backend ``None``), so code written
for many processes runs unchanged in one.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import torch.distributed as torch_dist

if TYPE_CHECKING:
    from torch.distributed import ProcessGroup

#: Weak references to ``(world group, local group)``: the group of the
#: processes on this node, set by :func:`init_local_group`, and the world
#: group it belongs to (once the world group is replaced it is stale). Weak,
#: so that ``destroy_process_group`` really frees the groups: a group still
#: alive when the interpreter exits can abort the process.
_LOCAL: tuple[weakref.ref, weakref.ref] | None = None

#: ``id(group) -> (weak reference to the group, world size, backend)``. A
#: group's size and backend never change, and collectives ask for them on
#: every call. The weak reference confirms that an entry is about this very
#: group (not an earlier one whose ``id`` was recycled) without keeping it
#: alive.
_GROUP_INFO: dict[int, tuple[weakref.ref, int, str]] = {}

_NO_LOCAL_GROUP = (
    "Local process group is not created, please use `init_local_group` to "
    "setup local process group (init_dist does it for you)."
)


def is_distributed() -> bool:
    """Whether a default process group is initialised.

    Returns:
        ``True`` when ``torch.distributed`` is available and initialised.

    Examples:
        >>> from engine.dist import is_distributed
        >>> is_distributed()
        False
    """
    return torch_dist.is_available() and torch_dist.is_initialized()


def group_info(group: ProcessGroup | None) -> tuple[int, str | None]:
    """``(world size, backend)`` of ``group``; ``(1, None)`` when not distributed."""
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return 1, None
    key = torch_dist.group.WORLD if group is None else group
    entry = _GROUP_INFO.get(id(key))
    if entry is None or entry[0]() is not key:
        size = int(torch_dist.get_world_size(group))
        entry = (weakref.ref(key), size, str(torch_dist.get_backend(group)))
        _GROUP_INFO[id(key)] = entry
    return entry[1], entry[2]


def get_default_group() -> ProcessGroup | None:
    """The default (world) process group, or ``None`` when not distributed.

    Examples:
        >>> from engine.dist import get_default_group
        >>> get_default_group() is None
        True
    """
    if not is_distributed():
        return None
    return torch_dist.group.WORLD


def get_backend(group: ProcessGroup | None = None) -> str | None:
    """The backend of ``group`` (default: the world group).

    Args:
        group: The process group. Defaults to None (the default group).

    Returns:
        The backend name, e.g. ``'gloo'`` or ``'nccl'``, or ``None`` when
        not distributed.

    Examples:
        >>> from engine.dist import get_backend
        >>> get_backend() is None
        True
    """
    return group_info(group)[1]


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of processes in ``group`` (1 when not distributed).

    Args:
        group: The process group. Defaults to None (the default group).

    Examples:
        >>> from engine.dist import get_world_size
        >>> get_world_size()
        1
    """
    return group_info(group)[0]


def get_rank(group: ProcessGroup | None = None) -> int:
    """The rank of this process in ``group`` (0 when not distributed).

    Args:
        group: The process group. Defaults to None (the default group).

    Examples:
        >>> from engine.dist import get_rank
        >>> get_rank()
        0
    """
    if not is_distributed():
        return 0
    return int(torch_dist.get_rank(group))


def get_dist_info(group: ProcessGroup | None = None) -> tuple[int, int]:
    """The rank and world size of this process, in that order.

    Args:
        group: The process group. Defaults to None (the default group).

    Returns:
        ``(rank, world_size)``; ``(0, 1)`` when not distributed.

    Examples:
        >>> from engine.dist import get_dist_info
        >>> get_dist_info()
        (0, 1)
    """
    return get_rank(group), get_world_size(group)


def is_main_process(group: ProcessGroup | None = None) -> bool:
    """Whether this process has rank 0 in ``group`` (always when not distributed).

    Args:
        group: The process group. Defaults to None (the default group).

    Examples:
        >>> from engine.dist import is_main_process
        >>> is_main_process()
        True
    """
    return get_rank(group) == 0


def init_local_group(node_rank: int, num_gpus_per_node: int) -> None:
    """Create the group of the processes on the same node as this one.

    Ranks are assumed to be numbered node by node: node ``i`` holds ranks
    ``i * num_gpus_per_node`` up to the next node's first rank. Every process
    of the job must call this function (creating a group is collective);
    each creates the groups of all nodes, in the same order, and keeps its
    own.

    Args:
        node_rank: The index of this node.
        num_gpus_per_node: The number of processes on each node.

    Examples:
        >>> from engine.dist import init_local_group
        >>> init_local_group(0, 2)  # doctest: +SKIP
    """
    global _LOCAL
    if num_gpus_per_node < 1:
        raise ValueError(
            f"init_local_group: num_gpus_per_node must be >= 1, got {num_gpus_per_node}"
        )
    rank, world_size = get_dist_info()
    if rank // num_gpus_per_node != node_rank:
        raise ValueError(
            f"init_local_group: rank {rank} does not belong to node {node_rank} "
            f"with {num_gpus_per_node} processes per node"
        )
    num_nodes = -(-world_size // num_gpus_per_node)
    for node in range(num_nodes):
        first = node * num_gpus_per_node
        ranks = list(range(first, min(first + num_gpus_per_node, world_size)))
        group = torch_dist.new_group(ranks)
        if node == node_rank:
            _LOCAL = (weakref.ref(torch_dist.group.WORLD), weakref.ref(group))


def get_local_group() -> ProcessGroup | None:
    """The group of the processes on this node (``None`` when not distributed).

    Raises:
        RuntimeError: When distributed but no local group was created (see
            :func:`init_local_group`; :func:`~engine.dist.init_dist` creates
            it).

    Examples:
        >>> from engine.dist import get_local_group
        >>> get_local_group() is None
        True
    """
    if not is_distributed():
        return None
    world, local = _LOCAL if _LOCAL is not None else (None, None)
    group = local() if local is not None else None
    if group is None or world is None or world() is not torch_dist.group.WORLD:
        raise RuntimeError(_NO_LOCAL_GROUP)
    return group


def get_local_size() -> int:
    """The number of processes on this node (1 when not distributed).

    Examples:
        >>> from engine.dist import get_local_size
        >>> get_local_size()
        1
    """
    if not is_distributed():
        return 1
    return int(torch_dist.get_world_size(get_local_group()))


def get_local_rank() -> int:
    """The rank of this process among those on its node (0 when not distributed).

    Examples:
        >>> from engine.dist import get_local_rank
        >>> get_local_rank()
        0
    """
    if not is_distributed():
        return 0
    return int(torch_dist.get_rank(get_local_group()))
