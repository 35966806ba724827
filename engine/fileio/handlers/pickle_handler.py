"""Pickle files (binary; protocol 2 by default, as MMEngine writes)."""

from __future__ import annotations

import pickle
from typing import IO, Any

from engine.fileio.handlers.base import BaseFileHandler


class PickleHandler(BaseFileHandler):
    """Handler of ``.pkl``/``.pickle`` files.

    Files are opened in binary mode and :meth:`dump_to_str` returns
    ``bytes``. ``protocol`` defaults to 2; pass ``protocol=...`` to change it.

    Examples:
        >>> data = PickleHandler().dump_to_str({'a': 1})
        >>> data[:2], pickle.loads(data)
        (b'\\x80\\x02', {'a': 1})
    """

    str_like = False

    def load_from_fileobj(self, file: IO[Any], **kwargs: Any) -> Any:
        """Unpickle from an open binary file; ``kwargs`` go to ``pickle.load``."""
        return pickle.load(file, **kwargs)

    def load_from_path(self, filepath: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Unpickle the local file ``filepath`` (opened with ``'rb'``)."""
        return super().load_from_path(filepath, mode="rb", **kwargs)

    def dump_to_str(self, obj: Any, **kwargs: Any) -> bytes:
        """Return the pickle of ``obj`` as ``bytes``."""
        kwargs.setdefault("protocol", 2)
        return pickle.dumps(obj, **kwargs)

    def dump_to_fileobj(self, obj: Any, file: IO[Any], **kwargs: Any) -> None:
        """Pickle ``obj`` into an open binary file."""
        kwargs.setdefault("protocol", 2)
        pickle.dump(obj, file, **kwargs)

    def dump_to_path(self, obj: Any, filepath: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Pickle ``obj`` into the local file ``filepath`` (atomically, ``'wb'``)."""
        super().dump_to_path(obj, filepath, mode="wb", **kwargs)
