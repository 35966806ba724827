"""Visualizer.draw_featmap: reductions, top-k grid, resizing, overlay, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.visualization import Visualizer
from engine.visualization._heatmap import jet, minmax_uint8

draw = Visualizer.draw_featmap


def _feat(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def test_squeeze_mean_is_the_heatmap_of_the_channel_mean() -> None:
    feat = _feat(5, 6, 7)
    expected = jet(minmax_uint8(feat.mean(0).numpy()))
    np.testing.assert_array_equal(draw(feat), expected)


def test_select_max_picks_the_channel_with_the_largest_sum() -> None:
    feat = _feat(4, 6, 7)
    feat[2] += 0.6
    expected = jet(minmax_uint8(feat[2].numpy()))
    np.testing.assert_array_equal(draw(feat, channel_reduction="select_max"), expected)


def test_topk_zero_shows_one_or_three_channels_as_is() -> None:
    one = _feat(1, 6, 7)
    np.testing.assert_array_equal(
        draw(one, channel_reduction=None, topk=0), jet(minmax_uint8(one[0].numpy()))
    )
    assert draw(_feat(3, 6, 7), channel_reduction=None, topk=-1).shape == (6, 7, 3)
    with pytest.raises(ValueError, match="must be 1 or 3"):
        draw(_feat(2, 6, 7), channel_reduction=None, topk=0)


def test_topk_grid_orders_channels_by_sum() -> None:
    feat = torch.zeros(3, 40, 60)
    feat[0, 30:, :10] = 1.0  # sums: channel 0 small, 2 large
    feat[1, 30:, :20] = 1.0
    feat[2, 30:, :30] = 1.0
    grid = draw(feat, channel_reduction=None, topk=3, arrangement=(1, 3))
    assert grid.shape == (40, 180, 3)
    hot = (grid[35] == jet(np.array(255))).all(axis=-1)  # dark red = the maximum
    widths = [int(hot[i * 60 : (i + 1) * 60].sum()) for i in range(3)]
    assert widths == [30, 20, 10]  # channel 2, then 1, then 0


def test_topk_larger_than_channels_uses_every_channel() -> None:
    grid = draw(_feat(2, 40, 60), channel_reduction=None, topk=20, arrangement=(4, 5))
    assert grid.shape == (160, 300, 3)
    assert (grid[120:, 120:] == 255).all()  # empty cells are white


def test_arrangement_too_small() -> None:
    with pytest.raises(ValueError, match=r"\(2x2\) is less than topk \(5\)"):
        draw(_feat(6, 4, 4), channel_reduction=None, topk=5, arrangement=(2, 2))


def test_resize_shape_resizes_bilinearly() -> None:
    feat = _feat(2, 3, 4)
    resized = torch.nn.functional.interpolate(
        feat[None], size=(6, 8), mode="bilinear", align_corners=False
    )[0]
    expected = jet(minmax_uint8(resized.mean(0).numpy()))
    np.testing.assert_array_equal(draw(feat, resize_shape=(6, 8)), expected)


def test_overlay_blends_and_resizes_to_the_image() -> None:
    feat = _feat(2, 3, 4)
    image = np.full((3, 4, 3), 200, np.uint8)
    heat = jet(minmax_uint8(feat.mean(0).numpy())).astype(float)
    expected = np.rint(image * 0.6 + heat * 0.4)
    np.testing.assert_array_equal(draw(feat, image, alpha=0.4), expected)
    with pytest.warns(UserWarning, match="will be interpolated"):
        out = draw(feat, np.zeros((6, 8), np.uint8))  # grey image, another size
    assert out.shape == (6, 8, 3)


def test_overlay_with_resize_shape_resizes_both() -> None:
    with pytest.warns(UserWarning):
        out = draw(_feat(2, 3, 4), np.zeros((5, 5, 3), np.uint8), resize_shape=(10, 12))
    assert out.shape == (10, 12, 3)


@pytest.mark.parametrize(
    ("featmap", "kwargs", "error", "match"),
    [
        (np.zeros((2, 3, 4)), {}, TypeError, "should be torch.Tensor"),
        (torch.zeros(3, 4), {}, ValueError, "must be 3"),
        (torch.zeros(1, 2, 3, 4), {}, AssertionError, "must be 3"),
        (torch.zeros(2, 3, 4), dict(channel_reduction="bogus"), ValueError, "bogus"),
    ],
)
def test_validation(featmap: object, kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        draw(featmap, **kwargs)  # type: ignore[arg-type]


def test_gradients_and_devices_are_handled() -> None:
    feat = _feat(2, 3, 4).requires_grad_()
    assert draw(feat * 2).shape == (3, 4, 3)
