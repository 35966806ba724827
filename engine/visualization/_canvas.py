"""The drawing surface of a :class:`~engine.visualization.Visualizer`.

The image is shown by a matplotlib :class:`~matplotlib.figure.Figure` (no
pyplot, so no global figure state) whose Agg canvas has exactly the image's
size in pixels: one image pixel per canvas pixel, the axes covering the whole
figure with limits ``x: [0, W]``, ``y: [H, 0]`` and autoscaling off, so drawn
coordinates are image pixel coordinates and shapes outside the image are
clipped rather than rescaling the view. :meth:`get_image` renders the canvas.

Masks are blended into the raster image itself (exact arithmetic), so, as in
MMEngine, they lie beneath every outline, point and text whatever the order
of the calls.

The figure is made on first use, so a visualizer that only logs scalars never
imports matplotlib.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.visualization.utils import img_from_canvas, tensor2ndarray

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

__all__ = ["Canvas", "ImageNotSetError", "require_matplotlib"]


class ImageNotSetError(RuntimeError, AssertionError):
    """Drawing or reading the image before :meth:`Canvas.set_image`."""


def require_matplotlib() -> None:
    """Raise a clear ImportError when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as e:
        raise ImportError(
            "drawing with engine.visualization needs matplotlib; "
            "install it with `pip install engine[vis]` (or `pip install matplotlib`)"
        ) from e


class Canvas:
    """Mixin holding the image and the figure it is drawn on.

    Subclasses call :meth:`_init_canvas` from ``__init__``.
    """

    _image: np.ndarray | None
    _raster: np.ndarray  # the image with the masks blended in
    _raster_artist: Any
    width: int
    height: int
    _default_font_size: float
    fig_save_cfg: dict
    fig_show_cfg: dict

    def _init_canvas(self, fig_save_cfg: dict, fig_show_cfg: dict) -> None:
        self._image = None
        self.fig_save_cfg = dict(fig_save_cfg)
        self.fig_show_cfg = dict(fig_show_cfg)
        self._figure: tuple[Figure, FigureCanvasAgg, Axes] | None = None

    # -- the figure, made lazily ------------------------------------------

    def _initialize_fig(self, fig_cfg: dict) -> tuple:
        """Build a figure with one borderless axes filling it.

        Args:
            fig_cfg: Keyword arguments of :class:`matplotlib.figure.Figure`.

        Returns:
            ``(figure, canvas, axes)``.
        """
        require_matplotlib()
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(**fig_cfg)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.axis(False)
        fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
        return fig, canvas, ax

    def _ensure_figure(self) -> tuple[Figure, FigureCanvasAgg, Axes]:
        if self._figure is None:
            self._figure = self._initialize_fig(self.fig_save_cfg)
        return self._figure

    @property
    def fig_save(self) -> Figure:
        """The figure the image is drawn on."""
        return self._ensure_figure()[0]

    @property
    def fig_save_canvas(self) -> FigureCanvasAgg:
        """The Agg canvas of :attr:`fig_save`."""
        return self._ensure_figure()[1]

    @property
    def ax_save(self) -> Axes:
        """The axes of :attr:`fig_save` (image pixel coordinates)."""
        return self._ensure_figure()[2]

    @property
    def dpi(self) -> float:
        """Dots per inch of :attr:`fig_save`; line widths are in points."""
        return float(self.fig_save.get_dpi())

    # -- the image ----------------------------------------------------------

    def set_image(self, image: np.ndarray) -> None:
        """Set the image to draw on; earlier drawings are discarded.

        Args:
            image: An RGB image, ``(H, W, 3)``; ``(H, W)`` is grey and
                ``(H, W, 4)`` loses its alpha channel. Cast to uint8.

        Raises:
            ValueError: ``image`` is None or has another shape (also an
                :class:`AssertionError`).
        """
        from engine.utils._errors import CompatValueError

        if image is None:
            raise CompatValueError("set_image() needs an image, got None")
        image = np.asarray(tensor2ndarray(image)).astype("uint8")
        if image.ndim == 2:
            image = np.repeat(image[..., None], 3, axis=2)
        if image.ndim != 3 or image.shape[2] not in (3, 4):
            raise CompatValueError(
                f"image must be (H, W), (H, W, 3) or (H, W, 4), got {image.shape}"
            )
        self._image = np.ascontiguousarray(image[..., :3])
        self.height, self.width = self._image.shape[:2]
        self._default_font_size = max(np.sqrt(self.height * self.width) // 90, 10)
        self._reset_axes()

    def _reset_axes(self) -> None:
        image = self._require_image()
        fig, _, ax = self._ensure_figure()
        dpi = fig.get_dpi()
        fig.set_size_inches((self.width + 1e-2) / dpi, (self.height + 1e-2) / dpi)
        ax.cla()
        ax.axis(False)
        self._raster = image.copy()
        self._raster_artist = ax.imshow(
            image, extent=(0, self.width, self.height, 0), interpolation="none"
        )
        ax.set_xlim(0, self.width)
        ax.set_ylim(self.height, 0)
        ax.set_autoscale_on(False)

    def get_image(self) -> np.ndarray:
        """Render the image with everything drawn so far.

        Returns:
            An ``(H, W, 3)`` RGB uint8 array.

        Raises:
            ImageNotSetError: No image was set (a :class:`RuntimeError`, also
                an :class:`AssertionError`).
        """
        self._require_image()
        image = img_from_canvas(self.fig_save_canvas)
        return image[: self.height, : self.width]

    def _require_image(self) -> np.ndarray:
        if self._image is None:
            raise ImageNotSetError(
                "no image to draw on: pass `image=` to the Visualizer or call "
                "set_image() first"
            )
        return self._image

    def _is_posion_valid(self, position: np.ndarray) -> bool:
        """Whether every ``(x, y)`` in ``position`` lies inside the image."""
        position = np.asarray(position, dtype=np.float64).reshape(-1, 2)
        xs, ys = position[:, 0], position[:, 1]
        return bool(
            (xs >= 0).all()
            and (xs <= self.width).all()
            and (ys >= 0).all()
            and (ys <= self.height).all()
        )

    def _warn_out_of_bounds(self, position: np.ndarray, what: str) -> None:
        if not self._is_posion_valid(position):
            warnings.warn(
                f"Warning: The {what} is out of bounds, the drawn {what} may not "
                f"be in the image (image size {self.width}x{self.height})",
                UserWarning,
                stacklevel=3,
            )

    def _as_array(self, name: str, value: Any) -> np.ndarray:
        """``value`` (ndarray or tensor) as ndarray; TypeError otherwise."""
        from engine.visualization.utils import is_tensor

        if not (isinstance(value, np.ndarray) or is_tensor(value)):
            raise TypeError(
                f"`{name}` should be a numpy.ndarray or torch.Tensor, "
                f"but got {type(value).__name__}"
            )
        return np.asarray(tensor2ndarray(value))
