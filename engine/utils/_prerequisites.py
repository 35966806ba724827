"""Decorators that check a function's prerequisites when it is called."""

from __future__ import annotations

import functools
import importlib.util
import shutil
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["check_prerequisites", "requires_executable", "requires_package"]

_F = TypeVar("_F", bound=Callable[..., Any])

_DEFAULT_MSG = (
    'Prerequisites "{}" are required in method "{}" but not found, '
    "please install them first."
)


def check_prerequisites(
    prerequisites: str | list[str],
    checker: Callable[[str], bool],
    msg_tmpl: str = _DEFAULT_MSG,
) -> Callable[[_F], _F]:
    """Decorator factory: check prerequisites each time a function is called.

    Args:
        prerequisites: A prerequisite or a list of them.
        checker: Returns True when a prerequisite is available.
        msg_tmpl: Error message, formatted with the comma-separated missing
            prerequisites and the function's name.

    Returns:
        A decorator; the decorated function raises :class:`RuntimeError`
        (with the formatted message) when a prerequisite is missing.

    Examples:
        >>> @check_prerequisites('tool', checker=lambda name: False)
        ... def run():
        ...     return 1
        >>> run()
        Traceback (most recent call last):
        ...
        RuntimeError: Prerequisites "tool" are required in method "run" but not found, please install them first.
    """  # noqa: E501
    names = [prerequisites] if isinstance(prerequisites, str) else prerequisites

    def wrap(func: _F) -> _F:
        @functools.wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            missing = [name for name in names if not checker(name)]
            if missing:
                raise RuntimeError(msg_tmpl.format(", ".join(missing), func.__name__))
            return func(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return wrap


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _has_executable(name: str) -> bool:
    return shutil.which(name) is not None


def requires_package(prerequisites: str | list[str]) -> Callable[[_F], _F]:
    """Decorator: the function needs the named importable module(s).

    Examples:
        >>> @requires_package('json')
        ... def dump():
        ...     return 'ok'
        >>> dump()
        'ok'
    """
    return check_prerequisites(prerequisites, checker=_has_module)


def requires_executable(prerequisites: str | list[str]) -> Callable[[_F], _F]:
    """Decorator: the function needs the named executable(s) on ``PATH``.

    Examples:
        >>> @requires_executable('surely-not-an-executable')
        ... def call():
        ...     return 'ok'
        >>> call()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        RuntimeError: Prerequisites "surely-not-an-executable" ...
    """
    return check_prerequisites(prerequisites, checker=_has_executable)
