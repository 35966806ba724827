"""Reading pure-Python ("lazy import") config files.

A lazy config is plain Python. Its base configs are imported in one
``with read_base():`` block, relatively (``from .base import *``,
``from ..schedules.sgd import optimizer``) or from an installed package
(``from fakedet.configs.retina import *`` reads
``<fakedet dir>/configs/retina.py``). Parsing runs the file:

1. each base is parsed (recursively) and the imported names are bound, in
   the order written; a star import binds every variable of the base;
2. every other top-level import binds a :class:`~engine.config.lazy.LazyObject`
   instead of importing (builtin modules and ``engine.config`` excepted);
3. the rest of the file runs, with the dicts of the bases as
   :class:`~engine.config.config_dict.ConfigDict` (so ``optimizer.lr = 0.1``
   modifies the inherited dict; a plain assignment replaces it, there is no
   merging); lazy values are not built while the file runs.

The variables of the file, less names that start with ``__``, are the
config. ``_base_`` cannot be used in a lazy config (nor can a lazy config
be a ``_base_`` of a plain one: :mod:`engine.config.parsing.loader` checks
that with :func:`is_lazy_config`).
"""

from __future__ import annotations

import ast
import os
import os.path as osp
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from engine.config.config_dict import ConfigDict
from engine.config.lazy import LazyObject
from engine.config.lazy_ast import (
    LAZY_FACTORY,
    ConfigParsingError,
    check_read_base,
    imports_lazily,
    location,
    rewrite_imports,
    split_read_base,
)
from engine.config.package_path import package_dir

__all__ = [
    "ConfigParsingError",
    "is_lazy_config",
    "parse_lazy_config",
]


def _read_tree(path: str) -> ast.Module:
    with open(path, encoding="utf-8") as f:
        source = f.read()
    return ast.parse(source, filename=path)


def is_lazy_config(path: str | os.PathLike[str]) -> bool:
    """Whether the config file at ``path`` uses the lazy-import style.

    The first decisive statement, in breadth-first order of the syntax tree
    (so top-level statements first), decides: an assignment to ``_base_``
    means a plain config; ``with read_base():`` or an import of anything but
    a builtin module or ``engine.config`` means a lazy one. A file with none
    of these, or not ending in ``.py``, is plain.

    Raises:
        SyntaxError: if the file is not valid Python.
        ConfigParsingError: for a ``with`` statement other than
            ``with read_base():`` reached before the decision.

    Examples:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = os.path.join(tmp, 'cfg.py')
        ...     with open(path, 'w') as f:
        ...         _ = f.write('from torch.optim import SGD\\n')
        ...     is_lazy_config(path)
        True
    """
    path = os.fspath(path)
    if not path.endswith(".py"):
        return False
    for node in ast.walk(_read_tree(path)):
        if isinstance(node, ast.Assign) and _assigns_base(node.targets):
            return False
        if isinstance(node, (ast.With, ast.AsyncWith)):
            check_read_base(node, path)
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and imports_lazily(node):
            return True
    return False


def _assigns_base(targets: list[ast.expr]) -> bool:
    return any(isinstance(t, ast.Name) and t.id == "_base_" for t in targets)


