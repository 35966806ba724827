"""Storage backends: local disk, HTTP, fsspec protocols, and their registry."""

from engine.fileio.backends.base import BaseStorageBackend
from engine.fileio.backends.fsspec_backend import FsspecBackend
from engine.fileio.backends.http_backend import HTTPBackend
from engine.fileio.backends.local_backend import LocalBackend
from engine.fileio.backends.registry_utils import (
    backends,
    prefix_to_backends,
    register_backend,
)
from engine.fileio.backends.unavailable import (
    LmdbBackend,
    MemcachedBackend,
    PetrelBackend,
)

__all__ = [
    "BaseStorageBackend",
    "LocalBackend",
    "HTTPBackend",
    "FsspecBackend",
    "LmdbBackend",
    "MemcachedBackend",
    "PetrelBackend",
    "register_backend",
    "backends",
    "prefix_to_backends",
]
