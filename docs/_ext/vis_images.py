"""Sphinx extension: draw the images of ``docs/api/visualization.md``.

At ``builder-inited`` it runs :class:`engine.visualization.Visualizer` on a
synthetic 240x320 image (the doc's two boxes, then one panel per drawing
method), draws feature maps with ``draw_featmap``, and plots two synthetic
runs with :func:`engine.visualization.plot.plot_scalars`; the PNG files go
to ``docs/_generated/visualization/``. A failure fails the build (``-W``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "_generated" / "visualization"
HEIGHT, WIDTH = 240, 320


def background() -> Any:
    """A soft two-colour gradient standing in for the doc's photo."""
    import numpy as np

    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    red = 60 + 120 * xs / WIDTH
    green = 90 + 80 * ys / HEIGHT
    blue = np.full((HEIGHT, WIDTH), 150.0)
    return np.stack([red, green, blue], axis=-1).astype(np.uint8)


def _panels() -> dict[str, Callable[[Any], Any]]:
    """File stem -> the drawing calls of that panel."""
    import numpy as np
    import torch

    mask = np.zeros((HEIGHT, WIDTH), bool)
    mask[60:180, 80:240] = True
    return {
        "bboxes": lambda v: v.draw_bboxes(
            torch.tensor([[33, 120, 209, 220], [72, 13, 179, 147]])
        ),
        "points": lambda v: v.draw_points(
            np.array([[60, 60], [160, 120], [260, 180]]),
            colors=["r", "g", "b"],
            sizes=np.array([40, 160, 640]),
        ),
        "texts": lambda v: v.draw_texts(
            ["cat", "dog"],
            np.array([[40, 40], [180, 140]]),
            colors=["w", "y"],
            font_sizes=[18, 24],
            bboxes=dict(facecolor="black", alpha=0.5),
        ),
        "lines": lambda v: v.draw_lines(
            np.array([[20, 300], [160, 160]]),
            np.array([[120, 120], [20, 220]]),
            colors=["r", "b"],
            line_widths=[2, 6],
        ),
        "circles": lambda v: v.draw_circles(
            np.array([[100, 120], [220, 120]]),
            np.array([50, 30]),
            edge_colors=["w", "m"],
            face_colors=["none", "c"],
        ),
        "polygons": lambda v: v.draw_polygons(
            [np.array([[40, 200], [160, 30], [280, 200]])],
            edge_colors="y",
            face_colors="r",
            alpha=0.4,
        ),
        "binary_masks": lambda v: v.draw_binary_masks(mask, colors="g", alphas=0.5),
    }


def draw_panels(out: Path) -> list[Path]:
    """One PNG per drawing method, and the doc's two-box example."""
    from PIL import Image

    from engine.visualization import Visualizer

    paths = []
    for stem, draw in _panels().items():
        vis = Visualizer(image=background())
        draw(vis)
        path = out / f"draw_{stem}.png"
        Image.fromarray(vis.get_image()).save(path)
        paths.append(path)
    return paths


def draw_featmaps(out: Path) -> list[Path]:
    """``draw_featmap`` with a mean, a max channel and a top-k grid."""
    import torch
    from PIL import Image

    from engine.visualization import Visualizer

    ys, xs = torch.meshgrid(torch.arange(48.0), torch.arange(64.0), indexing="ij")
    feat = torch.stack(
        [
            torch.exp(-((xs - 8 * c) ** 2 + (ys - 5 * c) ** 2) / (60 + 30 * c))
            * (c + 1)
            for c in range(8)
        ]
    )
    image = background()[::5, ::5]  # the feature map's 48x64
    results = {
        "featmap_mean": Visualizer.draw_featmap(
            feat, image, resize_shape=(HEIGHT, WIDTH)
        ),
        "featmap_max": Visualizer.draw_featmap(
            feat, channel_reduction="select_max", resize_shape=(HEIGHT, WIDTH)
        ),
        "featmap_topk": Visualizer.draw_featmap(
            feat,
            channel_reduction=None,
            topk=6,
            arrangement=(2, 3),
            resize_shape=(96, 128),
        ),
    }
    paths = []
    for stem, array in results.items():
        path = out / f"{stem}.png"
        Image.fromarray(array).save(path)
        paths.append(path)
    return paths


def plot_curves(out: Path) -> list[Path]:
    """Two synthetic runs' ``scalars.json``, overlaid by ``plot_scalars``."""
    import math

    from engine.visualization.plot import plot_scalars

    files = {}
    for name, rate in (("baseline", 0.02), ("larger_lr", 0.035)):
        path = out / "runs" / name / "scalars.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            for step in range(1, 201):
                loss = 2.0 * math.exp(-rate * step) + 0.1 + 0.05 * math.sin(step / 3)
                lr = rate * 0.5 * (1 + math.cos(math.pi * step / 200))
                print(json.dumps({"loss": loss, "lr": lr, "step": step}), file=f)
        files[name] = path
    return plot_scalars(files, out, keys=["loss", "lr"], figsize=(5, 3))


def build_all(out: Path = OUT) -> list[Path]:
    """Write every image; return the paths."""
    import matplotlib

    matplotlib.use("Agg")
    out.mkdir(parents=True, exist_ok=True)
    return draw_panels(out) + draw_featmaps(out) + plot_curves(out)


def _on_builder_inited(app: Any) -> None:
    build_all()


def setup(app: Any) -> dict[str, Any]:
    """Register the extension."""
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "version": "1"}
