"""Named, globally reachable instances: :class:`ManagerMixin`.

A class deriving from :class:`ManagerMixin` keeps a table of its instances
by name. ``get_instance(name, **kwargs)`` builds the instance the first time
a name is asked for and returns the same object afterwards;
``get_current_instance()`` returns the most recently *built* one. Each class
has its own table: a subclass does not see its parent's instances.

Example:
    >>> class GlobalClass(ManagerMixin):
    ...     def __init__(self, name, value=0):
    ...         super().__init__(name)
    ...         self.value = value
    >>> GlobalClass.get_instance('first', value=50).value
    50
    >>> GlobalClass.get_instance('second', value=100).value
    100
    >>> GlobalClass.get_current_instance().instance_name
    'second'
    >>> GlobalClass.get_instance('first').value
    50
"""

from __future__ import annotations

import inspect
import threading
import weakref
from collections import OrderedDict
from typing import Any, ClassVar, TypeVar

from engine.utils._errors import CompatTypeError

__all__ = ["ManagerMeta", "ManagerMixin"]

_T = TypeVar("_T", bound="ManagerMixin")

#: One re-entrant lock for every managed class: building an instance may
#: build instances of other managed classes from the same thread.
_LOCK = threading.RLock()

#: Every class built by :class:`ManagerMeta`, for :func:`_reset_manager_instances`.
_MANAGED: weakref.WeakSet[type] = weakref.WeakSet()


def _accepts_name(cls: type) -> bool:
    """Whether ``cls(name=...)`` can pass ``name`` to ``cls.__init__``."""
    try:
        params = inspect.signature(cls.__init__).parameters  # type: ignore[misc]
    except (TypeError, ValueError):
        return False
    param = params.get("name")
    return param is not None and param.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


class ManagerMeta(type):
    """Metaclass of :class:`ManagerMixin`.

    Gives every class it builds its own, empty instance table and checks
    that the class's ``__init__`` accepts a ``name`` argument.

    Raises:
        TypeError: if ``__init__`` has no ``name`` parameter (the error is
            also an :class:`AssertionError`, as in MMEngine).

    Examples:
        >>> class Named(metaclass=ManagerMeta):
        ...     def __init__(self, name):
        ...         self.name = name
        >>> dict(Named._instance_dict)
        {}
    """

    def __init__(cls, *args: Any) -> None:
        super().__init__(*args)
        if not _accepts_name(cls):
            raise CompatTypeError(
                f"{cls.__module__}.{cls.__qualname__}.__init__ must accept a "
                "`name` argument to derive from ManagerMixin"
            )
        cls._instance_dict: OrderedDict[str, Any] = OrderedDict()
        _MANAGED.add(cls)


class ManagerMixin(metaclass=ManagerMeta):
    """Make a class's instances reachable anywhere by name.

    Subclasses must accept ``name`` in ``__init__`` and pass it on with
    ``super().__init__(name)``. Instances are built through
    :meth:`get_instance`; building one directly (``Cls('x')``) does not
    register it.

    Args:
        name: Name of the instance; a non-empty string. Defaults to ''
            (which is rejected: a name must be given).
        **kwargs: Ignored; accepted so cooperative ``__init__`` chains can
            pass their keyword arguments on.

    Examples:
        >>> class GlobalClass(ManagerMixin):
        ...     def __init__(self, name, value=0):
        ...         super().__init__(name)
        ...         self.value = value
        >>> inst = GlobalClass.get_instance('exp', value=100)
        >>> inst.instance_name
        'exp'
        >>> GlobalClass.get_instance('exp') is inst
        True
    """

    _instance_dict: ClassVar[OrderedDict[str, Any]]

    def __init__(self, name: str = "", **kwargs: Any) -> None:
        if not isinstance(name, str) or not name:
            raise CompatTypeError(
                f"{type(self).__name__}: name must be a non-empty str, got {name!r}"
            )
        self._instance_name = name

    @classmethod
    def get_instance(cls: type[_T], name: str, **kwargs: Any) -> _T:
        """Build the instance called ``name``, or return it if it exists.

        Building an instance makes it the current one
        (:meth:`get_current_instance`); returning an existing one does not.

        Args:
            name: Name of the instance.
            **kwargs: Construction arguments, passed to ``cls(name=name,
                **kwargs)`` when the instance is built.

        Returns:
            The instance of ``cls`` called ``name``.

        Raises:
            TypeError: if ``name`` is not a str, or if the instance already
                exists and construction arguments were given (the docs say
                an error is raised; MMEngine only warns).

        Examples:
            >>> class Holder(ManagerMixin):
            ...     def __init__(self, name, value=0):
            ...         super().__init__(name)
            ...         self.value = value
            >>> Holder.get_instance('a', value=1).value
            1
            >>> Holder.get_instance('a').value
            1
        """
        if not isinstance(name, str):
            raise CompatTypeError(
                f"{cls.__name__}.get_instance: name must be a str, "
                f"got {type(name).__name__} {name!r}"
            )
        with _LOCK:
            instances = cls._instance_dict
            if name in instances:
                if kwargs:
                    raise TypeError(
                        f"{cls.__name__} instance {name!r} already exists; "
                        "get_instance() of an existing instance accepts no "
                        f"construction arguments, got {sorted(kwargs)}"
                    )
                return instances[name]
            instance = cls(name=name, **kwargs)
            instances[name] = instance
            return instance

    @classmethod
    def get_current_instance(cls: type[_T]) -> _T:
        """Return the most recently built instance of ``cls``.

        Returns:
            The last instance :meth:`get_instance` built for ``cls``.

        Raises:
            RuntimeError: if no instance of ``cls`` was built yet.

        Examples:
            >>> class Current(ManagerMixin):
            ...     pass
            >>> _ = Current.get_instance('a')
            >>> _ = Current.get_instance('b')
            >>> _ = Current.get_instance('a')
            >>> Current.get_current_instance().instance_name
            'b'
        """
        with _LOCK:
            if not cls._instance_dict:
                raise RuntimeError(
                    f"Before calling {cls.__name__}.get_current_instance(), "
                    "you should call get_instance(name=xxx) at least once."
                )
            name = next(reversed(cls._instance_dict))
            return cls._instance_dict[name]

    @classmethod
    def check_instance_created(cls, name: str) -> bool:
        """Whether an instance called ``name`` was built for ``cls``.

        Args:
            name: Name of the instance.

        Returns:
            True if :meth:`get_instance` built an instance called ``name``.

        Examples:
            >>> class Probe(ManagerMixin):
            ...     pass
            >>> Probe.check_instance_created('x')
            False
            >>> _ = Probe.get_instance('x')
            >>> Probe.check_instance_created('x')
            True
        """
        return name in cls._instance_dict

    @property
    def instance_name(self) -> str:
        """The name the instance was built with."""
        return self._instance_name


def _reset_manager_instances() -> None:
    """Forget every instance of every managed class (test isolation).

    After this, ``get_current_instance()`` raises again for every class.
    """
    with _LOCK:
        for cls in list(_MANAGED):
            cls.__dict__["_instance_dict"].clear()
