"""``InstanceData``: per-instance fields of one common length.

Every data field of an :class:`InstanceData` has one entry per instance
(boxes, labels, scores, masks...), so the element can be indexed like a
sequence: by an int, a slice, a boolean mask or a list/tensor/array of
positions, each data field being indexed along its first dimension.
Metainfo fields are not length-checked and are carried over (deep-copied)
to the result.

A field may be a tensor, a numpy array, a ``str``, ``list`` or ``tuple``, or
any sized object; indexing by a mask or positions needs the object to be a
tensor, an array, a ``str``/``list``/``tuple`` or to have a ``cat`` method
(as :class:`InstanceData` itself has).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
import torch

from engine.structures.base_data_element import BaseDataElement
from engine.utils._errors import CompatTypeError, CompatValueError

_T = TypeVar("_T", bound="InstanceData")

#: What :meth:`InstanceData.__getitem__` accepts.
IndexType = str | slice | int | list | torch.Tensor | np.ndarray


class InstanceData(BaseDataElement):
    """A data element whose data fields all have the same length.

    Args:
        metainfo: Metainfo fields, deep-copied. Defaults to None.
        **kwargs: Data fields; each must have ``__len__`` and agree in
            length with the others.

    Examples:
        >>> import torch
        >>> from engine.structures import InstanceData
        >>> inst = InstanceData(
        ...     metainfo=dict(img_shape=(8, 8)),
        ...     bboxes=torch.rand(3, 4),
        ...     labels=torch.tensor([0, 2, 1]),
        ...     names=['cat', 'car', 'dog'],
        ... )
        >>> len(inst)
        3
        >>> inst[inst.labels > 0].names
        ['car', 'dog']
        >>> inst[-1].labels
        tensor([1])
        >>> len(InstanceData.cat([inst, inst[:1]]))
        4
        >>> inst.scores = torch.ones(2)
        Traceback (most recent call last):
        ...
        engine.utils._errors.CompatValueError: The length of values 2 is not \
consistent with the length of this :obj:`InstanceData` 3
    """

    def __setattr__(self, name: str, value: Any) -> None:
        """Set a data field whose length matches the element's."""
        if name in ("_metainfo_fields", "_data_fields"):
            super().__setattr__(name, value)
            return
        if not hasattr(value, "__len__"):
            raise CompatTypeError("value must contain `__len__` attribute")
        length = len(self)
        if length > 0 and len(value) != length:
            raise CompatValueError(
                f"The length of values {len(value)} is not consistent with "
                f"the length of this :obj:`InstanceData` {length}"
            )
        super().__setattr__(name, value)

    __setitem__ = __setattr__

    def __len__(self) -> int:
        """The number of instances: the length of the first data field."""
        keys = self.keys()
        return len(getattr(self, keys[0])) if keys else 0

    def _empty_copy(self: _T) -> _T:
        """A new element with a deep copy of this one's metainfo only."""
        element = self.__class__()
        element.set_metainfo(dict(self.metainfo_items()))
        return element

    def __getitem__(self, item: IndexType) -> Any:
        """Select instances; a ``str`` returns that field instead.

        Args:
            item: A field name, an int (kept as a length-1 element), a slice,
                a 1-D bool mask of length ``len(self)``, or 1-D integer
                positions as a list, ``torch.Tensor`` or ``np.ndarray``.

        Returns:
            The field for a ``str``, otherwise a new element of the same
            class holding the selected instances.

        Raises:
            IndexError: An int or a position out of range.
            TypeError: An index of another type (or dtype).
            ValueError: A mask of the wrong length, an index that is not
                1-D, or a field that cannot be indexed by positions.
        """
        if isinstance(item, str):
            return getattr(self, item)
        if isinstance(item, int):
            return self._select_slice(_int_to_slice(item, len(self)))
        if isinstance(item, slice):
            return self._select_slice(item)
        return self._select_positions(self._index_tensor(item))

    def _select_slice(self: _T, item: slice) -> _T:
        element = self._empty_copy()
        element.set_data({name: value[item] for name, value in self.items()})
        return element

    def _index_tensor(self, item: Any) -> torch.Tensor:
        """Check ``item`` and return it as a 1-D bool or int64 tensor."""
        if isinstance(item, (list, np.ndarray)):
            item = _sequence_to_tensor(item)
        elif not isinstance(item, torch.Tensor) or item.dtype not in (
            torch.long,
            torch.bool,
        ):
            raise CompatTypeError(
                "InstanceData indices must be str, int, slice, list, "
                "np.ndarray, or a torch.long/torch.bool tensor, but got "
                f"{_describe(item)}"
            )
        if item.dim() != 1:
            raise CompatValueError(
                "Only support to get the values along the first dimension."
            )
        length = len(self)
        if item.dtype == torch.bool and item.shape[0] != length:
            raise CompatValueError(
                f"The shape of the input(BoolTensor) {item.shape[0]} does not "
                "match the shape of the indexed tensor in results_field "
                f"{length} at first dimension."
            )
        if item.dtype != torch.bool:
            _check_positions(item, length)
        return item

    def _select_positions(self: _T, item: torch.Tensor) -> _T:
        positions = item.nonzero().view(-1) if item.dtype == torch.bool else item
        length = len(self)
        plain = [int(p) % length for p in positions.tolist()] if length else []
        element = self._empty_copy()
        fields = {}
        for name, value in self.items():
            if isinstance(value, torch.Tensor):
                fields[name] = value[item.to(value.device)]
            elif isinstance(value, np.ndarray):
                fields[name] = value[item.cpu().numpy()]
            else:
                fields[name] = _take(name, value, plain)
        element.set_data(fields)
        return element

    @staticmethod
    def cat(instances_list: Sequence[InstanceData]) -> InstanceData:
        """Concatenate elements with the same fields, instance by instance.

        The result has the metainfo of the first element. A single element
        is returned as is.

        Args:
            instances_list: The elements; all must have the same metainfo
                and data field names.

        Returns:
            A new element whose fields are the concatenated fields.

        Raises:
            TypeError: If an item is not an :class:`InstanceData`.
            ValueError: If the list is empty, the elements' field names
                differ, or a field type cannot be concatenated.

        Examples:
            >>> import torch
            >>> from engine.structures import InstanceData
            >>> a = InstanceData(labels=torch.tensor([1]), names=['x'])
            >>> b = InstanceData(labels=torch.tensor([2, 3]), names=['y', 'z'])
            >>> InstanceData.cat([a, b]).names
            ['x', 'y', 'z']
        """
        if not all(isinstance(inst, InstanceData) for inst in instances_list):
            raise CompatTypeError(
                "InstanceData.cat expects InstanceData items, but got "
                f"{[type(inst).__name__ for inst in instances_list]}"
            )
        if len(instances_list) == 0:
            raise CompatValueError("InstanceData.cat got an empty list")
        if len(instances_list) == 1:
            return instances_list[0]
        first = instances_list[0]
        if any(
            set(inst.all_keys()) != set(first.all_keys()) for inst in instances_list
        ):
            raise CompatValueError(
                "There are different keys in `instances_list`, which may cause "
                "the cat operation to fail. Please make sure all elements in "
                "`instances_list` have the exact same key."
            )
        element = first._empty_copy()
        element.set_data(
            {
                name: _concat(name, [inst.get(name) for inst in instances_list])
                for name in first.keys()
            }
        )
        return element


