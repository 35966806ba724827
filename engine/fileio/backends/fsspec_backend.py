"""Any protocol fsspec knows (``memory://``, ``s3://``, ``gs://``, ...).

:func:`~engine.fileio.get_file_backend` falls back to this backend for URIs
whose prefix no other backend is registered for. ``fsspec`` is an optional
dependency (the ``fsspec`` extra), imported when the backend is built.
"""

from __future__ import annotations

import errno
import os
import posixpath
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.fileio.backends.base import BaseStorageBackend, check_list_args
from engine.fileio.errors import UnsupportedOperationError

FSSPEC_HINT = "install the 'fsspec' extra: pip install 'engine[fsspec]'"


def import_fsspec() -> Any:
    """Import fsspec, or raise an ImportError that names the extra."""
    try:
        import fsspec
    except ImportError as e:
        raise ImportError(f"fsspec is required for this URI; {FSSPEC_HINT}") from e
    return fsspec


class FsspecBackend(BaseStorageBackend):
    """Storage reached through an fsspec file system, chosen by URI protocol.

    Every method takes full URIs (``memory://bucket/a.json``); the file
    system is looked up per URI, so one backend serves all protocols.

    Args:
        **storage_options: passed to the fsspec file system (credentials,
            endpoint, ...).

    Examples:
        >>> backend = FsspecBackend()
        >>> backend.put_text('hi', 'memory://doc/fsspec/a.txt')
        >>> backend.get('memory://doc/fsspec/a.txt')
        b'hi'
    """

    def __init__(self, **storage_options: Any) -> None:
        self._fsspec = import_fsspec()
        self._options = storage_options

    def _fs(self, uri: Any) -> tuple[Any, str]:
        return self._fsspec.core.url_to_fs(str(uri), **self._options)

    def get(self, filepath: Any) -> bytes:
        """Read ``filepath`` as bytes."""
        fs, path = self._fs(filepath)
        try:
            return bytes(fs.cat_file(path))
        except FileNotFoundError as e:
            raise FileNotFoundError(
                errno.ENOENT, "No such file or directory", str(filepath)
            ) from e

    def get_text(self, filepath: Any, encoding: str = "utf-8") -> str:
        """Read ``filepath`` as text."""
        return self.get(filepath).decode(encoding)

    def put(self, obj: bytes, filepath: Any) -> None:
        """Write bytes to ``filepath``, creating parent directories."""
        if not isinstance(obj, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"a bytes-like object is required, not {type(obj).__name__}"
            )
        fs, path = self._fs(filepath)
        parent = posixpath.dirname(path)
        if parent and parent != path:
            fs.makedirs(parent, exist_ok=True)
        fs.pipe_file(path, bytes(obj))

    def put_text(self, obj: str, filepath: Any, encoding: str = "utf-8") -> None:
        """Write text to ``filepath``."""
        if not isinstance(obj, str):
            raise TypeError(f"write() argument must be str, not {type(obj).__name__}")
        self.put(obj.encode(encoding), filepath)

    def exists(self, filepath: Any) -> bool:
        """Whether ``filepath`` exists."""
        fs, path = self._fs(filepath)
        return bool(fs.exists(path))

    def isdir(self, filepath: Any) -> bool:
        """Whether ``filepath`` is a directory."""
        fs, path = self._fs(filepath)
        return bool(fs.isdir(path))

    def isfile(self, filepath: Any) -> bool:
        """Whether ``filepath`` is a file."""
        fs, path = self._fs(filepath)
        return bool(fs.isfile(path))

    def join_path(self, filepath: Any, *filepaths: Any) -> str:
        """Join with ``/``: ``join_path('memory://a/', 'b')`` -> ``'memory://a/b'``."""
        parts = [str(filepath).rstrip("/")] + [str(p).strip("/") for p in filepaths]
        return "/".join(parts)

    @contextmanager
    def get_local_path(self, filepath: Any) -> Generator[str | Path, None, None]:
        """Yield a local path of ``filepath`` (downloaded to a temporary dir)."""
        fs, path = self._fs(filepath)
        if "file" in _protocols(fs):
            yield path
            return
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            local = os.path.join(tmp, posixpath.basename(path.rstrip("/")))
            fs.get_file(path, local)
            yield local

    def copyfile(self, src: Any, dst: Any) -> Any:
        """Copy a file within the storage; ``dst`` may be a directory."""
        fs, src_path = self._fs(src)
        dst = self._into_dir(dst, src_path)
        fs.copy(src_path, self._fs(dst)[1])
        return dst

    def copytree(self, src: Any, dst: Any) -> Any:
        """Copy a directory tree to ``dst``, which must not exist."""
        fs, src_path = self._fs(src)
        self._refuse_existing(dst)
        fs.copy(src_path.rstrip("/") + "/", self._fs(dst)[1], recursive=True)
        return dst

    def copyfile_from_local(self, src: str | Path, dst: Any) -> Any:
        """Upload the local file ``src`` to ``dst`` (a file or directory)."""
        dst = self._into_dir(dst, os.fspath(src))
        fs, path = self._fs(dst)
        fs.put_file(os.fspath(src), path)
        return dst

    def copytree_from_local(self, src: str | Path, dst: Any) -> Any:
        """Upload the local directory ``src`` to ``dst``, which must not exist."""
        self._refuse_existing(dst)
        fs, path = self._fs(dst)
        fs.put(os.fspath(src).rstrip(os.sep) + os.sep, path, recursive=True)
        return dst

    def copyfile_to_local(self, src: Any, dst: str | Path) -> str | Path:
        """Download ``src`` to the local ``dst`` (a file or directory)."""
        fs, path = self._fs(src)
        if os.path.isdir(dst):
            dst = os.path.join(dst, posixpath.basename(path))
        fs.get_file(path, os.fspath(dst))
        return dst

    def copytree_to_local(self, src: Any, dst: str | Path) -> str | Path:
        """Download the directory ``src`` to the local ``dst`` (must not exist)."""
        if os.path.exists(dst):
            raise FileExistsError(f"destination {os.fspath(dst)!r} already exists")
        fs, path = self._fs(src)
        fs.get(path.rstrip("/") + "/", os.fspath(dst), recursive=True)
        return dst

    def remove(self, filepath: Any) -> None:
        """Delete a file (not a directory)."""
        fs, path = self._fs(filepath)
        if not fs.exists(path):
            raise FileNotFoundError(f"filepath {filepath} does not exist")
        if fs.isdir(path):
            raise IsADirectoryError(f"filepath {filepath} should be a file")
        fs.rm_file(path)

    def rmtree(self, dir_path: Any) -> None:
        """Delete a directory tree."""
        fs, path = self._fs(dir_path)
        if not fs.isdir(path):
            kind = NotADirectoryError if fs.exists(path) else FileNotFoundError
            raise kind(f"{dir_path} is not an existing directory")
        fs.rm(path, recursive=True)

    def list_dir_or_file(
        self,
        dir_path: Any,
        list_dir: bool = True,
        list_file: bool = True,
        suffix: str | tuple[str, ...] | None = None,
        recursive: bool = False,
    ) -> Iterator[str]:
        """Yield entries of ``dir_path`` relative to it, sorted (see LocalBackend)."""
        check_list_args(list_dir, suffix)
        fs, path = self._fs(dir_path)
        if not fs.isdir(path):
            raise FileNotFoundError(f"directory {dir_path} does not exist")
        return _entries(fs, path, list_dir, list_file, suffix, recursive)

    def generate_presigned_url(
        self, url: str, client_method: str = "get_object", expires_in: int = 3600
    ) -> str:
        """A signed URL to ``url``, where the file system can sign (s3, gcs)."""
        fs, path = self._fs(url)
        try:
            return str(fs.sign(path, expiration=expires_in))
        except NotImplementedError as e:
            raise UnsupportedOperationError(
                f"{type(fs).__name__} cannot sign URLs (for {url!r})"
            ) from e

    def _into_dir(self, dst: Any, src_path: str) -> Any:
        if self.isdir(dst):
            return self.join_path(
                dst, posixpath.basename(src_path.replace(os.sep, "/"))
            )
        return dst

    def _refuse_existing(self, dst: Any) -> None:
        if self.exists(dst):
            raise FileExistsError(f"destination {str(dst)!r} already exists")


def _protocols(fs: Any) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def _entries(
    fs: Any,
    root: str,
    list_dir: bool,
    list_file: bool,
    suffix: str | tuple[str, ...] | None,
    recursive: bool,
) -> Iterator[str]:
    root = root.rstrip("/")
    infos = fs.find(root, maxdepth=None if recursive else 1, withdirs=True, detail=True)
    for name in sorted(infos):
        rel = name.rstrip("/")[len(root) + 1 :]
        if not rel:
            continue
        if infos[name]["type"] == "directory":
            if list_dir:
                yield rel
        elif list_file and (suffix is None or rel.endswith(suffix)):
            yield rel
