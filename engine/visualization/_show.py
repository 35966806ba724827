"""Showing an image in a window, and doing nothing when there is no display.

MMEngine's ``show()`` waits for a key press in a window; on a machine without
a display (a cluster node, CI) that wait never ends. Here, when no window can
be opened, ``show()`` logs once per process and returns at once.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

import numpy as np

from engine.visualization.utils import interactive_backend, wait_continue

if TYPE_CHECKING:
    from engine.visualization.visualizer import Visualizer

__all__ = ["has_display", "show_image"]

_warned = False


def has_display() -> bool:
    """Whether a GUI window can be opened (X11, Wayland, macOS, Windows)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _headless(backend: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        from engine.logging import print_log

        print_log(
            f"Visualizer.show(backend={backend!r}): no display to open a window "
            "on; nothing is shown (use add_image() or get_image() to keep the "
            "drawing)",
            logger="current",
            level=logging.WARNING,
        )


def show_image(
    vis: Visualizer,
    image: np.ndarray,
    win_name: str,
    wait_time: float,
    continue_key: str,
    backend: str,
) -> None:
    """Show ``image`` with ``backend``; see :meth:`Visualizer.show`."""
    if backend == "matplotlib":
        _show_matplotlib(vis, image, win_name, wait_time, continue_key)
    elif backend == "cv2":
        _show_cv2(image, win_name, wait_time)
    else:
        raise ValueError(
            f"show(backend={backend!r}): backend must be 'matplotlib' or 'cv2'"
        )


def _show_matplotlib(
    vis: Visualizer, image: np.ndarray, win_name: str, wait_time: float, key: str
) -> None:
    from engine.visualization._canvas import require_matplotlib

    require_matplotlib()
    if not (has_display() and interactive_backend()):
        _headless("matplotlib")
        return
    import matplotlib.pyplot as plt

    vis._init_manager(win_name)
    fig = vis._fig_show
    fig.clear()
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis(False)
    ax.imshow(image)
    fig.canvas.draw_idle()
    plt.show(block=False)
    wait_continue(fig, timeout=wait_time, continue_key=key)


def _show_cv2(image: np.ndarray, win_name: str, wait_time: float) -> None:
    try:
        import cv2
    except ImportError as e:
        raise ImportError(
            "show(backend='cv2') needs OpenCV: `pip install opencv-python`"
        ) from e
    if not has_display():
        _headless("cv2")
        return
    cv2.namedWindow(win_name, 0)
    cv2.imshow(win_name, np.ascontiguousarray(image[..., ::-1]))
    cv2.waitKey(int(np.ceil(wait_time * 1000)))
