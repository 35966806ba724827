"""Reading a Python config file (the classic, non-lazy style).

The file is parsed with :mod:`ast`. The first top-level ``_base_ = ...``
statement (a string or a list of strings) names the base files and is taken
out; the rest is compiled with the real file name, so tracebacks and syntax
errors point at the config's own lines, and executed:

* ``_base_`` is bound to the merged base config itself, so ``a =
  _base_.model`` is the inherited dict, and modifying it (or
  ``_base_.model.depth = 7``) modifies the inherited value, as in MMEngine;
* ``{{_base_.model}}``, which Python reads as a set of a set, is replaced by
  a :class:`BaseReference` placeholder; after execution the placeholder is
  replaced by a copy of the base value, so it can be assigned but not
  modified in the same file.

The resulting variables are those not starting with ``__`` that are not
modules or functions. :mod:`~engine.config.parsing.python_provenance` maps
the assignments to lines.
"""

from __future__ import annotations

import ast
import copy
import types
from dataclasses import dataclass
from typing import Any

from engine.config.config_dict import ConfigDict
from engine.config.utils import get_by_path

__all__ = [
    "BaseReference",
    "PythonConfig",
    "assigns_base",
    "execute",
    "literal_bases",
    "parse_python_full",
]

BASE_KEY = "_base_"
_REF_FUNC = "__engine_base_ref__"


@dataclass
class PythonConfig:
    """A parsed (not yet executed) Python config file.

    Fields:

    * ``filename``: The file.
    * ``tree``: The module without its ``_base_`` statement, ``{{_base_.x}}``
      rewritten (None when parsed on the fast path, which only
      compiles).
    * ``bases``: The base files it names, as written.
    * ``base_line``: The line of the ``_base_`` statement (0 if none).
    * ``uses_base_var``: Whether the code reads the ``_base_`` variable.
    * ``code``: ``tree`` compiled.
    """

    filename: str
    tree: ast.Module | None
    bases: list[str]
    base_line: int
    uses_base_var: bool
    code: Any


class BaseReference:
    """Placeholder of ``{{_base_.key}}`` while a Python config runs.

    It stands for a copy of the base value and is replaced by it once the
    file has run; modifying it in the same file is an error.
    """

    __slots__ = ("filename", "key", "line")
    key: str
    filename: str
    line: int

    def __init__(self, key: str, filename: str, line: int) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "filename", filename)
        object.__setattr__(self, "line", line)

    def _message(self) -> str:
        return (
            f"{{{{_base_.{self.key}}}}} ({self.filename}, line {self.line}) "
            "cannot be modified in the file that references it; use the "
            f"Python form `_base_.{self.key}` to modify a base value"
        )

    def _refuse_item(self, *args: Any) -> None:
        raise TypeError(self._message())

    __setitem__ = __delitem__ = __getitem__ = _refuse_item

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(self._message())

    def __repr__(self) -> str:
        return f"{{{{_base_.{self.key}}}}}"


class _BaseRefRewriter(ast.NodeTransformer):
    """Turn ``{{_base_.a.b}}`` (a set of a set) into a placeholder call."""

    def visit_Set(self, node: ast.Set) -> ast.AST:
        key = _base_ref_key(node)
        if key is None:
            return self.generic_visit(node)
        call = ast.Call(
            func=ast.Name(_REF_FUNC, ast.Load()),
            args=[ast.Constant(key), ast.Constant(node.lineno)],
            keywords=[],
        )
        return ast.copy_location(call, node)


def _base_ref_key(node: ast.Set) -> str | None:
    if len(node.elts) != 1 or not isinstance(node.elts[0], ast.Set):
        return None
    inner = node.elts[0].elts
    if len(inner) != 1:
        return None
    parts: list[str] = []
    expr = inner[0]
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not (isinstance(expr, ast.Name) and expr.id == BASE_KEY and parts):
        return None
    return ".".join(reversed(parts))


def parse_python_full(text: str, filename: str) -> PythonConfig:
    """Parse a Python config through its syntax tree (no caching).

    Raises:
        SyntaxError: for invalid Python, with the file and line.
        TypeError: if ``_base_`` is not a string or a list of strings.
        ValueError: if ``_base_`` is not a literal or not at the top level.
    """
    tree = ast.parse(text, filename=filename)
    bases: list[str] = []
    base_line = 0
    body: list[ast.stmt] = []
    for stmt in tree.body:
        if assigns_base(stmt) and not base_line:
            base_line = stmt.lineno
            bases = literal_bases(stmt, filename)
        elif not assigns_base(stmt):
            body.append(stmt)
    tree.body = body
    uses_base_var = False
    if text.count(BASE_KEY) > 1 or not base_line and BASE_KEY in text:
        _check_no_nested_base(tree, filename)
        uses_base_var = any(
            isinstance(n, ast.Name) and n.id == BASE_KEY for n in ast.walk(tree)
        )
    if "{{" in text:
        tree = ast.fix_missing_locations(_BaseRefRewriter().visit(tree))
    code = compile(tree, filename, "exec")
    return PythonConfig(filename, tree, bases, base_line, uses_base_var, code)


