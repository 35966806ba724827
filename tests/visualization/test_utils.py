"""engine.visualization.utils: checks, colours, heatmaps, palettes, PNG, waiting."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.image import imread

from engine.visualization import utils
from engine.visualization._heatmap import jet, minmax_uint8
from engine.visualization._png import encode_png


def test_value2list_expands_single_values_only() -> None:
    assert utils.value2list("r", str, 3) == ["r", "r", "r"]
    assert utils.value2list(["r", "b"], str, 3) == ["r", "b"]
    assert utils.value2list(2.0, int, 2) == 2.0  # wrong type: unchanged


def test_check_type_names_the_argument() -> None:
    utils.check_type("texts", "a", (str, list))
    with pytest.raises(TypeError, match="`texts` should be str or list, but got int"):
        utils.check_type("texts", 5, (str, list))


def test_check_length_is_an_assertion_and_value_error() -> None:
    utils.check_length("colors", ["r", "g"], 2)
    utils.check_length("colors", "r", 5)  # not a list: expanded later
    with pytest.raises(ValueError, match="`colors` needs at least 3 items"):
        utils.check_length("colors", ["r"], 3)
    with pytest.raises(AssertionError):
        utils.check_type_and_length("colors", ["r"], list, 3)
    with pytest.raises(TypeError):
        utils.check_type_and_length("colors", 3, list, 3)


def test_color_str2rgb_truncates_matplotlib_values() -> None:
    assert utils.color_str2rgb("g") == (0, 127, 0)  # 'g' is (0, 0.5, 0)
    assert utils.color_str2rgb("red") == (255, 0, 0)
    assert utils.color_str2rgb("#0080ff") == (0, 128, 255)
    with pytest.raises(ValueError):
        utils.color_str2rgb("not-a-colour")


def test_color_val_matplotlib() -> None:
    assert utils.color_val_matplotlib("g") == "g"
    assert utils.color_val_matplotlib((255, 0, 51)) == (1.0, 0.0, 0.2)
    assert utils.color_val_matplotlib([(0, 0, 255), "r"]) == [(0.0, 0.0, 1.0), "r"]
    with pytest.raises(ValueError, match=r"\(R, G, B\)"):
        utils.color_val_matplotlib((256, 0, 0))
    with pytest.raises(AssertionError):
        utils.color_val_matplotlib((1, 2))
    with pytest.raises(TypeError, match="Invalid type for color"):
        utils.color_val_matplotlib(5)  # type: ignore[arg-type]


def test_tensor2ndarray_and_is_tensor() -> None:
    out = utils.tensor2ndarray(torch.tensor([1.0, 2.0], requires_grad=True))
    assert isinstance(out, np.ndarray) and out.tolist() == [1.0, 2.0]
    assert utils.tensor2ndarray([1, 2]) == [1, 2]
    assert utils.is_tensor(torch.zeros(1)) and not utils.is_tensor(np.zeros(1))


def test_importing_the_package_imports_neither_torch_nor_matplotlib() -> None:
    code = (
        "import sys, engine.visualization, engine.visualization.plot;"
        "print('torch' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]


# -- heatmaps --


def test_jet_key_colours() -> None:
    # dark blue, blue, cyan, yellow, red, dark red at 0, 1/8, 3/8, 5/8, 7/8, 1
    values = np.rint(np.array([0, 1 / 8, 3 / 8, 5 / 8, 7 / 8, 1]) * 255).astype(int)
    expected = [
        (0, 0, 128),
        (0, 0, 255),
        (0, 255, 255),
        (255, 255, 0),
        (255, 0, 0),
        (128, 0, 0),
    ]
    np.testing.assert_allclose(jet(values), expected, atol=2)


@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=20))
def test_minmax_uint8_spans_0_to_255(values: list[float]) -> None:
    array = np.array(values)
    out = minmax_uint8(array)
    assert out.dtype == np.uint8
    if array.max() - array.min() > 1e-6:
        assert out.min() == 0 and out.max() == 255
        assert out[array.argmin()] == 0 and out[array.argmax()] == 255
    elif array.max() == array.min():
        assert not out.any()


def test_convert_overlay_heatmap_blends() -> None:
    feat = np.array([[0.0, 1.0]])
    assert utils.convert_overlay_heatmap(feat).tolist() == [[[0, 0, 128], [128, 0, 0]]]
    white = np.full((1, 2, 3), 255, np.uint8)
    out = utils.convert_overlay_heatmap(torch.tensor(feat), white, alpha=0.25)
    expected = np.rint(255 * 0.75 + np.array([[0, 0, 128], [128, 0, 0]]) * 0.25)
    np.testing.assert_array_equal(out[0], expected)


def test_convert_overlay_heatmap_shapes() -> None:
    assert utils.convert_overlay_heatmap(np.zeros((1, 3, 4))).shape == (3, 4, 3)
    assert utils.convert_overlay_heatmap(np.zeros((3, 3, 4))).shape == (3, 4, 3)
    grey = utils.convert_overlay_heatmap(np.zeros((3, 4)), np.zeros((3, 4), np.uint8))
    assert grey.shape == (3, 4, 3)
    with pytest.raises(AssertionError, match=r"\(3, H, W\)"):
        utils.convert_overlay_heatmap(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="same height and width"):
        utils.convert_overlay_heatmap(np.zeros((3, 4)), np.zeros((3, 3, 3), np.uint8))


def test_three_channel_map_is_read_as_bgr_and_turned_grey() -> None:
    feat = np.zeros((3, 1, 2))
    feat[2, 0, 1] = 1.0  # red plane (the last, as in a BGR image) lit at x=1
    out = utils.convert_overlay_heatmap(feat)
    grey_at_1 = round(0.299 * 255)  # only the R plane is 255 there
    np.testing.assert_array_equal(out[0, 1], jet(np.array(grey_at_1)))
    np.testing.assert_array_equal(out[0, 0], jet(np.array(0)))


# -- palettes --


def test_get_palette_forms() -> None:
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    assert utils.get_palette(colours, 2) == colours[:2]
    assert utils.get_palette("random", 4) == utils.get_palette("random", 4)
    assert len(set(utils.get_palette("random", 50))) > 40
    assert utils.get_palette("tab10", 11)[10] == utils.get_palette("tab10", 1)[0]
    viridis = utils.get_palette("viridis", 3)
    assert viridis[0] == (68, 1, 84) and len(viridis) == 3
    with pytest.raises(ValueError, match="fewer than 4 classes"):
        utils.get_palette(colours, 4)
    with pytest.raises(ValueError, match="nor a matplotlib colormap"):
        utils.get_palette("nope", 2)
    with pytest.raises(ValueError, match=r"\(R, G, B\)"):
        utils.get_palette([(300, 0, 0)], 1)


# -- canvas, PNG, waiting --


def test_img_from_canvas_size_and_colour() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(0.3, 0.2), dpi=100, facecolor=(1.0, 0.0, 0.0))
    image = utils.img_from_canvas(FigureCanvasAgg(fig))
    assert image.shape == (20, 30, 3) and image.dtype == np.uint8
    assert (image == (255, 0, 0)).all()


@given(st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**32 - 1))
def test_png_encoder_round_trips_through_matplotlib(h: int, w: int, seed: int) -> None:
    image = np.random.RandomState(seed).randint(0, 256, (h, w, 3)).astype(np.uint8)
    read = imread(io.BytesIO(encode_png(image)), format="png")
    np.testing.assert_array_equal(np.rint(read[..., :3] * 255), image)


def test_png_encoder_rejects_other_images() -> None:
    with pytest.raises(ValueError, match="uint8"):
        encode_png(np.zeros((2, 2, 3), np.float32))


class _FakeCanvas:
    """Replays key/close events when the event loop starts."""

    def __init__(self, script: list[Any]) -> None:
        self.script = list(script)
        self.manager = object()
        self.callbacks: dict[str, Any] = {}
        self.disconnected: list[int] = []

    def mpl_connect(self, name: str, func: Any) -> int:
        self.callbacks[name] = func
        return len(self.callbacks)

    def mpl_disconnect(self, cid: int) -> None:
        self.disconnected.append(cid)

    def start_event_loop(self, timeout: float) -> None:
        step = self.script.pop(0)
        if step == "close":
            self.callbacks["close_event"](None)
        elif step is not None:
            self.callbacks["key_press_event"](type("Event", (), {"key": step}))

    def stop_event_loop(self) -> None:
        pass


@pytest.mark.parametrize(
    ("script", "expected", "left"),
    [
        (["x", " "], 0, []),  # another key first, then the continue key
        (["close"], 1, []),
        ([None], 0, []),  # the timeout ran out
    ],
)
def test_wait_continue_with_a_window(
    monkeypatch: pytest.MonkeyPatch, script: list, expected: int, left: list
) -> None:
    monkeypatch.setattr(utils, "interactive_backend", lambda: True)
    canvas = _FakeCanvas(script)
    figure = type("Fig", (), {"canvas": canvas})()
    assert utils.wait_continue(figure, timeout=0.5) == expected
    assert canvas.script == left and len(canvas.disconnected) == 2


def test_wait_continue_headless_returns_at_once() -> None:
    from matplotlib.figure import Figure

    assert utils.wait_continue(Figure(), timeout=0) == 0
