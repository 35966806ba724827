"""Placeholders for imports in pure-Python ("lazy import") config files.

A lazy config may import classes and modules at its top level::

    from engine.config import read_base
    from torch.optim import SGD

    with read_base():
        from .schedule import *

    optimizer = dict(type=SGD, lr=0.1)

Parsing such a file imports nothing: each imported name is bound to a
:class:`LazyObject`, and attribute access on it gives a :class:`LazyAttr`.
The real object is imported by ``build()`` when the config is used, so a
config can be read (and printed, merged, dumped) where its libraries are not
installed.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any, NoReturn

__all__ = ["LazyAttr", "LazyObject", "read_base"]


@contextlib.contextmanager
def read_base() -> Iterator[None]:
    """Mark the imports of base configs in a lazy config file.

    Inside a config file, ``with read_base():`` may only hold
    ``from <config module> import ...`` statements; the config parser reads
    the named config files and binds their variables, before running the rest
    of the file. Outside a config file it does nothing.

    Examples:
        A config ``child.py`` next to ``base.py``::

            from engine.config import read_base

            with read_base():
                from .base import *
                from .schedules.sgd import optimizer

            optimizer.lr = 0.01
    """
    yield


def _top_package(module: str) -> str:
    return module.split(".", 1)[0]


def _called(name: str) -> NoReturn:
    raise RuntimeError(
        f"{name!r} is a lazily imported object of a config file and cannot "
        "be called while the config is parsed; call it in code, after "
        "building it (`.build()`)"
    )


class LazyObject:
    """A module, or a name imported from a module, imported only on build.

    Args:
        module: The module to import: a dotted name, or (for ``import a.b``,
            which binds ``a`` and imports ``a.b``) a list or tuple of the
            modules to import, whose first entry's top-level package is the
            object.
        imported: The name imported from ``module`` (``from module import
            imported``); ``None`` for the module itself. Defaults to None.
        location: Where the import was written (e.g. ``'cfg.py, line 3'``),
            shown in errors. Defaults to None.

    Examples:
        >>> sgd = LazyObject('torch.optim', 'SGD')
        >>> sgd
        SGD
        >>> sgd.build()
        <class 'torch.optim.sgd.SGD'>
        >>> path = LazyObject(['os.path'])
        >>> str(path), path.build().__name__
        ('os', 'os')
        >>> path.join
        join
    """

    def __init__(
        self,
        module: str | list | tuple,
        imported: str | None = None,
        location: str | None = None,
    ) -> None:
        if isinstance(module, (list, tuple)):
            if not module or not all(isinstance(m, str) for m in module):
                raise TypeError(
                    "LazyObject: module must be a str or a non-empty list/tuple "
                    f"of str, got {module!r}"
                )
        elif not isinstance(module, str):
            raise TypeError(
                f"LazyObject: module must be a str, list or tuple, got "
                f"{type(module).__name__} ({module!r})"
            )
        if imported is not None and not isinstance(imported, str):
            raise TypeError(
                f"LazyObject: imported must be a str or None, got "
                f"{type(imported).__name__} ({imported!r})"
            )
        self._module: str | list | tuple = module
        self._imported = imported
        self.location = location

    @property
    def module(self) -> str:
        """The module name (the top-level package for ``import a.b``)."""
        if isinstance(self._module, str):
            return self._module
        return _top_package(self._module[0])

    def build(self) -> Any:
        """Import and return the object.

        Raises:
            ImportError: (or the subclass raised by the import) if a module
                cannot be imported or has no attribute ``imported``; the
                message names the module and the config location.
        """
        if not isinstance(self._module, str):
            for name in self._module:
                self._import(name)
            return self._import(_top_package(self._module[0]))
        module = self._import(self._module)
        if self._imported is None:
            return module
        try:
            return getattr(module, self._imported)
        except AttributeError as e:
            raise ImportError(
                f"Failed to import {self._imported} from {self._module} in "
                f"{self.location}"
            ) from e

    def _import(self, name: str) -> Any:
        try:
            return importlib.import_module(name)
        except Exception as e:
            raise type(e)(f"Failed to import {name} in {self.location} for {e}") from e

    def __call__(self, *args: Any, **kwargs: Any) -> NoReturn:
        _called(str(self))

    def __getattr__(self, name: str) -> LazyAttr:
        location = self.location.split(", line")[0] if self.location else None
        return LazyAttr(name, self, location)

    def __deepcopy__(self, memo: dict[int, Any]) -> LazyObject:
        return LazyObject(self._module, self._imported, self.location)

    def __getstate__(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __str__(self) -> str:
        if self._imported is not None:
            return self._imported
        return self.module

    __repr__ = __str__


class LazyAttr:
    """An attribute of a :class:`LazyObject` (or of another ``LazyAttr``).

    Args:
        name: The attribute name.
        source: The object it is read from.
        location: Where it was written, shown in errors. Defaults to None.

    Examples:
        >>> join = LazyObject('os').path.join
        >>> join, join.module
        (join, 'os.path')
        >>> join.build()('a', 'b')
        'a/b'
    """

    def __init__(
        self,
        name: str,
        source: LazyObject | LazyAttr,
        location: str | None = None,
    ) -> None:
        self.name = name
        self.source = source
        self._module: str
        if isinstance(source, LazyAttr):
            self._module = f"{source.module}.{source.name}"
        elif isinstance(source, LazyObject):
            if source._imported is None:
                self._module = source.module
            else:
                self._module = f"{source._module}.{source._imported}"
        else:
            raise TypeError(
                f"LazyAttr {name!r}: source must be a LazyObject or LazyAttr, "
                f"got {type(source).__name__}"
            )
        self.location = location

    @property
    def module(self) -> str:
        """The dotted path of the object this attribute is read from."""
        return self._module

    def build(self) -> Any:
        """Build the source and return its attribute.

        Raises:
            ImportError: if the source cannot be built or has no such
                attribute.
        """
        obj = self.source.build()
        try:
            return getattr(obj, self.name)
        except AttributeError as e:
            raise ImportError(
                f"Failed to import {self.module}.{self.name} in {self.location}"
            ) from e

    def __call__(self, *args: Any, **kwargs: Any) -> NoReturn:
        _called(f"{self.module}.{self.name}")

    def __getattr__(self, name: str) -> LazyAttr:
        return LazyAttr(name, self)

    def __deepcopy__(self, memo: dict[int, Any]) -> LazyAttr:
        return LazyAttr(self.name, self.source, self.location)

    def __getstate__(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __str__(self) -> str:
        return self.name

    __repr__ = __str__
