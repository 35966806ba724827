"""The interface every file-format handler implements."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import IO, Any

from engine.fileio.atomic import atomic_open


class BaseFileHandler(metaclass=ABCMeta):
    """Serialize objects to, and parse them from, one file format.

    A handler converts between Python objects and the content of a file. The
    three abstract methods work on open file objects and strings;
    :meth:`load_from_path` and :meth:`dump_to_path` open a local file with the
    given ``mode`` and call them. Register a handler for file extensions with
    :func:`~engine.fileio.register_handler`.

    Examples:
        >>> class TxtHandler(BaseFileHandler):
        ...     def load_from_fileobj(self, file, **kwargs):
        ...         return file.read()
        ...     def dump_to_fileobj(self, obj, file, **kwargs):
        ...         file.write(str(obj))
        ...     def dump_to_str(self, obj, **kwargs):
        ...         return str(obj)
        >>> TxtHandler().dump_to_str([1, 2])
        '[1, 2]'
    """

    #: True when the format is text (files are opened in text mode and
    #: :meth:`dump_to_str` returns ``str``); False for binary formats.
    str_like = True

    @abstractmethod
    def load_from_fileobj(self, file: IO[Any], **kwargs: Any) -> Any:
        """Parse the content of an open file."""

    @abstractmethod
    def dump_to_fileobj(self, obj: Any, file: IO[Any], **kwargs: Any) -> None:
        """Write ``obj`` to an open file."""

    @abstractmethod
    def dump_to_str(self, obj: Any, **kwargs: Any) -> Any:
        """Serialize ``obj`` to a ``str`` (``bytes`` for binary formats)."""

    def load_from_path(self, filepath: Any, mode: str = "r", **kwargs: Any) -> Any:
        """Open the local file ``filepath`` with ``mode`` and parse it.

        Args:
            filepath: path of a local file.
            mode: mode passed to ``open``. Defaults to ``'r'``.
            **kwargs: forwarded to :meth:`load_from_fileobj`.

        Returns:
            The parsed object.
        """
        with open(filepath, mode, encoding=_encoding(mode)) as file:
            return self.load_from_fileobj(file, **kwargs)

    def dump_to_path(
        self, obj: Any, filepath: Any, mode: str = "w", **kwargs: Any
    ) -> None:
        """Write ``obj`` to the local file ``filepath`` opened with ``mode``.

        With a plain write mode (``'w'``, ``'wb'``) the file is replaced
        atomically: if :meth:`dump_to_fileobj` raises, an existing file is
        left intact and no partial file remains.

        Args:
            obj: the object to serialize.
            filepath: path of a local file.
            mode: mode passed to ``open``. Defaults to ``'w'``.
            **kwargs: forwarded to :meth:`dump_to_fileobj`.
        """
        if mode.startswith("w"):
            with atomic_open(filepath, mode, encoding=_encoding(mode)) as file:
                self.dump_to_fileobj(obj, file, **kwargs)
            return
        with open(filepath, mode, encoding=_encoding(mode)) as file:
            self.dump_to_fileobj(obj, file, **kwargs)


def _encoding(mode: str) -> str | None:
    return None if "b" in mode else "utf-8"
