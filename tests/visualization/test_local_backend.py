"""LocalVisBackend: MMEngine's file layout, lazily created."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.image import imread

from engine.config import Config
from engine.visualization import LocalVisBackend
from engine.visualization._base_backend import force_init_env


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_nothing_is_created_before_the_first_write(tmp_path: Path) -> None:
    backend = LocalVisBackend(str(tmp_path / "run"))
    assert not (tmp_path / "run").exists()
    assert backend.experiment is backend
    assert (tmp_path / "run").is_dir()
    assert backend._scalar_save_file == str(tmp_path / "run" / "scalars.json")
    assert backend._img_save_dir == str(tmp_path / "run" / "vis_image")


def test_scalars_json_lines(tmp_path: Path) -> None:
    backend = LocalVisBackend(str(tmp_path))
    backend.add_scalar("loss", 0.5, step=1)
    backend.add_scalar("t", torch.tensor(0.25), step=2)
    backend.add_scalar("n", np.float32(0.125))
    backend.add_scalar("v", np.array([1.0, 2.0]), step=3)
    backend.add_scalar("text", "hello", step=3)
    backend.add_scalars({"a": 1, "b": torch.tensor(2.0), "c": np.float64(3)}, step=4)
    backend.add_scalars({"step": 9, "x": 1}, step=5)  # its own step wins
    assert _lines(tmp_path / "scalars.json") == [
        {"loss": 0.5, "step": 1},
        {"t": 0.25, "step": 2},
        {"n": 0.125, "step": 0},
        {"v": [1.0, 2.0], "step": 3},
        {"text": "hello", "step": 3},
        {"a": 1, "b": 2.0, "c": 3.0, "step": 4},
        {"step": 9, "x": 1},
    ]


def test_add_scalars_leaves_the_dict_alone(tmp_path: Path) -> None:
    scalars = {"a": 1}
    LocalVisBackend(str(tmp_path)).add_scalars(scalars, step=3)
    assert scalars == {"a": 1}


def test_add_scalars_extra_file(tmp_path: Path) -> None:
    backend = LocalVisBackend(str(tmp_path))
    backend.add_scalars({"acc": 0.5}, step=2, file_path="val.json")
    assert _lines(tmp_path / "val.json") == [{"acc": 0.5, "step": 2}]
    assert _lines(tmp_path / "scalars.json") == [{"acc": 0.5, "step": 2}]
    with pytest.raises(ValueError, match="must end with '.json'"):
        backend.add_scalars({"a": 1}, file_path="val.txt")
    with pytest.raises(AssertionError, match="same name"):
        backend.add_scalars({"a": 1}, file_path="scalars.json")
    with pytest.raises(TypeError, match="must be a dict"):
        backend.add_scalars([1])  # type: ignore[arg-type]
    assert len(_lines(tmp_path / "scalars.json")) == 1  # rejected calls wrote nothing


def test_unserializable_values_name_the_type(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        LocalVisBackend(str(tmp_path)).add_scalar("x", object())


@settings(max_examples=20)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 100))
def test_images_round_trip(
    tmp_path_factory: pytest.TempPathFactory, h: int, w: int, step: int
) -> None:
    folder = tmp_path_factory.mktemp("img")
    image = np.random.RandomState(step).randint(0, 256, (h, w, 3)).astype(np.uint8)
    LocalVisBackend(str(folder)).add_image("pred", image, step=step)
    read = imread(folder / "vis_image" / f"pred_{step}.png")
    np.testing.assert_array_equal(np.rint(read[..., :3] * 255), image)


def test_grey_images_and_sub_folders(tmp_path: Path) -> None:
    backend = LocalVisBackend(str(tmp_path))
    backend.add_image("val/mask", np.full((3, 4), 9, np.uint8), step=2)
    read = imread(tmp_path / "vis_image" / "val" / "mask_2.png")
    assert read.shape[:2] == (3, 4) and np.allclose(read[..., :3] * 255, 9)


def test_images_must_be_uint8(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="uint8"):
        LocalVisBackend(str(tmp_path)).add_image("x", np.zeros((2, 2, 3), np.float32))


def test_config_file(tmp_path: Path) -> None:
    backend = LocalVisBackend(str(tmp_path), config_save_file="cfg.py")
    backend.add_config(Config(dict(a=1, b=dict(c=[1, 2]))))
    backend.add_config(Config(dict(a=2)))  # overwritten, not appended
    assert Config.fromfile(str(tmp_path / "cfg.py")).to_dict() == {"a": 2}
    with pytest.raises(TypeError, match="Config"):
        backend.add_config(dict(a=1))  # type: ignore[arg-type]


def test_custom_names(tmp_path: Path) -> None:
    backend = LocalVisBackend(
        str(tmp_path), img_save_dir="imgs", scalar_save_file="s.json"
    )
    backend.add_scalar("z", 1)
    backend.add_image("q", np.zeros((2, 2, 3), np.uint8))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["imgs", "s.json"]
    assert (tmp_path / "imgs" / "q_0.png").exists()


@pytest.mark.parametrize(
    "kwargs", [dict(scalar_save_file="s.txt"), dict(config_save_file="c.txt")]
)
def test_file_names_are_checked(kwargs: dict) -> None:
    with pytest.raises(AssertionError):
        LocalVisBackend("unused", **kwargs)


def test_graph_and_close_are_no_ops(tmp_path: Path) -> None:
    backend = LocalVisBackend(str(tmp_path / "x"))
    backend.add_graph(torch.nn.Linear(1, 1), [{}])
    backend.close()
    assert not (tmp_path / "x").exists()


def test_force_init_env_runs_once() -> None:
    opened: list[int] = []

    class Probe(LocalVisBackend):
        def _init_env(self) -> None:
            opened.append(1)

        @force_init_env
        def ping(self) -> str:
            return "pong"

    probe = Probe("unused")
    assert probe.ping() == "pong" and probe.ping() == "pong"
    assert opened == [1] and probe._env_initialized
