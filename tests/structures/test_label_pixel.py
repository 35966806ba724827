"""Unit tests of ``LabelData`` and ``PixelData``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.structures import LabelData, PixelData
from engine.utils._errors import CompatTypeError, CompatValueError


def test_label_round_trip() -> None:
    label = torch.tensor([0, 4, 2])
    onehot = LabelData.label_to_onehot(label, 5)
    assert onehot.tolist() == [1, 0, 1, 0, 1]
    assert LabelData.onehot_to_label(onehot).tolist() == [0, 2, 4]


def test_label_errors() -> None:
    with pytest.raises(CompatValueError, match="num_classes=3"):
        LabelData.label_to_onehot(torch.tensor([3]), 3)
    with pytest.raises(CompatTypeError):
        LabelData.label_to_onehot([1], 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not one-hot"):
        LabelData.onehot_to_label(torch.tensor(1))


def test_zero_dim_label_is_accepted() -> None:
    """A deliberate superset: the reference fails on a 0-dim label."""
    assert LabelData.label_to_onehot(torch.tensor(2), 3).tolist() == [0, 0, 1]


def test_pixel_errors_are_typed() -> None:
    pix = PixelData(a=torch.zeros(1, 2, 3))
    with pytest.raises(CompatTypeError, match="Can not set"):
        pix.b = [1]
    with pytest.raises(CompatValueError, match=r"\(2, 4\)"):
        pix.b = torch.zeros(2, 4)
    with pytest.raises(CompatValueError, match="dim of value must be 2 or 3"):
        pix.b = torch.zeros(1, 1, 2, 3)
    with pytest.raises(CompatValueError, match="height and width"):
        pix[0, 0, 0]  # type: ignore[index]


def test_pixel_2d_warning_names_both_shapes() -> None:
    pix = PixelData()
    with pytest.warns(UserWarning, match=r"\(2, 3\) to \(1, 2, 3\)"):
        pix.a = np.zeros((2, 3))


@pytest.mark.parametrize(
    ("index", "expected"),
    [(0, [0]), (2, [2]), (3, []), (-1, [2]), (-3, [0]), (-5, [0])],
)
def test_pixel_int_index_along_an_axis(index: int, expected: list[int]) -> None:
    pix = PixelData(a=torch.arange(3).reshape(1, 3, 1))
    assert pix[index, 0].a.flatten().tolist() == expected


def test_pixel_slicing_an_empty_element() -> None:
    pix = PixelData(metainfo=dict(m=1))
    out = pix[0, 0:2]
    assert out.metainfo == {"m": 1} and out.keys() == []
