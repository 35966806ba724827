"""Read a text file as a list of lines or a dict of columns."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from engine.fileio.dispatch import resolve_backend
from engine.fileio.errors import MalformedLineError
from engine.fileio.ops import backend_method


def _lines(
    filename: str | Path,
    encoding: str,
    file_client_args: dict | None,
    backend_args: dict | None,
) -> Iterator[str]:
    """The lines of the file, without their line endings."""
    backend = resolve_backend(filename, file_client_args, backend_args)
    text = backend_method(backend, "get_text", filename)(filename, encoding)
    for line in io.StringIO(text):
        yield line.rstrip("\n\r")


def list_from_file(
    filename: str | Path,
    prefix: str = "",
    offset: int = 0,
    max_num: int = 0,
    encoding: str = "utf-8",
    file_client_args: dict | None = None,
    backend_args: dict | None = None,
) -> list[str]:
    """Load the lines of a text file as a list of strings.

    Line endings are stripped; other whitespace and empty lines are kept.

    Args:
        filename: a path or URI.
        prefix: prepended to every item. Defaults to ``''``.
        offset: number of lines to skip first. Defaults to 0.
        max_num: maximum number of lines to return; 0 or less means no
            limit. Defaults to 0.
        encoding: text encoding. Defaults to ``'utf-8'``.
        file_client_args: legacy backend arguments; exclusive with
            ``backend_args``. Defaults to None.
        backend_args: backend selection and arguments. Defaults to None.

    Returns:
        The lines.

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'a.txt')
        >>> _ = open(path, 'w').write('a\\nb\\nc\\nd\\ne\\n')
        >>> list_from_file(path, offset=2)
        ['c', 'd', 'e']
        >>> list_from_file(path, max_num=2, prefix='/mnt/')
        ['/mnt/a', '/mnt/b']
    """
    items: list[str] = []
    for index, line in enumerate(
        _lines(filename, encoding, file_client_args, backend_args)
    ):
        if index < offset:
            continue
        if 0 < max_num <= len(items):
            break
        items.append(prefix + line)
    return items


def _parse_line(
    line: str, key_type: Callable[[str], Any], filename: Any, number: int
) -> tuple[Any, str | list[str]]:
    items = line.split()
    if len(items) < 2:
        raise MalformedLineError(
            f"{filename}, line {number}: expected '<key> <value> [<value> ...]', "
            f"got {line!r}"
        )
    try:
        key = key_type(items[0])
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"{filename}, line {number}: cannot convert key {items[0]!r} with "
            f"{getattr(key_type, '__name__', key_type)}: {e}"
        ) from e
    return key, items[1] if len(items) == 2 else items[1:]


def dict_from_file(
    filename: str | Path,
    key_type: Callable[[str], Any] = str,
    encoding: str = "utf-8",
    file_client_args: dict | None = None,
    backend_args: dict | None = None,
) -> dict:
    """Load a text file of whitespace-separated columns as a dict.

    The first column of each line is the key. A single further column is
    the value (a str); several become a list of str. A later line with the
    same key wins.

    Args:
        filename: a path or URI.
        key_type: applied to each key. Defaults to ``str``.
        encoding: text encoding. Defaults to ``'utf-8'``.
        file_client_args: legacy backend arguments; exclusive with
            ``backend_args``. Defaults to None.
        backend_args: backend selection and arguments. Defaults to None.

    Returns:
        The dict, in file order.

    Raises:
        MalformedLineError: (a ``ValueError`` and ``AssertionError``) for a
            line with fewer than two columns, empty lines included.
        ValueError: if ``key_type`` rejects a key.

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), 'b.txt')
        >>> _ = open(path, 'w').write('1 cat\\n2 dog cow\\n3 panda\\n')
        >>> dict_from_file(path, key_type=int)
        {1: 'cat', 2: ['dog', 'cow'], 3: 'panda'}
    """
    mapping: dict = {}
    lines = _lines(filename, encoding, file_client_args, backend_args)
    for number, line in enumerate(lines, start=1):
        key, value = _parse_line(line, key_type, filename, number)
        mapping[key] = value
    return mapping
