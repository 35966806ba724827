"""Helpers on local file paths.

Examples:
    >>> is_abs('/data/a.txt'), is_abs('s3://bucket/a'), is_abs('a.txt')
    (True, True, False)
"""

from __future__ import annotations

import os
import os.path as osp
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "check_file_exist",
    "fopen",
    "is_abs",
    "is_filepath",
    "mkdir_or_exist",
    "scandir",
    "symlink",
]


def is_filepath(x: Any) -> bool:
    """Whether ``x`` is a str or a :class:`pathlib.Path`.

    Examples:
        >>> is_filepath('a'), is_filepath(Path('a')), is_filepath(1)
        (True, True, False)
    """
    return isinstance(x, (str, Path))


def fopen(filepath: str | Path, *args: Any, **kwargs: Any) -> IO[Any]:
    """Open a file given as a str or :class:`pathlib.Path`.

    Args:
        filepath: Path of the file.
        *args: Passed to :func:`open`.
        **kwargs: Passed to :func:`open`.

    Returns:
        The open file object.

    Raises:
        ValueError: if ``filepath`` is neither a str nor a Path.

    Examples:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile('w', suffix='.txt') as tmp:
        ...     with fopen(tmp.name) as f:
        ...         f.read()
        ''
    """
    if isinstance(filepath, (str, Path)):
        return open(filepath, *args, **kwargs)
    raise ValueError(f"`filepath` should be a string or a Path, got {filepath!r}")


def check_file_exist(
    filename: str | Path, msg_tmpl: str = 'file "{}" does not exist'
) -> None:
    """Raise :class:`FileNotFoundError` unless ``filename`` is a regular file.

    Args:
        filename: Path of the file.
        msg_tmpl: Error message, formatted with ``filename``.
            Defaults to ``'file "{}" does not exist'``.

    Raises:
        FileNotFoundError: if ``filename`` is not an existing file.

    Examples:
        >>> check_file_exist('/surely/not/here.txt')
        Traceback (most recent call last):
        ...
        FileNotFoundError: file "/surely/not/here.txt" does not exist
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(msg_tmpl.format(filename))


def mkdir_or_exist(dir_name: str | Path, mode: int = 0o777) -> None:
    """Create a directory and its parents; do nothing if it exists.

    Args:
        dir_name: The directory; ``''`` does nothing.
        mode: Permission bits of the directories created. Defaults to 0o777.

    Examples:
        >>> import tempfile, os.path as osp
        >>> root = tempfile.mkdtemp()
        >>> mkdir_or_exist(osp.join(root, 'a', 'b'))
        >>> osp.isdir(osp.join(root, 'a', 'b'))
        True
    """
    if dir_name == "":
        return
    dir_name = osp.expanduser(dir_name)
    os.makedirs(dir_name, mode=mode, exist_ok=True)


def symlink(src: str, dst: str, overwrite: bool = True, **kwargs: Any) -> None:
    """Create a symbolic link ``dst`` pointing to ``src``.

    Args:
        src: Target of the link.
        dst: Path of the link.
        overwrite: Replace an existing link (or file) at ``dst``.
            Defaults to True.
        **kwargs: Passed to :func:`os.symlink`.

    Raises:
        FileExistsError: if ``dst`` exists and ``overwrite`` is False.

    Examples:
        >>> import tempfile, os, os.path as osp
        >>> root = tempfile.mkdtemp()
        >>> symlink('target.txt', osp.join(root, 'link'))
        >>> os.readlink(osp.join(root, 'link'))
        'target.txt'
    """
    if os.path.lexists(dst) and overwrite:
        os.remove(dst)
    os.symlink(src, dst, **kwargs)


def _normalize_suffix(
    suffix: Any, case_sensitive: bool
) -> str | tuple[str, ...] | None:
    if suffix is None:
        return None
    if isinstance(suffix, str):
        return suffix if case_sensitive else suffix.lower()
    if isinstance(suffix, tuple) and all(isinstance(s, str) for s in suffix):
        return suffix if case_sensitive else tuple(s.lower() for s in suffix)
    raise TypeError(f'"suffix" must be a string or tuple of strings, got {suffix!r}')


def scandir(
    dir_path: str | Path,
    suffix: str | tuple[str, ...] | None = None,
    recursive: bool = False,
    case_sensitive: bool = True,
) -> Iterator[str]:
    """Yield the files of a directory, as paths relative to it.

    Files whose name starts with ``.`` are skipped; directories (hidden ones
    included) are entered when ``recursive``. The order is that of
    :func:`os.scandir`.

    Args:
        dir_path: The directory.
        suffix: Keep only files ending with this suffix (or one of these).
            Defaults to None (every file).
        recursive: Also walk sub-directories. Defaults to False.
        case_sensitive: Compare suffixes case-sensitively. Defaults to True.

    Yields:
        The path of each file, relative to ``dir_path``.

    Raises:
        TypeError: if ``dir_path`` or ``suffix`` has a wrong type.

    Examples:
        >>> import tempfile, os.path as osp
        >>> root = tempfile.mkdtemp()
        >>> for name in ('a.py', 'b.txt'):
        ...     open(osp.join(root, name), 'w').close()
        >>> sorted(scandir(root, '.py'))
        ['a.py']
    """
    if isinstance(dir_path, Path):
        dir_path = str(dir_path)
    if not isinstance(dir_path, str):
        raise TypeError(f'"dir_path" must be a string or Path object, got {dir_path!r}')
    wanted = _normalize_suffix(suffix, case_sensitive)
    yield from _scan(dir_path, dir_path, wanted, recursive, case_sensitive)


def _scan(
    root: str,
    current: str,
    suffix: str | tuple[str, ...] | None,
    recursive: bool,
    case_sensitive: bool,
) -> Iterator[str]:
    with os.scandir(current) as entries:
        for entry in entries:
            if entry.is_dir():
                if recursive:
                    yield from _scan(
                        root, entry.path, suffix, recursive, case_sensitive
                    )
                continue
            if entry.name.startswith(".") or not entry.is_file():
                continue
            rel_path = osp.relpath(entry.path, root)
            name = rel_path if case_sensitive else rel_path.lower()
            if suffix is None or name.endswith(suffix):
                yield rel_path


def is_abs(path: str | Path) -> bool:
    """Whether ``path`` is absolute; a URI such as ``s3://...`` counts as one.

    Examples:
        >>> is_abs('/a'), is_abs('a'), is_abs('http://host/a')
        (True, False, True)
    """
    if osp.isabs(path):
        return True
    return "://" in str(path)
