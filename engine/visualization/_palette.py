"""Dataset palettes: one ``(R, G, B)`` colour per class (beyond MMEngine).

A dataset's ``metainfo`` often carries ``classes`` and ``palette``;
:func:`get_palette` turns whatever the palette is given as into exactly
``num_classes`` colours, so drawing code can index it by label.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.utils._errors import CompatValueError

__all__ = ["get_palette"]

#: Seed of the ``'random'`` palette: the same colours in every run.
RANDOM_SEED = 42


def get_palette(
    palette: str | Sequence[tuple[int, int, int]], num_classes: int
) -> list[tuple[int, int, int]]:
    """Return ``num_classes`` colours, each an ``(R, G, B)`` tuple of ints.

    Args:
        palette: A sequence of ``(R, G, B)`` tuples (at least ``num_classes``;
            the first ``num_classes`` are used), ``'random'`` (fixed seed,
            reproducible), or the name of a matplotlib colormap (``'tab20'``,
            ``'viridis'``...), sampled evenly.
        num_classes: How many colours.

    Returns:
        A list of ``num_classes`` tuples with values in ``[0, 255]``.

    Raises:
        ValueError: Too few colours, a malformed colour or an unknown name.

    Examples:
        >>> get_palette([(255, 0, 0), (0, 255, 0), (0, 0, 255)], 2)
        [(255, 0, 0), (0, 255, 0)]
        >>> len(get_palette('random', 5))
        5
        >>> get_palette('tab10', 1)
        [(31, 119, 180)]
    """
    if num_classes < 0:
        raise CompatValueError(f"num_classes must be >= 0, got {num_classes}")
    if isinstance(palette, str):
        return _named(palette, num_classes)
    colours = [tuple(int(c) for c in colour) for colour in palette]
    if len(colours) < num_classes:
        raise CompatValueError(
            f"palette has {len(colours)} colours, fewer than {num_classes} classes"
        )
    for colour in colours[:num_classes]:
        if len(colour) != 3 or not all(0 <= c <= 255 for c in colour):
            raise CompatValueError(f"palette colour {colour!r} is not (R, G, B)")
    return colours[:num_classes]  # type: ignore[return-value]


def _named(name: str, num_classes: int) -> list[tuple[int, int, int]]:
    """``'random'`` or a matplotlib colormap, sampled ``num_classes`` times."""
    if name == "random":
        rng = np.random.RandomState(RANDOM_SEED)
        values = rng.randint(0, 256, size=(num_classes, 3))
        return [(int(r), int(g), int(b)) for r, g, b in values]
    import matplotlib

    try:
        cmap = matplotlib.colormaps[name]
    except KeyError as e:
        raise CompatValueError(
            f"palette {name!r} is neither 'random' nor a matplotlib colormap"
        ) from e
    count = getattr(cmap, "N", 256)
    if count <= 32:  # a qualitative map: its colours in order (ints index it)
        rgba = cmap(np.arange(num_classes) % count)
    else:
        rgba = cmap(np.linspace(0.0, 1.0, num_classes))
    return [tuple(int(round(c * 255)) for c in row[:3]) for row in rgba]  # type: ignore[misc]
