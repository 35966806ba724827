"""The tables from backend name and URI prefix to storage backend class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.fileio.backends.base import BaseStorageBackend
from engine.fileio.backends.fsspec_backend import FsspecBackend
from engine.fileio.backends.http_backend import HTTPBackend
from engine.fileio.backends.local_backend import LocalBackend
from engine.fileio.backends.unavailable import (
    LmdbBackend,
    MemcachedBackend,
    PetrelBackend,
)

BackendType = type[BaseStorageBackend]

#: Backend name (``backend_args['backend']``) -> backend class.
backends: dict[str, BackendType] = {}
#: URI prefix (``'http'`` in ``http://...``; ``''`` for local paths) -> class.
prefix_to_backends: dict[str, BackendType] = {}


def _prefix_list(prefixes: str | list | tuple | None) -> list[str]:
    if prefixes is None:
        return []
    if isinstance(prefixes, str):
        return [prefixes]
    if isinstance(prefixes, (list, tuple)) and all(
        isinstance(p, str) for p in prefixes
    ):
        return list(prefixes)
    raise TypeError(f"prefixes must be a str or a list/tuple of str, got {prefixes!r}")


def _check(name: Any, backend: Any) -> None:
    if not isinstance(name, str):
        raise TypeError(f"the backend name should be a string, but got {type(name)}")
    if not isinstance(backend, type):
        raise TypeError(f"backend should be a class, but got {type(backend)}")
    if not issubclass(backend, BaseStorageBackend):
        raise TypeError(f"backend {backend} is not a subclass of BaseStorageBackend")


def _refuse_taken(name: str, prefix_list: list[str]) -> None:
    taken = [f"name {name!r}"] if name in backends else []
    taken += [f"prefix {p!r}" for p in prefix_list if p in prefix_to_backends]
    if taken:
        raise ValueError(
            f"cannot register storage backend {name!r}: {', '.join(taken)} is "
            'already registered; add "force=True" if you want to override it'
        )


def _register_backend(
    name: str,
    backend: BackendType,
    force: bool = False,
    prefixes: str | list | tuple | None = None,
) -> None:
    """Validate everything, then register (nothing changes on error)."""
    _check(name, backend)
    prefix_list = _prefix_list(prefixes)
    if not force:
        _refuse_taken(name, prefix_list)
    backends[name] = backend
    for prefix in prefix_list:
        prefix_to_backends[prefix] = backend


def register_backend(
    name: str,
    backend: BackendType | None = None,
    force: bool = False,
    prefixes: str | list | tuple | None = None,
) -> Any:
    """Register a storage backend under a name and, optionally, URI prefixes.

    Use it as a function (``register_backend('mem', MemBackend)``) or, with
    ``backend`` left out, as a class decorator. A registered prefix makes
    every fileio function dispatch URIs ``<prefix>://...`` to the backend.

    Args:
        name: the backend name, as given by ``backend_args['backend']``.
        backend: the :class:`BaseStorageBackend` subclass. Defaults to None
            (return a decorator).
        force: replace a backend already registered under ``name`` or a
            prefix. Defaults to False.
        prefixes: URI prefixes (``'mem'`` for ``mem://``) the backend serves.
            Defaults to None.

    Returns:
        None, or the decorator when ``backend`` is None.

    Raises:
        TypeError: if ``name`` is not a str, ``backend`` not a
            :class:`BaseStorageBackend` subclass, or ``prefixes`` malformed.
        ValueError: if the name or a prefix is taken and ``force`` is False.

    Examples:
        >>> @register_backend('doc_example', prefixes='docex')
        ... class DocBackend(BaseStorageBackend):
        ...     def get(self, filepath):
        ...         return b'{"a": 1}'
        ...     def get_text(self, filepath, encoding='utf-8'):
        ...         return self.get(filepath).decode(encoding)
        >>> from engine.fileio import load
        >>> load('docex://any/x.json')
        {'a': 1}
    """
    if backend is not None:
        _register_backend(name, backend, force=force, prefixes=prefixes)
        return None

    def wrap(cls: BackendType) -> BackendType:
        _register_backend(name, cls, force=force, prefixes=prefixes)
        return cls

    decorator: Callable[[BackendType], BackendType] = wrap
    return decorator


register_backend("local", LocalBackend, prefixes="")
register_backend("memcached", MemcachedBackend)
register_backend("lmdb", LmdbBackend)
register_backend("petrel", PetrelBackend, prefixes="petrel")
register_backend("http", HTTPBackend, prefixes=["http", "https"])
register_backend("fsspec", FsspecBackend)
