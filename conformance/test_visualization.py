"""visualization: Visualizer drawing and storage backends (VIS-01..05).

Drawing is checked on blank (or noise) canvases: pixels that a shape must
cover, pixels it must leave alone, and golden images computed here with
numpy (point-in-polygon rasterization, alpha blending, the jet colormap),
compared with a tolerance because matplotlib anti-aliases edges. Storage is
checked through the files :class:`LocalVisBackend` writes.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
import torch

from conformance.harness.impl import Impl

matplotlib.use("Agg")

H, W = 240, 320
GREEN = 1  # channel index


@pytest.fixture
def vis_mod(impl: Impl) -> Any:
    return impl.mod("visualization")


@pytest.fixture
def blank(vis_mod: Any) -> Any:
    """A Visualizer on the doc's substitute canvas: zeros (240, 320, 3)."""
    return vis_mod.Visualizer(image=np.zeros((H, W, 3), np.uint8))


def _noise(seed: int = 0) -> np.ndarray:
    return np.random.RandomState(seed).randint(0, 256, (H, W, 3)).astype(np.uint8)


def _inside_polygon(vertices: np.ndarray) -> np.ndarray:
    """Pixels whose centre lies inside ``vertices`` (even-odd rule), (H, W) bool."""
    ys, xs = np.mgrid[0:H, 0:W] + 0.5
    inside = np.zeros((H, W), bool)
    n = len(vertices)
    for i in range(n):
        (x1, y1), (x2, y2) = vertices[i], vertices[(i + 1) % n]
        crosses = (y1 > ys) != (y2 > ys)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x1 + (ys - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (xs < x_at)
    return inside


def _near_boundary(inside: np.ndarray, band: int) -> np.ndarray:
    """Pixels within ``band`` pixels of the edge of region ``inside``."""
    near = np.zeros_like(inside)
    for dy in range(-band, band + 1):
        for dx in range(-band, band + 1):
            shifted = np.roll(np.roll(inside, dy, axis=0), dx, axis=1)
            near |= shifted != inside
    return near


def _jet(gray: np.ndarray) -> np.ndarray:
    """The classic jet colormap of uint8 values, RGB."""
    x = gray.astype(float)[..., None] / 255
    offsets = np.array([1.5, 0.5, -0.5])
    rgb = np.clip(np.minimum(4 * x - offsets, -4 * x + 3 + offsets), 0, 1)
    return np.rint(rgb * 255).astype(int)


def _minmax(values: np.ndarray) -> np.ndarray:
    values = values.astype(float)
    return np.rint((values - values.min()) * 255 / (values.max() - values.min()))


# -- VIS-01: drawing --


@pytest.mark.spec("VIS-01")
def test_draw_bboxes_single_box_changes_its_edges_only(blank: Any) -> None:
    blank.draw_bboxes(torch.tensor([72, 13, 179, 147]))
    img = blank.get_image()
    assert img.shape == (H, W, 3) and img.dtype == np.uint8
    top_edge = img[13, 80:172]
    assert (top_edge[:, GREEN] > 60).all()  # default edge colour 'g'
    assert (top_edge[:, [0, 2]] == 0).all()
    assert (img[20:140, 72, GREEN] > 60).all()  # left edge
    assert (img[20:140, 179, GREEN] > 60).all()  # right edge
    assert not img[30:130, 90:160].any()  # inside (no fill by default)
    assert not img[160:, :].any() and not img[:, 200:].any()  # far away


@pytest.mark.spec("VIS-01")
def test_draw_bboxes_tensor_and_ndarray_give_the_same_image(vis_mod: Any) -> None:
    boxes = [[33, 120, 209, 220], [72, 13, 179, 147]]
    images = []
    for value in (torch.tensor(boxes), np.array(boxes)):
        vis = vis_mod.Visualizer(image=np.zeros((H, W, 3), np.uint8))
        vis.draw_bboxes(value)
        images.append(vis.get_image())
    np.testing.assert_array_equal(images[0], images[1])


@pytest.mark.spec("VIS-01")
def test_repeated_draw_calls_overlay(blank: Any) -> None:
    blank.draw_bboxes(torch.tensor([72, 13, 179, 147]))
    blank.draw_bboxes(torch.tensor([[33, 120, 209, 220], [72, 13, 179, 147]]))
    img = blank.get_image()
    assert (img[13, 80:172, GREEN] > 60).all()  # the first box is still there
    assert (img[220, 40:200, GREEN] > 60).all()  # the new box's bottom edge
    assert (img[130:210, 33, GREEN] > 60).all()
    assert not img[225:, :].any()


@pytest.mark.spec("VIS-01")
def test_draw_polygons_golden_fill(blank: Any) -> None:
    vertices = np.array([[20, 20], [300, 40], [160, 220]])
    blank.draw_polygons(vertices, edge_colors="b", face_colors="b", alpha=1.0)
    img = blank.get_image().astype(int)
    inside = _inside_polygon(vertices)
    golden = np.zeros((H, W, 3), int)
    golden[inside] = (0, 0, 255)
    away = ~_near_boundary(inside, 3)
    np.testing.assert_allclose(img[away], golden[away], atol=2)
    assert away.mean() > 0.9


@pytest.mark.spec("VIS-01")
def test_draw_binary_masks_golden_blend(vis_mod: Any) -> None:
    background = _noise()
    vis = vis_mod.Visualizer(image=background)
    first = np.zeros((H, W), bool)
    first[40:160, 50:250] = True
    second = np.zeros((H, W), bool)
    second[100:220, 150:300] = True
    vis.draw_binary_masks(np.stack([first, second]), colors=["r", "b"], alphas=0.5)
    golden = background.astype(float)
    for mask, colour in ((first, (255, 0, 0)), (second, (0, 0, 255))):
        golden[mask] = golden[mask] * 0.5 + np.array(colour) * 0.5
    np.testing.assert_allclose(vis.get_image(), golden, atol=3)


@pytest.mark.spec("VIS-01")
def test_draw_binary_masks_accepts_tensors(vis_mod: Any) -> None:
    vis = vis_mod.Visualizer(image=np.zeros((H, W, 3), np.uint8))
    mask = torch.zeros((H, W), dtype=torch.bool)
    mask[10:20, 10:20] = True
    img = vis.draw_binary_masks(mask, colors=(255, 0, 0), alphas=1.0).get_image()
    np.testing.assert_allclose(img[12, 12], (255, 0, 0), atol=2)
    assert not img[30:, 30:].any()


@pytest.mark.spec("VIS-01")
def test_draw_points_lines_circles_texts_touch_their_pixels(vis_mod: Any) -> None:
    def fresh() -> Any:
        return vis_mod.Visualizer(image=np.zeros((H, W, 3), np.uint8))

    img = fresh().draw_points(np.array([[100, 100]]), colors="r").get_image()
    np.testing.assert_allclose(img[100, 100], (255, 0, 0), atol=2)
    assert not img[120:, :].any() and not img[:, 120:].any()

    lines = fresh().draw_lines(np.array([0, 320]), np.array([120, 120]))
    img = lines.get_image()
    assert (img[120, 5:315, GREEN] > 60).all()
    assert not img[:110].any() and not img[131:].any()

    circles = fresh().draw_circles(np.array([160, 120]), np.array([50]))
    img = circles.get_image()
    assert img[120, 210, GREEN] > 60 and img[70, 160, GREEN] > 60  # on the ring
    assert not img[100:140, 140:180].any()  # no fill by default

    texts = fresh().draw_texts("engine", np.array([50, 50]), colors="r", font_sizes=20)
    img = texts.get_image()
    assert img[50:90, 50:160, 0].max() > 200  # glyphs, red, right and below
    assert not img[:45].any() and not img[:, :45].any()


@pytest.mark.spec("VIS-01")
def test_draw_functions_return_the_visualizer_for_chaining(blank: Any) -> None:
    same = blank.draw_bboxes(np.array([1, 1, 5, 5])).draw_points(np.array([3, 3]))
    assert same is blank


@pytest.mark.spec("VIS-01")
@pytest.mark.parametrize(
    "call",
    [
        lambda v: v.draw_bboxes(np.array([[100, 10, 400, 50]])),
        lambda v: v.draw_polygons(np.array([[10, 10], [500, 10], [100, 100]])),
        lambda v: v.draw_lines(np.array([10, 500]), np.array([20, 200])),
        lambda v: v.draw_circles(np.array([[500, 100]]), np.array([20])),
        lambda v: v.draw_texts("a", np.array([500, 10])),
    ],
)
def test_out_of_image_coordinates_warn(blank: Any, call: Any) -> None:
    with pytest.warns(UserWarning, match="out of bounds"):
        call(blank)


@pytest.mark.spec("VIS-01")
@pytest.mark.parametrize(
    "call",
    [
        lambda v: v.draw_bboxes(np.array([[100, 120, 150]])),  # not (N, 4)
        lambda v: v.draw_bboxes(np.array([[100, 120, 50, 220]])),  # x2 < x1
        lambda v: v.draw_points(np.array([[10, 10, 3]])),
        lambda v: v.draw_texts(["a", "b"], np.array([[10, 10]])),
        lambda v: v.draw_lines(np.array([10, 100, 150]), np.array([20, 200])),
        lambda v: v.draw_circles(np.array([[100, 100]]), np.array([20, 10])),
        lambda v: v.draw_binary_masks(np.ones((H, W), np.uint8)),  # not bool
        lambda v: v.draw_binary_masks(np.ones((100, W), bool)),  # wrong size
    ],
)
def test_bad_shapes_are_rejected(blank: Any, call: Any) -> None:
    with pytest.raises(AssertionError):
        call(blank)


@pytest.mark.spec("VIS-01")
def test_non_array_inputs_are_type_errors(blank: Any) -> None:
    with pytest.raises(TypeError):
        blank.draw_bboxes([[100, 120, 150, 200]])
    with pytest.raises(TypeError):
        blank.draw_texts(5, np.array([10, 10]))


@pytest.mark.spec("VIS-01")
def test_colours_by_name_and_by_rgb_tuple_agree(vis_mod: Any) -> None:
    images = []
    for colour in ("r", (255, 0, 0)):
        vis = vis_mod.Visualizer(image=np.zeros((H, W, 3), np.uint8))
        vis.draw_bboxes(np.array([10, 10, 100, 100]), edge_colors=colour)
        images.append(vis.get_image())
    np.testing.assert_array_equal(images[0], images[1])
    assert images[0][10, 50, 0] > 150 and images[0][10, 50, 1:].max() == 0


@pytest.mark.spec("VIS-01")
def test_draw_featmap_squeeze_mean_is_the_jet_heatmap_of_the_mean(vis_mod: Any) -> None:
    feat = torch.rand(4, 12, 16, generator=torch.Generator().manual_seed(0))
    img = vis_mod.Visualizer.draw_featmap(feat, channel_reduction="squeeze_mean")
    golden = _jet(_minmax(feat.mean(0).numpy()))
    assert img.shape == (12, 16, 3)
    np.testing.assert_allclose(img, golden, atol=6)


@pytest.mark.spec("VIS-01")
def test_draw_featmap_select_max_and_overlay(vis_mod: Any) -> None:
    feat = torch.rand(3, 12, 16, generator=torch.Generator().manual_seed(1))
    feat[1] += 1.0  # the channel with the largest sum
    background = _noise()[:12, :16]
    img = vis_mod.Visualizer.draw_featmap(
        feat, background, channel_reduction="select_max", alpha=0.3
    )
    heat = _jet(_minmax(feat[1].numpy()))
    golden = background * 0.7 + heat * 0.3
    np.testing.assert_allclose(img, golden, atol=6)


@pytest.mark.spec("VIS-01")
def test_draw_featmap_topk_grid_layout(vis_mod: Any) -> None:
    feat = torch.rand(6, 40, 60, generator=torch.Generator().manual_seed(2))
    img = vis_mod.Visualizer.draw_featmap(
        feat, channel_reduction=None, topk=4, arrangement=(2, 3)
    )
    assert img.shape == (80, 180, 3)
    # cells 5 and 6 are empty (white), below the title of cell 4
    assert (img[60:80, 65:180] == 255).all()
    assert (img[60:80, :55] != 255).any(axis=-1).all()  # cell 4 holds a heatmap
    with pytest.raises(AssertionError):
        vis_mod.Visualizer.draw_featmap(
            feat, channel_reduction=None, topk=5, arrangement=(2, 2)
        )


@pytest.mark.spec("VIS-01")
def test_draw_featmap_resize(vis_mod: Any) -> None:
    feat = torch.rand(2, 6, 8, generator=torch.Generator().manual_seed(3))
    img = vis_mod.Visualizer.draw_featmap(feat, resize_shape=(12, 16))
    assert img.shape == (12, 16, 3)


@pytest.mark.spec("VIS-01")
def test_show_returns_without_a_display(blank: Any) -> None:
    # The doc's visualizer.show(); headless (Agg), with a finite wait.
    blank.draw_bboxes(torch.tensor([72, 13, 179, 147]))
    assert blank.show(wait_time=0.01) is None


# -- VIS-02 / VIS-03: storage and backends --


@pytest.mark.spec("VIS-02")
def test_local_backend_writes_scalars_json(vis_mod: Any, tmp_path: Path) -> None:
    vis = vis_mod.Visualizer(
        vis_backends=[dict(type="LocalVisBackend")], save_dir=str(tmp_path)
    )
    assert not (tmp_path / "vis_data").exists()  # created lazily, on first write
    vis.add_scalars({"loss": 1.0}, step=1)
    vis.add_scalars({"loss": 0.5, "lr": 0.01}, step=2)
    vis.add_scalar("acc", 0.75, step=2)
    lines = (tmp_path / "vis_data" / "scalars.json").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"loss": 1.0, "step": 1},
        {"loss": 0.5, "lr": 0.01, "step": 2},
        {"acc": 0.75, "step": 2},
    ]


