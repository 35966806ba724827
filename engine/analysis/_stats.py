"""Per-module statistics tables and the transformations the printers apply.

A *statistics* dict maps a module or parameter path (``''`` is the model)
to ``{column: value}``. Paths form a tree by their dotted prefixes: the
children of ``'a'`` are the paths ``'a.x'`` one component deeper, in the
dict's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "Stats",
    "children_index",
    "format_size",
    "group_by_module",
    "mark_uncalled",
    "prettify",
    "remove_zero_statistics",
]

Stats = dict[str, dict[str, Any]]

_UNITS = ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K"))


def format_size(x: Any, sig_figs: int = 3, hide_zero: bool = False) -> str:
    """Format a count with a unit: ``4.145G``, ``25.557M``, ``0.44K``, ``40``.

    A count whose magnitude exceeds ``unit / 10`` (100, 1e5, 1e8, 1e11,
    1e14) is written in ``K``, ``M``, ``G``, ``T`` or ``P`` with
    ``sig_figs`` decimals, trailing zeros (then a trailing point) removed;
    a smaller count is written with ``str``.

    Args:
        x: The count.
        sig_figs: Decimals before trailing zeros are removed. Defaults to 3.
        hide_zero: Write 0 as the empty string. Defaults to False.

    Returns:
        The formatted count.

    Examples:
        >>> format_size(4144854528), format_size(440), format_size(40)
        ('4.145G', '0.44K', '40')
        >>> format_size(25557032, sig_figs=2)
        '25.56M'
    """
    if hide_zero and x == 0:
        return ""
    for unit, suffix in _UNITS:
        if abs(x) > unit / 10:
            return f"{x / unit:.{sig_figs}f}".rstrip("0").rstrip(".") + suffix
    return str(x)


def group_by_module(columns: Mapping[str, Mapping[str, Any]]) -> Stats:
    """``{column: {path: value}}`` -> ``{path: {column: value}}``.

    Paths come in order of first appearance, column after column.
    """
    grouped: Stats = {}
    for column, values in columns.items():
        for path, value in values.items():
            grouped.setdefault(path, {})[column] = value
    return grouped


def children_index(paths: Iterable[str]) -> dict[str, list[str]]:
    """Map each path to its children among ``paths``, in order."""
    children: dict[str, list[str]] = {}
    for path in paths:
        if path:
            children.setdefault(path.rpartition(".")[0], []).append(path)
    return children


def remove_zero_statistics(
    stats: Stats,
    force_keep: set[str] | None = None,
    require_trivial_children: bool = False,
) -> Stats:
    """Drop the paths whose values are all zero.

    Args:
        stats: The statistics; ``''`` must be a path.
        force_keep: Keep these paths anyway. When it is empty or None the
            model (``''``) is kept instead. Defaults to None.
        require_trivial_children: Also keep a path that has a kept child.
            Defaults to False.

    Returns:
        The kept paths (copies of their dicts), in the original order.
    """
    keep = force_keep if force_keep else {""}
    children = children_index(stats)
    kept: set[str] = set()

    def visit(path: str) -> bool:
        kept_child = False
        for child in children.get(path, ()):
            kept_child |= visit(child)
        if (
            any(value != 0 for value in stats[path].values())
            or path in keep
            or (require_trivial_children and kept_child)
        ):
            kept.add(path)
            return True
        return False

    visit("")
    return {path: dict(values) for path, values in stats.items() if path in kept}


def prettify(stats: Stats, sig_figs: int = 3, hide_zero: bool = False) -> Stats:
    """Every value through :func:`format_size`."""
    return {
        path: {k: format_size(v, sig_figs, hide_zero) for k, v in values.items()}
        for path, values in stats.items()
    }


def mark_uncalled(
    stats: Stats, column: str, uncalled: Iterable[str], indicator: str = "N/A"
) -> Stats:
    """Write ``indicator`` in ``column`` for each uncalled path (in place).

    A path not in ``stats`` is added with only that column.
    """
    for path in uncalled:
        stats.setdefault(path, {})[column] = indicator
    return stats
