"""Visualization: draw on images and store results to experiment trackers.

:class:`Visualizer` draws boxes, points, texts, lines, circles, polygons,
masks and feature maps on an RGB image, and forwards scalars, images and the
config to its backends (:mod:`engine.visualization.vis_backend`): local
files, TensorBoard, MLflow, DVCLive, W&B, ClearML, Neptune, Aim.
:mod:`engine.visualization.plot` turns a run's ``scalars.json`` into PNG
curves (beyond MMEngine).

Importing this package imports neither torch nor matplotlib; drawing needs
matplotlib (``pip install engine[vis]``).

Examples:
    >>> import numpy as np
    >>> from engine.visualization import Visualizer
    >>> vis = Visualizer(image=np.zeros((40, 60, 3), np.uint8))
    >>> vis.draw_bboxes(np.array([5, 5, 30, 30])).get_image().shape
    (40, 60, 3)
"""

from engine.visualization.vis_backend import (
    AimVisBackend,
    BaseVisBackend,
    ClearMLVisBackend,
    DVCLiveVisBackend,
    LocalVisBackend,
    MLflowVisBackend,
    NeptuneVisBackend,
    TensorboardVisBackend,
    WandbVisBackend,
)
from engine.visualization.visualizer import Visualizer

__all__ = [
    "Visualizer",
    "BaseVisBackend",
    "LocalVisBackend",
    "WandbVisBackend",
    "TensorboardVisBackend",
    "MLflowVisBackend",
    "ClearMLVisBackend",
    "NeptuneVisBackend",
    "DVCLiveVisBackend",
    "AimVisBackend",
]
