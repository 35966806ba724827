"""``set_multi_processing``: start method and thread counts for workers."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import platform
from importlib.util import find_spec

from engine.logging import print_log

__all__ = ["set_multi_processing"]


def set_multi_processing(
    mp_start_method: str = "fork",
    opencv_num_threads: int = 0,
    distributed: bool = False,
) -> None:
    """Set the start method of worker processes and limit their threads.

    Args:
        mp_start_method: ``'fork'``, ``'spawn'`` or ``'forkserver'`` (not
            set on Windows).
        opencv_num_threads: OpenCV's thread count (if cv2 is installed).
        distributed: In a distributed job, ``OMP_NUM_THREADS`` and
            ``MKL_NUM_THREADS`` default to 1 (each rank is one process).

    Examples:
        >>> set_multi_processing(mp_start_method='fork')
    """
    if platform.system() != "Windows":
        current = mp.get_start_method(allow_none=True)
        if current is not None and current != mp_start_method:
            print_log(
                f"Multi-processing start method `{mp_start_method}` is "
                f"different from the previous setting `{current}`. It will be "
                f"force set to `{mp_start_method}`. You can change this "
                "behavior by changing `mp_start_method` in your config.",
                logger="current",
                level=logging.WARNING,
            )
        mp.set_start_method(mp_start_method, force=True)
    if find_spec("cv2") is not None:
        import cv2

        cv2.setNumThreads(opencv_num_threads)
    if distributed:
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            if var not in os.environ:
                os.environ[var] = "1"
                print_log(
                    f"Setting {var} environment variable for each process to "
                    "be 1 in default, to avoid your system being overloaded, "
                    "please further tune the variable for optimal performance "
                    "in your application as needed.",
                    logger="current",
                    level=logging.WARNING,
                )
