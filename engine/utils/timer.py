"""A wall-clock timer and named checkpoints: :class:`Timer`, :func:`check_time`."""

from __future__ import annotations

import time
from types import TracebackType

__all__ = ["Timer", "TimerError", "check_time"]


class TimerError(Exception):
    """Raised when a :class:`Timer` that is not running is read.

    Args:
        message: The error message, also kept as ``self.message``.

    Examples:
        >>> TimerError('timer is not running').message
        'timer is not running'
    """

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class Timer:
    """A timer measuring the time since its start and its last check.

    Used as a context manager it starts on entry and prints the elapsed
    seconds on exit, formatted with ``print_tmpl``.

    Args:
        start: Start the timer right away. Defaults to True.
        print_tmpl: Format of the seconds printed on exiting a ``with``
            block. Defaults to None (``'{:.3f}'``).

    Examples:
        >>> timer = Timer()
        >>> timer.is_running
        True
        >>> timer.since_start() >= 0
        True
        >>> with Timer(print_tmpl='took {:.0f} s'):
        ...     pass
        took 0 s
    """

    def __init__(self, start: bool = True, print_tmpl: str | None = None) -> None:
        self._is_running = False
        self.print_tmpl = print_tmpl if print_tmpl else "{:.3f}"
        self._t_start = 0.0
        self._t_last = 0.0
        if start:
            self.start()

    @property
    def is_running(self) -> bool:
        """Whether the timer is running."""
        return self._is_running

    def __enter__(self) -> Timer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        print(self.print_tmpl.format(self.since_last_check()))
        self._is_running = False

    def start(self) -> None:
        """Start the timer (a running timer keeps its start time)."""
        now = time.perf_counter()
        if not self._is_running:
            self._t_start = now
            self._is_running = True
        self._t_last = now

    def since_start(self) -> float:
        """Seconds since the start; also counts as a check.

        Raises:
            TimerError: if the timer is not running.
        """
        self._require_running()
        self._t_last = time.perf_counter()
        return self._t_last - self._t_start

    def since_last_check(self) -> float:
        """Seconds since the last check (or the start), then check.

        Raises:
            TimerError: if the timer is not running.
        """
        self._require_running()
        now = time.perf_counter()
        duration = now - self._t_last
        self._t_last = now
        return duration

    def _require_running(self) -> None:
        if not self._is_running:
            raise TimerError("timer is not running")


_TIMERS: dict[str, Timer] = {}


def check_time(timer_id: str) -> float:
    """Seconds since the previous call with the same ``timer_id``.

    The first call for an id starts its timer and returns 0.

    Args:
        timer_id: Name of the timer.

    Returns:
        Seconds since the last call with ``timer_id``, 0 on the first one.

    Examples:
        >>> check_time('doctest-loop')
        0
        >>> check_time('doctest-loop') >= 0
        True
    """
    if timer_id not in _TIMERS:
        _TIMERS[timer_id] = Timer()
        return 0
    return _TIMERS[timer_id].since_last_check()