@pytest.mark.spec("VIS-02")
def test_local_backend_writes_images_and_config(
    impl: Impl, vis_mod: Any, tmp_path: Path
) -> None:
    import matplotlib.image

    vis = vis_mod.Visualizer(
        vis_backends=[dict(type="LocalVisBackend")], save_dir=str(tmp_path)
    )
    image = _noise()[:20, :30]
    vis.add_image("pred", image, step=7)
    png = tmp_path / "vis_data" / "vis_image" / "pred_7.png"
    read = np.rint(matplotlib.image.imread(str(png))[..., :3] * 255)
    np.testing.assert_array_equal(read, image)
    config = impl.attr("config.Config")(dict(lr=0.1, model=dict(depth=50)))
    vis.add_config(config)
    reloaded = impl.attr("config.Config").fromfile(
        str(tmp_path / "vis_data" / "config.py")
    )
    assert reloaded.lr == 0.1 and reloaded.model.depth == 50


@pytest.mark.spec("VIS-02")
def test_get_current_instance_is_the_last_built(vis_mod: Any) -> None:
    first = vis_mod.Visualizer.get_instance("first")
    second = vis_mod.Visualizer.get_instance("second")
    assert vis_mod.Visualizer.get_current_instance() is second
    assert vis_mod.Visualizer.get_instance("first") is first


