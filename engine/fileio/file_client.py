"""``FileClient``, MMEngine's deprecated front end to the storage backends.

New code calls the functions of :mod:`engine.fileio` (``get``, ``put``, ...)
or :func:`~engine.fileio.get_file_backend`; this class stays so that code and
configs using ``file_client_args`` keep working.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from engine.fileio.backends.base import BaseStorageBackend
from engine.fileio.backends.http_backend import HTTPBackend
from engine.fileio.backends.local_backend import LocalBackend
from engine.fileio.backends.unavailable import (
    LmdbBackend,
    MemcachedBackend,
    PetrelBackend,
)
from engine.fileio.dispatch import parse_uri_prefix

_DELEGATED = frozenset(
    {
        "get",
        "get_text",
        "put",
        "put_text",
        "remove",
        "exists",
        "isdir",
        "isfile",
        "join_path",
        "get_local_path",
        "list_dir_or_file",
    }
)


def _deprecated(message: str) -> None:
    warnings.warn(message, DeprecationWarning, stacklevel=3)


class HardDiskBackend(LocalBackend):
    """Deprecated alias of :class:`~engine.fileio.LocalBackend`.

    Examples:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter('ignore')
        ...     HardDiskBackend().name
        'HardDiskBackend'
    """

    def __init__(self) -> None:
        _deprecated(
            '"HardDiskBackend" is the alias of "LocalBackend" and the '
            "former will be deprecated in future."
        )


class FileClient:
    """A cached storage backend chosen by name or URI prefix (deprecated).

    Args:
        backend: ``'disk'``, ``'http'``, ``'petrel'``, ``'memcached'`` or
            ``'lmdb'``. Defaults to None (``'disk'`` unless ``prefix`` is
            given).
        prefix: a URI prefix (``'http'``, ``'https'``, ``'s3'``,
            ``'petrel'``). Defaults to None.
        **kwargs: passed to the backend's constructor.

    Examples:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter('ignore')
        ...     client = FileClient('disk')
        >>> client.name, client.join_path('a', 'b')
        ('HardDiskBackend', 'a/b')
    """

    _backends: ClassVar[dict[str, type[BaseStorageBackend]]] = {
        "disk": HardDiskBackend,
        "memcached": MemcachedBackend,
        "lmdb": LmdbBackend,
        "petrel": PetrelBackend,
        "http": HTTPBackend,
    }
    _prefix_to_backends: ClassVar[dict[str, type[BaseStorageBackend]]] = {
        "s3": PetrelBackend,
        "petrel": PetrelBackend,
        "http": HTTPBackend,
        "https": HTTPBackend,
    }
    _instances: ClassVar[dict[str, FileClient]] = {}
    client: BaseStorageBackend

    def __new__(
        cls, backend: str | None = None, prefix: str | None = None, **kwargs: Any
    ) -> FileClient:
        _deprecated(
            '"FileClient" will be deprecated in future. Please use the '
            "io functions of engine.fileio instead."
        )
        backend_cls = cls._choose(backend, prefix)
        key = f"{backend}:{prefix}:{kwargs!r}"
        if key not in cls._instances:
            instance = super().__new__(cls)
            instance.client = backend_cls(**kwargs)
            cls._instances[key] = instance
        return cls._instances[key]

    @classmethod
    def _choose(
        cls, backend: str | None, prefix: str | None
    ) -> type[BaseStorageBackend]:
        if backend is None and prefix is None:
            backend = "disk"
        if backend is not None:
            if backend not in cls._backends:
                raise ValueError(
                    f"Backend {backend} is not supported. Currently "
                    f"supported ones are {list(cls._backends)}"
                )
            return cls._backends[backend]
        assert prefix is not None
        if prefix not in cls._prefix_to_backends:
            raise ValueError(
                f"prefix {prefix} is not supported. Currently "
                f"supported ones are {list(cls._prefix_to_backends)}"
            )
        return cls._prefix_to_backends[prefix]

    @property
    def name(self) -> str:
        """The backend's name."""
        return self.client.name

    @property
    def allow_symlink(self) -> bool:
        """Whether the backend supports symlinks (deprecated)."""
        return self.client._allow_symlink

    @staticmethod
    def parse_uri_prefix(uri: str | Path) -> str | None:
        """The prefix of ``uri`` (``'s3'``), or None for a local path."""
        if not isinstance(uri, (str, Path)):
            raise TypeError(f"uri should be a str or Path, got {type(uri)}")
        return parse_uri_prefix(uri) or None

    @classmethod
    def infer_client(
        cls, file_client_args: dict | None = None, uri: str | Path | None = None
    ) -> FileClient:
        """The client for ``file_client_args``, or else for ``uri``'s prefix."""
        if file_client_args is None and uri is None:
            raise ValueError("infer_client needs file_client_args or uri")
        if file_client_args is None:
            return cls(prefix=cls.parse_uri_prefix(uri))  # type: ignore[arg-type]
        return cls(**file_client_args)

    @classmethod
    def register_backend(
        cls,
        name: str,
        backend: Any = None,
        force: bool = False,
        prefixes: str | list | tuple | None = None,
    ) -> Any:
        """Register a backend for :class:`FileClient` (name and prefixes)."""
        if backend is None:

            def wrap(backend_cls: Any) -> Any:
                cls._register_backend(name, backend_cls, force, prefixes)
                return backend_cls

            return wrap
        cls._register_backend(name, backend, force, prefixes)
        return None

    @classmethod
    def _register_backend(
        cls,
        name: str,
        backend: Any,
        force: bool = False,
        prefixes: str | list | tuple | None = None,
    ) -> None:
        from engine.fileio.backends.registry_utils import _check, _prefix_list

        _check(name, backend)
        prefix_list = _prefix_list(prefixes)
        if not force and (
            name in cls._backends
            or any(p in cls._prefix_to_backends for p in prefix_list)
        ):
            raise KeyError(
                f"{name} is already registered as a storage backend, "
                'add "force=True" if you want to override it'
            )
        cls._backends[name] = backend
        cls._prefix_to_backends.update(dict.fromkeys(prefix_list, backend))
        cls._instances.clear()

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            if name in _DELEGATED:
                return getattr(self.client, name)
            raise AttributeError(f"'FileClient' object has no attribute {name!r}")
