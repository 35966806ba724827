"""MMEngine's Petrel, Memcached and LMDB backends, which engine does not ship.

The classes exist so that configs and imports naming them keep working up to
the point of use; building one raises
:class:`~engine.fileio.errors.BackendNotAvailableError` (an ``ImportError``,
as MMEngine raises when their client library is missing).
"""

from __future__ import annotations

from typing import Any, NoReturn

from engine.fileio.backends.base import BaseStorageBackend
from engine.fileio.errors import BackendNotAvailableError

_ADVICE = {
    "PetrelBackend": "for s3:// URIs use the fsspec backend "
    "(pip install 'engine[fsspec]' s3fs)",
    "MemcachedBackend": "register your own backend with register_backend()",
    "LmdbBackend": "register your own backend with register_backend()",
}


class _UnavailableBackend(BaseStorageBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name = type(self).__name__
        raise BackendNotAvailableError(
            f"{name} is not available in engine; {_ADVICE.get(name, '')}".rstrip()
        )

    def get(self, filepath: Any) -> NoReturn:  # pragma: no cover - never built
        raise NotImplementedError

    def get_text(self, filepath: Any) -> NoReturn:  # pragma: no cover
        raise NotImplementedError


class PetrelBackend(_UnavailableBackend):
    """Placeholder for MMEngine's Petrel (``petrel://``) backend; not available.

    Examples:
        >>> PetrelBackend()
        Traceback (most recent call last):
        ...
        engine.fileio.errors.BackendNotAvailableError: PetrelBackend is not \
available in engine; for s3:// URIs use the fsspec backend (pip install \
'engine[fsspec]' s3fs)
    """

    def __init__(
        self,
        path_mapping: dict | None = None,
        enable_mc: bool = True,
        conf_path: str | None = None,
    ) -> None:
        super().__init__()


class MemcachedBackend(_UnavailableBackend):
    """Placeholder for MMEngine's Memcached backend; not available."""

    def __init__(
        self, server_list_cfg: Any, client_cfg: Any, sys_path: Any = None
    ) -> None:
        super().__init__()


class LmdbBackend(_UnavailableBackend):
    """Placeholder for MMEngine's LMDB backend; not available."""

    def __init__(
        self,
        db_path: Any,
        readonly: bool = True,
        lock: bool = False,
        readahead: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__()
