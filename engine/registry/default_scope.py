"""The default scope: which registry node unprefixed types resolve in.

:class:`DefaultScope` is a :class:`~engine.utils.ManagerMixin`: the most
recently created instance is the current default scope. Building from a
registry looks the type up in the node of the registry tree whose scope is
the current default scope (see :meth:`Registry.switch_scope_and_registry`);
``_scope_`` in a cfg switches it for that build and the builds nested in it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Generator
from contextlib import contextmanager

from engine.utils._errors import CompatTypeError
from engine.utils.manager import _LOCK, ManagerMixin

__all__ = ["DefaultScope"]

#: Makes the names of temporary (``overwrite-...``) instances unique.
_OVERWRITES = itertools.count()


class DefaultScope(ManagerMixin):
    """The scope of the registry node that builds use by default.

    Args:
        name: Name of the instance.
        scope_name: The scope, e.g. ``'mmdet'``.

    Raises:
        TypeError: if ``scope_name`` is not a str (also an
            :class:`AssertionError`, as in MMEngine).

    Examples:
        >>> scope = DefaultScope.get_instance('task', scope_name='mmdet')
        >>> DefaultScope.get_current_instance().scope_name
        'mmdet'
        >>> with DefaultScope.overwrite_default_scope('mmcls'):
        ...     DefaultScope.get_current_instance().scope_name
        'mmcls'
        >>> DefaultScope.get_current_instance().scope_name
        'mmdet'
    """

    def __init__(self, name: str, scope_name: str) -> None:
        super().__init__(name)
        if not isinstance(scope_name, str):
            raise CompatTypeError(
                f"scope_name should be a string, but got {scope_name!r}"
            )
        self._scope_name = scope_name

    @property
    def scope_name(self) -> str:
        """The default scope this instance sets."""
        return self._scope_name

    @classmethod
    def get_current_instance(cls) -> DefaultScope | None:  # type: ignore[override]
        """The current default scope, or None if none was created.

        Returns:
            The most recently created instance, or None.

        Examples:
            >>> DefaultScope.get_current_instance() is None or True
            True
        """
        with _LOCK:
            if not cls._instance_dict:
                return None
            return super().get_current_instance()

    @classmethod
    @contextmanager
    def overwrite_default_scope(
        cls, scope_name: str | None
    ) -> Generator[None, None, None]:
        """Make ``scope_name`` the default scope within the context.

        A temporary instance is created on entry and removed on exit, so the
        previous default scope is current again afterwards. ``None`` changes
        nothing.

        Args:
            scope_name: The scope to use, or None.

        Examples:
            >>> with DefaultScope.overwrite_default_scope('mmseg'):
            ...     DefaultScope.get_current_instance().scope_name
            'mmseg'
        """
        if scope_name is None:
            yield
            return
        name = f"overwrite-{time.time()}-{next(_OVERWRITES)}"
        cls.get_instance(name, scope_name=scope_name)
        try:
            yield
        finally:
            with _LOCK:
                cls._instance_dict.pop(name, None)
