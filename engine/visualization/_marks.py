"""Points, texts and binary masks.

Texts and masks take one style per item: a single value is repeated, a list
must hold at least one value per item (unlike the shape collections, which
cycle a short list).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from engine.utils._errors import CompatTypeError, CompatValueError
from engine.visualization._canvas import Canvas
from engine.visualization.utils import (
    check_length,
    check_type,
    check_type_and_length,
    color_val_matplotlib,
    value2list,
)

if TYPE_CHECKING:
    import torch
    from matplotlib.font_manager import FontProperties

    from engine.visualization.visualizer import Visualizer

__all__ = ["MarksMixin"]

Array: TypeAlias = "np.ndarray | torch.Tensor"
Colors: TypeAlias = "str | tuple | list[str] | list[tuple]"


class MarksMixin(Canvas):
    """``draw_points``, ``draw_texts``, ``draw_binary_masks``."""

    def draw_points(
        self,
        positions: Array,
        colors: Colors = "g",
        marker: str | None = None,
        sizes: Array | None = None,
    ) -> Visualizer:
        """Draw scatter points.

        Args:
            positions: One point ``(2,)`` or ``(N, 2)`` points ``(x, y)``.
            colors: Colour(s), one or one per point. Defaults to ``'g'``.
            marker: A matplotlib marker (``'o'``, ``'x'``...). Defaults to
                None (matplotlib's default, a filled circle).
            sizes: Marker areas in points², one per point. Defaults to None
                (matplotlib's default).

        Returns:
            The visualizer, for chaining.

        Raises:
            TypeError: ``positions`` is not an ndarray or tensor.
            ValueError: ``positions`` is not ``(N, 2)`` (also an
                :class:`AssertionError`).

        Examples:
            >>> import numpy as np
            >>> from engine.visualization import Visualizer
            >>> vis = Visualizer(image=np.zeros((60, 80, 3), np.uint8))
            >>> vis.draw_points(np.array([[40, 30]]), colors='r').get_image()[30, 40]
            array([255,   0,   0], dtype=uint8)
        """
        self._require_image()
        points = self._as_array("positions", positions)
        if points.ndim == 1:
            points = points[None]
        if points.ndim != 2 or points.shape[-1] != 2:
            raise CompatValueError(
                f"The shape of `positions` should be (N, 2), but got {points.shape}"
            )
        self._warn_out_of_bounds(points, "point")
        from engine.visualization.utils import tensor2ndarray

        self.ax_save.scatter(
            points[:, 0],
            points[:, 1],
            c=color_val_matplotlib(colors),
            s=tensor2ndarray(sizes),
            marker=marker,
        )
        return self  # type: ignore[return-value]

    def draw_texts(
        self,
        texts: str | list[str],
        positions: Array,
        font_sizes: int | list[int] | None = None,
        colors: Colors = "g",
        vertical_alignments: str | list[str] = "top",
        horizontal_alignments: str | list[str] = "left",
        font_families: str | list[str] = "sans-serif",
        bboxes: dict | list[dict] | None = None,
        font_properties: FontProperties | list[FontProperties] | None = None,
    ) -> Visualizer:
        """Draw texts anchored at pixel positions.

        Args:
            texts: One text or a list of texts.
            positions: ``(2,)`` or ``(len(texts), 2)`` anchors ``(x, y)``.
            font_sizes: Size(s) in points. Defaults to None: the default size
                of the image, ``max(sqrt(H * W) // 90, 10)``.
            colors: Colour(s). Defaults to ``'g'``.
            vertical_alignments: ``'top'``, ``'center'``, ``'baseline'`` or
                ``'bottom'``, one or per text. Defaults to ``'top'``.
            horizontal_alignments: ``'left'``, ``'center'`` or ``'right'``.
                Defaults to ``'left'``.
            font_families: Font family name(s). Defaults to ``'sans-serif'``.
            bboxes: Matplotlib ``bbox`` dict(s) drawn behind the text
                (``dict(facecolor='white')``). Defaults to None.
            font_properties: :class:`~matplotlib.font_manager.FontProperties`
                (e.g. a font file), one or per text. Defaults to None.

        Returns:
            The visualizer, for chaining.

        Raises:
            TypeError: An argument has the wrong type.
            ValueError: Shapes or list lengths do not match the texts (also
                an :class:`AssertionError`).

        Examples:
            >>> import numpy as np
            >>> from engine.visualization import Visualizer
            >>> vis = Visualizer(image=np.zeros((60, 80, 3), np.uint8))
            >>> vis = vis.draw_texts(['cat', 'dog'], np.array([[5, 5], [40, 30]]))
            >>> bool(vis.get_image()[5:20, 5:25].any())
            True
        """
        self._require_image()
        check_type("texts", texts, (str, list))
        items = [texts] if isinstance(texts, str) else texts
        num = len(items)
        anchors = self._as_array("positions", positions)
        if anchors.ndim == 1:
            anchors = anchors[None]
        if anchors.shape != (num, 2):
            raise CompatValueError(
                f"`positions` should have the shape of ({num}, 2), "
                f"but got {anchors.shape}"
            )
        self._warn_out_of_bounds(anchors, "text")
        styles = self._text_styles(
            num,
            font_sizes,
            colors,
            vertical_alignments,
            horizontal_alignments,
            font_families,
            bboxes,
            font_properties,
        )
        for text, (x, y), style in zip(items, anchors, styles):
            self.ax_save.text(float(x), float(y), str(text), **style)
        return self  # type: ignore[return-value]

    def _text_styles(
        self,
        num: int,
        font_sizes: Any,
        colors: Any,
        vertical_alignments: Any,
        horizontal_alignments: Any,
        font_families: Any,
        bboxes: Any,
        font_properties: Any,
    ) -> list[dict[str, Any]]:
        """Validate the per-text styles; one keyword dict per text."""
        from matplotlib.font_manager import FontProperties

        if font_sizes is None:
            font_sizes = self._default_font_size
        check_type_and_length("font_sizes", font_sizes, (int, float, list), num)
        check_type_and_length("colors", colors, (str, tuple, list), num)
        columns: dict[str, Any] = {
            "size": value2list(font_sizes, (int, float), num),
            "color": color_val_matplotlib(value2list(colors, (str, tuple), num)),
            "verticalalignment": _per_item(
                "vertical_alignments", vertical_alignments, str, num
            ),
            "horizontalalignment": _per_item(
                "horizontal_alignments", horizontal_alignments, str, num
            ),
            "family": _per_item("font_families", font_families, str, num),
            "bbox": _per_item("bboxes", bboxes, dict, num),
            "fontproperties": _per_item(
                "font_properties", font_properties, FontProperties, num
            ),
        }
        return [{key: column[i] for key, column in columns.items()} for i in range(num)]

    def draw_binary_masks(
        self,
        binary_masks: Array,
        colors: Colors = "g",
        alphas: float | list[float] = 0.8,
    ) -> Visualizer:
        """Blend boolean masks of the image's size over it, one colour each.

        A masked pixel becomes ``round(pixel * (1 - alpha) + colour * alpha)``
        (masks in order). Masks are blended into the image itself, so they lie
        beneath every shape, point and text, whatever the order of the calls.

        Args:
            binary_masks: ``(H, W)`` or ``(N, H, W)`` booleans (ndarray or
                tensor), ``H, W`` the image's size.
            colors: Colour(s), one or one per mask. Defaults to ``'g'``.
            alphas: Opacity in ``[0, 1]``, one or one per mask. Defaults to 0.8.

        Returns:
            The visualizer, for chaining.

        Raises:
            TypeError: The masks are not boolean arrays (also an
                :class:`AssertionError`).
            ValueError: Their size differs from the image's, or a list is
                shorter than the masks, or an alpha is outside ``[0, 1]``.

        Examples:
            >>> import numpy as np
            >>> from engine.visualization import Visualizer
            >>> vis = Visualizer(image=np.zeros((4, 4, 3), np.uint8))
            >>> mask = np.zeros((4, 4), bool)
            >>> mask[1, 2] = True
            >>> vis = vis.draw_binary_masks(mask, colors=(255, 0, 0), alphas=0.5)
            >>> vis.get_image()[1, 2].tolist(), vis.get_image()[0, 0].tolist()
            ([128, 0, 0], [0, 0, 0])
        """
        from matplotlib.colors import to_rgba

        image = self._require_image()
        masks = self._as_array("binary_masks", binary_masks)
        if masks.dtype != np.bool_:
            raise CompatTypeError(
                f"The dtype of binary_masks should be bool, but got {masks.dtype}"
            )
        if masks.ndim == 2:
            masks = masks[None]
        if masks.ndim != 3 or masks.shape[1:] != image.shape[:2]:
            raise CompatValueError(
                f"`binary_masks` must have the image's size {image.shape[:2]}, "
                f"got shape {masks.shape}"
            )
        num = masks.shape[0]
        check_type_and_length("colors", colors, (str, tuple, list), num)
        rgba_colors = [
            to_rgba(color)
            for color in color_val_matplotlib(value2list(colors, (str, tuple), num))
        ]
        opacities = _per_item("alphas", alphas, (int, float), num)
        for mask, rgba, alpha in zip(masks, rgba_colors, opacities):
            self._blend_mask(mask, rgba, float(alpha))
        return self  # type: ignore[return-value]

    def _blend_mask(self, mask: np.ndarray, rgba: tuple, alpha: float) -> None:
        """Blend one colour into the raster image where ``mask`` is set."""
        if not 0 <= alpha <= 1:
            raise CompatValueError(f"mask alpha must be in [0, 1], got {alpha}")
        weight = alpha * rgba[3]
        colour = np.array(rgba[:3]) * 255.0
        pixels = self._raster[mask].astype(np.float64)
        blended = np.rint(pixels * (1 - weight) + colour * weight)
        self._raster[mask] = np.clip(blended, 0, 255).astype(np.uint8)
        self._raster_artist.set_data(self._raster)


def _per_item(name: str, value: Any, single: type | tuple[type, ...], num: int) -> list:
    """``value`` repeated ``num`` times, or a list of at least ``num`` items.

    None (no value) is repeated like a single value.
    """
    if value is None or isinstance(value, single):
        return [value] * num
    types = single if isinstance(single, tuple) else (single,)
    check_type(name, value, (*types, list))
    check_length(name, value, num)
    return list(value)
