"""Drawing statistics: the module table and the annotated model repr.

Tables are drawn by ``rich`` (ASCII box, one space of padding, columns as
wide as their content; on a console narrower than the table, ``rich``
shrinks the widest columns and ends cut cells with an ellipsis). Like any
``rich`` output they follow the console: ``COLUMNS``, and ANSI styles when
stdout is a terminal.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from engine.analysis._stats import Stats, children_index

__all__ = ["model_stats_str", "render_table", "stats_table"]


def render_table(
    headers: list[str], rows: list[list[str]], title: str | None = None
) -> str:
    """Draw a table with ``rich``; the text ends with a newline."""
    try:
        from rich import box
        from rich.console import Console
        from rich.table import Table
    except ImportError as e:
        raise ImportError(
            "engine.analysis draws its tables with rich: pip install rich "
            "(or the 'analysis' extra, pip install engine[analysis])"
        ) from e
    table = Table(title=title, box=box.ASCII2)
    for header in headers:
        table.add_column(header)
    for row in rows:
        table.add_row(*row)
    console = Console()
    with console.capture() as capture:
        console.print(table)
    return capture.get()


def _try_combine(
    parent: dict[str, str], child: dict[str, str]
) -> dict[str, str] | None:
    """Merge two rows whose cells agree or are empty; None if they cannot."""
    if parent.keys() != child.keys():
        return None
    merged = {}
    for key, mine in parent.items():
        theirs = child[key]
        if mine and theirs and mine != theirs:
            return None
        merged[key] = mine or theirs
    return merged


def _fastforward(path: str, stats: Stats, children: dict[str, list[str]]) -> str:
    """Follow single children whose row merges with the parent's.

    Each merge is written into the child's row; returns the deepest path.
    """
    while len(kids := children.get(path, [])) == 1:
        merged = _try_combine(stats[path], stats[kids[0]])
        if merged is None:
            break
        path = kids[0]
        stats[path] = merged
    return path


def stats_table(
    stats: Stats, columns: list[str], max_depth: int = 3
) -> list[list[str]]:
    """The rows of a module table (name first, then ``columns``).

    The model row is named after the path a chain of single children
    collapses it to (``model`` if none); that path's prefix is cut from the
    names below. Each level of depth indents a row (every cell) by one
    space; rows go ``max_depth`` levels below the model. ``stats`` is
    updated with the merged rows.
    """
    children = children_index(stats)
    rows: list[list[str]] = []

    def row(name: str, path: str, level: int) -> list[str]:
        indent = " " * level
        cells = stats[path]
        return [indent + name] + [
            indent + cells[c] if c in cells else "" for c in columns
        ]

    root = _fastforward("", stats, children)
    rows.append(row(root or "model", root, 0))
    prefix = root + "." if root else ""

    def fill(level: int, parent: str) -> None:
        if level > max_depth:
            return
        for child in children.get(parent, []):
            path = _fastforward(child, stats, children)
            name = path[len(prefix) :] if prefix and path.startswith(prefix) else path
            rows.append(row(name, path, level))
            fill(level + 1, path)

    fill(1, root)
    return rows


def _addindent(text: str, spaces: int) -> str:
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


def _module_str(module: Any, path: str, stats: Stats) -> str:
    if module is None:
        return "None"
    extra = module.extra_repr()
    extra_lines = extra.split("\n") if extra else []
    cells = stats.get(path)
    if cells:
        extra_lines.append(", ".join(f"{k}: {v}" for k, v in cells.items()))
    child_lines = []
    for key, child in module._modules.items():
        child_path = f"{path}.{key}" if path else key
        child_str = _addindent(_module_str(child, child_path, stats), 2)
        child_lines.append(f"({key}): {child_str}")
    lines = extra_lines + child_lines
    body = ""
    if len(extra_lines) == 1 and not child_lines:
        body = extra_lines[0]
    elif lines:
        body = "\n  " + "\n  ".join(lines) + "\n"
    return f"{module._get_name()}({body})"


def model_stats_str(model: nn.Module, stats: Stats) -> str:
    """``repr(model)`` with a line of statistics in every module that has
    some: ``#params: 9.41K, #flops: 0.12G, #acts: 0.8M``."""
    return _module_str(model, "", stats)
