"""File operations on any storage, dispatched by the path's URI prefix.

Each function picks the backend with
:func:`~engine.fileio.get_file_backend` (``backend_args`` can name it and
pass it arguments) and calls the method of the same name. A backend that does
not support the operation raises
:class:`~engine.fileio.errors.UnsupportedOperationError`.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.fileio.dispatch import get_file_backend
from engine.fileio.errors import UnsupportedOperationError

PathLike = str | Path


def backend_method(backend: Any, operation: str, uri: Any) -> Any:
    """``backend.<operation>``, or an error naming the backend and ``uri``.

    Raises:
        UnsupportedOperationError: if the backend lacks the operation.
    """
    try:
        return getattr(backend, operation)
    except AttributeError as e:
        raise UnsupportedOperationError(
            f"{backend.name} does not support {operation}() (for {str(uri)!r})"
        ) from e


def _method(operation: str, uri: Any, backend_args: dict | None) -> Any:
    backend = get_file_backend(uri, backend_args=backend_args)
    return backend_method(backend, operation, uri)


def get(filepath: PathLike, backend_args: dict | None = None) -> bytes:
    """Read a file as bytes.

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'a.bin')
        >>> put(b'abc', path)
        >>> get(path)
        b'abc'
    """
    return _method("get", filepath, backend_args)(filepath)


def get_text(
    filepath: PathLike, encoding: str = "utf-8", backend_args: dict | None = None
) -> str:
    """Read a file as text, decoded with ``encoding`` (default ``'utf-8'``).

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'a.txt')
        >>> put_text('héllo', path)
        >>> get_text(path)
        'héllo'
    """
    return _method("get_text", filepath, backend_args)(filepath, encoding)


def put(obj: bytes, filepath: PathLike, backend_args: dict | None = None) -> None:
    """Write bytes to a file (atomically on local disk; parents are created).

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'new', 'a.bin')
        >>> put(b'abc', path)
        >>> exists(path)
        True
    """
    _method("put", filepath, backend_args)(obj, filepath)


def put_text(obj: str, filepath: PathLike, backend_args: dict | None = None) -> None:
    """Write text (UTF-8) to a file (atomically on local disk).

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'a.txt')
        >>> put_text('abc', path)
        >>> get_text(path)
        'abc'
    """
    _method("put_text", filepath, backend_args)(obj, filepath)


def exists(filepath: PathLike, backend_args: dict | None = None) -> bool:
    """Whether a file or directory exists.

    Examples:
        >>> exists('/no/such/file')
        False
    """
    return bool(_method("exists", filepath, backend_args)(filepath))


def isdir(filepath: PathLike, backend_args: dict | None = None) -> bool:
    """Whether ``filepath`` is a directory.

    Examples:
        >>> import tempfile
        >>> isdir(tempfile.gettempdir())
        True
    """
    return bool(_method("isdir", filepath, backend_args)(filepath))


def isfile(filepath: PathLike, backend_args: dict | None = None) -> bool:
    """Whether ``filepath`` is a file.

    Examples:
        >>> import tempfile
        >>> isfile(tempfile.gettempdir())
        False
    """
    return bool(_method("isfile", filepath, backend_args)(filepath))


def join_path(
    filepath: PathLike, *filepaths: PathLike, backend_args: dict | None = None
) -> str | Path:
    """Join path components the way the storage of ``filepath`` does.

    Examples:
        >>> join_path('a', 'b', 'c.json')
        'a/b/c.json'
        >>> join_path('memory://bucket/', 'c.json')
        'memory://bucket/c.json'
    """
    return _method("join_path", filepath, backend_args)(filepath, *filepaths)


@contextmanager
def get_local_path(
    filepath: PathLike, backend_args: dict | None = None
) -> Generator[str | Path, None, None]:
    """Context manager yielding a local path with the content of ``filepath``.

    Remote files are downloaded to a temporary file, deleted on exit; a local
    path is yielded as is.

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'a.txt')
        >>> put_text('abc', path)
        >>> with get_local_path(path) as local:
        ...     print(open(local).read())
        abc
    """
    with _method("get_local_path", filepath, backend_args)(filepath) as local:
        yield local


def copyfile(
    src: PathLike, dst: PathLike, backend_args: dict | None = None
) -> str | Path:
    """Copy a file within one storage; ``dst`` may be a directory.

    Returns:
        The path of the copy.

    Examples:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp()
        >>> put_text('abc', os.path.join(root, 'a.txt'))
        >>> copyfile(os.path.join(root, 'a.txt'), os.path.join(root, 'b.txt'))[-5:]
        'b.txt'
    """
    return _method("copyfile", src, backend_args)(src, dst)


def copytree(
    src: PathLike, dst: PathLike, backend_args: dict | None = None
) -> str | Path:
    """Copy a directory tree within one storage; ``dst`` must not exist.

    Examples:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp()
        >>> put_text('abc', os.path.join(root, 'src', 'a.txt'))
        >>> _ = copytree(os.path.join(root, 'src'), os.path.join(root, 'dst'))
        >>> list(list_dir_or_file(os.path.join(root, 'dst')))
        ['a.txt']
    """
    return _method("copytree", src, backend_args)(src, dst)


def copyfile_from_local(
    src: PathLike, dst: PathLike, backend_args: dict | None = None
) -> str | Path:
    """Upload the local file ``src`` to ``dst`` (its storage is ``dst``'s).

    Examples:
        >>> import os, tempfile
        >>> src = os.path.join(tempfile.mkdtemp(), 'a.txt')
        >>> put_text('abc', src)
        >>> copyfile_from_local(src, 'memory://doc/ops/a.txt')
        'memory://doc/ops/a.txt'
    """
    return _method("copyfile_from_local", dst, backend_args)(src, dst)


def copytree_from_local(
    src: PathLike, dst: PathLike, backend_args: dict | None = None
) -> str | Path:
    """Upload the local directory ``src`` to ``dst`` (which must not exist).

    Examples:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp()
        >>> put_text('abc', os.path.join(root, 'a.txt'))
        >>> copytree_from_local(root, 'memory://doc/ops/tree')
        'memory://doc/ops/tree'
    """
    return _method("copytree_from_local", dst, backend_args)(src, dst)


def copyfile_to_local(
    src: PathLike, dst: PathLike, backend_args: dict | None = None
) -> str | Path:
    """Download ``src`` to the local ``dst`` (a file or a directory).

    Examples:
        >>> import os, tempfile
        >>> put_text('abc', 'memory://doc/ops/b.txt')
        >>> dst = copyfile_to_local('memory://doc/ops/b.txt', tempfile.mkdtemp())
        >>> get_text(dst)
        'abc'
    """
    return _method("copyfile_to_local", src, backend_args)(src, dst)


def copytree_to_local(
    src: PathLike, dst: PathLike, backend_args: dict | None = None
) -> str | Path:
    """Download the directory ``src`` to the local ``dst`` (must not exist).

    Examples:
        >>> import os, tempfile
        >>> put_text('abc', 'memory://doc/ops/t2/a.txt')
        >>> dst = os.path.join(tempfile.mkdtemp(), 'copy')
        >>> _ = copytree_to_local('memory://doc/ops/t2', dst)
        >>> list(list_dir_or_file(dst))
        ['a.txt']
    """
    return _method("copytree_to_local", src, backend_args)(src, dst)


def remove(filepath: PathLike, backend_args: dict | None = None) -> None:
    """Delete a file.

    Raises:
        FileNotFoundError: if it does not exist.
        IsADirectoryError: if it is a directory.

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'a.txt')
        >>> put_text('abc', path)
        >>> remove(path); exists(path)
        False
    """
    _method("remove", filepath, backend_args)(filepath)


def rmtree(dir_path: PathLike, backend_args: dict | None = None) -> None:
    """Delete a directory tree.

    Examples:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp()
        >>> rmtree(root); exists(root)
        False
    """
    _method("rmtree", dir_path, backend_args)(dir_path)


def copy_if_symlink_fails(
    src: PathLike, dst: PathLike, backend_args: dict | None = None
) -> bool:
    """Symlink ``dst`` to ``src`` where possible, else copy.

    Returns:
        True if a symlink was created, False if ``src`` was copied.

    Examples:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp()
        >>> put_text('abc', os.path.join(root, 'a.txt'))
        >>> linked = copy_if_symlink_fails(
        ...     os.path.join(root, 'a.txt'), os.path.join(root, 'b.txt'))
        >>> get_text(os.path.join(root, 'b.txt'))
        'abc'
    """
    return bool(_method("copy_if_symlink_fails", src, backend_args)(src, dst))


def list_dir_or_file(
    dir_path: PathLike,
    list_dir: bool = True,
    list_file: bool = True,
    suffix: str | tuple[str, ...] | None = None,
    recursive: bool = False,
    backend_args: dict | None = None,
) -> Iterator[str]:
    """Iterate over the entries of a directory, as paths relative to it.

    Args:
        dir_path: the directory.
        list_dir: include directories. Defaults to True.
        list_file: include files. Defaults to True.
        suffix: keep only files ending with it (str or tuple of str); only
            with ``list_dir=False``. Defaults to None.
        recursive: descend into subdirectories. Defaults to False.
        backend_args: backend selection and arguments. Defaults to None.

    Examples:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp()
        >>> put_text('x', os.path.join(root, 'sub', 'a.txt'))
        >>> sorted(list_dir_or_file(root, recursive=True))
        ['sub', 'sub/a.txt']
    """
    method = _method("list_dir_or_file", dir_path, backend_args)
    return method(dir_path, list_dir, list_file, suffix, recursive)


def generate_presigned_url(
    url: str,
    client_method: str = "get_object",
    expires_in: int = 3600,
    backend_args: dict | None = None,
) -> str:
    """A pre-signed URL to ``url``, for storages that can sign (e.g. S3).

    Raises:
        UnsupportedOperationError: for storages that cannot (local disk).

    Examples:
        >>> generate_presigned_url('/tmp/a.txt')
        Traceback (most recent call last):
        ...
        engine.fileio.errors.UnsupportedOperationError: LocalBackend does not \
support generate_presigned_url() (for '/tmp/a.txt')
    """
    method = _method("generate_presigned_url", url, backend_args)
    return str(method(url, client_method, expires_in))
