"""The scene of the golden-image test, and the script that made its golden.

``tests/visualization/golden/scene.png`` was drawn by the reference MMEngine
0.10.7 (run from the repository root)::

    TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 .venv-ref/bin/python \\
        tests/visualization/golden_scene.py mmengine \\
        tests/visualization/golden/scene.png

:func:`draw_scene` takes the ``Visualizer`` class, so the same calls run on
either implementation; the test compares engine's drawing with the golden
within a tolerance (anti-aliased edges may differ by a few levels).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import numpy as np

HEIGHT, WIDTH = 120, 160


def background() -> np.ndarray:
    """A deterministic gradient with a little noise."""
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    noise = np.random.RandomState(7).randint(0, 40, (HEIGHT, WIDTH))
    image = np.stack([xs * 255 // WIDTH, ys * 255 // HEIGHT, noise], axis=-1)
    return image.astype(np.uint8)


def draw_scene(visualizer_cls: Any) -> np.ndarray:
    """Draw every primitive once on :func:`background`; return the image."""
    vis = visualizer_cls(image=background())
    mask = np.zeros((HEIGHT, WIDTH), bool)
    mask[60:110, 10:70] = True
    vis.draw_binary_masks(mask, colors="c", alphas=0.4)
    vis.draw_bboxes(
        np.array([[10, 10, 70, 50], [90, 20, 150, 100]]), edge_colors=["r", "y"]
    )
    vis.draw_polygons(
        np.array([[100, 30], [140, 40], [120, 90]]), face_colors="m", alpha=0.5
    )
    vis.draw_circles(
        np.array([[40, 85]]), np.array([15]), edge_colors="w", line_widths=1
    )
    vis.draw_lines(
        np.array([[0, 160]]), np.array([[118, 60]]), colors="b", line_widths=3
    )
    vis.draw_points(
        np.array([[20, 20], [30, 30]]), colors=[(255, 128, 0), "k"], sizes=[40, 10]
    )
    vis.draw_texts(
        ["cat", "dog"], np.array([[12, 12], [92, 22]]), colors=["w", "k"], font_sizes=9
    )
    return vis.get_image()


def main(argv: list[str]) -> None:
    """``golden_scene.py <package> <out.png>``: draw the scene and save it."""
    package, out = argv
    visualizer_cls = importlib.import_module(f"{package}.visualization").Visualizer
    from PIL import Image

    Image.fromarray(draw_scene(visualizer_cls)).save(out)


if __name__ == "__main__":
    main(sys.argv[1:])
