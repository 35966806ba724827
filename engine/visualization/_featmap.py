"""Feature maps ``(C, H, W)`` drawn as jet heatmaps.

Three ways to show the channels:

* ``channel_reduction='squeeze_mean'``: the mean over channels;
  ``'select_max'``: the channel with the largest sum. One heatmap.
* ``channel_reduction=None, topk <= 0``: a 1- or 3-channel map shown as is
  (see :func:`~engine.visualization.utils.convert_overlay_heatmap`).
* ``channel_reduction=None, topk > 0``: the ``topk`` channels with the largest
  sums, each normalized on its own, tiled on a ``rows x cols`` grid
  (``arrangement``) in decreasing order and titled ``channel: <index>``; the
  grid is ``(rows * H, cols * W)`` pixels, empty cells are white.

The map is resized (bilinear, half-pixel centres) to ``resize_shape``, or
else to the size of ``overlaid_image`` with a warning when they differ.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from engine.utils._errors import CompatTypeError, CompatValueError
from engine.visualization._heatmap import convert_overlay_heatmap, to_rgb_image
from engine.visualization.utils import img_from_canvas, is_tensor

if TYPE_CHECKING:
    import torch

__all__ = ["draw_featmap"]

MODES = ("squeeze_mean", "select_max")


def _resize(array: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    """Bilinear resize of a ``(C, H, W)`` float tensor to ``shape``."""
    import torch.nn.functional as F

    return F.interpolate(
        array[None], size=tuple(shape), mode="bilinear", align_corners=False
    )[0]


def _resize_image(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    import torch

    planes = torch.from_numpy(image.astype(np.float32)).permute(2, 0, 1)
    resized = _resize(planes, shape).permute(1, 2, 0).numpy()
    return np.clip(np.rint(resized), 0, 255).astype(np.uint8)


def _prepare(
    featmap: torch.Tensor,
    overlaid_image: np.ndarray | None,
    resize_shape: tuple | None,
) -> tuple[torch.Tensor, np.ndarray | None]:
    """Validate; bring the map and the image to one size."""
    if not is_tensor(featmap):
        raise CompatTypeError(
            f"`featmap` should be torch.Tensor, but got {type(featmap).__name__}"
        )
    if featmap.ndim != 3:
        raise CompatValueError(
            f"Input dimension must be 3 (C, H, W), but got {featmap.ndim}"
        )
    featmap = featmap.detach().float().cpu()
    image = None if overlaid_image is None else to_rgb_image(overlaid_image)
    if image is not None and image.shape[:2] != tuple(featmap.shape[1:]):
        warnings.warn(
            f"Since the spatial dimensions of overlaid_image: {image.shape[:2]} and "
            f"featmap: {tuple(featmap.shape[1:])} are not same, the feature map "
            "will be interpolated. This may cause mismatch problems !",
            UserWarning,
            stacklevel=3,
        )
        if resize_shape is None:
            featmap = _resize(featmap, image.shape[:2])
    if resize_shape is not None:
        featmap = _resize(featmap, tuple(resize_shape))
        if image is not None:
            image = _resize_image(image, tuple(resize_shape))
    return featmap, image


def draw_featmap(
    featmap: torch.Tensor,
    overlaid_image: np.ndarray | None = None,
    channel_reduction: str | None = "squeeze_mean",
    topk: int = 20,
    arrangement: tuple[int, int] = (4, 5),
    resize_shape: tuple | None = None,
    alpha: float = 0.5,
) -> np.ndarray:
    """Implementation of :meth:`Visualizer.draw_featmap`."""
    featmap, image = _prepare(featmap, overlaid_image, resize_shape)
    if channel_reduction is not None:
        if channel_reduction not in MODES:
            raise CompatValueError(
                f'Mode only support "squeeze_mean", "select_max", '
                f"but got {channel_reduction}"
            )
        if channel_reduction == "squeeze_mean":
            reduced = featmap.mean(dim=0)
        else:
            reduced = featmap[int(featmap.sum(dim=(1, 2)).argmax())]
        return convert_overlay_heatmap(reduced.numpy(), image, alpha)
    if topk <= 0:
        if featmap.shape[0] not in (1, 3):
            raise CompatValueError(
                "The input tensor channel dimension must be 1 or 3 when topk is "
                f"less than 1, but the channel dimension you input is "
                f"{featmap.shape[0]}; set channel_reduction or a topk > 0"
            )
        return convert_overlay_heatmap(featmap.numpy(), image, alpha)
    return _grid(featmap, image, topk, arrangement, alpha)


def _grid(
    featmap: torch.Tensor,
    image: np.ndarray | None,
    topk: int,
    arrangement: tuple[int, int],
    alpha: float,
) -> np.ndarray:
    """Tile the ``topk`` strongest channels on a ``rows x cols`` grid."""
    rows, cols = arrangement
    if rows * cols < topk:
        raise CompatValueError(
            f"The product of row and col in the `arrangement` ({rows}x{cols}) is "
            f"less than topk ({topk}), please set the `arrangement` correctly"
        )
    channels, height, width = featmap.shape
    strongest = featmap.sum(dim=(1, 2)).topk(min(topk, channels)).indices.tolist()
    from engine.visualization._canvas import require_matplotlib

    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    dpi = 100.0
    fig = Figure(
        figsize=((cols * width + 1e-2) / dpi, (rows * height + 1e-2) / dpi),
        dpi=dpi,
        facecolor="white",
    )
    canvas = FigureCanvasAgg(fig)
    for cell, channel in enumerate(strongest):
        row, col = divmod(cell, cols)
        ax = fig.add_axes((col / cols, 1 - (row + 1) / rows, 1 / cols, 1 / rows))
        ax.axis(False)
        heat = convert_overlay_heatmap(featmap[channel].numpy(), image, alpha)
        ax.imshow(heat, extent=(0, width, height, 0), interpolation="none")
        ax.text(0, 0, f"channel: {channel}", va="top", ha="left", size=10)
    return img_from_canvas(canvas)[: rows * height, : cols * width]
