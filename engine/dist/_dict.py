"""``all_reduce_dict``: reduce every tensor of a dict in one collective.

The tensors are flattened, in key order, into one buffer of their common
dtype (``torch.cat`` promotion), reduced once, and cut back into the dict.
Before that, one small reduction checks that every rank holds the same keys,
shapes and dtypes: a mismatch would otherwise corrupt the buffer or abort
the backend, so it is reported on every rank with each rank's layout.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

import torch

from engine.dist._object import all_gather_object
from engine.dist._query import get_world_size
from engine.dist._tensor import _reduce_op, all_reduce

if TYPE_CHECKING:
    from torch.distributed import ProcessGroup


def _layout(data: dict[Any, torch.Tensor]) -> list[tuple[Any, tuple, str]]:
    """``(key, shape, dtype)`` of every entry, in an order all ranks agree on."""
    layout = []
    for key in sorted(data, key=lambda k: (type(k).__name__, repr(k))):
        value = data[key]
        if not isinstance(value, torch.Tensor):
            raise TypeError(
                f"all_reduce_dict: data[{key!r}] should be a Tensor, "
                f"but got {type(value).__name__}"
            )
        layout.append((key, tuple(value.shape), str(value.dtype)))
    return layout


def _check_same_layout(layout: list, group: ProcessGroup | None) -> None:
    """Raise on every rank unless all ranks passed the same ``layout``."""
    signature = zlib.crc32(repr(layout).encode())
    probe = torch.tensor([signature, -signature], dtype=torch.int64)
    all_reduce(probe, "max", group)
    if probe.tolist() == [signature, -signature]:
        return
    layouts = all_gather_object(layout, group)
    lines = "\n".join(f"  rank {rank}: {entry}" for rank, entry in enumerate(layouts))
    raise ValueError(
        "all_reduce_dict: the ranks hold different keys, shapes or dtypes "
        f"(key, shape, dtype):\n{lines}"
    )


def all_reduce_dict(
    data: dict[str, torch.Tensor], op: str = "sum", group: ProcessGroup | None = None
) -> None:
    """Reduce every tensor of ``data`` over the processes of ``group``.

    Each value is replaced by its reduced tensor, of the dict's common dtype
    (a dict of ``float32`` and ``int64`` tensors comes back all ``float32``)
    and on the value's device. The key order of ``data`` is kept.

    Args:
        data: Tensors by key; every rank holds the same keys, shapes and
            dtypes.
        op: The reduce operation, as in :func:`~engine.dist.all_reduce`.
            Defaults to ``'sum'``.
        group: The process group. Defaults to None (the default group).

    Raises:
        ValueError: If the ranks' keys, shapes or dtypes differ (on every
            rank), or ``op`` is unknown.
        TypeError: If a value is not a tensor.

    Examples:
        >>> import torch
        >>> from engine.dist import all_reduce_dict
        >>> data = {'loss': torch.tensor(1.5), 'count': torch.tensor([3.0])}
        >>> all_reduce_dict(data, op='mean')  # 1 process: unchanged
        >>> data['loss']
        tensor(1.5000)
    """
    if get_world_size(group) == 1:
        return
    _reduce_op(op)
    layout = _layout(data)
    _check_same_layout(layout, group)
    if not layout:
        return
    keys = [key for key, _, _ in layout]
    flat = torch.cat([data[key].reshape(-1) for key in keys])
    all_reduce(flat, op, group)
    offset = 0
    for key in keys:
        value = data[key]
        size = value.numel()
        reduced = flat[offset : offset + size].view(value.shape)
        data[key] = reduced.to(value.device)
        offset += size
