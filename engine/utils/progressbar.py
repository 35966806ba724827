"""A text progress bar and helpers that track a loop or a process pool.

``ProgressBar(task_num)`` redraws one line (with ``\\r``) on every
:meth:`~ProgressBar.update`::

    [>>>>>>>>>>          ] 5/10, 41.3 task/s, elapsed: 0s, ETA:     0s

With ``task_num=0`` (unknown total) it prints a running count instead.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing import Pool
from typing import Any, TextIO

from engine.utils.timer import Timer

__all__ = [
    "ProgressBar",
    "track_iter_progress",
    "track_parallel_progress",
    "track_progress",
]


class ProgressBar:
    """A progress bar for a known (or unknown, ``task_num=0``) task count.

    Args:
        task_num: Number of tasks; 0 when unknown. Defaults to 0.
        bar_width: Largest width of the bar in characters; the bar shrinks
            to fit the terminal. Defaults to 50.
        start: Draw the bar and start the timer now. Defaults to True.
        file: Where to write. Defaults to ``sys.stdout``.

    Examples:
        >>> import io
        >>> out = io.StringIO()
        >>> bar = ProgressBar(2, bar_width=4, file=out)
        >>> bar.update()
        >>> bar.update()
        >>> out.getvalue().splitlines()[0]
        '[    ] 0/2, elapsed: 0s, ETA:'
        >>> bar.completed
        2
    """

    def __init__(
        self,
        task_num: int = 0,
        bar_width: int = 50,
        start: bool = True,
        file: TextIO = sys.stdout,
    ) -> None:
        self.task_num = task_num
        self.bar_width = bar_width
        self.completed = 0
        self.file = file
        if start:
            self.start()

    @property
    def terminal_width(self) -> int:
        """Width of the terminal in columns."""
        return shutil.get_terminal_size().columns

    def start(self) -> None:
        """Draw the empty bar and start the timer."""
        if self.task_num > 0:
            self._write(
                f"[{' ' * self.bar_width}] 0/{self.task_num}, elapsed: 0s, ETA:"
            )
        else:
            self._write("completed: 0, elapsed: 0s")
        self.timer = Timer()

    def update(self, num_tasks: int = 1) -> None:
        """Count ``num_tasks`` more tasks as completed and redraw.

        Args:
            num_tasks: How many tasks were completed. Defaults to 1.
        """
        self.completed += num_tasks
        elapsed = self.timer.since_start()
        fps = self.completed / elapsed if elapsed > 0 else float("inf")
        if self.task_num > 0:
            self._write(self._bar_line(elapsed, fps))
        else:
            self._write(
                f"completed: {self.completed}, elapsed: {int(elapsed + 0.5)}s, "
                f"{fps:.1f} tasks/s"
            )

    def _bar_line(self, elapsed: float, fps: float) -> str:
        fraction = min(self.completed / self.task_num, 1.0)
        eta = int(elapsed * (1 - fraction) / fraction + 0.5) if fraction > 0 else 0
        text = (
            f"\r[{{}}] {self.completed}/{self.task_num}, {fps:.1f} task/s, "
            f"elapsed: {int(elapsed + 0.5)}s, ETA: {eta:5}s"
        )
        columns = self.terminal_width
        width = min(self.bar_width, columns - len(text) + 2, int(columns * 0.6))
        width = max(2, width)
        marks = int(width * fraction)
        return text.format(">" * marks + " " * (width - marks))

    def _write(self, text: str) -> None:
        self.file.write(text)
        self.file.flush()


def _split_tasks(tasks: Any) -> tuple[Iterable[Any], int]:
    """``(iterable, count)`` from a sequence or an ``(iterable, count)`` pair."""
    if isinstance(tasks, tuple) and len(tasks) == 2 and isinstance(tasks[1], int):
        return tasks[0], tasks[1]
    if isinstance(tasks, Sequence):
        return tasks, len(tasks)
    raise TypeError(
        f'"tasks" must be a tuple object or a sequence object, but got {type(tasks)}'
    )


def track_progress(
    func: Callable,
    tasks: Sequence,
    bar_width: int = 50,
    file: TextIO = sys.stdout,
    **kwargs: Any,
) -> list:
    """Call ``func(task, **kwargs)`` on every task, showing a progress bar.

    Args:
        func: The function to call on each task.
        tasks: A sequence of tasks, or a tuple ``(iterable, task_count)``.
        bar_width: Width of the bar. Defaults to 50.
        file: Where to draw the bar. Defaults to ``sys.stdout``.
        **kwargs: Extra keyword arguments of ``func``.

    Returns:
        The results, in task order.

    Raises:
        TypeError: if ``tasks`` has neither form.

    Examples:
        >>> import io
        >>> track_progress(abs, [-1, -2], file=io.StringIO())
        [1, 2]
    """
    iterable, task_num = _split_tasks(tasks)
    bar = ProgressBar(task_num, bar_width, file=file)
    results = []
    for task in iterable:
        results.append(func(task, **kwargs))
        bar.update()
    bar.file.write("\n")
    return results


def track_iter_progress(
    tasks: Sequence, bar_width: int = 50, file: TextIO = sys.stdout
) -> Iterator[Any]:
    """Yield the tasks one by one, advancing a progress bar after each.

    Args:
        tasks: A sequence of tasks, or a tuple ``(iterable, task_count)``.
        bar_width: Width of the bar. Defaults to 50.
        file: Where to draw the bar. Defaults to ``sys.stdout``.

    Yields:
        Each task.

    Examples:
        >>> import io
        >>> [x * 2 for x in track_iter_progress([1, 2], file=io.StringIO())]
        [2, 4]
    """
    iterable, task_num = _split_tasks(tasks)
    bar = ProgressBar(task_num, bar_width, file=file)
    for task in iterable:
        yield task
        bar.update()
    bar.file.write("\n")


def track_parallel_progress(
    func: Callable,
    tasks: Sequence,
    nproc: int,
    initializer: Callable | None = None,
    initargs: tuple | None = None,
    bar_width: int = 50,
    chunksize: int = 1,
    skip_first: bool = False,
    keep_order: bool = True,
    file: TextIO = sys.stdout,
) -> list:
    """Call ``func(task)`` on every task in a process pool, with a progress bar.

    Args:
        func: A picklable function of one task.
        tasks: A sequence of tasks, or a tuple ``(iterable, task_count)``.
        nproc: Number of worker processes.
        initializer: Run in each worker at its start. Defaults to None.
        initargs: Arguments of ``initializer``. Defaults to None.
        bar_width: Width of the bar. Defaults to 50.
        chunksize: Tasks sent to a worker at a time. Defaults to 1.
        skip_first: Leave the first ``nproc * chunksize`` results (the
            workers' warm-up) out of the bar and its speed. Defaults to False.
        keep_order: Return the results in task order; when False, in the
            order they complete. Defaults to True.
        file: Where to draw the bar. Defaults to ``sys.stdout``.

    Returns:
        The results.

    Examples:
        >>> import io
        >>> track_parallel_progress(abs, [-1, -2, -3], 2, file=io.StringIO())
        [1, 2, 3]
    """
    iterable, task_num = _split_tasks(tasks)
    warmup = nproc * chunksize if skip_first else 0
    bar = ProgressBar(task_num - warmup, bar_width, start=not skip_first, file=file)
    results = []
    with Pool(nproc, initializer, initargs or ()) as pool:
        mapper = pool.imap if keep_order else pool.imap_unordered
        for result in mapper(func, iterable, chunksize):
            results.append(result)
            if len(results) < warmup:
                continue
            if skip_first and len(results) == warmup:
                bar.start()
                continue
            bar.update()
    bar.file.write("\n")
    return results
