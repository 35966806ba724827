"""The :class:`Visualizer`: draw on images, send results to backends.

A visualizer has two jobs.

*Drawing*: :meth:`~Visualizer.set_image` puts an RGB image on a canvas; the
``draw_*`` methods overlay boxes, points, texts, lines, circles, polygons and
masks (each returns the visualizer, so calls chain and repeated calls
overlay); :meth:`~Visualizer.get_image` returns the result as an RGB array;
:meth:`~Visualizer.draw_featmap` turns a feature map into a heatmap image.

*Storage*: :meth:`~Visualizer.add_scalars`, :meth:`~Visualizer.add_image`,
:meth:`~Visualizer.add_config`... forward to every backend of
``vis_backends`` (local files, TensorBoard, MLflow, W&B...), on the main
process only. A backend that raises is logged once and disabled for the rest
of the run: training never dies because a tracker did (a missing tracker
package still raises its ImportError, which is a configuration error).

It is a :class:`~engine.utils.ManagerMixin`: ``Visualizer.get_instance(name,
...)`` builds a named instance that any code can reach later with
``Visualizer.get_current_instance()``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.registry import VISUALIZERS
from engine.utils.manager import ManagerMixin
from engine.visualization._base_backend import BaseVisBackend
from engine.visualization._dispatch import (
    VisBackendsType,
    build_backends,
    log_failure,
    main_process_only,
)
from engine.visualization._featmap import draw_featmap as _draw_featmap
from engine.visualization._marks import MarksMixin
from engine.visualization._shapes import ShapesMixin
from engine.visualization._show import show_image

if TYPE_CHECKING:
    import torch

    from engine.config import Config
    from engine.structures import BaseDataElement

__all__ = ["Visualizer"]


@VISUALIZERS.register_module()
class Visualizer(ManagerMixin, ShapesMixin, MarksMixin):
    """Draw on images and record results to visualization backends.

    Args:
        name: The instance name (see :class:`~engine.utils.ManagerMixin`).
            Defaults to ``'visualizer'``.
        image: An RGB image to draw on. Defaults to None (set it later with
            :meth:`set_image`).
        vis_backends: Backend configs (``dict(type='LocalVisBackend')``, with
            an optional ``name`` key, by default the class name) and/or
            backend instances; one or a list. Defaults to None (no storage).
        save_dir: Where backends built from configs write: a config without
            its own ``save_dir`` gets ``<save_dir>/vis_data``; without either,
            that backend is skipped with a warning. Defaults to None.
        fig_save_cfg: Keyword arguments of the drawing figure. Defaults to
            ``dict(frameon=False)``.
        fig_show_cfg: Keyword arguments of the window figure of
            :meth:`show`. Defaults to ``dict(frameon=False)``.

    Raises:
        TypeError: ``vis_backends`` holds something else than dicts and
            backends.
        RuntimeError: Two backends have the same name.

    Examples:
        >>> import numpy as np
        >>> vis = Visualizer(image=np.zeros((60, 80, 3), np.uint8))
        >>> vis = vis.draw_bboxes(np.array([10, 10, 50, 40]), edge_colors='r')
        >>> vis.get_image().shape
        (60, 80, 3)
        >>> import tempfile
        >>> vis = Visualizer(vis_backends=[dict(type='LocalVisBackend')],
        ...                  save_dir=tempfile.mkdtemp())
        >>> vis.add_scalars({'loss': 0.5}, step=1)  # -> vis_data/scalars.json
    """

    def __init__(
        self,
        name: str = "visualizer",
        image: np.ndarray | None = None,
        vis_backends: VisBackendsType = None,
        save_dir: str | None = None,
        fig_save_cfg: dict = dict(frameon=False),  # noqa: B006 (MMEngine's default)
        fig_show_cfg: dict = dict(frameon=False),  # noqa: B006
    ) -> None:
        super().__init__(name)
        self._dataset_meta: dict | None = None
        self._init_canvas(fig_save_cfg, fig_show_cfg)
        self._vis_backends: dict[str, BaseVisBackend] = {}
        self._failed_backends: set[str] = set()
        self._fig_show: Any = None
        for backend_name, backend in build_backends(vis_backends, save_dir):
            if backend_name in self._vis_backends:
                raise RuntimeError(
                    f"vis_backend name {backend_name} already exists; give the "
                    "backends distinct `name` keys"
                )
            self._vis_backends[backend_name] = backend
        if image is not None:
            self.set_image(image)

    @classmethod
    def get_instance(cls, name: str, **kwargs: Any) -> Visualizer:
        """The instance called ``name``, built from ``kwargs`` the first time.

        Args:
            name: The instance name.
            **kwargs: Arguments of :class:`Visualizer` for a new instance.

        Examples:
            >>> vis = Visualizer.get_instance('doc_vis')
            >>> Visualizer.get_current_instance() is vis
            True
        """
        return super().get_instance(name, **kwargs)

    @property
    def dataset_meta(self) -> dict | None:
        """Meta information of the dataset (``classes``, ``palette``...)."""
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        self._dataset_meta = dataset_meta

    # -- drawing ------------------------------------------------------------

    @staticmethod
    def draw_featmap(
        featmap: torch.Tensor,
        overlaid_image: np.ndarray | None = None,
        channel_reduction: str | None = "squeeze_mean",
        topk: int = 20,
        arrangement: tuple[int, int] = (4, 5),
        resize_shape: tuple | None = None,
        alpha: float = 0.5,
    ) -> np.ndarray:
        """Draw a ``(C, H, W)`` feature map as a jet heatmap image.

        With ``channel_reduction`` set, the channels are reduced to one map:
        ``'squeeze_mean'`` averages them, ``'select_max'`` keeps the channel
        with the largest sum. With ``channel_reduction=None`` and
        ``topk > 0``, the ``topk`` channels with the largest sums are tiled
        on an ``arrangement`` grid (rows, cols), each titled with its index;
        with ``topk <= 0``, a 1- or 3-channel map is shown as is.

        Args:
            featmap: The feature map, a tensor ``(C, H, W)``.
            overlaid_image: An RGB image to blend under the heatmap; the map
                is resized to its size (with a warning) when they differ.
                Defaults to None.
            channel_reduction: ``'squeeze_mean'``, ``'select_max'`` or None.
                Defaults to ``'squeeze_mean'``.
            topk: Channels to show when ``channel_reduction`` is None.
                Defaults to 20.
            arrangement: ``(rows, cols)`` of the grid. Defaults to ``(4, 5)``.
            resize_shape: ``(H, W)`` to resize the map (and image) to.
                Defaults to None.
            alpha: Weight of the heatmap in the blend. Defaults to 0.5.

        Returns:
            An RGB uint8 image.

        Raises:
            TypeError: ``featmap`` is not a tensor (also an
                :class:`AssertionError`).
            ValueError: Bad dimensions, mode, channel count or arrangement
                (also an :class:`AssertionError`).

        Examples:
            >>> import torch
            >>> feat = torch.arange(24.0).reshape(2, 3, 4)
            >>> Visualizer.draw_featmap(feat).shape
            (3, 4, 3)
            >>> Visualizer.draw_featmap(feat, channel_reduction=None, topk=2,
            ...                         arrangement=(1, 2)).shape
            (3, 8, 3)
        """
        return _draw_featmap(
            featmap,
            overlaid_image,
            channel_reduction,
            topk,
            arrangement,
            resize_shape,
            alpha,
        )

    def show(
        self,
        drawn_img: np.ndarray | None = None,
        win_name: str = "image",
        wait_time: float = 0.0,
        continue_key: str = " ",
        backend: str = "matplotlib",
    ) -> None:
        """Show the drawn image in a window, or do nothing without a display.

        Headless (no display, or a non-interactive matplotlib backend such as
        Agg) it logs once that nothing can be shown and returns at once.

        Args:
            drawn_img: The image to show. Defaults to None (:meth:`get_image`).
            win_name: The window title. Defaults to ``'image'``.
            wait_time: Seconds to wait; 0 waits for ``continue_key``.
                Defaults to 0.
            continue_key: The key that closes the wait. Defaults to ``' '``.
            backend: ``'matplotlib'`` or ``'cv2'`` (needs opencv-python).
                Defaults to ``'matplotlib'``.

        Raises:
            ValueError: ``backend`` is unknown.

        Examples:
            >>> import numpy as np
            >>> vis = Visualizer(image=np.zeros((8, 8, 3), np.uint8))
            >>> vis.show()  # headless: logs once, returns at once  # doctest: +SKIP
        """
        image = self.get_image() if drawn_img is None else drawn_img
        show_image(self, image, win_name, wait_time, continue_key, backend)

    def _init_manager(self, win_name: str) -> None:
        """Open (or reuse) the pyplot window of :meth:`show`, titled ``win_name``."""
        import matplotlib.pyplot as plt

        if self._fig_show is None or not plt.fignum_exists(self._fig_show.number):
            self._fig_show = plt.figure(**self.fig_show_cfg)
        manager = self._fig_show.canvas.manager
        if manager is not None:
            manager.set_window_title(win_name)

    # -- storage --------------------------------------------------------------

    def get_backend(self, name: str) -> BaseVisBackend | None:
        """The backend called ``name``, or None.

        Args:
            name: The backend's ``name`` key (default: its class name).

        Examples:
            >>> Visualizer().get_backend('LocalVisBackend') is None
            True
        """
        return self._vis_backends.get(name)

    def _call_backends(self, method: str, *args: Any, **kwargs: Any) -> None:
        """Call ``method`` on every enabled backend; disable one that fails."""
        for name, backend in self._vis_backends.items():
            if name in self._failed_backends:
                continue
            try:
                getattr(backend, method)(*args, **kwargs)
            except ImportError:
                raise
            except Exception as e:
                self._failed_backends.add(name)
                log_failure(name, backend, method, e)

    @main_process_only
    def add_config(self, config: Config, **kwargs: Any) -> None:
        """Record the config in every backend.

        Args:
            config: The config.
            **kwargs: Passed to the backends.
        """
        self._call_backends("add_config", config, **kwargs)

    @main_process_only
    def add_graph(
        self, model: torch.nn.Module, data_batch: Sequence[dict], **kwargs: Any
    ) -> None:
        """Record the model graph in every backend.

        Args:
            model: The model.
            data_batch: A batch of data the model takes.
            **kwargs: Passed to the backends.
        """
        self._call_backends("add_graph", model, data_batch, **kwargs)

    @main_process_only
    def add_image(self, name: str, image: np.ndarray, step: int = 0) -> None:
        """Record an RGB uint8 image in every backend.

        Args:
            name: The image's tag.
            image: An ``(H, W, 3)`` RGB uint8 array.
            step: The global step. Defaults to 0.
        """
        self._call_backends("add_image", name, image, step)

    @main_process_only
    def add_scalar(
        self, name: str, value: int | float, step: int = 0, **kwargs: Any
    ) -> None:
        """Record a scalar in every backend.

        Args:
            name: The scalar's tag.
            value: Its value.
            step: The global step. Defaults to 0.
            **kwargs: Passed to the backends.
        """
        self._call_backends("add_scalar", name, value, step, **kwargs)

    @main_process_only
    def add_scalars(
        self,
        scalar_dict: dict,
        step: int = 0,
        file_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Record several scalars of one step in every backend.

        Args:
            scalar_dict: Tag to value.
            step: The global step. Defaults to 0.
            file_path: An extra JSON file (relative to the backend's
                directory) for backends that write files. Defaults to None.
            **kwargs: Passed to the backends.
        """
        self._call_backends("add_scalars", scalar_dict, step, file_path, **kwargs)

    @main_process_only
    def add_datasample(
        self,
        name: str,
        image: np.ndarray,
        data_sample: BaseDataElement | None = None,
        draw_gt: bool = True,
        draw_pred: bool = True,
        show: bool = False,
        wait_time: int = 0,
        step: int = 0,
    ) -> None:
        """Draw a data sample's annotations and predictions (a hook).

        The base class does nothing: downstream libraries override it to
        draw their data elements (boxes, masks, labels) on ``image``, then
        show it or :meth:`add_image` it.

        Args:
            name: The image's tag.
            image: The RGB image.
            data_sample: Ground truth and predictions. Defaults to None.
            draw_gt: Draw the ground truth. Defaults to True.
            draw_pred: Draw the predictions. Defaults to True.
            show: Show the result. Defaults to False.
            wait_time: Seconds :meth:`show` waits. Defaults to 0.
            step: The global step. Defaults to 0.
        """

    def close(self) -> None:
        """Close every backend and the :meth:`show` window."""
        for name, backend in self._vis_backends.items():
            if name in self._failed_backends:
                continue
            try:
                backend.close()
            except Exception as e:
                self._failed_backends.add(name)
                log_failure(name, backend, "close", e)
        if self._fig_show is not None and "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(self._fig_show)
            self._fig_show = None
