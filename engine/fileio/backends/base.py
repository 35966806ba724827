"""The interface of a storage backend."""

from __future__ import annotations

import warnings
from abc import ABCMeta, abstractmethod
from typing import TYPE_CHECKING, Any

from engine.fileio.errors import UnsupportedOperationError

#: Optional operations: a backend that lacks one raises
#: :class:`~engine.fileio.errors.UnsupportedOperationError` when asked for it.
OPTIONAL_OPERATIONS = frozenset(
    {
        "put",
        "put_text",
        "exists",
        "isdir",
        "isfile",
        "join_path",
        "get_local_path",
        "copyfile",
        "copytree",
        "copyfile_from_local",
        "copytree_from_local",
        "copyfile_to_local",
        "copytree_to_local",
        "remove",
        "rmtree",
        "copy_if_symlink_fails",
        "list_dir_or_file",
        "generate_presigned_url",
    }
)


class BaseStorageBackend(metaclass=ABCMeta):
    """Read and write bytes at paths or URIs of one kind of storage.

    Subclasses implement :meth:`get` and :meth:`get_text`, and whichever of
    the optional operations (:data:`OPTIONAL_OPERATIONS`: ``put``,
    ``put_text``, ``exists``, ``isdir``, ``isfile``, ``join_path``,
    ``get_local_path``, ``copyfile``, ``copytree``, ``copyfile_from_local``,
    ``copytree_from_local``, ``copyfile_to_local``, ``copytree_to_local``,
    ``remove``, ``rmtree``, ``copy_if_symlink_fails``, ``list_dir_or_file``,
    ``generate_presigned_url``) the storage supports. Asking a backend for an
    operation it lacks raises
    :class:`~engine.fileio.errors.UnsupportedOperationError`, which is both a
    ``NotImplementedError`` and an ``AttributeError``.

    Register a subclass for a URI prefix with
    :func:`~engine.fileio.register_backend`.

    Examples:
        >>> class MemoryBackend(BaseStorageBackend):
        ...     def __init__(self):
        ...         self.files = {}
        ...     def get(self, filepath):
        ...         return self.files[filepath]
        ...     def get_text(self, filepath, encoding='utf-8'):
        ...         return self.get(filepath).decode(encoding)
        ...     def put(self, obj, filepath):
        ...         self.files[filepath] = obj
        >>> backend = MemoryBackend()
        >>> backend.put(b'hi', 'a.txt')
        >>> backend.get_text('a.txt'), backend.name
        ('hi', 'MemoryBackend')
    """

    _allow_symlink = False

    @property
    def name(self) -> str:
        """The backend's class name."""
        return self.__class__.__name__

    @property
    def allow_symlink(self) -> bool:
        """Whether the storage supports symlinks (deprecated)."""
        warnings.warn(
            "allow_symlink is deprecated; use copy_if_symlink_fails instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return self._allow_symlink

    @abstractmethod
    def get(self, filepath: Any) -> bytes:
        """Read the file at ``filepath`` as bytes."""

    @abstractmethod
    def get_text(self, filepath: Any) -> str:
        """Read the file at ``filepath`` as text."""

    if not TYPE_CHECKING:  # keep static attribute checks on backends strict

        def __getattr__(self, name: str) -> Any:
            if name in OPTIONAL_OPERATIONS:
                raise UnsupportedOperationError(
                    f"{type(self).__name__} does not support {name}()"
                )
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r}"
            )


def check_list_args(list_dir: bool, suffix: str | tuple[str, ...] | None) -> None:
    """Validate the ``suffix`` argument of ``list_dir_or_file``.

    Raises:
        TypeError: if ``suffix`` is given while directories are listed, or is
            neither a str nor a tuple of str.
    """
    if list_dir and suffix is not None:
        raise TypeError("`suffix` should be None when `list_dir` is True")
    if suffix is not None and not (
        isinstance(suffix, str)
        or (isinstance(suffix, tuple) and all(isinstance(s, str) for s in suffix))
    ):
        raise TypeError(
            f"`suffix` must be a string or tuple of strings, got {suffix!r}"
        )
