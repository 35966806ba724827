"""``load``/``dump`` of json, yaml and pickle files on any storage.

This module is also where MMEngine keeps the storage functions (``get``,
``put``, ``exists``, ...); they live in :mod:`engine.fileio.ops` and are
re-exported here under the same path.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

from engine.fileio.dispatch import get_file_backend, resolve_backend
from engine.fileio.errors import with_filename
from engine.fileio.handlers.base import BaseFileHandler
from engine.fileio.handlers.registry_utils import get_handler
from engine.fileio.ops import (
    backend_method,
    copy_if_symlink_fails,
    copyfile,
    copyfile_from_local,
    copyfile_to_local,
    copytree,
    copytree_from_local,
    copytree_to_local,
    exists,
    generate_presigned_url,
    get,
    get_local_path,
    get_text,
    isdir,
    isfile,
    join_path,
    list_dir_or_file,
    put,
    put_text,
    remove,
    rmtree,
)

__all__ = [
    "copy_if_symlink_fails",
    "copyfile",
    "copyfile_from_local",
    "copyfile_to_local",
    "copytree",
    "copytree_from_local",
    "copytree_to_local",
    "dump",
    "exists",
    "generate_presigned_url",
    "get",
    "get_file_backend",
    "get_local_path",
    "get_text",
    "isdir",
    "isfile",
    "join_path",
    "list_dir_or_file",
    "load",
    "put",
    "put_text",
    "remove",
    "rmtree",
]


def _format_of(file: Any, file_format: str | None) -> str | None:
    if file_format is None and isinstance(file, str):
        return file.split(".")[-1]
    return file_format


def _named_stream(content: str | bytes, name: str) -> IO[Any]:
    """An in-memory stream whose ``name`` (shown in YAML errors) is the path."""
    stream: IO[Any] = (
        io.StringIO(content) if isinstance(content, str) else io.BytesIO(content)
    )
    stream.name = name  # type: ignore[misc]
    return stream


def _load_path(
    handler: BaseFileHandler, filepath: str, backend: Any, **kwargs: Any
) -> Any:
    read = backend_method(backend, "get_text" if handler.str_like else "get", filepath)
    content = read(filepath)
    try:
        return handler.load_from_fileobj(_named_stream(content, filepath), **kwargs)
    except Exception as e:
        error = with_filename(e, filepath)
        if error is e:
            raise
        raise error from e


def load(
    file: str | Path | IO[Any],
    file_format: str | None = None,
    file_client_args: dict | None = None,
    backend_args: dict | None = None,
    **kwargs: Any,
) -> Any:
    """Load data from a json, yaml or pickle file (or a registered format).

    The format is ``file_format`` or, for a path, its extension (``.json``,
    ``.yaml``/``.yml``, ``.pkl``/``.pickle``). Paths and URIs are read through
    the storage backend their prefix selects (local disk, ``http(s)://``,
    fsspec protocols, registered prefixes).

    Args:
        file: a path, a URI or an open file object.
        file_format: the format; required for file objects. Defaults to None.
        file_client_args: legacy backend arguments (see
            :class:`~engine.fileio.FileClient`); exclusive with
            ``backend_args``. Defaults to None.
        backend_args: backend selection and arguments (see
            :func:`get_file_backend`). Defaults to None.
        **kwargs: passed to the handler's ``load_from_fileobj``.

    Returns:
        The loaded object.

    Raises:
        UnsupportedFormatError: (a ``TypeError``) for an unknown format.
        FileNotFoundError: if the file does not exist.
        TypeError: if ``file`` is neither a path nor a file object.

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'a.json')
        >>> dump({'a': [1, 2]}, path)
        >>> load(path)
        {'a': [1, 2]}
        >>> import io
        >>> load(io.StringIO('b: 1'), file_format='yaml')
        {'b': 1}
    """
    if isinstance(file, Path):
        file = str(file)
    handler = get_handler(
        _format_of(file, file_format), file if isinstance(file, str) else None
    )
    if isinstance(file, str):
        backend = resolve_backend(file, file_client_args, backend_args)
        return _load_path(handler, file, backend, **kwargs)
    if hasattr(file, "read"):
        return handler.load_from_fileobj(file, **kwargs)
    raise TypeError(f'"file" must be a filepath str or a file-object, got {file!r}')


def dump(
    obj: Any,
    file: str | Path | IO[Any] | None = None,
    file_format: str | None = None,
    file_client_args: dict | None = None,
    backend_args: dict | None = None,
    **kwargs: Any,
) -> Any:
    """Dump data to a json, yaml or pickle file, or to a string.

    With ``file=None`` the serialized data is returned (``str``; ``bytes``
    for pickle). A path is written through its storage backend; on local
    disk the file is replaced atomically, so a failure never leaves a partial
    file under its name.

    Args:
        obj: the object to dump.
        file: a path, a URI, an open file object, or None. Defaults to None.
        file_format: the format; required unless ``file`` is a path with an
            extension. Defaults to None.
        file_client_args: legacy backend arguments; exclusive with
            ``backend_args``. Defaults to None.
        backend_args: backend selection and arguments. Defaults to None.
        **kwargs: passed to the handler (e.g. ``indent=2`` for json).

    Returns:
        The serialized data if ``file`` is None, else None.

    Raises:
        UnsupportedFormatError: (a ``TypeError``) for an unknown format.
        ValueError: if ``file`` is None and ``file_format`` is not given.

    Examples:
        >>> dump({'a': 1}, file_format='json')
        '{"a": 1}'
        >>> dump([1, 2], file_format='yaml')
        '- 1\\n- 2\\n'
    """
    if isinstance(file, Path):
        file = str(file)
    file_format = _format_of(file, file_format)
    if file is None and file_format is None:
        raise ValueError("file_format must be specified since file is None")
    handler = get_handler(file_format, file if isinstance(file, str) else None)
    if file is None:
        return handler.dump_to_str(obj, **kwargs)
    if isinstance(file, str):
        backend = resolve_backend(file, file_client_args, backend_args)
        _dump_path(handler, obj, file, backend, **kwargs)
    elif hasattr(file, "write"):
        handler.dump_to_fileobj(obj, file, **kwargs)
    else:
        raise TypeError(f'"file" must be a filepath str or a file-object, got {file!r}')
    return None


def _dump_path(
    handler: BaseFileHandler, obj: Any, filepath: str, backend: Any, **kwargs: Any
) -> None:
    buffer: io.StringIO | io.BytesIO = (
        io.StringIO() if handler.str_like else io.BytesIO()
    )
    handler.dump_to_fileobj(obj, buffer, **kwargs)
    write = backend_method(backend, "put_text" if handler.str_like else "put", filepath)
    write(buffer.getvalue(), filepath)
