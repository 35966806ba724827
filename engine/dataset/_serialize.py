"""A list of data-info dicts stored as one byte buffer plus end offsets.

Dataloader workers forked from the main process share its memory pages
until they write to them. Reading an item of a Python list writes to it
(reference counts live in each object), so every worker ends up with its
own copy of the pages it touched. One ``uint8`` numpy buffer holds no
Python objects: reading an item only reads the buffer, and the pages stay
shared. Item ``i`` is the pickle in ``buffer[ends[i - 1]:ends[i]]``.
"""

from __future__ import annotations

import operator
import pickle
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["normalize_indices", "serialize", "serialized_item", "serialized_subset"]


def serialize(data_list: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Pickle every item into one buffer; return ``(buffer, ends)``."""
    chunks = [
        np.frombuffer(pickle.dumps(info, protocol=pickle.HIGHEST_PROTOCOL), np.uint8)
        for info in data_list
    ]
    ends = np.cumsum([len(chunk) for chunk in chunks], dtype=np.int64)
    if not chunks:
        return np.zeros(0, dtype=np.uint8), ends
    return np.concatenate(chunks), ends


def serialized_item(buffer: np.ndarray, ends: np.ndarray, index: int) -> Any:
    """Unpickle item ``index`` (``0 <= index < len(ends)``), a fresh copy."""
    start = int(ends[index - 1]) if index > 0 else 0
    return pickle.loads(buffer[start : int(ends[index])].data)


def serialized_subset(
    buffer: np.ndarray, ends: np.ndarray, positions: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """The ``(buffer, ends)`` holding only the items at ``positions``."""
    starts = np.concatenate(([0], ends[:-1])).astype(np.int64)
    chunks = [buffer[starts[p] : ends[p]] for p in positions]
    new_ends = np.cumsum([len(chunk) for chunk in chunks], dtype=np.int64)
    if not chunks:
        return np.zeros(0, dtype=np.uint8), new_ends
    return np.concatenate(chunks), new_ends


def normalize_indices(indices: Any, length: int, owner: str) -> list[int]:
    """Positions selected by ``indices`` among ``length`` items.

    An int ``n >= 0`` keeps the first ``n`` items, ``n < 0`` the last
    ``-n``; a sequence of ints keeps exactly those (negative ones count
    from the end), in that order.

    Raises:
        TypeError: ``indices`` is neither an int nor a sequence of ints.
        IndexError: a position is out of range, naming it and ``owner``.
    """
    if isinstance(indices, int):
        if indices >= 0:
            return list(range(min(indices, length)))
        return list(range(max(length + indices, 0), length))
    if isinstance(indices, (str, bytes)) or not isinstance(indices, Sequence):
        raise TypeError(
            f"{owner}: indices should be a int or sequence of int, but got "
            f"{type(indices)}"
        )
    positions = []
    for index in indices:
        try:
            position = operator.index(index)
        except TypeError as e:
            raise TypeError(
                f"{owner}: indices should be a int or sequence of int, but got "
                f"an element {index!r} of {type(index)}"
            ) from e
        if not -length <= position < length:
            raise IndexError(
                f"{owner}: index {position} in indices is out of range for "
                f"{length} data samples"
            )
        positions.append(position % length)
    return positions