@pytest.mark.spec("VIS-02")
def test_tensorboard_backend_round_trip(vis_mod: Any, tmp_path: Path) -> None:
    pytest.importorskip("tensorboard", reason="tensorboard not installed")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    vis = vis_mod.Visualizer(
        vis_backends=[dict(type="TensorboardVisBackend")], save_dir=str(tmp_path)
    )
    vis.add_scalars({"loss": 1.0}, step=1)
    vis.add_scalars({"loss": 0.5}, step=2)
    vis.close()
    events = EventAccumulator(str(tmp_path / "vis_data"))
    events.Reload()
    assert [(e.step, e.value) for e in events.Scalars("loss")] == [(1, 1.0), (2, 0.5)]


@pytest.mark.spec("VIS-02", "VIS-03")
def test_every_backend_receives_the_storage_calls(vis_mod: Any, tmp_path: Path) -> None:
    own = vis_mod.LocalVisBackend(str(tmp_path / "own"))
    vis = vis_mod.Visualizer(
        vis_backends=[
            dict(type="LocalVisBackend", name="a"),
            dict(type="LocalVisBackend", name="b", save_dir=str(tmp_path / "b")),
            own,
        ],
        save_dir=str(tmp_path / "run"),
    )
    assert isinstance(vis.get_backend("a"), vis_mod.LocalVisBackend)
    assert vis.get_backend("LocalVisBackend") is own
    assert vis.get_backend("missing") is None
    vis.add_scalars({"loss": 2.0}, step=3)
    for folder in (tmp_path / "run" / "vis_data", tmp_path / "b", tmp_path / "own"):
        line = (folder / "scalars.json").read_text().strip()
        assert json.loads(line) == {"loss": 2.0, "step": 3}


