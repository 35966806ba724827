"""Decorators that mark APIs and argument names as deprecated."""

from __future__ import annotations

import functools
import inspect
import logging
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from engine.utils._errors import CompatTypeError

__all__ = ["deprecated_api_warning", "deprecated_function"]

_F = TypeVar("_F", bound=Callable[..., Any])


def deprecated_api_warning(
    name_dict: dict, cls_name: str | None = None
) -> Callable[[_F], _F]:
    """Decorator factory: accept deprecated keyword names, with a warning.

    A keyword argument named like a key of ``name_dict`` is renamed to the
    matching value before the call, and a :class:`DeprecationWarning` is
    issued. A positional argument in a deprecated name's place only warns.

    Args:
        name_dict: Maps each deprecated argument name to its new name.
        cls_name: Class name shown in the warning (``Cls.method``).
            Defaults to None.

    Returns:
        The decorator.

    Raises:
        TypeError: (from the decorated function) if an argument is given
            under both its deprecated and its new name.

    Examples:
        >>> import warnings
        >>> @deprecated_api_warning({'old': 'new'})
        ... def func(new=1):
        ...     return new
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter('ignore')
        ...     func(old=5)
        5
    """

    def decorator(func: _F) -> _F:
        func_name = f"{cls_name}.{func.__name__}" if cls_name else func.__name__
        positional = _positional_names(func)

        @functools.wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            for name in positional[: len(args)]:
                if name in name_dict:
                    _warn_renamed(name, name_dict[name], func_name)
            for src, dst in name_dict.items():
                if src not in kwargs:
                    continue
                if dst in kwargs:
                    raise CompatTypeError(
                        f"{func_name}() got both the deprecated argument "
                        f"`{src}` and its replacement `{dst}`; pass only `{dst}`"
                    )
                _warn_renamed(src, dst, func_name)
                kwargs[dst] = kwargs.pop(src)
            return func(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _positional_names(func: Callable[..., Any]) -> list[str]:
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in params if p.kind in kinds]


def _warn_renamed(src: str, dst: str, func_name: str) -> None:
    warnings.warn(
        f'"{src}" is deprecated in `{func_name}`, please use "{dst}" instead',
        DeprecationWarning,
        stacklevel=3,
    )


def deprecated_function(
    since: str, removed_in: str, instructions: str
) -> Callable[[_F], _F]:
    """Decorator factory: mark a function as deprecated.

    Each call logs a warning on the default logger; the docstring gets a
    ``.. deprecated::`` note in front.

    Args:
        since: Version the function was deprecated in.
        removed_in: Version the function will be removed in.
        instructions: What to do instead, completing "Please ...".

    Returns:
        The decorator.

    Examples:
        >>> @deprecated_function('0.2.0', '0.4.0', 'use new_func instead')
        ... def old_func():
        ...     '''Do it.'''
        >>> old_func.__doc__.splitlines()[0]
        '.. deprecated:: 0.2.0'
    """

    def decorator(func: _F) -> _F:
        message = (
            f"'{func.__module__}.{func.__name__}' is deprecated in version "
            f"{since} and will be removed in version {removed_in}. "
            f"Please {instructions}."
        )

        @functools.wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            _log_warning(message)
            return func(*args, **kwargs)

        note = (
            f".. deprecated:: {since}\n"
            f"    Deprecated and will be removed in version {removed_in}.\n"
            f"    Please {instructions}.\n"
        )
        doc = inspect.cleandoc(func.__doc__) if func.__doc__ else ""
        wrapped.__doc__ = f"{note}\n{doc}\n" if doc else note
        return wrapped  # type: ignore[return-value]

    return decorator


def _log_warning(message: str) -> None:
    """Log on the current ``MMLogger`` when ``engine.logging`` provides one."""
    try:
        from engine.logging import print_log
    except ImportError:
        from engine._identity import LOGGER_NAME

        logging.getLogger(LOGGER_NAME).warning(message)
        return
    print_log(message, logger="current", level=logging.WARNING)
