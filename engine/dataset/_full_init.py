"""``force_full_init``: run ``full_init()`` before a method when needed."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from engine.logging import print_log

__all__ = ["force_full_init"]

_F = TypeVar("_F", bound=Callable[..., Any])


def force_full_init(old_func: _F) -> Any:
    """Decorate a method so that it runs ``obj.full_init()`` first if needed.

    ``full_init`` runs (with a warning) when ``obj._fully_initialized`` is
    missing or False, and the flag is then set to True.

    Args:
        old_func: A method of a class with a ``full_init`` method.

    Returns:
        The wrapped method.

    Raises:
        AttributeError: when called on an object without ``full_init``.

    Examples:
        >>> class Lazy:
        ...     def full_init(self):
        ...         self.items = [1, 2, 3]
        ...     @force_full_init
        ...     def __len__(self):
        ...         return len(self.items)
        >>> lazy = Lazy()
        >>> lazy.full_init()
        >>> lazy._fully_initialized = True
        >>> len(lazy)
        3
    """

    @functools.wraps(old_func)
    def wrapper(obj: Any, *args: Any, **kwargs: Any) -> Any:
        if not hasattr(obj, "full_init"):
            raise AttributeError(f"{type(obj)} does not have full_init method.")
        if not getattr(obj, "_fully_initialized", False):
            print_log(
                f"{type(obj).__name__}.{old_func.__name__}() needs the full "
                "initialization, which runs now; call full_init() beforehand "
                "to choose when it happens",
                logger="current",
                level=logging.WARNING,
            )
            obj.full_init()
            obj._fully_initialized = True
        return old_func(obj, *args, **kwargs)

    return wrapper
