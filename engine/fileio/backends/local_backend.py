"""The local file system."""

from __future__ import annotations

import os
import shutil
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.fileio.atomic import atomic_write_bytes, atomic_write_text
from engine.fileio.backends.base import BaseStorageBackend, check_list_args

PathLike = str | Path


def _makedirs_for(filepath: PathLike) -> None:
    parent = os.path.dirname(os.fspath(filepath))
    if parent:
        os.makedirs(parent, exist_ok=True)


class LocalBackend(BaseStorageBackend):
    """Files on local disk.

    Writes (:meth:`put`, :meth:`put_text`) create missing parent directories
    and are atomic: the data goes to a temporary file in the same directory,
    which then replaces the target in one step.

    Examples:
        >>> import os, tempfile
        >>> backend = LocalBackend()
        >>> path = os.path.join(tempfile.mkdtemp(), 'sub', 'a.txt')
        >>> backend.put_text('hello', path)
        >>> backend.get(path), backend.isfile(path)
        (b'hello', True)
    """

    _allow_symlink = True

    def get(self, filepath: PathLike) -> bytes:
        """Read ``filepath`` as bytes."""
        with open(filepath, "rb") as f:
            return f.read()

    def get_text(self, filepath: PathLike, encoding: str = "utf-8") -> str:
        """Read ``filepath`` as text. ``encoding`` defaults to ``'utf-8'``."""
        with open(filepath, encoding=encoding) as f:
            return f.read()

    def put(self, obj: bytes, filepath: PathLike) -> None:
        """Write bytes atomically, creating parent directories."""
        _makedirs_for(filepath)
        atomic_write_bytes(obj, filepath)

    def put_text(self, obj: str, filepath: PathLike, encoding: str = "utf-8") -> None:
        """Write text atomically, creating parent directories."""
        _makedirs_for(filepath)
        atomic_write_text(obj, filepath, encoding=encoding)

    def exists(self, filepath: PathLike) -> bool:
        """Whether ``filepath`` exists."""
        return os.path.exists(filepath)

    def isdir(self, filepath: PathLike) -> bool:
        """Whether ``filepath`` is a directory."""
        return os.path.isdir(filepath)

    def isfile(self, filepath: PathLike) -> bool:
        """Whether ``filepath`` is a file."""
        return os.path.isfile(filepath)

    def join_path(self, filepath: PathLike, *filepaths: PathLike) -> str:
        """Join path components with :func:`os.path.join`."""
        return os.path.join(os.fspath(filepath), *[os.fspath(p) for p in filepaths])

    @contextmanager
    def get_local_path(self, filepath: PathLike) -> Generator[str | Path, None, None]:
        """Yield ``filepath`` itself (as ``str``): it is already local."""
        yield str(filepath)

    def copyfile(self, src: PathLike, dst: PathLike) -> PathLike:
        """Copy a file; ``dst`` may be a directory. Returns the new file's path."""
        return shutil.copy(src, dst)

    def copytree(self, src: PathLike, dst: PathLike) -> PathLike:
        """Copy a directory tree to ``dst``, which must not exist."""
        return shutil.copytree(src, dst)

    def copyfile_from_local(self, src: PathLike, dst: PathLike) -> PathLike:
        """Same as :meth:`copyfile` (both ends are local)."""
        return self.copyfile(src, dst)

    def copytree_from_local(self, src: PathLike, dst: PathLike) -> PathLike:
        """Same as :meth:`copytree` (both ends are local)."""
        return self.copytree(src, dst)

    def copyfile_to_local(self, src: PathLike, dst: PathLike) -> PathLike:
        """Same as :meth:`copyfile` (both ends are local)."""
        return self.copyfile(src, dst)

    def copytree_to_local(self, src: PathLike, dst: PathLike) -> PathLike:
        """Same as :meth:`copytree` (both ends are local)."""
        return self.copytree(src, dst)

    def remove(self, filepath: PathLike) -> None:
        """Delete a file (not a directory)."""
        if not os.path.lexists(filepath):
            raise FileNotFoundError(f"filepath {filepath} does not exist")
        if os.path.isdir(filepath):
            raise IsADirectoryError(f"filepath {filepath} should be a file")
        os.remove(filepath)

    def rmtree(self, dir_path: PathLike) -> None:
        """Delete a directory tree."""
        shutil.rmtree(dir_path)

    def copy_if_symlink_fails(self, src: PathLike, dst: PathLike) -> bool:
        """Symlink ``dst`` to ``src``, or copy if that fails.

        Returns:
            True if a symlink was made, False if ``src`` was copied.
        """
        try:
            os.symlink(src, dst)
            return True
        except OSError:
            if os.path.isdir(src):
                self.copytree(src, dst)
            else:
                self.copyfile(src, dst)
            return False

    def list_dir_or_file(
        self,
        dir_path: PathLike,
        list_dir: bool = True,
        list_file: bool = True,
        suffix: str | tuple[str, ...] | None = None,
        recursive: bool = False,
    ) -> Iterator[str]:
        """Yield the paths (relative to ``dir_path``) of its entries, sorted.

        Args:
            dir_path: the directory to list.
            list_dir: yield directories. Defaults to True.
            list_file: yield files. Defaults to True.
            suffix: only yield files ending with it (a str or a tuple of
                str); only allowed when ``list_dir`` is False. Defaults to
                None.
            recursive: descend into subdirectories. Defaults to False.
        """
        check_list_args(list_dir, suffix)
        return _scan(os.fspath(dir_path), "", list_dir, list_file, suffix, recursive)


def _scan(
    root: str,
    rel: str,
    list_dir: bool,
    list_file: bool,
    suffix: str | tuple[str, ...] | None,
    recursive: bool,
) -> Iterator[str]:
    with os.scandir(os.path.join(root, rel) if rel else root) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        path = os.path.join(rel, entry.name) if rel else entry.name
        if not entry.is_dir():
            if list_file and (suffix is None or path.endswith(suffix)):
                yield path
            continue
        if list_dir:
            yield path
        if recursive:
            yield from _scan(root, path, list_dir, list_file, suffix, recursive)
