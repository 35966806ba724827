"""Map the assignments of a Python config to the key paths they set.

The statements are read in order (descending into ``if``/``for``/``with``/
``try`` blocks, not into functions): ``name = value``, ``a.b = value``,
``a['b'] = value`` and ``a.update(k=v)`` record the assigned path at the
statement's line. A literal value records its parts too: the keywords of
``dict(...)`` and the keys of ``{...}`` at their own lines, list and tuple
elements by index. A value that is another variable, ``_base_.x`` or
``{{_base_.x}}`` takes over the records of what it copies.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

from engine.config.merge import KeyPath
from engine.config.provenance import ProvenanceMap, ValueSource

__all__ = ["collect_records"]

_BASE = "_base_"
_REF_FUNC = "__engine_base_ref__"
_MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "sort"}


def collect_records(
    tree: ast.Module, filename: str, base: ProvenanceMap
) -> ProvenanceMap:
    """Records of the variables a parsed config file assigns.

    Args:
        tree: The module (``_base_`` statement removed).
        filename: The file, stored in the records.
        base: The records of the merged bases, for ``_base_`` references;
            assignments through ``_base_`` (``_base_.model.depth = 7``) are
            recorded in it.

    Returns:
        Key path → source, relative to the file's own variables.
    """
    collector = _Collector(filename, base)
    collector.statements(tree.body)
    for path, source in collector.base_updates:
        base.set(path, source)
    return collector.records


class _Collector:
    def __init__(self, filename: str, base: ProvenanceMap) -> None:
        self.filename = filename
        self.base = base
        self.records = ProvenanceMap()
        #: Assignments through ``_base_`` (``_base_.model.depth = 7``).
        self.base_updates: list[tuple[KeyPath, ValueSource]] = []

    def source(self, line: int) -> ValueSource:
        return ValueSource("file", self.filename, line)

    def statements(self, body: Sequence[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self.assign(target, stmt.value, stmt.lineno)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.assign(stmt.target, stmt.value, stmt.lineno)
        elif isinstance(stmt, ast.AugAssign):
            path = target_path(stmt.target)
            if path:
                self.records.set(path, self.source(stmt.lineno))
        elif isinstance(stmt, ast.ClassDef):
            self.records.set((stmt.name,), self.source(stmt.lineno))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self.method_call(stmt.value, stmt.lineno)
        else:
            for name in ("body", "orelse", "finalbody"):
                if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.statements(getattr(stmt, name, []))
            for handler in getattr(stmt, "handlers", []):
                self.statements(handler.body)

    def assign(self, target: ast.expr, value: ast.expr, line: int) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                path = target_path(elt)
                if path:
                    self.records.set(path, self.source(line))
            return
        path = target_path(target)
        if path and path[0] == _BASE:
            if len(path) > 1:
                self.base_updates.append((path[1:], self.source(line)))
        elif path:
            self.value(path, value, line)

    def method_call(self, call: ast.Call, line: int) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        path = target_path(func.value)
        if not path:
            return
        if func.attr == "update":
            for arg in call.args:
                self.items(path, arg)
            for kw in call.keywords:
                if kw.arg is not None:
                    self.value((*path, kw.arg), kw.value, kw.lineno)
        elif func.attr in _MUTATORS:
            self.records.set(path, self.source(line))

    def value(self, path: KeyPath, expr: ast.expr, line: int) -> None:
        self.records.set(path, self.source(line))
        copied = self.copied_path(expr)
        if copied is not None:
            records, from_path = copied
            self.records.graft(path, records, from_path)
            return
        self.items(path, expr)

    def items(self, path: KeyPath, expr: ast.expr) -> None:
        """Record the parts of a literal dict, list or tuple expression."""
        if _is_dict_call(expr):
            assert isinstance(expr, ast.Call)
            for arg in expr.args:
                self.items(path, arg)
            for kw in expr.keywords:
                if kw.arg is not None:
                    self.value((*path, kw.arg), kw.value, kw.lineno)
        elif isinstance(expr, ast.Dict):
            for key, item in zip(expr.keys, expr.values):
                if isinstance(key, ast.Constant):
                    self.value((*path, key.value), item, key.lineno)
        elif isinstance(expr, (ast.List, ast.Tuple)):
            for index, elt in enumerate(expr.elts):
                if isinstance(elt, ast.Starred):
                    return
                self.value((*path, index), elt, elt.lineno)

    def copied_path(self, expr: ast.expr) -> tuple[ProvenanceMap, KeyPath] | None:
        """The records an expression copies a value from, if it does."""
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Name)
            and expr.func.id == _REF_FUNC
            and expr.args
            and isinstance(expr.args[0], ast.Constant)
        ):
            return self.base, _split(str(expr.args[0].value))
        path = target_path(expr)
        if not path:
            return None
        if path[0] == _BASE:
            return self.base, path[1:]
        if self.records.lookup(path) is not None:
            return self.records, path
        return None


def target_path(expr: ast.expr) -> KeyPath | None:
    """``a.b['c'][0]`` → ``('a', 'b', 'c', 0)``; None if not constant."""
    parts: list[Any] = []
    while True:
        if isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        elif isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant):
            parts.append(expr.slice.value)
            expr = expr.value
        elif isinstance(expr, ast.Name):
            parts.append(expr.id)
            return tuple(reversed(parts))
        else:
            return None


def _is_dict_call(expr: ast.expr) -> bool:
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and expr.func.id in ("dict", "ConfigDict")
    )


def _split(key: str) -> KeyPath:
    return tuple(int(p) if p.isdigit() else p for p in key.split("."))
