"""Read-only access to ``http://`` and ``https://`` URLs (stdlib urllib)."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from engine.fileio.atomic import atomic_write_bytes
from engine.fileio.backends.base import BaseStorageBackend
from engine.fileio.errors import UnsupportedOperationError


def _fetch(url: str) -> bytes:
    """GET ``url``; errors name the URL (types kept: ``HTTPError``, ``URLError``)."""
    from urllib.error import HTTPError, URLError
    from urllib.request import urlopen

    try:
        with urlopen(url) as response:
            return response.read()
    except HTTPError as e:
        raise HTTPError(url, e.code, f"{e.reason} ({url})", e.headers, None) from e
    except URLError as e:
        raise URLError(f"{e.reason} ({url})") from e


def _basename(url: str) -> str:
    return posixpath.basename(urlparse(url).path)


class HTTPBackend(BaseStorageBackend):
    """Files behind ``http://`` / ``https://`` URLs; read-only.

    Reading works with :meth:`get`, :meth:`get_text`, :meth:`get_local_path`
    (downloads to a temporary file) and :meth:`copyfile_to_local`. Writing
    operations raise :class:`~engine.fileio.errors.UnsupportedOperationError`
    (a ``NotImplementedError``). A missing file raises
    :class:`urllib.error.HTTPError` with the URL in its message.

    Examples:
        >>> backend = HTTPBackend()
        >>> backend.name
        'HTTPBackend'
        >>> backend.put(b'x', 'http://example.com/a')
        Traceback (most recent call last):
        ...
        engine.fileio.errors.UnsupportedOperationError: HTTPBackend is \
read-only: cannot put() 'http://example.com/a'
    """

    def get(self, filepath: str) -> bytes:
        """Download ``filepath`` and return its bytes."""
        return _fetch(filepath)

    def get_text(self, filepath: str, encoding: str = "utf-8") -> str:
        """Download ``filepath`` and decode it with ``encoding``."""
        return _fetch(filepath).decode(encoding)

    @contextmanager
    def get_local_path(self, filepath: str) -> Generator[str | Path, None, None]:
        """Download ``filepath`` to a temporary file, yield its path, delete it.

        The temporary file keeps the URL's file extension.
        """
        import tempfile

        suffix = os.path.splitext(_basename(filepath))[1]
        data = _fetch(filepath)
        with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as f:
            f.write(data)
        try:
            yield f.name
        finally:
            os.remove(f.name)

    def copyfile_to_local(self, src: str, dst: str | Path) -> str | Path:
        """Download ``src`` to the local ``dst`` (a file or a directory).

        Returns:
            The path of the downloaded file.
        """
        if os.path.isdir(dst):
            dst = os.path.join(dst, _basename(src))
        atomic_write_bytes(_fetch(src), dst)
        return dst

    def _read_only(self, operation: str, filepath: Any) -> UnsupportedOperationError:
        return UnsupportedOperationError(
            f"HTTPBackend is read-only: cannot {operation}() {str(filepath)!r}"
        )

    def put(self, obj: bytes, filepath: str) -> None:
        """Not supported: raises :class:`UnsupportedOperationError`."""
        raise self._read_only("put", filepath)

    def put_text(self, obj: str, filepath: str, encoding: str = "utf-8") -> None:
        """Not supported: raises :class:`UnsupportedOperationError`."""
        raise self._read_only("put_text", filepath)

    def remove(self, filepath: str) -> None:
        """Not supported: raises :class:`UnsupportedOperationError`."""
        raise self._read_only("remove", filepath)

    def rmtree(self, dir_path: str) -> None:
        """Not supported: raises :class:`UnsupportedOperationError`."""
        raise self._read_only("rmtree", dir_path)