@pytest.mark.spec("VIS-03")
def test_backend_names_must_be_unique(vis_mod: Any, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        vis_mod.Visualizer(
            vis_backends=[dict(type="LocalVisBackend")] * 2, save_dir=str(tmp_path)
        )


@pytest.mark.spec("VIS-03")
def test_backend_config_without_any_save_dir_is_skipped(vis_mod: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vis = vis_mod.Visualizer(vis_backends=[dict(type="LocalVisBackend")])
    assert vis.get_backend("LocalVisBackend") is None
    assert any("save_dir" in str(w.message) for w in caught)


# -- VIS-04: built from a config --


@pytest.mark.spec("VIS-04")
def test_visualizer_config_builds_from_the_registry(
    impl: Impl, vis_mod: Any, tmp_path: Path
) -> None:
    visualizers = impl.attr("registry.VISUALIZERS")
    vis_backends = [dict(type="LocalVisBackend")]
    vis = visualizers.build(
        dict(
            type="Visualizer",
            vis_backends=vis_backends,
            name="visualizer",
            save_dir=str(tmp_path),
        )
    )
    assert isinstance(vis, vis_mod.Visualizer)
    assert vis.instance_name == "visualizer"
    assert vis_mod.Visualizer.get_current_instance() is vis
    assert isinstance(vis.get_backend("LocalVisBackend"), vis_mod.LocalVisBackend)
