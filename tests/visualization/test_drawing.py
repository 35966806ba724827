"""Drawing on the canvas: argument handling and pixels, per draw_* method."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from matplotlib.font_manager import FontProperties
from PIL import Image

from engine.visualization import Visualizer
from engine.visualization._canvas import ImageNotSetError
from tests.visualization.golden_scene import draw_scene

GOLDEN = Path(__file__).parent / "golden"


def _vis(canvas: np.ndarray) -> Visualizer:
    return Visualizer(image=canvas)


def _changed(vis: Visualizer) -> np.ndarray:
    return vis.get_image().any(axis=-1)


# -- the image --


def test_set_and_get_image_round_trip() -> None:
    image = np.random.RandomState(0).randint(0, 256, (37, 53, 3)).astype(np.uint8)
    vis = Visualizer(image=image)
    np.testing.assert_array_equal(vis.get_image(), image)
    assert (vis.width, vis.height) == (53, 37)


def test_set_image_converts_grey_rgba_float_and_tensors() -> None:
    vis = Visualizer()
    vis.set_image(np.full((4, 5), 7, np.uint8))
    assert (vis.get_image() == 7).all() and vis.get_image().shape == (4, 5, 3)
    vis.set_image(np.full((4, 5, 4), 9, np.uint8))  # alpha dropped
    assert (vis.get_image() == 9).all()
    vis.set_image(np.full((4, 5, 3), 3.7, np.float32))  # cast like astype('uint8')
    assert (vis.get_image() == 3).all()
    vis.set_image(torch.full((4, 5, 3), 11, dtype=torch.uint8))
    assert (vis.get_image() == 11).all()


def test_set_image_discards_earlier_drawings(canvas: np.ndarray) -> None:
    vis = _vis(canvas).draw_bboxes(np.array([5, 5, 40, 40]))
    vis.set_image(canvas)
    assert not vis.get_image().any()


def test_set_image_rejects_bad_images() -> None:
    vis = Visualizer()
    with pytest.raises(AssertionError, match="None"):
        vis.set_image(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        vis.set_image(np.zeros((4, 5, 2), np.uint8))


def test_drawing_without_an_image_names_set_image() -> None:
    vis = Visualizer()
    with pytest.raises(ImageNotSetError, match="set_image"):
        vis.get_image()
    with pytest.raises(RuntimeError, match="set_image"):
        vis.draw_bboxes(np.array([1, 2, 3, 4]))


def test_default_font_size_grows_with_the_image() -> None:
    assert Visualizer(image=np.zeros((240, 320, 3), np.uint8))._default_font_size == 10
    big = Visualizer(image=np.zeros((1000, 2000, 3), np.uint8))
    assert big._default_font_size == 15  # sqrt(2e6) // 90


def test_figure_is_made_lazily_and_sized_to_the_image() -> None:
    vis = Visualizer()
    assert vis._figure is None  # no matplotlib figure for a storage-only visualizer
    vis.set_image(np.zeros((30, 40, 3), np.uint8))
    width, height = vis.fig_save.get_size_inches() * vis.dpi
    assert (round(width), round(height)) == (40, 30)
    assert vis.ax_save.get_xlim() == (0, 40) and vis.ax_save.get_ylim() == (30, 0)
    assert vis.fig_save_canvas.figure is vis.fig_save


def test_fig_save_cfg_reaches_the_figure() -> None:
    vis = Visualizer(image=np.zeros((8, 8, 3), np.uint8), fig_save_cfg=dict(dpi=50))
    assert vis.dpi == 50
    assert vis.get_image().shape == (8, 8, 3)


def test_out_of_image_shapes_are_clipped_not_rescaled(canvas: np.ndarray) -> None:
    image = np.full((60, 80, 3), 40, np.uint8)
    vis = Visualizer(image=image)
    with pytest.warns(UserWarning, match="bbox is out of bounds"):
        vis.draw_bboxes(np.array([[10, 10, 500, 500]]))
    # the view did not zoom out: the far corner still shows the image
    np.testing.assert_array_equal(vis.get_image()[55, 75], (40, 40, 40))


# -- boxes, polygons, circles, lines --


def test_draw_bboxes_accepts_one_box_or_many(canvas: np.ndarray) -> None:
    one = _changed(_vis(canvas).draw_bboxes(np.array([10, 10, 40, 40])))
    many = _changed(_vis(canvas).draw_bboxes(torch.tensor([[10, 10, 40, 40]])))
    np.testing.assert_array_equal(one, many)
    assert one[10, 25] and not one[25, 25]


def test_draw_bboxes_empty_draws_nothing(canvas: np.ndarray) -> None:
    assert not _changed(_vis(canvas).draw_bboxes(np.zeros((0, 4)))).any()


@pytest.mark.parametrize(
    ("boxes", "error", "match"),
    [
        (np.array([[1, 2, 3]]), ValueError, r"\(N, 4\), but got \(1, 3\)"),
        (np.array([[30, 1, 10, 5]]), ValueError, "x2 >= x1"),
        (
            [[1, 2, 3, 4]],
            TypeError,
            "`bboxes` should be a numpy.ndarray or torch.Tensor",
        ),
    ],
)
def test_draw_bboxes_validation(
    canvas: np.ndarray, boxes: Any, error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        _vis(canvas).draw_bboxes(boxes)


def test_draw_bboxes_fill_and_colours(canvas: np.ndarray) -> None:
    img = (
        _vis(canvas)
        .draw_bboxes(
            np.array([[10, 10, 40, 40], [50, 10, 70, 40]]),
            edge_colors=["r", (0, 0, 255)],
            face_colors="w",
            alpha=1.0,
        )
        .get_image()
    )
    assert img[25, 25].tolist() == [255, 255, 255]  # filled
    assert img[10, 25, 0] > 200 and img[10, 25, 2] == 0  # first edge red
    assert img[10, 60, 2] > 200 and img[10, 60, 0] == 0  # second edge blue


def test_short_style_lists_cycle_for_collections(canvas: np.ndarray) -> None:
    img = (
        _vis(canvas)
        .draw_bboxes(
            np.array([[5, 5, 20, 20], [30, 5, 45, 20], [55, 5, 70, 20]]),
            edge_colors=["r", "b"],
            alpha=1.0,
        )
        .get_image()
    )
    assert img[5, 12, 0] > 200 and img[5, 37, 2] > 200 and img[5, 62, 0] > 200


@pytest.mark.parametrize("width", [0.2, 1, 2, 2.5, 3, 10])
def test_outline_widths_are_clamped(canvas: np.ndarray, width: float) -> None:
    vis = _vis(canvas)
    vis.draw_polygons(np.array([[0, 30], [80, 30]]), line_widths=width)
    thickness = _changed(vis)[:, 40].sum()
    reference = _vis(canvas)
    reference.draw_polygons(
        np.array([[0, 30], [80, 30]]), line_widths=min(max(width, 1), 2.5)
    )
    assert thickness == _changed(reference)[:, 40].sum()


def test_line_widths_are_not_clamped(canvas: np.ndarray) -> None:
    thin = _changed(
        _vis(canvas).draw_lines(np.array([0, 80]), np.array([30, 30]), line_widths=2)
    )
    thick = _changed(
        _vis(canvas).draw_lines(np.array([0, 80]), np.array([30, 30]), line_widths=10)
    )
    assert thick[:, 40].sum() > 2 * thin[:, 40].sum()


def test_draw_polygons_list_of_arrays_and_tensors(canvas: np.ndarray) -> None:
    vis = _vis(canvas).draw_polygons(
        [
            np.array([[5, 5], [20, 5], [20, 20]]),
            torch.tensor([[40, 40], [60, 40], [60, 55]]),
        ],
        face_colors="g",
        alpha=1.0,
    )
    changed = _changed(vis)
    assert changed[8, 17] and changed[43, 57] and not changed[30, 30]


@pytest.mark.parametrize(
    ("polygons", "error"),
    [
        (np.array([[1, 2, 3], [4, 5, 6]]), ValueError),
        ([np.array([[1, 2], [3, 4]]), [[1, 2]]], TypeError),
    ],
)
def test_draw_polygons_validation(
    canvas: np.ndarray, polygons: Any, error: type
) -> None:
    with pytest.raises(error):
        _vis(canvas).draw_polygons(polygons)


def test_draw_polygons_empty_list(canvas: np.ndarray) -> None:
    assert not _changed(_vis(canvas).draw_polygons([])).any()


def test_draw_circles(canvas: np.ndarray) -> None:
    vis = _vis(canvas).draw_circles(
        torch.tensor([[20, 30], [60, 30]]),
        np.array([10, 5]),
        face_colors=["r", "b"],
        alpha=1.0,
    )
    img = vis.get_image()
    assert img[30, 20].tolist() == [255, 0, 0] and img[30, 60].tolist() == [0, 0, 255]
    assert not img[5, 40].any()


def test_draw_circles_validation(canvas: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"\(len\(radius\), 2\) = \(2, 2\)"):
        _vis(canvas).draw_circles(np.array([[1, 2]]), np.array([1, 2]))
    with pytest.raises(TypeError, match="`radius`"):
        _vis(canvas).draw_circles(np.array([1, 2]), 3)  # type: ignore[arg-type]


def test_draw_lines_segments(canvas: np.ndarray) -> None:
    vis = _vis(canvas).draw_lines(
        np.array([[0, 80], [40, 40]]), np.array([[10, 10], [0, 60]])
    )
    changed = _changed(vis)
    assert changed[10, 60] and changed[50, 40] and not changed[40, 10]


def test_draw_lines_validation(canvas: np.ndarray) -> None:
    with pytest.raises(ValueError, match="same shape"):
        _vis(canvas).draw_lines(np.array([1, 2, 3]), np.array([1, 2]))
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        _vis(canvas).draw_lines(np.array([[1, 2, 3]]), np.array([[1, 2, 3]]))


# -- points, texts, masks --


def test_draw_points_sizes_marker_and_colours(canvas: np.ndarray) -> None:
    small = _changed(
        _vis(canvas).draw_points(np.array([[40, 30]]), sizes=np.array([10]))
    )
    large = _changed(
        _vis(canvas).draw_points(np.array([[40, 30]]), sizes=torch.tensor([200]))
    )
    assert large.sum() > 3 * small.sum()
    img = (
        _vis(canvas)
        .draw_points(
            np.array([[10, 10], [60, 40]]), colors=["r", (0, 0, 255)], marker="s"
        )
        .get_image()
    )
    assert img[10, 10, 0] > 200 and img[40, 60, 2] > 200


def test_draw_points_validation(canvas: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"\(N, 2\), but got \(1, 3\)"):
        _vis(canvas).draw_points(np.array([[1, 2, 3]]))
    with pytest.warns(UserWarning, match="point is out of bounds"):
        _vis(canvas).draw_points(np.array([[100, 10]]))


def test_draw_texts_single_and_many(canvas: np.ndarray) -> None:
    one = _vis(canvas).draw_texts("Hi", np.array([5, 5]), colors="w")
    many = _vis(canvas).draw_texts(
        ["Hi", "Yo"], torch.tensor([[5, 5], [40, 30]]), colors="w"
    )
    assert _changed(one)[5:20, 5:25].any() and not _changed(one)[30:, 40:].any()
    assert _changed(many)[30:45, 40:60].any()


def test_draw_texts_styles(canvas: np.ndarray) -> None:
    vis = _vis(canvas).draw_texts(
        ["a", "b"],
        np.array([[10, 10], [50, 10]]),
        font_sizes=[8, 14.5],
        colors=[(255, 0, 0), "b"],
        vertical_alignments=["top", "center"],
        horizontal_alignments="center",
        font_families=["serif", "monospace"],
        bboxes=[dict(facecolor="white"), dict(facecolor="yellow")],
        font_properties=FontProperties(size=12),
    )
    img = vis.get_image()
    assert (img == (255, 255, 255)).all(axis=-1).any()  # the white text box


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(texts=5), TypeError, "`texts` should be str or list"),
        (dict(positions=np.array([[1, 1]])), ValueError, r"shape of \(2, 2\)"),
        (dict(colors=["r"]), AssertionError, "`colors` needs at least 2"),
        (dict(font_sizes=[8]), ValueError, "`font_sizes` needs at least 2"),
        (dict(font_sizes="big"), TypeError, "`font_sizes`"),
        (dict(vertical_alignments=["top"]), ValueError, "`vertical_alignments`"),
        (dict(horizontal_alignments=3), TypeError, "`horizontal_alignments`"),
        (dict(bboxes=[dict()]), ValueError, "`bboxes` needs at least 2"),
        (dict(font_properties=5), TypeError, "`font_properties`"),
    ],
)
def test_draw_texts_validation(
    canvas: np.ndarray, kwargs: dict, error: type, match: str
) -> None:
    args: dict[str, Any] = dict(texts=["a", "b"], positions=np.array([[1, 1], [5, 5]]))
    args.update(kwargs)
    with pytest.raises(error, match=match):
        _vis(canvas).draw_texts(**args)


def test_draw_texts_str_of_non_str_items(canvas: np.ndarray) -> None:
    vis = _vis(canvas).draw_texts(["a", 5], np.array([[5, 5], [40, 30]]), colors="w")  # type: ignore[list-item]
    assert _changed(vis)[30:45, 40:55].any()


def test_draw_binary_masks_blend_in_order() -> None:
    base = np.full((10, 10, 3), 100, np.uint8)
    mask = np.ones((10, 10), bool)
    vis = Visualizer(image=base).draw_binary_masks(
        np.stack([mask, mask]), colors=[(255, 0, 0), (0, 0, 255)], alphas=[0.5, 0.5]
    )
    red = np.array([100, 100, 100]) * 0.5 + np.array([255, 0, 0]) * 0.5
    expected = red * 0.5 + np.array([0, 0, 255]) * 0.5
    np.testing.assert_allclose(vis.get_image()[5, 5], expected, atol=3)


def test_draw_binary_masks_none_colour_draws_nothing() -> None:
    vis = Visualizer(image=np.zeros((10, 10, 3), np.uint8))
    vis.draw_binary_masks(np.ones((10, 10), bool), colors="none")
    assert not vis.get_image().any()


@pytest.mark.parametrize(
    ("masks", "kwargs", "error", "match"),
    [
        (
            np.ones((10, 10), np.uint8),
            {},
            TypeError,
            "dtype of binary_masks should be bool",
        ),
        (np.ones((5, 10), bool), {}, ValueError, r"image's size \(10, 10\)"),
        (np.ones((1, 1, 10, 10), bool), {}, ValueError, "image's size"),
        (np.ones((2, 10, 10), bool), dict(colors=["r"]), ValueError, "`colors`"),
        (np.ones((2, 10, 10), bool), dict(alphas=[0.5]), ValueError, "`alphas`"),
        (np.ones((10, 10), bool), dict(alphas=1.5), ValueError, r"\[0, 1\]"),
    ],
)
def test_draw_binary_masks_validation(
    masks: Any, kwargs: dict, error: type, match: str
) -> None:
    vis = Visualizer(image=np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(error, match=match):
        vis.draw_binary_masks(masks, **kwargs)


def test_masks_lie_beneath_shapes_whatever_the_call_order() -> None:
    # matplotlib draws images (masks) below collections (shapes), as MMEngine
    vis = Visualizer(image=np.zeros((40, 40, 3), np.uint8))
    mask = np.zeros((40, 40), bool)
    mask[20:, :] = True
    vis.draw_bboxes(np.array([5, 5, 35, 35]), edge_colors="r", alpha=1.0)
    vis.draw_binary_masks(mask, colors="b", alphas=0.5)
    img = vis.get_image()
    assert img[5, 20, 0] > 200 and img[5, 20, 2] == 0  # box edge above the mask
    assert img[35, 20].tolist() == [255, 0, 0]  # edge over the later mask
    assert img[30, 20].tolist() == [0, 0, 128]  # the mask itself


# -- the golden scene --


def test_scene_matches_the_reference_golden_image() -> None:
    golden = np.asarray(Image.open(GOLDEN / "scene.png").convert("RGB")).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the scene is inside the image
        drawn = draw_scene(Visualizer).astype(int)
    difference = np.abs(drawn - golden).max(axis=-1)
    assert drawn.shape == golden.shape
    assert difference.mean() < 1.0
    assert (difference > 8).mean() < 0.01
