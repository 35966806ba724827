"""Helpers of :mod:`engine.visualization`: argument checks, colours, canvases.

The names mirror ``mmengine.visualization.utils``. Colours follow one
convention everywhere in :class:`~engine.visualization.Visualizer`: a string
is a matplotlib colour name (``'g'``, ``'red'``, ``'tab:blue'``, ``'#ff0000'``),
a tuple is ``(R, G, B)`` with integers in ``[0, 255]``.

:func:`convert_overlay_heatmap` and :func:`get_palette` live in private modules
and are re-exported here. Nothing here imports torch or matplotlib at import
time.

Examples:
    >>> value2list('r', str, 3)
    ['r', 'r', 'r']
    >>> color_val_matplotlib((255, 0, 0))
    (1.0, 0.0, 0.0)
    >>> color_str2rgb('red')
    (255, 0, 0)
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.utils._errors import CompatValueError
from engine.visualization._heatmap import convert_overlay_heatmap
from engine.visualization._palette import get_palette

if TYPE_CHECKING:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

__all__ = [
    "check_length",
    "check_type",
    "check_type_and_length",
    "color_str2rgb",
    "color_val_matplotlib",
    "convert_overlay_heatmap",
    "get_palette",
    "img_from_canvas",
    "is_tensor",
    "tensor2ndarray",
    "value2list",
    "wait_continue",
]


def is_tensor(value: Any) -> bool:
    """Whether ``value`` is a :class:`torch.Tensor`, without importing torch.

    A tensor cannot exist before torch is imported, so when torch is not in
    :data:`sys.modules` the answer is ``False``.

    Examples:
        >>> is_tensor(np.zeros(2))
        False
    """
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def tensor2ndarray(value: Any) -> Any:
    """Return a tensor as a numpy array (detached, on CPU); others unchanged.

    Args:
        value: A :class:`torch.Tensor` or anything else.

    Examples:
        >>> tensor2ndarray([1, 2])
        [1, 2]
        >>> import torch
        >>> tensor2ndarray(torch.tensor([1, 2]))
        array([1, 2])
    """
    if is_tensor(value):
        return value.detach().cpu().numpy()
    return value


def value2list(value: Any, valid_type: type | tuple[type, ...], expand_dim: int) -> Any:
    """Repeat a single ``value`` of ``valid_type`` ``expand_dim`` times.

    Values of another type (lists, typically) are returned unchanged.

    Args:
        value: The value to expand.
        valid_type: The type(s) a single value has.
        expand_dim: The length of the list to build.

    Examples:
        >>> value2list(2, int, 3)
        [2, 2, 2]
        >>> value2list([1, 2], int, 3)
        [1, 2]
    """
    if isinstance(value, valid_type):
        return [value] * expand_dim
    return value


def check_type(name: str, value: Any, valid_type: type | tuple[type, ...]) -> None:
    """Raise :class:`TypeError` unless ``value`` is an instance of ``valid_type``.

    Args:
        name: The argument's name, for the message.
        value: The value to check.
        valid_type: The accepted type(s).

    Raises:
        TypeError: ``value`` has another type.

    Examples:
        >>> check_type('texts', 'cat', (str, list))
        >>> check_type('texts', 5, (str, list))
        Traceback (most recent call last):
        ...
        TypeError: `texts` should be str or list, but got int
    """
    if not isinstance(value, valid_type):
        types = valid_type if isinstance(valid_type, tuple) else (valid_type,)
        names = " or ".join(t.__name__ for t in types)
        raise TypeError(f"`{name}` should be {names}, but got {type(value).__name__}")


def check_length(name: str, value: Any, valid_length: int) -> None:
    """Require a list ``value`` to hold at least ``valid_length`` items.

    Non-list values pass (they are expanded later, see :func:`value2list`).

    Args:
        name: The argument's name, for the message.
        value: The value to check.
        valid_length: The least accepted length.

    Raises:
        ValueError: ``value`` is a list shorter than ``valid_length`` (also an
            :class:`AssertionError`, as in MMEngine).

    Examples:
        >>> check_length('colors', ['r'], 2)
        Traceback (most recent call last):
        ...
        engine.utils._errors.CompatValueError: `colors` needs at least 2 items (one per drawn item), but got 1
    """  # noqa: E501
    if isinstance(value, list) and len(value) < valid_length:
        raise CompatValueError(
            f"`{name}` needs at least {valid_length} items (one per drawn item), "
            f"but got {len(value)}"
        )


def check_type_and_length(
    name: str, value: Any, valid_type: type | tuple[type, ...], valid_length: int
) -> None:
    """:func:`check_type` then :func:`check_length`.

    Args:
        name: The argument's name, for the message.
        value: The value to check.
        valid_type: The accepted type(s).
        valid_length: The least accepted length of a list.

    Examples:
        >>> check_type_and_length('font_sizes', [8, 9], (int, float, list), 2)
    """
    check_type(name, value, valid_type)
    check_length(name, value, valid_length)


def color_str2rgb(color: str) -> tuple:
    """The ``(R, G, B)`` integers of a matplotlib colour name.

    Each channel is ``int(255 * c)`` of matplotlib's ``[0, 1]`` value, so
    ``'g'`` (0, 0.5, 0) gives ``(0, 127, 0)``.

    Args:
        color: A matplotlib colour string.

    Raises:
        ValueError: ``color`` is not a colour matplotlib knows.

    Examples:
        >>> color_str2rgb('g')
        (0, 127, 0)
        >>> color_str2rgb('#0000ff')
        (0, 0, 255)
    """
    from matplotlib.colors import to_rgb

    return tuple(int(channel * 255) for channel in to_rgb(color))


def color_val_matplotlib(colors: str | tuple | list) -> str | tuple | list:
    """Convert colours to what matplotlib accepts.

    Strings are kept; ``(R, G, B)`` tuples in ``[0, 255]`` become ``[0, 1]``
    floats; lists are converted item by item.

    Args:
        colors: A colour or a list of colours.

    Raises:
        TypeError: A colour is neither a str nor a tuple.
        ValueError: A tuple does not have 3 values in ``[0, 255]`` (also an
            :class:`AssertionError`, as in MMEngine).

    Examples:
        >>> color_val_matplotlib([(0, 0, 255), 'r'])
        [(0.0, 0.0, 1.0), 'r']
    """
    if isinstance(colors, str):
        return colors
    if isinstance(colors, tuple):
        if len(colors) != 3 or not all(0 <= c <= 255 for c in colors):
            raise CompatValueError(
                f"a colour tuple must be (R, G, B) with values in [0, 255], "
                f"got {colors!r}"
            )
        return tuple(c / 255 for c in colors)
    if isinstance(colors, list):
        return [color_val_matplotlib(color) for color in colors]
    raise TypeError(f"Invalid type for color: {type(colors)}")


def img_from_canvas(canvas: FigureCanvasAgg) -> np.ndarray:
    """Render an Agg canvas and return its pixels as an RGB uint8 array.

    Args:
        canvas: The canvas of a matplotlib figure.

    Returns:
        An ``(H, W, 3)`` uint8 array.

    Examples:
        >>> from matplotlib.figure import Figure
        >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
        >>> img_from_canvas(FigureCanvasAgg(Figure(figsize=(2, 1), dpi=10))).shape
        (10, 20, 3)
    """
    buffer, (width, height) = canvas.print_to_buffer()
    rgba = np.frombuffer(buffer, dtype=np.uint8).reshape(height, width, 4)
    return rgba[..., :3].copy()


def wait_continue(figure: Figure, timeout: float = 0, continue_key: str = " ") -> int:
    """Block until ``continue_key`` is pressed in ``figure``'s window.

    Without an interactive window (a headless run, the Agg backend) it waits
    at most ``timeout`` seconds and returns at once when ``timeout`` is 0, so
    it never hangs a job that has no display.

    Args:
        figure: A figure with a window (made by :mod:`matplotlib.pyplot`).
        timeout: Seconds to wait; 0 waits for the key. Defaults to 0.
        continue_key: The key that continues. Defaults to ``' '``.

    Returns:
        1 if the window was closed, 0 otherwise (the key was pressed or the
        time ran out).

    Examples:
        >>> from matplotlib.figure import Figure
        >>> wait_continue(Figure())  # no window: returns at once
        0
    """
    if not _has_window(figure):
        if timeout > 0:
            time.sleep(timeout)
        return 0
    canvas = figure.canvas
    events: list[str | None] = []

    def on_key(event: Any) -> None:
        events.append(event.key)
        canvas.stop_event_loop()

    def on_close(event: Any) -> None:
        events.append(None)
        canvas.stop_event_loop()

    ids = [
        canvas.mpl_connect("key_press_event", on_key),
        canvas.mpl_connect("close_event", on_close),
    ]
    try:
        while True:
            events.clear()
            canvas.start_event_loop(timeout)  # 0: until stopped
            if not events:
                return 0  # timed out
            if events[-1] is None:
                return 1
            if events[-1] == continue_key:
                return 0
    finally:
        for cid in ids:
            canvas.mpl_disconnect(cid)


#: matplotlib backends that never open a window.
_NON_INTERACTIVE = frozenset({"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"})


def interactive_backend() -> bool:
    """Whether matplotlib's current backend opens windows (not Agg, PDF...)."""
    import matplotlib

    backend = matplotlib.get_backend().lower()
    return backend not in _NON_INTERACTIVE and "inline" not in backend


def _has_window(figure: Any) -> bool:
    """Whether ``figure`` is shown in a window of an interactive backend."""
    canvas = getattr(figure, "canvas", None)
    return getattr(canvas, "manager", None) is not None and interactive_backend()
