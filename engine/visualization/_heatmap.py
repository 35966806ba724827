"""Feature maps as colour heatmaps, with numpy only (no OpenCV).

A map is stretched to ``[0, 255]`` (min-max), coloured with the *jet*
colormap (dark blue, blue, cyan, yellow, red, dark red; the piecewise-linear
definition MATLAB and OpenCV use) and optionally blended over an image:
``out = img * (1 - alpha) + heat * alpha``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.utils._errors import CompatValueError

__all__ = ["convert_overlay_heatmap", "jet", "minmax_uint8", "to_rgb_image"]

#: ITU-R BT.601 luma weights of a 3-channel map read as B, G, R planes.
_BGR_TO_GREY = np.array([0.114, 0.587, 0.299])


def jet(values: np.ndarray) -> np.ndarray:
    """Colour uint8 ``values`` with the jet colormap.

    Args:
        values: An array of integers in ``[0, 255]``.

    Returns:
        An RGB uint8 array with one more (last) axis of size 3.

    Examples:
        >>> jet(np.array([0, 255])).tolist()
        [[0, 0, 128], [128, 0, 0]]
    """
    x = values.astype(np.float64)[..., None] / 255.0
    offsets = np.array([1.5, 0.5, -0.5])  # red, green, blue
    rise = 4.0 * x - offsets
    fall = -4.0 * x + (3.0 + offsets)
    rgb = np.clip(np.minimum(rise, fall), 0.0, 1.0)
    return np.rint(rgb * 255.0).astype(np.uint8)


def minmax_uint8(values: np.ndarray) -> np.ndarray:
    """Stretch ``values`` linearly to ``[0, 255]``; a constant map becomes 0.

    Examples:
        >>> minmax_uint8(np.array([2.0, 3.0, 4.0])).tolist()
        [0, 128, 255]
    """
    values = values.astype(np.float64)
    low, high = values.min(), values.max()
    if high == low:
        return np.zeros(values.shape, np.uint8)
    return np.rint((values - low) * (255.0 / (high - low))).astype(np.uint8)


def to_rgb_image(img: np.ndarray) -> np.ndarray:
    """Return ``img`` as ``(H, W, 3)`` uint8: grey images are repeated."""
    img = np.asarray(img)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    if img.ndim != 3 or img.shape[2] != 3:
        raise CompatValueError(
            f"expected an (H, W, 3) or (H, W) image, got shape {img.shape}"
        )
    return img.astype(np.uint8)


def _grey(feat_map: np.ndarray) -> np.ndarray:
    """A ``(H, W)`` map from ``(H, W)``, ``(1, H, W)`` or ``(3, H, W)``."""
    if feat_map.ndim == 2:
        return minmax_uint8(feat_map)
    if feat_map.ndim == 3 and feat_map.shape[0] == 1:
        return minmax_uint8(feat_map[0])
    if feat_map.ndim == 3 and feat_map.shape[0] == 3:
        planes = minmax_uint8(feat_map).astype(np.float64)
        grey = np.tensordot(_BGR_TO_GREY, planes, axes=1)
        return np.clip(np.rint(grey), 0, 255).astype(np.uint8)
    raise CompatValueError(
        f"feat_map must have shape (H, W), (1, H, W) or (3, H, W), got {feat_map.shape}"
    )


def convert_overlay_heatmap(
    feat_map: Any, img: np.ndarray | None = None, alpha: float = 0.5
) -> np.ndarray:
    """Colour a feature map with jet and blend it over ``img``.

    Args:
        feat_map: A ``(H, W)``, ``(1, H, W)`` or ``(3, H, W)`` array or tensor.
            A 3-channel map is read as B, G, R planes and turned grey (BT.601
            weights) before colouring.
        img: An RGB image of the same ``(H, W)`` to draw under the heatmap.
            Defaults to None (the heatmap alone).
        alpha: The heatmap's weight in the blend. Defaults to 0.5.

    Returns:
        An ``(H, W, 3)`` RGB uint8 image.

    Raises:
        ValueError: Unsupported shapes, or ``img`` of another size (also an
            :class:`AssertionError`).

    Examples:
        >>> convert_overlay_heatmap(np.array([[0.0, 1.0]])).tolist()
        [[[0, 0, 128], [128, 0, 0]]]
        >>> black = np.zeros((1, 2, 3), np.uint8)
        >>> convert_overlay_heatmap(np.array([[0.0, 1.0]]), black).tolist()
        [[[0, 0, 64], [64, 0, 0]]]
    """
    from engine.visualization.utils import tensor2ndarray

    heat = jet(_grey(np.asarray(tensor2ndarray(feat_map))))
    if img is None:
        return heat
    img = to_rgb_image(img)
    if img.shape != heat.shape:
        raise CompatValueError(
            f"img of shape {img.shape[:2]} and feat_map of shape "
            f"{heat.shape[:2]} must have the same height and width"
        )
    mixed = img.astype(np.float64) * (1 - alpha) + heat.astype(np.float64) * alpha
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
