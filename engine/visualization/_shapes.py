"""Outlined shapes: boxes, polygons, circles and line segments.

Each method validates its arguments, warns when coordinates leave the image,
adds one matplotlib collection to the canvas and returns the visualizer, so
calls chain and overlay. Per-item styles (colours, widths, line styles) may
be one value or a list; a list shorter than the items is cycled, as
matplotlib collections do.

Outline widths of boxes, polygons and circles are clamped to
``[1, default_font_size / 4]`` points, where the default font size is
``max(sqrt(H * W) // 90, 10)``: at most 2.5 points below ~900x900 pixels, so
outlines stay thin on small images (MMEngine's behaviour). Line segments
are not clamped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from engine.utils._errors import CompatValueError
from engine.visualization._canvas import Canvas
from engine.visualization.utils import color_val_matplotlib

if TYPE_CHECKING:
    import torch

    from engine.visualization.visualizer import Visualizer

__all__ = ["ShapesMixin"]

Array: TypeAlias = "np.ndarray | torch.Tensor"
Colors: TypeAlias = "str | tuple | list[str] | list[tuple]"


class ShapesMixin(Canvas):
    """``draw_bboxes``, ``draw_polygons``, ``draw_circles``, ``draw_lines``."""

    def draw_bboxes(
        self,
        bboxes: Array,
        edge_colors: Colors = "g",
        line_styles: str | list[str] = "-",
        line_widths: int | float | list[int | float] = 2,
        face_colors: Colors = "none",
        alpha: int | float = 0.8,
    ) -> Visualizer:
        """Draw axis-aligned boxes ``[x1, y1, x2, y2]`` (pixels).

        Args:
            bboxes: One box ``(4,)`` or ``(N, 4)`` boxes, ndarray or tensor.
            edge_colors: Outline colour(s). Defaults to ``'g'``.
            line_styles: Matplotlib line style(s). Defaults to ``'-'``.
            line_widths: Outline width(s) in points, clamped to
                ``[1, default_font_size / 4]``. Defaults to 2.
            face_colors: Fill colour(s). Defaults to ``'none'``.
            alpha: Opacity in ``[0, 1]``. Defaults to 0.8.

        Returns:
            The visualizer, for chaining.

        Raises:
            TypeError: ``bboxes`` is not an ndarray or tensor.
            ValueError: The shape is not ``(N, 4)`` or a box has
                ``x2 < x1`` or ``y2 < y1`` (also an :class:`AssertionError`).

        Examples:
            >>> import numpy as np
            >>> from engine.visualization import Visualizer
            >>> vis = Visualizer(image=np.zeros((60, 80, 3), np.uint8))
            >>> vis = vis.draw_bboxes(np.array([[10, 10, 50, 40]]), edge_colors='r')
            >>> int(vis.get_image()[10, 30, 0]) > 0
            True
        """
        self._require_image()
        boxes = self._as_array("bboxes", bboxes)
        if boxes.ndim == 1:
            boxes = boxes[None]
        if boxes.ndim != 2 or boxes.shape[-1] != 4:
            raise CompatValueError(
                f"The shape of `bboxes` should be (N, 4), but got {boxes.shape}"
            )
        if ((boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1])).any():
            raise CompatValueError(
                f"every box must have x2 >= x1 and y2 >= y1, got {boxes.tolist()}"
            )
        if len(boxes) == 0:
            return self  # type: ignore[return-value]
        self._warn_out_of_bounds(boxes.reshape(-1, 2), "bbox")
        x1, y1, x2, y2 = boxes.T
        corners = np.stack([x1, y1, x2, y1, x2, y2, x1, y2], axis=-1)
        polygons = list(corners.reshape(-1, 4, 2))
        return self._add_polygons(
            polygons, edge_colors, line_styles, line_widths, face_colors, alpha
        )

    def draw_polygons(
        self,
        polygons: Array | list[Array],
        edge_colors: Colors = "g",
        line_styles: str | list[str] = "-",
        line_widths: int | float | list[int | float] = 2,
        face_colors: Colors = "none",
        alpha: int | float = 0.8,
    ) -> Visualizer:
        """Draw closed polygons, each an ``(M, 2)`` array of ``(x, y)`` vertices.

        Args:
            polygons: One polygon or a list of polygons (ndarrays or tensors).
            edge_colors: Outline colour(s). Defaults to ``'g'``.
            line_styles: Matplotlib line style(s). Defaults to ``'-'``.
            line_widths: Outline width(s) in points, clamped to
                ``[1, default_font_size / 4]``. Defaults to 2.
            face_colors: Fill colour(s). Defaults to ``'none'``.
            alpha: Opacity in ``[0, 1]``. Defaults to 0.8.

        Returns:
            The visualizer, for chaining.

        Raises:
            TypeError: A polygon is not an ndarray or tensor.
            ValueError: A polygon is not ``(M, 2)`` (also an
                :class:`AssertionError`).

        Examples:
            >>> import numpy as np
            >>> from engine.visualization import Visualizer
            >>> vis = Visualizer(image=np.zeros((60, 80, 3), np.uint8))
            >>> triangle = np.array([[10, 10], [70, 10], [40, 50]])
            >>> vis = vis.draw_polygons(triangle, face_colors='b', alpha=1.0)
            >>> vis.get_image()[25, 40].tolist()
            [0, 0, 255]
        """
        self._require_image()
        items = polygons if isinstance(polygons, list) else [polygons]
        arrays = [self._as_array("polygons", polygon) for polygon in items]
        for polygon in arrays:
            if polygon.ndim != 2 or polygon.shape[1] != 2:
                raise CompatValueError(
                    "The shape of each polygon in `polygons` should be (M, 2), "
                    f"but got {polygon.shape}"
                )
        if not arrays:
            return self  # type: ignore[return-value]
        self._warn_out_of_bounds(np.concatenate(arrays), "polygon")
        return self._add_polygons(
            arrays, edge_colors, line_styles, line_widths, face_colors, alpha
        )

    def _outline_widths(self, line_widths: Any) -> Any:
        """Clamp outline width(s) to ``[1, default_font_size / 4]``."""
        top = self._default_font_size / 4
        if isinstance(line_widths, (list, tuple)):
            return [min(max(float(w), 1.0), top) for w in line_widths]
        return min(max(float(line_widths), 1.0), top)

    def _add_polygons(
        self,
        polygons: list[np.ndarray],
        edge_colors: Colors,
        line_styles: Any,
        line_widths: Any,
        face_colors: Colors,
        alpha: int | float,
    ) -> Visualizer:
        from matplotlib.collections import PolyCollection

        collection = PolyCollection(
            polygons,
            alpha=alpha,
            facecolor=color_val_matplotlib(face_colors),
            linestyles=line_styles,
            edgecolors=color_val_matplotlib(edge_colors),
            linewidths=self._outline_widths(line_widths),
        )
        self.ax_save.add_collection(collection)
        return self  # type: ignore[return-value]

    def draw_circles(
        self,
        center: Array,
        radius: Array,
        edge_colors: Colors = "g",
        line_styles: str | list[str] = "-",
        line_widths: int | float | list[int | float] = 2,
        face_colors: Colors = "none",
        alpha: float | int = 0.8,
    ) -> Visualizer:
        """Draw circles.

        Args:
            center: One centre ``(2,)`` or ``(N, 2)`` centres ``(x, y)``.
            radius: ``(N,)`` radii in pixels (ndarray or tensor).
            edge_colors: Outline colour(s). Defaults to ``'g'``.
            line_styles: Matplotlib line style(s). Defaults to ``'-'``.
            line_widths: Outline width(s) in points, clamped to
                ``[1, default_font_size / 4]``. Defaults to 2.
            face_colors: Fill colour(s). Defaults to ``'none'``.
            alpha: Opacity in ``[0, 1]``. Defaults to 0.8.

        Returns:
            The visualizer, for chaining.

        Raises:
            TypeError: ``center`` or ``radius`` is not an ndarray or tensor.
            ValueError: ``center`` is not ``(len(radius), 2)`` (also an
                :class:`AssertionError`).

        Examples:
            >>> import numpy as np
            >>> from engine.visualization import Visualizer
            >>> vis = Visualizer(image=np.zeros((60, 80, 3), np.uint8))
            >>> vis = vis.draw_circles(np.array([40, 30]), np.array([20]))
            >>> int(vis.get_image()[30, 60, 1]) > 0, int(vis.get_image()[30, 40, 1])
            (True, 0)
        """
        from matplotlib.collections import PatchCollection
        from matplotlib.patches import Circle

        self._require_image()
        centers = self._as_array("center", center)
        radii = self._as_array("radius", radius).reshape(-1)
        if centers.ndim == 1:
            centers = centers[None]
        if centers.shape != (radii.shape[0], 2):
            raise CompatValueError(
                "The shape of `center` should be (len(radius), 2) = "
                f"({radii.shape[0]}, 2), but got {centers.shape}"
            )
        self._warn_out_of_bounds(centers, "circle")
        circles = [Circle(tuple(c), float(r)) for c, r in zip(centers, radii)]
        collection = PatchCollection(
            circles,
            alpha=alpha,
            facecolors=color_val_matplotlib(face_colors),
            edgecolors=color_val_matplotlib(edge_colors),
            linewidths=self._outline_widths(line_widths),
            linestyles=line_styles,
        )
        self.ax_save.add_collection(collection)
        return self  # type: ignore[return-value]

    def draw_lines(
        self,
        x_datas: Array,
        y_datas: Array,
        colors: Colors = "g",
        line_styles: str | list[str] = "-",
        line_widths: int | float | list[int | float] = 2,
    ) -> Visualizer:
        """Draw line segments from ``(x[i, 0], y[i, 0])`` to ``(x[i, 1], y[i, 1])``.

        Args:
            x_datas: ``(2,)`` or ``(N, 2)`` x coordinates of the end points.
            y_datas: The y coordinates, same shape as ``x_datas``.
            colors: Line colour(s). Defaults to ``'g'``.
            line_styles: Matplotlib line style(s). Defaults to ``'-'``.
            line_widths: Line width(s) in points. Defaults to 2.

        Returns:
            The visualizer, for chaining.

        Raises:
            TypeError: An argument is not an ndarray or tensor.
            ValueError: Shapes differ or are not ``(N, 2)`` (also an
                :class:`AssertionError`).

        Examples:
            >>> import numpy as np
            >>> from engine.visualization import Visualizer
            >>> vis = Visualizer(image=np.zeros((60, 80, 3), np.uint8))
            >>> vis = vis.draw_lines(np.array([0, 80]), np.array([30, 30]))
            >>> int(vis.get_image()[30, 40, 1]) > 0
            True
        """
        from matplotlib.collections import LineCollection

        self._require_image()
        xs = self._as_array("x_datas", x_datas)
        ys = self._as_array("y_datas", y_datas)
        if xs.shape != ys.shape:
            raise CompatValueError(
                "`x_datas` and `y_datas` should have the same shape, "
                f"got {xs.shape} and {ys.shape}"
            )
        if xs.ndim == 1:
            xs, ys = xs[None], ys[None]
        if xs.ndim != 2 or xs.shape[-1] != 2:
            raise CompatValueError(
                f"The shape of `x_datas` should be (N, 2), but got {xs.shape}"
            )
        segments = np.stack([xs, ys], axis=-1)  # (N, 2 points, xy)
        self._warn_out_of_bounds(segments.reshape(-1, 2), "line")
        collection = LineCollection(
            list(segments),
            colors=color_val_matplotlib(colors),
            linestyles=line_styles,
            linewidths=line_widths,
        )
        self.ax_save.add_collection(collection)
        return self  # type: ignore[return-value]
