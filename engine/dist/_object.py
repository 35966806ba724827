"""Collectives on picklable Python objects.

The objects are pickled into byte tensors by ``torch.distributed`` and sent
through the backend's communication device. Like the tensor collectives,
each function does nothing (or wraps its input in a list) in a single
process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
import torch.distributed as torch_dist

from engine.dist._device import get_comm_device
from engine.dist._errors import comm_error
from engine.dist._query import get_world_size

if TYPE_CHECKING:
    from torch.distributed import ProcessGroup


def _object_device(group: ProcessGroup | None) -> torch.device | None:
    """The device ``torch.distributed`` should stage objects on (None: its choice)."""
    device = get_comm_device(group)
    return None if device.type == "cpu" else device


def broadcast_object_list(
    data: list[Any], src: int = 0, group: ProcessGroup | None = None
) -> None:
    """Replace the items of ``data`` on every process by those of rank ``src``.

    Args:
        data: A list of picklable objects, of the same length on every
            process; it is modified in place.
        src: The global rank that sends. Defaults to 0.
        group: The process group. Defaults to None (the default group).

    Examples:
        >>> from engine.dist import broadcast_object_list
        >>> data = ['foo', 12, {1: 2}]
        >>> broadcast_object_list(data)  # 1 process: unchanged
        >>> data
        ['foo', 12, {1: 2}]
    """
    if get_world_size(group) == 1:
        return
    try:
        torch_dist.broadcast_object_list(data, src, group, device=_object_device(group))
    except RuntimeError as e:
        raise comm_error("broadcast_object_list", group, e) from e


def all_gather_object(data: Any, group: ProcessGroup | None = None) -> list[Any]:
    """Gather a picklable object from every process of ``group`` on every process.

    Args:
        data: This process's object.
        group: The process group. Defaults to None (the default group).

    Returns:
        One object per rank, in rank order; ``[data]`` when not distributed.

    Examples:
        >>> from engine.dist import all_gather_object
        >>> all_gather_object({'rank': 0})
        [{'rank': 0}]
    """
    world_size = get_world_size(group)
    if world_size == 1:
        return [data]
    gathered: list[Any] = [None] * world_size
    try:
        torch_dist.all_gather_object(gathered, data, group)
    except RuntimeError as e:
        raise comm_error("all_gather_object", group, e) from e
    return gathered


def gather_object(
    data: Any, dst: int = 0, group: ProcessGroup | None = None
) -> list[Any] | None:
    """Gather a picklable object from every process of ``group`` on rank ``dst``.

    Args:
        data: This process's object.
        dst: The global rank that receives. Defaults to 0.
        group: The process group. Defaults to None (the default group).

    Returns:
        On ``dst``, one object per rank in rank order; ``None`` on the other
        ranks; ``[data]`` when not distributed.

    Examples:
        >>> from engine.dist import gather_object
        >>> gather_object('result')
        ['result']
    """
    world_size = get_world_size(group)
    if world_size == 1:
        return [data]
    gathered: list[Any] | None = None
    if torch_dist.get_rank() == dst:
        gathered = [None] * world_size
    try:
        torch_dist.gather_object(data, gathered, dst, group)
    except RuntimeError as e:
        raise comm_error("gather_object", group, e) from e
    return gathered