def _int_to_slice(item: int, length: int) -> slice:
    if not -length <= item < length:
        raise IndexError(f"Index {item} out of range!")
    start = item + length if item < 0 else item
    return slice(start, start + 1)


def _describe(item: Any) -> str:
    if isinstance(item, torch.Tensor):
        return f"a tensor of dtype {item.dtype}"
    return repr(type(item))


def _sequence_to_tensor(item: list | np.ndarray) -> torch.Tensor:
    array = np.asarray(item)
    if array.size == 0:
        return torch.zeros(array.shape, dtype=torch.long)
    if array.dtype == np.bool_:
        return torch.from_numpy(array)
    if not np.issubdtype(array.dtype, np.integer):
        raise IndexError(
            "InstanceData positions must be integers or booleans, but got an "
            f"array of dtype {array.dtype}"
        )
    return torch.from_numpy(array.astype(np.int64))


def _check_positions(item: torch.Tensor, length: int) -> None:
    if item.numel() == 0:
        return
    low, high = int(item.min()), int(item.max())
    for position in (low, high):
        if not -length <= position < length:
            raise IndexError(
                f"index {position} is out of bounds for dimension 0 with size {length}"
            )


def _take(name: str, value: Any, positions: list[int]) -> Any:
    """``value`` at ``positions`` for fields that are not tensors/arrays."""
    if isinstance(value, str):
        return "".join(value[p] for p in positions)
    if isinstance(value, list):
        return [value[p] for p in positions]
    if isinstance(value, tuple):
        return tuple(value[p] for p in positions)
    if hasattr(value, "__getitem__") and hasattr(type(value), "cat"):
        if not positions:
            return value[0:0]
        return type(value).cat([value[p : p + 1] for p in positions])
    raise CompatValueError(
        f"The type of `{name}` is `{type(value)}`, which has no attribute of "
        "`cat`, so it does not support slice with `bool`"
    )


def _concat(name: str, values: list[Any]) -> Any:
    """Concatenate the ``name`` fields of several elements."""
    head = values[0]
    if isinstance(head, torch.Tensor):
        return torch.cat(values, dim=0)
    if isinstance(head, np.ndarray):
        return np.concatenate(values, axis=0)
    if isinstance(head, str):
        return "".join(values)
    if isinstance(head, (list, tuple)):
        return type(head)(itertools.chain.from_iterable(values))
    if hasattr(type(head), "cat"):
        return type(head).cat(values)
    raise CompatValueError(
        f"The type of `{name}` is `{type(head)}` which has no attribute of `cat`"
    )
