"""JSON files, with sets, ranges and numpy values converted on dump."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from engine.fileio.handlers.base import BaseFileHandler


def set_default(obj: Any) -> Any:
    """Convert what ``json`` cannot serialize natively into lists/scalars.

    Sets and ranges become lists; numpy arrays and numpy scalars become
    (nested) lists and Python scalars. numpy is never imported here: a numpy
    object can only exist once numpy has been imported.

    Args:
        obj: an object ``json`` could not serialize.

    Returns:
        A JSON-serializable equivalent.

    Raises:
        TypeError: for any other type.

    Examples:
        >>> set_default({2, 1})
        [1, 2]
    """
    if isinstance(obj, (set, range)):
        return sorted(obj) if isinstance(obj, set) and _sortable(obj) else list(obj)
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(obj, (numpy.ndarray, numpy.generic)):
        return obj.tolist()
    raise TypeError(f"{type(obj)} is unsupported for json dump")


def _sortable(items: set) -> bool:
    try:
        sorted(items)
    except TypeError:
        return False
    return True


class JsonHandler(BaseFileHandler):
    """Handler of ``.json`` files (:mod:`json`).

    Examples:
        >>> JsonHandler().dump_to_str({'a': [1, 2]})
        '{"a": [1, 2]}'
    """

    def load_from_fileobj(self, file: IO[Any]) -> Any:  # type: ignore[override]
        """Parse JSON from an open text or binary file."""
        return json.load(file)

    def dump_to_fileobj(self, obj: Any, file: IO[Any], **kwargs: Any) -> None:
        """Write ``obj`` as JSON; ``kwargs`` go to :func:`json.dump`."""
        kwargs.setdefault("default", set_default)
        json.dump(obj, file, **kwargs)

    def dump_to_str(self, obj: Any, **kwargs: Any) -> str:
        """Return ``obj`` as a JSON string; ``kwargs`` go to :func:`json.dumps`."""
        kwargs.setdefault("default", set_default)
        return json.dumps(obj, **kwargs)