def parse_lazy_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Run a lazy-import config file and return its variables.

    Args:
        path: The config file.

    Returns:
        The variables in the order they were first bound (base variables
        first), less names starting with ``__``. Dicts are
        :class:`~engine.config.config_dict.ConfigDict`; imports are
        :class:`~engine.config.lazy.LazyObject` or
        :class:`~engine.config.lazy.LazyAttr`.

    Raises:
        ConfigParsingError: for a rule of the lazy style broken (``_base_``,
            a bad ``read_base`` block, a missing base file or name, a cycle
            of bases); the message names the file and line.
        SyntaxError: if a file is not valid Python.

    Examples:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     for name, text in [
        ...             ('base.py', 'lr = 0.1\\n'),
        ...             ('cfg.py', 'from engine.config import read_base\\n'
        ...                        'with read_base():\\n'
        ...                        '    from .base import *\\n'
        ...                        'from torch.optim import SGD\\n'
        ...                        'optimizer = dict(type=SGD, lr=lr)\\n')]:
        ...         with open(os.path.join(tmp, name), 'w') as f:
        ...             _ = f.write(text)
        ...     cfg = parse_lazy_config(os.path.join(tmp, 'cfg.py'))
        >>> cfg['optimizer']
        {'type': SGD, 'lr': 0.1}
        >>> cfg['optimizer'].type  # built when read, after parsing
        <class 'torch.optim.sgd.SGD'>
    """
    with _lazy_config_dicts():
        return _parse(os.fspath(path), ())


@contextmanager
def _lazy_config_dicts() -> Iterator[None]:
    """Keep lazy values unbuilt when config dicts are read, meanwhile."""
    previous = ConfigDict.lazy
    ConfigDict.lazy = True
    try:
        yield
    finally:
        ConfigDict.lazy = previous


def _parse(path: str, chain: tuple[str, ...]) -> dict[str, Any]:
    real = osp.realpath(path)
    if real in chain:
        cycle = " -> ".join((*chain[chain.index(real) :], real))
        raise ConfigParsingError(f"{path}: circular base configs: {cycle}")
    tree = _read_tree(path)
    _reject_base_variable(tree, path, chain)
    bases, body = split_read_base(tree, path)
    namespace: dict[str, Any] = {}
    for node in bases:
        base_path = _base_file(node, path)
        _bind(namespace, node, _parse(base_path, (*chain, real)), base_path, path)
    hoisted, body = rewrite_imports(body, path)
    namespace.update(hoisted)
    namespace.update({LAZY_FACTORY: LazyObject, "__file__": path})
    namespace["__name__"] = "builtins"
    module = ast.Module(body=body, type_ignores=[])
    code = compile(module, path, "exec", dont_inherit=True)
    exec(code, namespace)
    variables = {k: v for k, v in namespace.items() if not k.startswith("__")}
    return dict(dict.items(ConfigDict(variables)))


def _reject_base_variable(tree: ast.Module, path: str, chain: tuple[str, ...]) -> None:
    for stmt in tree.body:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            targets = [stmt.target]
        if _assigns_base(targets):
            importer = f" (a base of {chain[-1]})" if chain else ""
            raise ConfigParsingError(
                f"{location(path, stmt)}{importer}: `_base_` cannot be used in "
                "a lazy_import config; every config of an inheritance chain "
                "must use the same style. Inherit with `with read_base(): "
                "from .base import *` instead"
            )


def _base_file(node: ast.ImportFrom, path: str) -> str:
    """The file that ``from <module> import ...`` in read_base names."""
    parts = (node.module or "").split(".")
    if node.level:
        folder = osp.dirname(path)
        for _ in range(node.level - 1):
            folder = osp.join(folder, osp.pardir)
        base = osp.normpath(osp.join(folder, *parts) + ".py")
    else:
        try:
            root = package_dir(parts[0])
        except ModuleNotFoundError as e:
            raise ConfigParsingError(
                f"{location(path, node)}: base config module {node.module!r}: "
                f"package {parts[0]!r} is not installed"
            ) from e
        base = osp.join(root, *parts[1:]) + ".py"
    if not osp.isfile(base):
        dots = "." * node.level
        raise ConfigParsingError(
            f"{location(path, node)}: base config `{dots}{node.module}` names "
            f"the file {base}, which does not exist"
        )
    return base


def _bind(
    namespace: dict[str, Any],
    node: ast.ImportFrom,
    variables: dict[str, Any],
    base_path: str,
    path: str,
) -> None:
    """Bind the names ``node`` imports from a parsed base config."""
    for alias in node.names:
        if alias.name == "*":
            namespace.update(variables)
            continue
        if alias.name not in variables:
            raise ConfigParsingError(
                f"{location(path, node)}: base config {base_path} has no "
                f"variable {alias.name!r}"
            )
        namespace[alias.asname or alias.name] = variables[alias.name]
