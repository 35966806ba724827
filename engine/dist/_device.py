"""Where data lives and where a backend can communicate it.

A backend moves tensors of one kind of device: gloo moves CPU tensors, NCCL
CUDA tensors. The collectives of :mod:`engine.dist.dist` accept tensors on
any device, move them to the communication device and back.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence, Sized
from typing import TYPE_CHECKING, Any

import torch

from engine.dist._query import get_backend

if TYPE_CHECKING:
    from torch.distributed import ProcessGroup

Data = torch.Tensor | Mapping | Iterable

#: Backends whose tensors live on an accelerator, and that accelerator.
_ACCELERATOR_BACKENDS = {"nccl": "cuda", "hccl": "npu", "cncl": "mlu", "mccl": "musa"}


def get_comm_device(group: ProcessGroup | None = None) -> torch.device:
    """The device whose tensors the backend of ``group`` communicates.

    Args:
        group: The process group. Defaults to None (the default group).

    Returns:
        The current CUDA (or other accelerator) device for NCCL (HCCL, CNCL,
        MCCL); ``cpu`` for gloo, MPI and when not distributed.

    Examples:
        >>> from engine.dist import get_comm_device
        >>> get_comm_device()
        device(type='cpu')
    """
    return comm_device_of(get_backend(group))


_CPU = torch.device("cpu")


def comm_device_of(backend: str | None) -> torch.device:
    """The communication device of ``backend`` (see :func:`get_comm_device`)."""
    kind = _ACCELERATOR_BACKENDS.get(backend or "")
    if kind is None:
        return _CPU
    module = getattr(torch, kind)
    return torch.device(kind, module.current_device())


def _is_sequence(data: object) -> bool:
    return isinstance(data, Sequence) and not isinstance(data, (str, bytes))


def get_data_device(data: Data) -> torch.device:
    """The device of a tensor, or the common device of nested tensors.

    Args:
        data: A tensor, or a sequence or mapping (nested freely) of tensors.

    Returns:
        The device all the tensors are on.

    Raises:
        ValueError: If ``data`` (or a nested container) is empty, or the
            tensors are on different devices.
        TypeError: If a leaf is not a tensor.

    Examples:
        >>> import torch
        >>> from engine.dist import get_data_device
        >>> get_data_device({'a': torch.zeros(1), 'b': [torch.ones(2)]})
        device(type='cpu')
    """
    if isinstance(data, torch.Tensor):
        return data.device
    if isinstance(data, Mapping):
        items: Iterable = data.values()
    elif _is_sequence(data):
        items = data
    else:
        raise TypeError(
            f"data should be a Tensor, sequence of tensor or dict, but got {data!r}"
        )
    devices = {get_data_device(item) for item in items}
    if not devices:
        raise ValueError("data should not be empty.")
    if len(devices) > 1:
        names = sorted(str(device) for device in devices)
        raise ValueError(f"data should be on one device, but is on {names}")
    return devices.pop()


def cast_data_device(data: Data, device: torch.device, out: Data | None = None) -> Data:
    """Move a tensor, or the tensors of nested sequences and mappings, to ``device``.

    Containers are rebuilt with their own type (a tuple stays a tuple, an
    ``OrderedDict`` an ``OrderedDict``, a namedtuple that namedtuple).

    Args:
        data: A tensor, or a sequence or mapping (nested freely) of tensors.
        device: The target device.
        out: If given, a structure like ``data`` whose tensors receive a copy
            of the moved values. Defaults to None.

    Returns:
        ``data`` on ``device`` (a tensor already there is returned as is).

    Raises:
        TypeError: If a leaf is not a tensor, or ``out`` does not match
            ``data``.
        ValueError: If a container is empty, or ``out`` has another length.

    Examples:
        >>> import torch
        >>> from engine.dist import cast_data_device
        >>> cast_data_device([torch.zeros(1)], torch.device('cpu'))
        [tensor([0.])]
    """
    if isinstance(data, torch.Tensor):
        moved = data.to(device)
        if out is not None:
            if not isinstance(out, torch.Tensor):
                raise TypeError(f"out should be a Tensor like data, but got {out!r}")
            out.copy_(moved)
        return moved
    if isinstance(data, Mapping):
        return _cast_mapping(data, device, out)
    if _is_sequence(data):
        return _cast_sequence(data, device, out)  # type: ignore[arg-type]
    raise TypeError(
        f"data should be a Tensor, list of tensor or dict, but got {data!r}"
    )


def _check_out(data: Sized, out: Any, kind: Any) -> None:
    if not isinstance(out, kind):
        raise TypeError(
            f"out should be a {kind.__name__} like data, but got {type(out).__name__}"
        )
    if len(out) != len(data):
        raise ValueError(
            f"length of data and out should be same, but got {len(data)} and {len(out)}"
        )


def _cast_mapping(data: Mapping, device: torch.device, out: Data | None) -> Mapping:
    if not data:
        raise ValueError("data should not be empty")
    if out is None:
        moved = {key: cast_data_device(value, device) for key, value in data.items()}
    else:
        _check_out(data, out, Mapping)
        moved = {
            key: cast_data_device(value, device, out[key])  # type: ignore[index]
            for key, value in data.items()
        }
    if isinstance(data, dict):  # keeps the subclass and its state (defaultdict)
        rebuilt = copy.copy(data)
        rebuilt.update(moved)
        return rebuilt
    return type(data)(moved)  # type: ignore[call-arg]


def _cast_sequence(data: Sequence, device: torch.device, out: Data | None) -> Sequence:
    if not data:
        raise ValueError("data should not be empty")
    if out is None:
        moved = [cast_data_device(item, device) for item in data]
    else:
        _check_out(data, out, Sequence)
        moved = [
            cast_data_device(item, device, target) for item, target in zip(data, out)
        ]
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*moved)
    return type(data)(moved)  # type: ignore[call-arg]
