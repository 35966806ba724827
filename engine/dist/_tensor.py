"""Collectives on tensors: reduce, gather, broadcast.

Each function is a no-op (or returns its input in a list) when the group has
a single process, so the same code runs with and without a process group.
Tensors may be on any device: they travel through the backend's
communication device (:func:`~engine.dist.get_comm_device`) and come back to
their own. A backend failure becomes a
:class:`~engine.dist._errors.CollectiveError` naming the operation and rank.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.distributed as torch_dist
from torch.distributed import ReduceOp

from engine.dist._device import comm_device_of, get_comm_device
from engine.dist._errors import comm_error
from engine.dist._query import get_world_size, group_info

if TYPE_CHECKING:
    from torch.distributed import ProcessGroup

#: Reduce operations by name; ``'mean'`` is a sum divided by the world size.
_REDUCE_OPS = {
    "sum": ReduceOp.SUM,
    "mean": ReduceOp.SUM,
    "product": ReduceOp.PRODUCT,
    "min": ReduceOp.MIN,
    "max": ReduceOp.MAX,
    "band": ReduceOp.BAND,
    "bor": ReduceOp.BOR,
    "bxor": ReduceOp.BXOR,
}


def _reduce_op(op: str) -> Any:
    try:
        return _REDUCE_OPS[op.lower()]
    except (KeyError, AttributeError):
        raise ValueError(
            f"reduce op should be one of {list(_REDUCE_OPS)}, but got {op!r}"
        ) from None


def _on_comm_device(data: torch.Tensor, backend: str | None) -> torch.Tensor:
    """``data`` itself if ``backend`` can send it as is, else a copy that it can."""
    device = comm_device_of(backend)
    if data.device == device and data.is_contiguous():
        return data
    return data.to(device, memory_format=torch.contiguous_format)


def _divide(data: torch.Tensor, world_size: int) -> None:
    if data.is_floating_point() or data.is_complex():
        data.div_(world_size)
    else:
        data.div_(world_size, rounding_mode="trunc")


def all_reduce(
    data: torch.Tensor, op: str = "sum", group: ProcessGroup | None = None
) -> None:
    """Reduce ``data`` over all processes of ``group``, in place.

    Args:
        data: The tensor; every process holds one of the same shape and
            dtype. It receives the result.
        op: ``'sum'``, ``'mean'``, ``'product'``, ``'min'``, ``'max'``,
            ``'band'``, ``'bor'`` or ``'bxor'`` (any case). The mean of an
            integer tensor is rounded towards zero. Defaults to ``'sum'``.
        group: The process group. Defaults to None (the default group).

    Raises:
        ValueError: For an unknown ``op`` (only when distributed).
        CollectiveError: If the backend fails (e.g. a peer died).

    Examples:
        >>> import torch
        >>> from engine.dist import all_reduce
        >>> data = torch.tensor([1.0, 2.0])
        >>> all_reduce(data, op='mean')  # 1 process: unchanged
        >>> data
        tensor([1., 2.])
    """
    world_size, backend = group_info(group)
    if world_size == 1:
        return
    reduce_op = _reduce_op(op)
    buffer = _on_comm_device(data, backend)
    try:
        torch_dist.all_reduce(buffer, reduce_op, group)
    except RuntimeError as e:
        raise comm_error("all_reduce", group, e) from e
    if op.lower() == "mean":
        _divide(buffer, world_size)
    if buffer is not data:
        data.copy_(buffer)


def all_gather(
    data: torch.Tensor, group: ProcessGroup | None = None
) -> list[torch.Tensor]:
    """Gather ``data`` from every process of ``group`` on every process.

    Args:
        data: This process's tensor; all processes send the same shape and
            dtype.
        group: The process group. Defaults to None (the default group).

    Returns:
        One tensor per rank, in rank order, on ``data``'s device.
        ``[data]`` when not distributed.

    Examples:
        >>> import torch
        >>> from engine.dist import all_gather
        >>> all_gather(torch.tensor([7]))
        [tensor([7])]
    """
    world_size, backend = group_info(group)
    if world_size == 1:
        return [data]
    buffer = _on_comm_device(data, backend)
    gathered = [torch.empty_like(buffer) for _ in range(world_size)]
    try:
        torch_dist.all_gather(gathered, buffer, group)
    except RuntimeError as e:
        raise comm_error("all_gather", group, e) from e
    return _back_to(gathered, data.device)


def _back_to(tensors: list[torch.Tensor], device: torch.device) -> list[torch.Tensor]:
    if tensors and tensors[0].device != device:
        return [tensor.to(device) for tensor in tensors]
    return tensors


def gather(
    data: torch.Tensor, dst: int = 0, group: ProcessGroup | None = None
) -> list[torch.Tensor | None]:
    """Gather ``data`` from every process of ``group`` on rank ``dst``.

    Args:
        data: This process's tensor; all processes send the same shape and
            dtype.
        dst: The global rank that receives. Defaults to 0.
        group: The process group. Defaults to None (the default group).

    Returns:
        On ``dst``, one tensor per rank in rank order, on ``data``'s device;
        ``[]`` on the other ranks; ``[data]`` when not distributed.

    Examples:
        >>> import torch
        >>> from engine.dist import gather
        >>> gather(torch.tensor([7]))
        [tensor([7])]
    """
    world_size, backend = group_info(group)
    if world_size == 1:
        return [data]
    buffer = _on_comm_device(data, backend)
    receives = torch_dist.get_rank() == dst
    gathered = (
        [torch.empty_like(buffer) for _ in range(world_size)] if receives else None
    )
    try:
        torch_dist.gather(buffer, gathered, dst, group)
    except RuntimeError as e:
        raise comm_error("gather", group, e) from e
    if gathered is None:
        return []
    return list(_back_to(gathered, data.device))


def broadcast(
    data: torch.Tensor, src: int = 0, group: ProcessGroup | None = None
) -> None:
    """Copy ``data`` of rank ``src`` into ``data`` of every process, in place.

    Args:
        data: The tensor; same shape and dtype on every process.
        src: The global rank that sends. Defaults to 0.
        group: The process group. Defaults to None (the default group).

    Examples:
        >>> import torch
        >>> from engine.dist import broadcast
        >>> data = torch.tensor([1, 2])
        >>> broadcast(data)  # 1 process: unchanged
        >>> data
        tensor([1, 2])
    """
    world_size, backend = group_info(group)
    if world_size == 1:
        return
    buffer = _on_comm_device(data, backend)
    try:
        torch_dist.broadcast(buffer, src, group)
    except RuntimeError as e:
        raise comm_error("broadcast", group, e) from e
    if buffer is not data:
        data.copy_(buffer)


def _first_rank(group: ProcessGroup | None) -> int:
    """The global rank of the first process of ``group``."""
    if group is None:
        return 0
    return int(torch_dist.get_global_rank(group, 0))


def sync_random_seed(group: ProcessGroup | None = None) -> int:
    """A random seed, the same on every process of ``group``.

    Every process draws ``np.random.randint(2**31)`` (so numpy's global
    generator advances alike everywhere) and takes the first rank's draw.

    Args:
        group: The process group. Defaults to None (the default group).

    Returns:
        The seed of the group's first rank.

    Examples:
        >>> from engine.dist import sync_random_seed
        >>> isinstance(sync_random_seed(), int)
        True
    """
    seed = int(np.random.randint(2**31))
    if get_world_size(group) == 1:
        return seed
    buffer = torch.tensor(seed, dtype=torch.int64, device=get_comm_device(group))
    try:
        torch_dist.broadcast(buffer, _first_rank(group), group)
    except RuntimeError as e:
        raise comm_error("sync_random_seed", group, e) from e
    return int(buffer.item())


def all_reduce_params(
    params: list | Generator[torch.Tensor, None, None],
    coalesce: bool = True,
    bucket_size_mb: int = -1,
    op: str = "sum",
    group: ProcessGroup | None = None,
) -> None:
    """Reduce the values of parameters (or any tensors) in place.

    Args:
        params: The parameters or tensors (their ``.data`` is reduced).
        coalesce: Reduce several tensors of a dtype in one flat buffer.
            Defaults to True.
        bucket_size_mb: The largest buffer in MiB when coalescing; -1 puts
            all tensors of a dtype in one. Defaults to -1.
        op: The reduce operation, as in :func:`all_reduce`. Defaults to
            ``'sum'``.
        group: The process group. Defaults to None (the default group).

    Examples:
        >>> import torch
        >>> from engine.dist import all_reduce_params
        >>> layer = torch.nn.Linear(2, 2)
        >>> all_reduce_params(layer.parameters(), op='mean')
    """
    if get_world_size(group) == 1:
        return
    tensors = [param.data for param in params]
    buckets = _buckets(tensors, bucket_size_mb) if coalesce else [[t] for t in tensors]
    for bucket in buckets:
        if len(bucket) == 1:
            all_reduce(bucket[0], op, group)
            continue
        flat = torch.cat([tensor.reshape(-1) for tensor in bucket])
        all_reduce(flat, op, group)
        offset = 0
        for tensor in bucket:
            tensor.copy_(flat[offset : offset + tensor.numel()].view_as(tensor))
            offset += tensor.numel()


def _buckets(tensors: Iterable[torch.Tensor], bucket_size_mb: int) -> Iterator[list]:
    """Tensors grouped by dtype and device, each group cut at ``bucket_size_mb``."""
    limit = bucket_size_mb * 1024 * 1024 if bucket_size_mb > 0 else None
    by_kind: dict[tuple, list[torch.Tensor]] = {}
    for tensor in tensors:
        by_kind.setdefault((tensor.dtype, tensor.device), []).append(tensor)
    for group in by_kind.values():
        bucket: list[torch.Tensor] = []
        size = 0
        for tensor in group:
            nbytes = tensor.numel() * tensor.element_size()
            if bucket and limit is not None and size + nbytes > limit:
                yield bucket
                bucket, size = [], 0
            bucket.append(tensor)
            size += nbytes
        if bucket:
            yield bucket
