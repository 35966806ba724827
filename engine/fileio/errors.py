"""Exceptions of :mod:`engine.fileio`.

Each class subclasses the builtin type MMEngine raises in the same situation,
so code written against MMEngine (``except TypeError``, ``except KeyError``,
``except FileNotFoundError``) keeps working, while the message names the file,
format or URI at fault.
"""

from __future__ import annotations

import json
import pickle


class UnsupportedFormatError(TypeError):
    """No file handler is registered for a format (MMEngine: ``TypeError``)."""


class UnknownBackendError(KeyError):
    """No storage backend matches a name or URI prefix (MMEngine: ``KeyError``)."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a sentence reads better unquoted.
        return str(self.args[0]) if self.args else ""


class MissingFsspecError(ImportError, KeyError):
    """A URI needs the optional ``fsspec`` dependency, which is not installed.

    It is an ``ImportError`` (an optional dependency is missing) and a
    ``KeyError`` (MMEngine raises ``KeyError`` for a prefix it does not know).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class BackendNotAvailableError(ImportError):
    """A storage backend of MMEngine that ``engine`` does not provide."""


class UnsupportedOperationError(NotImplementedError, AttributeError):
    """A storage backend does not support an operation (read-only HTTP, ...).

    MMEngine raises ``AttributeError`` there (the backend lacks the method);
    this error is also a ``NotImplementedError`` and says which backend,
    operation and path were involved.
    """


class MalformedLineError(ValueError, AssertionError):
    """A line of a text file does not have the expected shape.

    MMEngine asserts on such lines, hence the ``AssertionError`` base.
    """


class JSONFileDecodeError(json.JSONDecodeError):
    """A JSON document that does not parse; the message names its file."""


class PickleFileError(pickle.UnpicklingError):
    """A pickle that does not load; the message names its file."""


def with_filename(exc: BaseException, name: str) -> BaseException:
    """Return ``exc`` (or an equivalent error) whose message names ``name``.

    JSON and pickle parse errors are re-created as subclasses of their
    original type with the file name in the message. YAML errors already name
    the stream (``load`` passes streams named after the file); any other error
    is returned as is, with a note naming the file.

    Args:
        exc: the error raised while parsing the content of ``name``.
        name: the path or URI of the file being parsed.

    Returns:
        The error to raise (chain it with ``from exc``).

    Examples:
        >>> import json
        >>> try:
        ...     json.loads('{"a": }')
        ... except json.JSONDecodeError as e:
        ...     print(with_filename(e, 'a.json'))
        Failed to parse JSON file 'a.json': Expecting value: line 1 column 7 (char 6)
    """
    if isinstance(exc, json.JSONDecodeError):
        msg = f"Failed to parse JSON file {name!r}: {exc.msg}"
        return JSONFileDecodeError(msg, exc.doc, exc.pos)
    if isinstance(exc, pickle.UnpicklingError):
        return PickleFileError(f"Failed to unpickle file {name!r}: {exc}")
    if hasattr(exc, "add_note"):
        exc.add_note(f"while loading {name!r}")
    return exc
