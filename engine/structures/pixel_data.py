"""``PixelData``: pixel-wise maps sharing one height and width.

Every data field of a :class:`PixelData` is a tensor or numpy array laid out
as ``(C, H, W)``; a 2-D ``(H, W)`` value is stored as ``(1, H, W)`` with a
warning. All fields share ``(H, W)`` (:attr:`PixelData.shape`), while their
channel counts may differ. Indexing takes exactly two ints or slices, for
height and width, and keeps the channel axis.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
import torch

from engine.structures.base_data_element import BaseDataElement
from engine.utils._errors import CompatTypeError, CompatValueError

_T = TypeVar("_T", bound="PixelData")


class PixelData(BaseDataElement):
    """A data element of ``(C, H, W)`` maps with a common ``(H, W)``.

    Examples:
        >>> import torch
        >>> from engine.structures import PixelData
        >>> seg = PixelData(metainfo=dict(img_id=0), mask=torch.zeros(1, 4, 6))
        >>> seg.shape
        (4, 6)
        >>> seg.heat = torch.rand(3, 4, 6)
        >>> seg[1:3, 0:2].heat.shape
        torch.Size([3, 2, 2])
        >>> seg[0, -1].mask.shape
        torch.Size([1, 1, 1])
    """

    def __setattr__(self, name: str, value: Any) -> None:
        """Set a 2-D or 3-D tensor/array field matching :attr:`shape`."""
        if name in ("_metainfo_fields", "_data_fields"):
            super().__setattr__(name, value)
            return
        if not isinstance(value, (torch.Tensor, np.ndarray)):
            raise CompatTypeError(
                f"Can not set {type(value)}, only support {(torch.Tensor, np.ndarray)}"
            )
        shape = self.shape
        if shape is not None and tuple(value.shape[-2:]) != shape:
            raise CompatValueError(
                f"The height and width of values {tuple(value.shape[-2:])} is "
                f"not consistent with the shape of this :obj:`PixelData` {shape}"
            )
        if value.ndim not in (2, 3):
            raise CompatValueError(
                f"The dim of value must be 2 or 3, but got {value.ndim}"
            )
        if value.ndim == 2:
            expanded = value[None]
            warnings.warn(
                f"The shape of value will convert from {value.shape} to "
                f"{expanded.shape}",
                stacklevel=2,
            )
            value = expanded
        super().__setattr__(name, value)

    @property
    def shape(self) -> tuple[int, int] | None:
        """``(H, W)`` of the data fields, or None when there are none."""
        keys = self.keys()
        if not keys:
            return None
        height, width = getattr(self, keys[0]).shape[-2:]
        return int(height), int(width)

    def __getitem__(self: _T, item: Sequence[int | slice]) -> _T:
        """Crop every field to ``item = (rows, cols)``, keeping channels.

        Args:
            item: Two ints or slices, for height and width. An int keeps a
                single row or column (size 1).

        Returns:
            A new element with the same metainfo and the cropped fields.

        Raises:
            TypeError: If ``item`` is not a tuple of ints and slices.
            ValueError: If it does not have exactly two entries.
        """
        if not isinstance(item, tuple):
            raise TypeError(f"Unsupported type {type(item)} for slicing PixelData")
        if len(item) != 2:
            raise CompatValueError("Only support to slice height and width")
        shape = self.shape or (1, 1)
        window = tuple(
            _as_slice(index, size) for index, size in zip(item, shape, strict=True)
        )
        element = self.__class__()
        element.set_metainfo(dict(self.metainfo_items()))
        element.set_data(
            {name: value[(slice(None), *window)] for name, value in self.items()}
        )
        return element


def _as_slice(index: int | slice, size: int) -> slice:
    """A slice selecting what ``index`` selects along an axis of ``size``.

    An int becomes a slice of one element; a negative int counts from the
    end, and one below ``-size`` selects the first element.
    """
    if isinstance(index, slice):
        return index
    if isinstance(index, int):
        return slice(index, None, max(size, 1))
    raise TypeError(
        f"The type of element in input must be int or slice, but got {type(index)}"
    )