def assigns_base(stmt: ast.stmt) -> bool:
    """Whether ``stmt`` is a ``_base_ = ...`` assignment."""
    if isinstance(stmt, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == BASE_KEY for t in stmt.targets)
    return False


def literal_bases(stmt: ast.stmt, filename: str) -> list[str]:
    """The base files a ``_base_ = ...`` statement names.

    Raises:
        TypeError: if the value is not a string or a list of strings.
        ValueError: if it is not a literal.
    """
    assert isinstance(stmt, ast.Assign)
    where = f"{filename}, line {stmt.lineno}"
    try:
        value = ast.literal_eval(stmt.value)
    except ValueError as e:
        raise ValueError(
            f"_base_ must be a string or a list of strings written literally ({where})"
        ) from e
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise TypeError(
        f"_base_ must be a string or a list of strings, got {value!r} ({where})"
    )


def _check_no_nested_base(tree: ast.Module, filename: str) -> None:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == BASE_KEY:
                raise ValueError(
                    f"_base_ must be assigned once, at the top level of the "
                    f"file ({filename}, line {node.lineno})"
                )


def execute(parsed: PythonConfig, base_cfg: dict) -> dict:
    """Run a parsed config against its merged base; return its variables.

    Args:
        parsed: The result of :func:`parse_python_full` (or the cached
            :func:`~engine.config.parsing.compiled.parse_python`).
        base_cfg: The merged config of the bases, a :class:`ConfigDict`
            whose nested dicts are :class:`ConfigDict` (see
            :func:`as_config_dicts`). The file sees it as ``_base_`` and may
            modify it: ``_base_.model.depth = 7`` changes the inherited value,
            and ``a = _base_.model`` is that very dict, not a copy.

    Returns:
        The variables the file defines, ``{{_base_.x}}`` replaced by copies.
    """
    refs: list[BaseReference] = []

    def base_ref(key: str, line: int) -> BaseReference:
        _resolve(base_cfg, key, parsed.filename, line)
        refs.append(BaseReference(key, parsed.filename, line))
        return refs[-1]

    env: dict[str, Any] = {_REF_FUNC: base_ref}
    if parsed.uses_base_var:
        env[BASE_KEY] = base_cfg
    try:
        exec(parsed.code, env)
    except TypeError as e:
        if refs:
            e.add_note(
                "note: a {{_base_.xxx}} value cannot be modified in the same "
                "file; use the Python form `_base_.xxx` instead"
            )
        raise
    variables = {
        key: value
        for key, value in env.items()
        if not key.startswith("__")
        and key != BASE_KEY
        and not isinstance(value, (types.ModuleType, types.FunctionType))
    }
    if refs:
        variables = _replace_refs(variables, base_cfg)
    return variables


def as_config_dicts(value: Any) -> Any:
    """``value`` with every nested dict a :class:`ConfigDict`, in place.

    Dicts that are not already :class:`ConfigDict` are replaced (in their
    list or dict) by one sharing their values; lists keep their identity.
    """
    if isinstance(value, dict):
        if not isinstance(value, ConfigDict):
            converted = ConfigDict()
            dict.update(converted, value)
            value = converted
        for key, item in dict.items(value):
            dict.__setitem__(value, key, as_config_dicts(item))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = as_config_dicts(item)
    elif isinstance(value, tuple) and not hasattr(value, "_fields"):
        value = type(value)(as_config_dicts(item) for item in value)
    return value


def _resolve(base_cfg: dict, key: str, filename: str, line: int) -> Any:
    try:
        return get_by_path(base_cfg, key)
    except (KeyError, IndexError, TypeError) as e:
        raise KeyError(
            f"{{{{_base_.{key}}}}} ({filename}, line {line}): {key!r} is not "
            f"defined by the base configs"
        ) from e


def _replace_refs(value: Any, base_cfg: dict) -> Any:
    if isinstance(value, BaseReference):
        found = _resolve(base_cfg, value.key, value.filename, value.line)
        return copy.deepcopy(found)
    if isinstance(value, dict):
        return type(value)(
            (k, _replace_refs(v, base_cfg)) for k, v in dict.items(value)
        )
    if isinstance(value, list):
        return [_replace_refs(v, base_cfg) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return type(value)(_replace_refs(v, base_cfg) for v in value)
    return value
