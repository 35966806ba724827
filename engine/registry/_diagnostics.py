"""Error messages of the registry: where in a config a build failed.

Builds nest: a model's constructor builds its backbone from a sub-config.
:func:`building` keeps a stack of the builds in progress so an error can name
the config key path (``backbone.layers[1].type``) of the failing build. The
key of a nested build is found by identity: the sub-config handed to the
inner build is looked up among the arguments of the enclosing build.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from engine.registry.registry import Registry

#: Attribute set on an exception once it names its build context.
_MARK = "_engine_build_context"

#: (key path, constructor arguments) of each build in progress, outermost first.
_STACK: ContextVar[tuple[tuple[str, Mapping[str, Any]], ...]] = ContextVar(
    "engine_registry_build_stack", default=()
)


def _key_in(parent: Mapping[str, Any], cfg: object) -> str:
    """Key (``'backbone'``, ``'layers[1]'``) under which ``cfg`` sits."""
    for key, value in parent.items():
        if value is cfg:
            return str(key)
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                if item is cfg:
                    return f"{key}[{index}]"
    return "?"


@contextmanager
def building(cfg: object, args: Mapping[str, Any]) -> Iterator[str]:
    """Record a build of ``cfg`` (with constructor ``args``) in progress.

    Yields:
        The key path of ``cfg``: ``''`` for an outermost build, else the path
        of the enclosing build joined with the key holding ``cfg``.
    """
    stack = _STACK.get()
    if stack:
        parent_path, parent_args = stack[-1]
        key = _key_in(parent_args, cfg)
        path = f"{parent_path}.{key}" if parent_path else key
    else:
        path = ""
    token = _STACK.set((*stack, (path, args)))
    try:
        yield path
    finally:
        _STACK.reset(token)


def _field(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _where(registry: Registry) -> str:
    return f"the {registry.name!r} registry (scope {registry.scope!r})"


def _suggestions(key: str, registry: Registry) -> list[str]:
    """Registered names close to ``key``, and the same name in other scopes."""
    scope, name = registry.split_scope_key(key)
    start = registry if scope is None else registry._start_node(scope)
    visible: list[str] = []
    chain = start._ancestry() if start is not None else []
    for node in chain:
        visible.extend(n for n in node.module_dict if n not in visible)
    close = difflib.get_close_matches(name, visible, n=3, cutoff=0.6)
    if scope is not None:
        close = [f"{scope}.{n}" for n in close]
    elsewhere = [
        f"{node.scope}.{name}"
        for node in registry.root._walk()
        if node not in chain and name in node.module_dict
    ]
    return close + elsewhere


def not_found_message(key: str, registry: Registry, path: str) -> str:
    """Why ``key`` is not found in ``registry``, with close matches.

    Example:
        ``backbone.type: 'ResNt' is not registered: the 'model' registry
        (scope 'engine') does not hold it (searched scopes: engine); did you
        mean 'ResNet'? Check the spelling, ...``
    """
    scope, _ = registry.split_scope_key(key)
    start = registry if scope is None else registry._start_node(scope)
    if start is None:
        scopes = ", ".join(node.scope for node in registry.root._walk())
        reason = (
            f"no registry of scope {scope!r} is in the tree of "
            f"{_where(registry)} (scopes: {scopes})"
        )
    else:
        searched = ", ".join(node.scope for node in start._ancestry())
        reason = f"{_where(registry)} does not hold it (searched scopes: {searched})"
    hints = _suggestions(key, registry)
    hint = f"; did you mean {', '.join(map(repr, hints))}?" if hints else ""
    return (
        f"{_field(path, 'type')}: {key!r} is not registered: {reason}{hint} "
        "Check the spelling, or import the module that registers it "
        "(e.g. with `custom_imports`)."
    )


def mark(error: BaseException) -> BaseException:
    """Flag ``error`` as already naming its build context."""
    try:
        setattr(error, _MARK, True)
    except AttributeError:  # exceptions with __slots__
        pass
    return error


def reraise_with_message(error: Exception, message: str) -> NoReturn:
    """Raise an exception of ``error``'s type with ``message``, from ``error``.

    An :class:`ImportError` keeps its ``name`` and ``path``. A type that
    cannot be built from one message re-raises ``error`` itself.
    """
    wrapped: BaseException | None
    try:
        if isinstance(error, ImportError):
            wrapped = type(error)(message, name=error.name, path=error.path)
        else:
            wrapped = type(error)(message)
    except Exception:  # a type that cannot be built from one message
        wrapped = None
    if wrapped is None:
        raise mark(error)
    raise mark(wrapped) from error


def reraise_with_context(
    error: Exception, obj: object, registry: Registry, path: str
) -> NoReturn:
    """Re-raise ``error`` from a constructor, naming the class and cfg path.

    The new exception has the type of ``error`` and is chained to it
    (``raise ... from error``). An error that already names an inner build
    is re-raised unchanged.
    """
    if getattr(error, _MARK, False):
        raise error
    kind = "class" if isinstance(obj, type) else "function"
    name = getattr(obj, "__qualname__", repr(obj))
    module = getattr(obj, "__module__", "?")
    at = f"{path}: " if path else ""
    reraise_with_message(
        error,
        f"{at}building {kind} `{name}` ({module}) from {_where(registry)} "
        f"failed: {error}",
    )
