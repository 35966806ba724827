"""A progress bar drawn with ``rich``: :func:`track_progress_rich`.

``rich`` is imported when the function runs; without it, the plain text
:class:`~engine.utils.progressbar.ProgressBar` is used instead (install the
``progress`` extra, ``pip install engine[progress]``, for the rich bar).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Iterator, Sized
from multiprocessing import Pool
from typing import Any

from engine.utils.progressbar import ProgressBar

__all__ = ["track_progress_rich"]


def _call(func: Callable, task: Any) -> Any:
    """``func(*task)`` for a tuple or list task, ``func(task)`` otherwise."""
    if isinstance(task, (tuple, list)):
        return func(*task)
    return func(task)


def _check_args(func: Any, tasks: Any, task_num: int | None, nproc: int) -> int | None:
    """Validate the arguments; return the task count (None: unknown)."""
    if not callable(func):
        raise TypeError("func must be a callable object")
    if not isinstance(tasks, Iterable):
        raise TypeError(f"tasks must be an iterable object, but got {type(tasks)}")
    if nproc <= 0:
        raise ValueError(f"nproc must be a positive number, got {nproc}")
    if not isinstance(tasks, Sized):
        return task_num
    if task_num is None:
        if len(tasks) == 0:
            raise ValueError("If tasks is an empty iterable, task_num must be set")
        return len(tasks)
    if task_num != len(tasks):
        raise ValueError(
            f"task_num ({task_num}) does not match the length of tasks ({len(tasks)})"
        )
    return task_num


def _results(
    func: Callable, tasks: Iterable, nproc: int, chunksize: int
) -> Iterator[Any]:
    call = functools.partial(_call, func)
    if nproc == 1:
        yield from map(call, tasks)
        return
    with Pool(nproc) as pool:
        yield from pool.imap(call, tasks, max(chunksize, 1))


def track_progress_rich(
    func: Callable,
    tasks: Iterable = (),
    task_num: int | None = None,
    nproc: int = 1,
    chunksize: int = 1,
    description: str = "Processing",
    color: str = "blue",
) -> list:
    """Call ``func`` on every task (optionally in a pool), with a rich bar.

    A task that is a tuple or list is unpacked as the arguments of
    ``func``; any other task is passed as the only argument.

    Args:
        func: The function; picklable when ``nproc > 1``.
        tasks: The tasks. Defaults to ().
        task_num: Number of tasks; required for an empty sized ``tasks``,
            must equal ``len(tasks)`` when given for a sized one, and shows
            the total for an iterator. Defaults to None.
        nproc: Number of processes; 1 runs in this process. Defaults to 1.
        chunksize: Tasks sent to a worker at a time. Defaults to 1.
        description: Label of the bar. Defaults to ``'Processing'``.
        color: Color of the label. Defaults to ``'blue'``.

    Returns:
        The results, in task order.

    Raises:
        TypeError: if ``func`` is not callable or ``tasks`` not iterable.
        ValueError: if ``nproc`` is not positive or ``task_num`` does not
            fit ``tasks``.

    Examples:
        >>> def add(x, y):
        ...     return x + y
        >>> track_progress_rich(add, [(1, 2), (3, 4)])  # doctest: +SKIP
        [3, 7]
    """
    total = _check_args(func, tasks, task_num, nproc)
    try:
        from rich.progress import Progress
    except ImportError:
        return _track_plain(func, tasks, total, nproc, chunksize)
    results = []
    with Progress() as progress:
        bar = progress.add_task(f"[{color}]{description}", total=total)
        for result in _results(func, tasks, nproc, chunksize):
            results.append(result)
            progress.update(bar, advance=1)
    return results


def _track_plain(
    func: Callable, tasks: Iterable, total: int | None, nproc: int, chunksize: int
) -> list:
    """Fallback without ``rich``: the text :class:`ProgressBar`."""
    bar = ProgressBar(total or 0, file=sys.stdout)
    results = []
    for result in _results(func, tasks, nproc, chunksize):
        results.append(result)
        bar.update()
    bar.file.write("\n")
    return results
