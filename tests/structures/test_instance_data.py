"""Unit tests of ``engine.structures.InstanceData``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as hs

from engine.structures import InstanceData
from engine.utils._errors import CompatTypeError, CompatValueError


class Boxes:
    """A sized, sliceable field type with a ``cat``, like mmdet's boxes."""

    def __init__(self, rows: list[int]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, item: slice) -> Boxes:
        return Boxes(self.rows[item])

    @classmethod
    def cat(cls, parts: list[Boxes]) -> Boxes:
        return Boxes([r for part in parts for r in part.rows])


def test_custom_field_type_with_cat() -> None:
    inst = InstanceData(boxes=Boxes([1, 2, 3]))
    assert inst[torch.tensor([2, -3])].boxes.rows == [3, 1]
    assert inst[[False, False, False]].boxes.rows == []
    assert inst[1:].boxes.rows == [2, 3]
    assert InstanceData.cat([inst, inst[:1]]).boxes.rows == [1, 2, 3, 1]


def test_field_without_cat_cannot_take_positions() -> None:
    class Plain:
        def __len__(self) -> int:
            return 2

        def __getitem__(self, item: Any) -> Plain:
            return self

    inst = InstanceData(p=Plain())
    assert isinstance(inst[0].p, Plain)
    with pytest.raises(CompatValueError, match="`p`"):
        inst[torch.tensor([0])]
    with pytest.raises(CompatValueError, match="no attribute of `cat`"):
        InstanceData.cat([inst, inst])


def test_error_types() -> None:
    inst = InstanceData(x=torch.arange(3))
    with pytest.raises(CompatTypeError, match="__len__"):
        inst.y = 1
    with pytest.raises(CompatValueError, match="length of values 2"):
        inst.y = [1, 2]
    with pytest.raises(CompatTypeError, match="torch.int32"):
        inst[torch.tensor([0], dtype=torch.int32)]
    with pytest.raises(IndexError, match="float64"):
        inst[[0.5]]
    with pytest.raises(IndexError, match="out of bounds"):
        inst[torch.tensor([0, 3])]
    with pytest.raises(IndexError, match="out of bounds"):
        inst[[-4]]
    with pytest.raises(CompatTypeError):
        InstanceData.cat([inst, "x"])  # type: ignore[list-item]
    with pytest.raises(CompatValueError, match="empty"):
        InstanceData.cat([])


def test_empty_list_selects_nothing() -> None:
    inst = InstanceData(x=torch.arange(3), names=["a", "b", "c"])
    out = inst[[]]
    assert len(out) == 0 and out.names == [] and out.x.shape == (0,)


def test_index_tensor_on_the_field_device_and_metainfo_copied() -> None:
    inst = InstanceData(metainfo=dict(meta=[1]), x=torch.arange(3))
    out = inst[torch.tensor([True, False, True])]
    assert out.x.tolist() == [0, 2]
    assert out.meta == [1] and out.meta is not inst.meta


def test_subclass_is_preserved() -> None:
    class Dets(InstanceData):
        pass

    dets = Dets(x=torch.arange(4))
    assert type(dets[1:]) is Dets and type(dets[[0]]) is Dets
    assert type(Dets.cat([dets, dets])) is Dets


@settings(max_examples=50, deadline=None)
@given(
    rows=hs.lists(hs.integers(0, 99), min_size=1, max_size=8),
    data=hs.data(),
)
def test_cat_of_a_split_is_the_original(rows: list[int], data: hs.DataObject) -> None:
    """Splitting an element at any cut points and concatenating the pieces
    gives back every field."""
    cuts = sorted(data.draw(hs.lists(hs.integers(1, len(rows)), max_size=3)))
    bounds = [0, *cuts, len(rows)]
    inst = InstanceData(
        t=torch.tensor(rows),
        a=np.array(rows),
        l=list(rows),
        s="".join(chr(65 + r % 26) for r in rows),
    )
    pieces = [
        inst[lo:hi] for lo, hi in zip(bounds, bounds[1:], strict=False) if hi > lo
    ]
    joined = InstanceData.cat(pieces)
    assert joined.t.tolist() == rows and joined.a.tolist() == rows
    assert joined.l == rows and joined.s == inst.s
