"""Syntax rules of lazy-import config files, on their Python AST.

Which statements make a file a lazy config, which imports run at once, how
the ``with read_base():`` block is taken apart, and how the other imports are
rewritten into :class:`~engine.config.lazy.LazyObject` placeholders. The
parser (:mod:`engine.config.lazy_parse`) puts these together.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass

from engine._identity import ROOT_SCOPE, SCOPE_ALIASES
from engine.config.lazy import LazyObject

__all__ = [
    "ConfigParsingError",
    "HoistedImport",
    "imports_lazily",
    "is_eager_module",
    "rewrite_imports",
    "split_read_base",
]

#: Names of this package and of the package it is compatible with.
ROOT_PACKAGES = (ROOT_SCOPE, *SCOPE_ALIASES)

#: Name under which the parser passes :class:`LazyObject` to the config code.
LAZY_FACTORY = "__lazy_object__"


class ConfigParsingError(RuntimeError):
    """A config file breaks the rules of its config style."""


def location(path: str, node: ast.AST) -> str:
    """``'<path>, line <n>'``: where ``node`` is written."""
    return f"{path}, line {getattr(node, 'lineno', '?')}"


def is_eager_module(module: str) -> bool:
    """Whether a lazy config imports ``module`` at once, not lazily.

    Builtin modules (``sys``, ``itertools``, ...) and the config package
    itself (``engine.config``, and ``mmengine.config``) are imported as in
    plain Python.
    """
    if module in sys.builtin_module_names:
        return True
    return any(module.startswith(f"{root}.config") for root in ROOT_PACKAGES)


def imports_lazily(node: ast.Import | ast.ImportFrom) -> bool:
    """Whether this import statement marks its file as a lazy config.

    ``from engine import Config`` (exactly) is also allowed in plain configs.
    """
    if isinstance(node, ast.Import):
        return any(not is_eager_module(alias.name) for alias in node.names)
    if node.level or node.module is None:
        return True
    if is_eager_module(node.module):
        return False
    names = [alias.name for alias in node.names]
    return not (node.module in ROOT_PACKAGES and names == ["Config"])


def check_read_base(node: ast.With | ast.AsyncWith, path: str) -> None:
    """Raise unless ``node`` is ``with read_base():``.

    Raises:
        ConfigParsingError: naming the file and line of another ``with``.
    """
    for item in node.items:
        expr = item.context_expr
        if not (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Name)
            and expr.func.id == "read_base"
        ):
            raise ConfigParsingError(
                f"{location(path, node)}: only the `read_base()` context "
                "manager can be used in a config file, as "
                "`with read_base():`"
            )


def split_read_base(
    tree: ast.Module, path: str
) -> tuple[list[ast.ImportFrom], list[ast.stmt]]:
    """Take the ``with read_base():`` block out of a lazy config.

    Returns:
        The ``from ... import ...`` statements of the block, and the other
        top-level statements.

    Raises:
        ConfigParsingError: for another ``with``, a second block, or a
            statement in the block that is not ``from <module> import ...``.
    """
    bases: list[ast.ImportFrom] = []
    body: list[ast.stmt] = []
    block: ast.stmt | None = None
    for stmt in tree.body:
        if not isinstance(stmt, (ast.With, ast.AsyncWith)):
            body.append(stmt)
            continue
        check_read_base(stmt, path)
        if block is not None:
            raise ConfigParsingError(
                f"{location(path, stmt)}: a config has at most one "
                f"`with read_base():` block (the first is at line {block.lineno})"
            )
        block = stmt
        for inner in stmt.body:
            if not isinstance(inner, ast.ImportFrom) or inner.module is None:
                raise ConfigParsingError(
                    f"{location(path, inner)}: `with read_base():` may only "
                    "hold `from <config module> import ...` statements, e.g. "
                    "`from .base import *`"
                )
            bases.append(inner)
    return bases, body


@dataclass
class HoistedImport:
    """``import a.b`` statements, which bind ``a`` before the config runs."""

    modules: list[str]
    location: str

    def build(self) -> LazyObject:
        """The placeholder bound to the name."""
        return LazyObject(list(self.modules), None, self.location)


def _lazy_assign(
    stmt: ast.stmt, name: str, module: str, imported: str | None, where: str
) -> ast.stmt:
    """``name = __lazy_object__(module, imported, where)`` at ``stmt``."""
    call = ast.Call(
        func=ast.Name(id=LAZY_FACTORY, ctx=ast.Load()),
        args=[ast.Constant(module), ast.Constant(imported), ast.Constant(where)],
        keywords=[],
    )
    assign = ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=call)
    return ast.fix_missing_locations(ast.copy_location(assign, stmt))


def _eager_import(stmt: ast.ImportFrom) -> ast.ImportFrom:
    """``from mmengine.config import x`` reads ``engine.config`` here."""
    root, _, rest = (stmt.module or "").partition(".")
    if root in SCOPE_ALIASES and root != ROOT_SCOPE:
        new = ast.ImportFrom(module=f"{ROOT_SCOPE}.{rest}", names=stmt.names, level=0)
        return ast.copy_location(new, stmt)
    return stmt


def _rewrite_import(
    stmt: ast.Import, path: str, hoisted: dict[str, HoistedImport]
) -> list[ast.stmt]:
    if len(stmt.names) > 1:
        raise ConfigParsingError(
            f"{location(path, stmt)}: import one module per line in a lazy "
            "config (`import a, b` is not supported)"
        )
    alias = stmt.names[0]
    if is_eager_module(alias.name):
        return [stmt]
    where = location(path, stmt)
    if alias.asname is not None:
        return [_lazy_assign(stmt, alias.asname, alias.name, None, where)]
    top = alias.name.split(".", 1)[0]
    if top in hoisted:
        hoisted[top].modules.append(alias.name)
    else:
        hoisted[top] = HoistedImport([alias.name], where)
    return []


def _rewrite_import_from(stmt: ast.ImportFrom, path: str) -> list[ast.stmt]:
    if stmt.level or stmt.module is None:
        raise ConfigParsingError(
            f"{location(path, stmt)}: a relative import of a config must be "
            "inside `with read_base():`"
        )
    if is_eager_module(stmt.module):
        return [_eager_import(stmt)]
    where = location(path, stmt)
    out: list[ast.stmt] = []
    for alias in stmt.names:
        if alias.name == "*":
            raise ConfigParsingError(
                f"{where}: `from {stmt.module} import *` is only allowed "
                "inside `with read_base():`"
            )
        name = alias.asname or alias.name
        out.append(_lazy_assign(stmt, name, stmt.module, alias.name, where))
    return out


def rewrite_imports(
    body: list[ast.stmt], path: str
) -> tuple[dict[str, LazyObject], list[ast.stmt]]:
    """Replace the top-level imports of a lazy config by placeholders.

    ``import a.b`` statements are taken out and returned as one
    :class:`LazyObject` per bound name (``import a.b`` and ``import a``
    together bind ``a`` once). ``import a.b as c`` and ``from a import b``
    become assignments of a :class:`LazyObject` where they stand. Imports of
    builtin modules and of the config package run as written.

    Returns:
        The hoisted names with their placeholders, and the new body.

    Raises:
        ConfigParsingError: for ``import a, b``, a star import or a relative
            import (these belong in ``with read_base():``).
    """
    hoisted: dict[str, HoistedImport] = {}
    out: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, ast.Import):
            out.extend(_rewrite_import(stmt, path, hoisted))
        elif isinstance(stmt, ast.ImportFrom):
            out.extend(_rewrite_import_from(stmt, path))
        else:
            out.append(stmt)
    return {name: h.build() for name, h in hoisted.items()}, out
