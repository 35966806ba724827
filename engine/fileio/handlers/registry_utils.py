"""The table from file format (extension) to handler instance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from engine.fileio.errors import UnsupportedFormatError
from engine.fileio.handlers.base import BaseFileHandler
from engine.fileio.handlers.json_handler import JsonHandler
from engine.fileio.handlers.pickle_handler import PickleHandler
from engine.fileio.handlers.yaml_handler import YamlHandler

#: Format name (file extension without the dot) -> handler instance.
file_handlers: dict[str, BaseFileHandler] = {
    "json": JsonHandler(),
    "yaml": YamlHandler(),
    "yml": YamlHandler(),
    "pickle": PickleHandler(),
    "pkl": PickleHandler(),
}

_H = TypeVar("_H", bound=type[BaseFileHandler])


def _formats(file_formats: str | list[str]) -> list[str]:
    if isinstance(file_formats, str):
        return [file_formats]
    if isinstance(file_formats, list) and all(isinstance(f, str) for f in file_formats):
        return list(file_formats)
    raise TypeError(
        f"file_formats must be a str or a list of str, got {file_formats!r}"
    )


def _register_handler(handler: BaseFileHandler, file_formats: str | list[str]) -> None:
    """Register the handler instance ``handler`` for ``file_formats``.

    A format registered before is taken over by ``handler``.
    """
    if not isinstance(handler, BaseFileHandler):
        raise TypeError(
            f"handler must be a child of BaseFileHandler, not {type(handler)}"
        )
    for fmt in _formats(file_formats):
        file_handlers[fmt] = handler


def register_handler(
    file_formats: str | list[str], **kwargs: Any
) -> Callable[[_H], _H]:
    """Class decorator registering a :class:`BaseFileHandler` subclass.

    The class is instantiated with ``kwargs`` and the instance handles the
    given formats from then on (replacing any handler they had).

    Args:
        file_formats: one format (``'txt'``) or a list of them.
        **kwargs: arguments to build the handler with.

    Returns:
        A decorator that registers the class and returns it unchanged.

    Raises:
        TypeError: if ``file_formats`` is neither a str nor a list of str, or
            the decorated class is not a :class:`BaseFileHandler` subclass.

    Examples:
        >>> @register_handler(['txt', 'log'])
        ... class TxtHandler(BaseFileHandler):
        ...     def load_from_fileobj(self, file, **kwargs):
        ...         return file.read()
        ...     def dump_to_fileobj(self, obj, file, **kwargs):
        ...         file.write(str(obj))
        ...     def dump_to_str(self, obj, **kwargs):
        ...         return str(obj)
        >>> type(get_handler('log')).__name__
        'TxtHandler'
    """
    formats = _formats(file_formats)

    def wrap(cls: _H) -> _H:
        if not (isinstance(cls, type) and issubclass(cls, BaseFileHandler)):
            raise TypeError(f"handler must be a child of BaseFileHandler, not {cls}")
        _register_handler(cls(**kwargs), formats)
        return cls

    return wrap


def get_handler(file_format: str | None, name: Any = None) -> BaseFileHandler:
    """The handler registered for ``file_format``.

    Args:
        file_format: a format name such as ``'json'``.
        name: the file the format was taken from, for the error message.

    Raises:
        UnsupportedFormatError: (a ``TypeError``) if no handler is registered.

    Examples:
        >>> type(get_handler('yml')).__name__
        'YamlHandler'
    """
    handler = file_handlers.get(file_format) if file_format is not None else None
    if handler is None:
        where = f" (file {name!r})" if name is not None else ""
        raise UnsupportedFormatError(
            f"Unsupported format: {file_format}{where}; registered formats: "
            f"{', '.join(sorted(file_handlers))} (add one with register_handler)"
        )
    return handler
