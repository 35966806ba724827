"""Storage of a :class:`~engine.logging.HistoryBuffer`: values and counts.

The latest entries are mirrored in two Python lists (``_rv``/``_rc``, at
least :data:`RECENT` of them); new entries are appended there first and
copied into NumPy arrays (``_vals``/``_cnts``) in blocks. The arrays grow by
doubling; the live region ``[_lo, _hi)`` drops its head once longer than
``max_length``. Regions once handed out as arrays are never written again
(growing moves the entries into *new* arrays), so those arrays are
snapshots. ``update`` itself lives in HistoryBuffer, as its hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.utils._errors import CompatTypeError, CompatValueError

__all__ = ["RECENT"]

#: Number of latest entries always mirrored in Python lists.
RECENT = 128
#: Scalar types ``update`` accepts besides ``int``/``float``.
_NUMPY_SCALARS = (np.integer, np.floating, np.bool_)
_MIN_CAPACITY = 64


def _kind(value: Any) -> str:
    """NumPy dtype kind of a scalar: ``'b'``, ``'i'`` or ``'f'``."""
    if isinstance(value, (bool, np.bool_)):
        return "b"
    if isinstance(value, (int, np.integer)):
        return "i"
    return "f"


def _as_history(data: Sequence[Any], what: str) -> np.ndarray:
    """``data`` as a 1-d bool, int64 or float64 array."""
    array = np.asarray(data)
    if array.ndim != 1 or array.dtype.kind not in "biuf":
        raise CompatTypeError(
            f"HistoryBuffer: {what} must be a 1-d sequence of numbers, got "
            f"an array of shape {array.shape} and dtype {array.dtype}"
        )
    if array.dtype.kind == "b":
        return array
    return array.astype(np.float64 if array.dtype.kind == "f" else np.int64)


class _Series:
    """Values and counts of a history (see the module docstring)."""

    max_length: int

    def _reset(self, values: np.ndarray, counts: np.ndarray) -> None:
        """Make ``values``/``counts`` the whole history."""
        n = len(values)
        capacity = max(_MIN_CAPACITY, 2 * n)
        self._vals = np.empty(capacity, dtype=values.dtype)
        self._cnts = np.empty(capacity, dtype=counts.dtype)
        self._vals[:n] = values
        self._cnts[:n] = counts
        self._lo, self._hi = 0, n
        self._rv: list[Any] = values[-RECENT:].tolist()
        self._rc: list[Any] = counts[-RECENT:].tolist()
        self._pending = 0
        self._len = n
        self._vfloat = values.dtype.kind == "f"
        self._cfloat = counts.dtype.kind == "f"
        self._unit = bool(np.all(counts == 1))

    def _coerce_value(self, value: Any, count: Any) -> Any:
        """``value`` converted to the storage type, promoting the storage."""
        if not isinstance(value, (int, float, *_NUMPY_SCALARS)):
            raise TypeError(
                "HistoryBuffer.update: log_val must be int or float but got "
                f"{type(value)}, count must be int but got {type(count)}"
            )
        kind = _kind(value)
        if self._vfloat or kind == "f":
            if not self._vfloat:
                self._vals = self._vals.astype(np.float64)
                self._rv = [float(v) for v in self._rv]
                self._vfloat = True
            return float(value)
        if self._vals.dtype.kind == "b" and kind == "i":
            self._vals = self._vals.astype(np.int64)
            self._rv = [int(v) for v in self._rv]
        return bool(value) if self._vals.dtype.kind == "b" else int(value)

    def _coerce_count(self, value: Any, count: Any) -> Any:
        """``count`` converted to the storage type of the counts."""
        if isinstance(count, bool) or not isinstance(
            count, (int, float, np.integer, np.floating)
        ):
            raise TypeError(
                "HistoryBuffer.update: log_val must be int or float but got "
                f"{type(value)}, count must be int but got {type(count)}"
            )
        if count != 1:
            self._unit = False
        if self._cfloat or _kind(count) == "f":
            if not self._cfloat:
                self._cnts = self._cnts.astype(np.float64)
                self._rc = [float(c) for c in self._rc]
                self._cfloat = True
            return float(count)
        return int(count)

    def _flush(self) -> None:
        """Copy pending entries into the arrays; trim the Python mirror."""
        pending = self._pending
        if pending:
            if self._hi + pending > len(self._vals):
                self._grow(pending)
            end = self._hi + pending
            self._vals[self._hi : end] = self._rv[-pending:]
            self._cnts[self._hi : end] = self._rc[-pending:]
            self._hi = end
            self._lo = max(self._lo, end - self.max_length)
            self._pending = 0
        if len(self._rv) > RECENT:
            del self._rv[:-RECENT]
            del self._rc[:-RECENT]

    def _grow(self, pending: int) -> None:
        """Move the live entries into new arrays with room to spare.

        New arrays (rather than moving entries inside the old ones) keep
        every view handed out by :attr:`data` unchanged.
        """
        keep = min(self._hi - self._lo, self.max_length)
        capacity = max(_MIN_CAPACITY, 2 * (keep + pending))
        values = np.empty(capacity, dtype=self._vals.dtype)
        counts = np.empty(capacity, dtype=self._cnts.dtype)
        values[:keep] = self._vals[self._hi - keep : self._hi]
        counts[:keep] = self._cnts[self._hi - keep : self._hi]
        self._vals, self._cnts = values, counts
        self._lo, self._hi = 0, keep

    @property
    def _log_history(self) -> np.ndarray:
        """The values, oldest first (a read-only array)."""
        self._flush()
        view = self._vals[self._lo : self._hi]
        view.flags.writeable = False
        return view

    @property
    def _count_history(self) -> np.ndarray:
        """The counts, oldest first (a read-only array)."""
        self._flush()
        view = self._cnts[self._lo : self._hi]
        view.flags.writeable = False
        return view

    def _window(self, window_size: int | None) -> int:
        """Number of latest entries ``window_size`` covers."""
        if window_size is None:
            return self._len
        if type(window_size) is not int:
            if isinstance(window_size, bool) or not isinstance(
                window_size, (int, np.integer)
            ):
                raise CompatTypeError(
                    "The type of window size should be int, but got "
                    f"{type(window_size)}"
                )
            window_size = int(window_size)
        if window_size < 1:
            raise CompatValueError(
                f"window_size must be a positive int or None, got {window_size}"
            )
        return min(window_size, self._len)

    # -- pickling (checkpoints hold message hubs) ------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {
            "max_length": self.max_length,
            "_log_history": self._log_history,
            "_count_history": self._count_history,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.max_length = int(state["max_length"])
        self._reset(
            _as_history(state["_log_history"], "log_history"),
            _as_history(state["_count_history"], "count_history"),
        )
