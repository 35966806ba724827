"""The history of one scalar, and statistics over its latest values.

A :class:`HistoryBuffer` stores a value and a count per update (the count
weighs the value in the mean: a batch of 8 images gives ``count=8``), keeps
at most ``max_length`` entries (the oldest are dropped) and answers
``mean``/``max``/``min`` over the last ``window_size`` entries and
``current``. More statistics can be registered by name and called through
:meth:`HistoryBuffer.statistics`.

Storage: updates are appended to two Python lists that mirror the latest
entries; they are copied in blocks into NumPy arrays that grow by doubling
and drop their head once ``max_length`` is exceeded, so an update costs O(1)
amortised time. Means over a window that the lists cover are summed in
Python in NumPy's order (:mod:`engine.logging._summation`), so every
statistic equals the NumPy computation on the full history bit for bit.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from engine.logging._series import RECENT, _as_history, _Series
from engine.logging._summation import pairwise_sum
from engine.utils._errors import CompatTypeError, CompatValueError

__all__ = ["HistoryBuffer"]


class HistoryBuffer(_Series):
    """Record a scalar's history and compute statistics over it.

    Args:
        log_history: Initial values. Defaults to [] (empty).
        count_history: Initial counts, one per value. Defaults to [].
        max_length: Most entries kept; older ones are dropped. Defaults to
            1000000.

    Examples:
        >>> buffer = HistoryBuffer([1, 2, 3], [1, 1, 1])
        >>> buffer.update(4)
        >>> [int(v) for v in buffer.data[0]]
        [1, 2, 3, 4]
        >>> float(buffer.mean(2)), int(buffer.max()), int(buffer.current())
        (3.5, 4, 4)
        >>> float(buffer.statistics('mean', 2))
        3.5
    """

    _statistics_methods: ClassVar[dict[str, Callable[..., Any]]]

    def __init__(
        self,
        log_history: Sequence = [],  # noqa: B006 - MMEngine's signature
        count_history: Sequence = [],  # noqa: B006
        max_length: int = 1000000,
    ) -> None:
        if isinstance(max_length, bool) or not isinstance(max_length, int):
            raise CompatTypeError(
                f"HistoryBuffer: max_length must be an int, got {max_length!r}"
            )
        if max_length < 1:
            raise CompatValueError(
                f"HistoryBuffer: max_length must be positive, got {max_length}"
            )
        values = _as_history(log_history, "log_history")
        counts = _as_history(count_history, "count_history")
        if len(values) != len(counts):
            raise CompatValueError(
                "HistoryBuffer: log_history and count_history must have the "
                f"same length, got {len(values)} and {len(counts)}"
            )
        if len(values) > max_length:
            warnings.warn(
                f"The length of history buffer({len(values)}) exceeds the "
                f"max_length({max_length}), the first few elements will be "
                "ignored.",
                stacklevel=2,
            )
            values, counts = values[-max_length:], counts[-max_length:]
        self.max_length = max_length
        self._reset(values, counts)

    # -- updating ---------------------------------------------------------

    def update(self, log_val: int | float, count: int | float = 1) -> None:
        """Append ``log_val`` with weight ``count``.

        Args:
            log_val: The new value (a Python or NumPy number).
            count: Its weight in :meth:`mean`. Defaults to 1.

        Raises:
            TypeError: if ``log_val`` or ``count`` is not a number.

        Examples:
            >>> buffer = HistoryBuffer()
            >>> buffer.update(0.5, 2)
            >>> buffer.data
            (array([0.5]), array([2.]))
        """
        if type(log_val) is not float or not self._vfloat:
            log_val = self._coerce_value(log_val, count)
        if type(count) is not int or count != 1:
            count = self._coerce_count(log_val, count)
        self._rv.append(log_val)
        self._rc.append(count)
        self._pending += 1
        if self._len < self.max_length:
            self._len += 1
        if len(self._rv) >= 2 * RECENT:
            self._flush()

    # -- reading ----------------------------------------------------------

    @property
    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """``(values, counts)``: the history as two read-only arrays.

        The arrays are a snapshot: later updates do not change them.
        """
        return self._log_history, self._count_history

    # -- statistics -------------------------------------------------------

    @classmethod
    def register_statistics(cls, method: Callable) -> Callable:
        """Register ``method`` as a statistic named after the function.

        Use it as a decorator; the function receives the buffer as its
        first argument and may read ``self._log_history`` and
        ``self._count_history`` (NumPy arrays).

        Args:
            method: The statistic, ``method(self, *args, **kwargs)``.

        Returns:
            ``method`` itself.

        Examples:
            >>> @HistoryBuffer.register_statistics
            ... def last_sum(self, window_size):
            ...     return self._log_history[-window_size:].sum()
            >>> int(HistoryBuffer([1, 2, 3], [1, 1, 1]).statistics('last_sum', 2))
            5
        """
        if not callable(method):
            raise CompatTypeError(
                f"register_statistics expects a function, got {method!r}"
            )
        cls._statistics_methods[method.__name__] = method
        return method

    def statistics(self, method_name: str, *arg: Any, **kwargs: Any) -> Any:
        """Call the statistic registered as ``method_name``.

        Args:
            method_name: A built-in (``mean``, ``max``, ``min``, ``current``)
                or registered statistic.
            *arg: Positional arguments of the statistic.
            **kwargs: Keyword arguments of the statistic.

        Returns:
            The statistic's result.

        Raises:
            KeyError: if no statistic is registered as ``method_name``.
            TypeError: if the arguments do not fit the statistic.

        Examples:
            >>> buffer = HistoryBuffer([1, 2, 3], [1, 1, 1])
            >>> float(buffer.statistics('mean')), float(buffer.statistics('mean', 2))
            (2.0, 2.5)
        """
        method = self._statistics_methods.get(method_name)
        if method is None:
            raise KeyError(
                f"{method_name} has not been registered in "
                "HistoryBuffer._statistics_methods; registered: "
                f"{sorted(self._statistics_methods)}"
            )
        return method(self, *arg, **kwargs)

    def mean(self, window_size: int | None = None) -> np.ndarray:
        """Weighted mean of the last ``window_size`` entries.

        ``sum(values) / sum(counts)`` over the window.

        Args:
            window_size: Number of latest entries. Defaults to None (all).

        Returns:
            The mean (a NumPy float; NaN for an empty buffer).

        Examples:
            >>> float(HistoryBuffer([1, 2, 3], [2, 2, 2]).mean())
            1.0
        """
        length = self._len
        if type(window_size) is int and 0 < window_size:
            n = window_size if window_size < length else length
        else:
            n = self._window(window_size)
        recent = self._rv
        if 0 < n <= len(recent):
            values_n = recent[-n:]
            total = pairwise_sum(values_n) if self._vfloat else sum(values_n)
            if self._unit:
                counts: Any = n
            else:
                counts_n = self._rc[-n:]
                counts = pairwise_sum(counts_n) if self._cfloat else sum(counts_n)
            if counts:
                return np.float64(total / counts)  # type: ignore[return-value]
        values, counts_array = self._log_history, self._count_history
        return values[len(values) - n :].sum() / counts_array[len(values) - n :].sum()

    def max(self, window_size: int | None = None) -> np.ndarray:
        """Largest of the last ``window_size`` values.

        Args:
            window_size: Number of latest entries. Defaults to None (all).

        Returns:
            The maximum (a NumPy scalar).

        Examples:
            >>> int(HistoryBuffer([1, 2, 3], [1, 1, 1]).max(2))
            3
        """
        n = self._window(window_size)
        values = self._log_history
        return values[len(values) - n :].max()

    def min(self, window_size: int | None = None) -> np.ndarray:
        """Smallest of the last ``window_size`` values.

        Args:
            window_size: Number of latest entries. Defaults to None (all).

        Returns:
            The minimum (a NumPy scalar).

        Examples:
            >>> int(HistoryBuffer([1, 2, 3], [1, 1, 1]).min(2))
            2
        """
        n = self._window(window_size)
        values = self._log_history
        return values[len(values) - n :].min()

    def current(self) -> np.ndarray:
        """The latest value.

        Returns:
            The last value given to :meth:`update` (a NumPy scalar).

        Raises:
            ValueError: if the buffer is empty.

        Examples:
            >>> int(HistoryBuffer([1, 2, 3], [1, 1, 1]).current())
            3
        """
        if not self._len:
            raise ValueError(
                "HistoryBuffer._log_history is an empty array! please call update first"
            )
        return self._vals.dtype.type(self._rv[-1])

    def __repr__(self) -> str:
        return f"HistoryBuffer(len={self._len}, max_length={self.max_length})"

    _statistics_methods = {"min": min, "max": max, "current": current, "mean": mean}
