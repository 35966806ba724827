"""Unit tests of the text form of data elements."""

from __future__ import annotations

import torch

from engine.structures import BaseDataElement
from engine.structures._format import format_element, format_value, shift


def test_shift_indents_every_line_but_the_first() -> None:
    assert shift("a\nb\n\nc", 2) == "a\n  b\n  \n  c"
    assert shift("single", 4) == "single"


def test_format_value_of_dicts_and_others() -> None:
    assert format_value({}) == ""
    assert format_value({"a": 1, "b": {"c": "x"}}) == "\na: 1\nb: \n    c: 'x'"
    assert format_value([1, 2]) == "[1, 2]"


class _TwoLines:
    def __repr__(self) -> str:
        return "v\nw"


def test_format_element_layout() -> None:
    text = format_element("Thing", 255, [("m", 1)], [("d", _TwoLines())])
    assert text == (
        "<Thing(\n\n    META INFORMATION\n    m: 1\n\n    DATA FIELDS\n"
        "    d: v\n        w\n) at 0xff>"
    )


def test_repr_uses_class_name_and_address() -> None:
    sample = BaseDataElement(x=torch.tensor([1]))
    text = repr(sample)
    assert text.startswith("<BaseDataElement(") and text.endswith(
        f"at {hex(id(sample))}>"
    )
    assert str(sample) == text
