"""``ConfigDict``: a dict whose keys are also attributes.

Every dict stored in a :class:`ConfigDict` (directly, or inside lists and
tuples) is converted to a :class:`ConfigDict` of the same class, so nested
fields read as ``cfg.model.backbone.depth``. Reading a missing key raises
:class:`KeyError` (item access) or :class:`AttributeError` (attribute
access), both naming the key; nothing is created on read.

Values that are lazy imports of a pure-Python config
(:class:`~engine.config.lazy.LazyObject`, :class:`~engine.config.lazy.LazyAttr`)
are imported when read, unless the class attribute ``lazy`` is true.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

__all__ = ["ConfigDict"]


@cache
def _lazy_types() -> tuple[type, ...]:
    """The classes of lazily imported values (imported once, on first use)."""
    from engine.config.lazy import LazyAttr, LazyObject

    return (LazyObject, LazyAttr)


def _is_lazy(value: Any) -> bool:
    return isinstance(value, _lazy_types())


def _convert(value: Any, cls: type[ConfigDict]) -> Any:
    """Convert the dicts in ``value`` (also inside lists/tuples) to ``cls``."""
    if isinstance(value, dict):
        return value if type(value) is cls else cls(value)
    if isinstance(value, list):
        return [_convert(item, cls) for item in value]
    if isinstance(value, tuple):
        items = [_convert(item, cls) for item in value]
        if hasattr(value, "_fields"):  # a namedtuple
            return type(value)(*items)
        return type(value)(items)
    return value


def _to_plain(value: Any) -> Any:
    """Plain dicts, lists and tuples; lazy imports become dotted strings."""
    if isinstance(value, dict):
        return {key: _to_plain(item) for key, item in dict.items(value)}
    if isinstance(value, list):
        return [_to_plain(item) for item in value]
    if isinstance(value, tuple):
        items = [_to_plain(item) for item in value]
        if hasattr(value, "_fields"):
            return type(value)(*items)
        return type(value)(items)
    if _is_lazy(value):
        return f"{value.module}.{value}"
    return value


class ConfigDict(dict):
    """A dict with attribute access, used for every dict in a config.

    Args:
        *args: A mapping or an iterable of ``(key, value)`` pairs, as for
            :class:`dict`; several are merged in order.
        **kwargs: More items.

    Examples:
        >>> cfg = ConfigDict(model=dict(type='ResNet', depth=50))
        >>> cfg.model.depth
        50
        >>> cfg.model.depth = 101
        >>> cfg['model']
        {'type': 'ResNet', 'depth': 101}
        >>> cfg.optimizer
        Traceback (most recent call last):
        ...
        AttributeError: 'ConfigDict' object has no attribute 'optimizer'
    """

    #: When true, lazy imports are returned as they are instead of built.
    lazy: bool = False

    def __init__(__self, *args: Any, **kwargs: Any) -> None:  # noqa: N805
        dict.__init__(__self)
        cls = type(__self)
        for arg in args:
            if not arg:
                continue
            items = dict.items(arg) if isinstance(arg, dict) else arg
            for key, value in items:
                dict.__setitem__(__self, key, _convert(value, cls))
        for key, value in kwargs.items():
            dict.__setitem__(__self, key, _convert(value, cls))

    # -- item and attribute access -------------------------------------
    def __missing__(self, name: Any) -> Any:
        raise KeyError(name)

    def __getitem__(self, key: Any) -> Any:
        return self.build_lazy(dict.__getitem__(self, key))

    def __getattr__(self, name: str) -> Any:
        try:
            value = dict.__getitem__(self, name)
        except KeyError:
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute '{name}'"
            ) from None
        return self.build_lazy(value)

    def __setitem__(self, name: Any, value: Any) -> None:
        if self.__dict__.get("_frozen") and name not in self:
            raise KeyError(name)
        dict.__setitem__(self, name, _convert(value, type(self)))

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(type(self), name):
            raise AttributeError(
                f"'{type(self).__name__}' object attribute '{name}' is read-only"
            )
        self[name] = value

    def __delattr__(self, name: str) -> None:
        del self[name]

    def build_lazy(self, value: Any) -> Any:
        """Import ``value`` if it is a lazy import and ``lazy`` is false.

        Args:
            value: A value read from the dict.

        Returns:
            The imported object, or ``value`` itself.
        """
        if not self.lazy and _is_lazy(value):
            return value.build()
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        """``self[key]`` if the key exists, else ``default``."""
        if key in self:
            return self[key]
        return default

    def pop(self, key: Any, default: Any = None) -> Any:
        """Remove ``key`` and return its value, or ``default`` (None)."""
        return self.build_lazy(dict.pop(self, key, default))

    def items(self) -> list[tuple[Any, Any]]:  # type: ignore[override]
        """A list of the ``(key, value)`` pairs, lazy imports built."""
        return [(key, self.build_lazy(value)) for key, value in dict.items(self)]

    def values(self) -> list[Any]:  # type: ignore[override]
        """A list of the values, lazy imports built."""
        return [self.build_lazy(value) for value in dict.values(self)]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.keys())

    # -- updating ------------------------------------------------------
    def update(self, *args: Any, **kwargs: Any) -> None:
        """Recursively update: a dict value updates an existing dict value.

        Examples:
            >>> cfg = ConfigDict(a=dict(b=1))
            >>> cfg.update(a=dict(c=2))
            >>> cfg
            {'a': {'b': 1, 'c': 2}}
        """
        other: dict[Any, Any] = {}
        for arg in args:
            other.update(arg)
        other.update(kwargs)
        for key, value in other.items():
            current = dict.get(self, key)
            if isinstance(current, dict) and isinstance(value, dict):
                current.update(value)
            else:
                self[key] = value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """``self[key]``, first setting it to ``default`` if it is missing."""
        if key not in self:
            self[key] = default
        return self[key]

    def merge(self, other: dict) -> None:
        """Merge ``other`` into this dict by the config inheritance rules.

        Dict values merge recursively, other values replace, and a dict
        with ``_delete_=True`` replaces the existing dict (see
        :func:`engine.config.merge.merge_dicts`).

        Examples:
            >>> cfg = ConfigDict(a=dict(b=1, c=2))
            >>> cfg.merge(dict(a=dict(_delete_=True, d=3)))
            >>> cfg
            {'a': {'d': 3}}
        """
        from engine.config.merge import merge_dicts

        merged = merge_dicts(other, self)
        dict.clear(self)
        dict.update(self, merged)

    # -- conversion and copying ----------------------------------------
    def to_dict(self) -> dict:
        """A deep conversion to plain :class:`dict` (lists, tuples kept).

        Examples:
            >>> type(ConfigDict(a=dict(b=1)).to_dict()['a'])
            <class 'dict'>
        """
        return _to_plain(self)

    def _to_lazy_dict(self) -> dict:
        """Like :meth:`to_dict` but keeping lazy imports as they are."""
        return _to_lazy_plain(self)

    def copy(self) -> ConfigDict:
        """A shallow copy of the same class."""
        return type(self)(dict(dict.items(self)))

    def __copy__(self) -> ConfigDict:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> ConfigDict:
        result = type(self)()
        memo[id(self)] = result
        for key, value in dict.items(self):
            dict.__setitem__(
                result, copy.deepcopy(key, memo), copy.deepcopy(value, memo)
            )
        return result

    def deepcopy(self) -> ConfigDict:
        """A deep copy (same as :func:`copy.deepcopy`)."""
        return copy.deepcopy(self)

    def __reduce_ex__(self, proto: Any) -> Any:
        return (type(self), (dict(dict.items(self)),))

    # -- freezing (addict compatibility) -------------------------------
    def freeze(self, shouldFreeze: bool = True) -> None:  # noqa: N803
        """Forbid (or allow again) adding new keys, recursively."""
        object.__setattr__(self, "_frozen", shouldFreeze)
        for value in dict.values(self):
            if isinstance(value, ConfigDict):
                value.freeze(shouldFreeze)

    def unfreeze(self) -> None:
        """Allow adding keys again."""
        self.freeze(False)

    # -- operators -----------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, dict):
            return NotImplemented
        return dict.__eq__(self, other)

    __hash__ = None

    def __or__(self, other: Any) -> Any:
        if not isinstance(other, dict):
            return NotImplemented
        new = self.copy()
        new.update(other)
        return new

    def __ror__(self, other: Any) -> Any:
        if not isinstance(other, dict):
            return NotImplemented
        new = type(self)(other)
        new.update(self)
        return new

    def __ior__(self, other: Any) -> ConfigDict:
        self.update(other)
        return self

    def __add__(self, other: Any) -> Any:
        if not self:
            return other
        raise TypeError(
            f"unsupported operand type(s) for +: '{type(self).__name__}' "
            f"and '{type(other).__name__}'"
        )

    def __dir__(self) -> Iterable[str]:
        names = set(super().__dir__())
        names.update(key for key in self.keys() if isinstance(key, str))
        return sorted(names)


def _to_lazy_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _to_lazy_plain(item) for key, item in dict.items(value)}
    if isinstance(value, list):
        return [_to_lazy_plain(item) for item in value]
    if isinstance(value, tuple):
        return type(value)(_to_lazy_plain(item) for item in value)
    return value
