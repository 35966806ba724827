"""Initialisation, queries and control: the functions of ``mmengine.dist.utils``.

The queries (:func:`get_rank`, :func:`get_world_size`, ...) live in
``_query``, the device helpers in ``_device`` and :func:`init_dist` in
``_launch``; this module gathers them under MMEngine's public path and adds
:func:`master_only` and :func:`barrier`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import torch.distributed as torch_dist

from engine.dist._device import cast_data_device, get_comm_device, get_data_device
from engine.dist._errors import comm_error
from engine.dist._launch import infer_launcher, init_dist
from engine.dist._query import (
    get_backend,
    get_default_group,
    get_dist_info,
    get_local_group,
    get_local_rank,
    get_local_size,
    get_rank,
    get_world_size,
    init_local_group,
    is_distributed,
    is_main_process,
)

if TYPE_CHECKING:
    from torch.distributed import ProcessGroup

__all__ = [
    "barrier",
    "cast_data_device",
    "get_backend",
    "get_comm_device",
    "get_data_device",
    "get_default_group",
    "get_dist_info",
    "get_local_group",
    "get_local_rank",
    "get_local_size",
    "get_rank",
    "get_world_size",
    "infer_launcher",
    "init_dist",
    "init_local_group",
    "is_distributed",
    "is_main_process",
    "master_only",
]

_F = TypeVar("_F", bound=Callable[..., Any])


def master_only(func: _F) -> _F:
    """Make ``func`` run on rank 0 only; other ranks get ``None`` back.

    Args:
        func: The function to guard.

    Examples:
        >>> from engine.dist import master_only
        >>> @master_only
        ... def save(path):
        ...     return f'saved {path}'
        >>> save('ckpt.pth')  # 1 process: rank 0
        'saved ckpt.pth'
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if is_main_process():
            return func(*args, **kwargs)
        return None

    return wrapper  # type: ignore[return-value]


def barrier(group: ProcessGroup | None = None) -> None:
    """Wait until every process of ``group`` has reached this call.

    Args:
        group: The process group. Defaults to None (the default group).

    Raises:
        CollectiveError: If a peer dies or does not arrive within the
            process group timeout.

    Examples:
        >>> from engine.dist import barrier
        >>> barrier()  # 1 process: returns at once
    """
    if get_world_size(group) == 1:
        return
    try:
        torch_dist.barrier(group)
    except RuntimeError as e:
        raise comm_error("barrier", group, e) from e
