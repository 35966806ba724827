"""The text form of a data element (``repr(element)``).

An element prints as its class name, its metainfo block and its data block::

    <InstanceData(

        META INFORMATION
        img_shape: (4, 4)

        DATA FIELDS
        labels: tensor([0, 1])
    ) at 0x7f...>

Each field is ``name: value`` indented by four spaces. A dict value prints
as one ``key: value`` line per entry, four spaces further in; any other value
prints as its ``repr`` with its continuation lines shifted to stay under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_STEP = 4


def shift(text: str, spaces: int) -> str:
    """Indent every line of ``text`` but the first by ``spaces`` spaces.

    Empty continuation lines are indented too, so nested blocks keep their
    column.
    """
    head, *rest = text.split("\n")
    pad = " " * spaces
    return "\n".join([head, *(pad + line for line in rest)])


def format_value(value: Any) -> str:
    """The text of one field value; a dict opens a nested block of lines."""
    if isinstance(value, dict):
        return "".join(
            f"\n{key}: {shift(format_value(item), _STEP)}"
            for key, item in value.items()
        )
    return repr(value)


def _field_lines(items: Iterable[tuple[str, Any]]) -> list[str]:
    pad = " " * _STEP
    return [
        f"{pad}{name}: {shift(format_value(value), 2 * _STEP)}" for name, value in items
    ]


def format_element(
    cls_name: str,
    address: int,
    metainfo: Iterable[tuple[str, Any]],
    data: Iterable[tuple[str, Any]],
) -> str:
    """The whole ``repr`` of an element of class ``cls_name``."""
    pad = " " * _STEP
    lines = [
        "",
        f"{pad}META INFORMATION",
        *_field_lines(metainfo),
        "",
        f"{pad}DATA FIELDS",
        *_field_lines(data),
    ]
    body = "\n".join(lines)
    return f"<{cls_name}(\n{body}\n) at {hex(address)}>"
