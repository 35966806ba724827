"""Atomic writes to the local file system.

A file is written to a temporary sibling (same directory, hence same file
system), flushed to disk, then moved onto its final name with
:func:`os.replace`. Readers see either the old file or the complete new one;
a crash or an exception mid-write leaves the old file untouched and removes
the temporary file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

_TEMP_ATTEMPTS = 16


def _resolve_target(path: str | os.PathLike[str]) -> str:
    """The file to replace: a symlink is written through, as ``open`` would."""
    path = os.fspath(path)
    return os.path.realpath(path) if os.path.islink(path) else path


def _create_temp(target: str) -> tuple[int, str]:
    """Create an empty temporary file next to ``target``; return (fd, name).

    The temporary file gets the permissions of the file it replaces, or the
    ones ``open`` would give a new file (``0o666`` less the umask).
    """
    directory, base = os.path.split(target)
    try:
        keep_mode: int | None = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        keep_mode = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_TEMP_ATTEMPTS):
        name = os.path.join(directory, f".{base}.{os.urandom(6).hex()}.tmp")
        try:
            fd = os.open(name, flags, 0o666)
        except FileExistsError:
            continue
        if keep_mode is not None:
            os.chmod(name, keep_mode)
        return fd, name
    raise FileExistsError(f"could not create a temporary file next to {target!r}")


def _discard(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


@contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "wb", encoding: str | None = None
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing so that it is replaced only on success.

    Args:
        path: the file to (re)write. Its directory must exist.
        mode: a write mode, ``'w'`` or ``'wb'`` (``'t'``/``'+'`` allowed).
            Defaults to ``'wb'``.
        encoding: text encoding for text modes. Defaults to None (the
            locale's, as with ``open``).

    Yields:
        The open temporary file. When the ``with`` block ends normally it is
        flushed, synced and moved onto ``path``; when it raises, it is removed
        and ``path`` is left as it was.

    Raises:
        ValueError: if ``mode`` is not a write mode.

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'out.txt')
        >>> with atomic_open(path, 'w') as f:
        ...     _ = f.write('done')
        >>> open(path).read()
        'done'
    """
    if not mode.startswith("w") or set(mode) - set("wbt+"):
        raise ValueError(f"atomic_open needs a 'w' mode, got {mode!r} for {path!r}")
    target = _resolve_target(path)
    fd, temp = _create_temp(target)
    try:
        with os.fdopen(fd, mode, encoding=encoding) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
    except BaseException:
        _discard(temp)
        raise


def atomic_write_bytes(data: bytes, path: str | os.PathLike[str]) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_open`).

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'out.bin')
        >>> atomic_write_bytes(b'abc', path)
        >>> open(path, 'rb').read()
        b'abc'
    """
    with atomic_open(path, "wb") as file:
        file.write(data)


def atomic_write_text(
    text: str, path: str | os.PathLike[str], encoding: str = "utf-8"
) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_open`).

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'out.txt')
        >>> atomic_write_text('abc', path)
        >>> open(path).read()
        'abc'
    """
    with atomic_open(path, "w", encoding=encoding) as file:
        file.write(text)
