"""TensorboardVisBackend: event files read back by TensorBoard's EventAccumulator."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from engine.config import Config
from engine.visualization import TensorboardVisBackend, Visualizer

pytest.importorskip(
    "tensorboard", reason="tensorboard not installed (extra `tensorboard`)"
)
from tensorboard.backend.event_processing.event_accumulator import (  # noqa: E402
    EventAccumulator,
)


def _read(folder: Path) -> EventAccumulator:
    events = EventAccumulator(
        str(folder), size_guidance={"images": 0, "scalars": 0, "tensors": 0}
    )
    events.Reload()
    return events


def test_round_trip_scalars_images_config(tmp_path: Path) -> None:
    backend = TensorboardVisBackend(str(tmp_path / "tb"))
    assert not (tmp_path / "tb").exists()  # lazy
    backend.add_scalar("loss", 0.5, step=1)
    backend.add_scalars({"loss": torch.tensor(0.25), "acc": np.float32(0.75)}, step=2)
    image = np.zeros((4, 5, 3), np.uint8)
    image[..., 0] = 255
    image[1, 2] = (0, 10, 200)
    backend.add_image("pred", image, step=3)
    backend.add_config(Config(dict(lr=0.1)))
    backend.close()
    events = _read(tmp_path / "tb")
    assert [(e.step, e.value) for e in events.Scalars("loss")] == [(1, 0.5), (2, 0.25)]
    assert [(e.step, e.value) for e in events.Scalars("acc")] == [(2, 0.75)]
    (event,) = events.Images("pred")
    decoded = np.asarray(
        Image.open(io.BytesIO(event.encoded_image_string)).convert("RGB")
    )
    assert event.step == 3
    np.testing.assert_array_equal(decoded, image)
    (text,) = events.Tensors("config/text_summary")
    assert text.tensor_proto.string_val == [b"lr = 0.1\n"]


def test_through_the_visualizer(tmp_path: Path) -> None:
    vis = Visualizer(
        vis_backends=[dict(type="TensorboardVisBackend")], save_dir=str(tmp_path)
    )
    vis.add_scalars({"lr": 0.01}, step=5)
    vis.close()
    events = _read(tmp_path / "vis_data")
    assert [(e.step, e.value) for e in events.Scalars("lr")] == [
        (5, pytest.approx(0.01))
    ]


def test_non_numbers_are_skipped_with_a_warning(tmp_path: Path) -> None:
    backend = TensorboardVisBackend(str(tmp_path))
    with pytest.warns(UserWarning, match="a number is expected"):
        backend.add_scalar("name", "text")
    with pytest.raises(TypeError, match="must be a dict"):
        backend.add_scalars([1])  # type: ignore[arg-type]
    backend.close()


def test_missing_tensorboard_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    backend = TensorboardVisBackend(str(tmp_path))
    with pytest.raises(ImportError, match="pip install tensorboard"):
        backend.add_scalar("loss", 1.0)
    backend.close()  # never opened: nothing to close
