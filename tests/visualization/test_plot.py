"""engine.visualization.plot: scalars.json to PNG curves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from engine.visualization import plot


def _run(folder: Path, rows: list[dict]) -> Path:
    path = folder / "vis_data" / "scalars.json"
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _train_val(scale: float) -> list[dict]:
    rows: list[dict] = []
    for it in range(1, 21):
        rows.append(dict(lr=0.1, loss=scale / it, time=0.2, iter=it, epoch=1, step=it))
        if it % 10 == 0:
            rows.append({"accuracy/top1": scale * it, "step": it // 10})
    return rows


def test_load_scalars(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"a": 1, "step": 1}\n\n{"a": 2, "step": 2}\n')
    assert plot.load_scalars(path) == [{"a": 1, "step": 1}, {"a": 2, "step": 2}]
    path.write_text('{"a": 1}\n[1, 2]\n')
    with pytest.raises(ValueError, match=r"s\.json:2: expected a JSON object"):
        plot.load_scalars(path)
    path.write_text("{oops\n")
    with pytest.raises(ValueError, match=r"s\.json:1: not a JSON line"):
        plot.load_scalars(path)


def test_scalar_keys_skip_indices_and_timings() -> None:
    assert plot.scalar_keys(_train_val(1.0)) == ["lr", "loss", "accuracy/top1"]
    assert plot.scalar_keys([{"flag": True, "name": "x", "v": 1}]) == ["v"]


def test_run_label() -> None:
    assert plot.run_label("w/exp/2024/vis_data/scalars.json") == "exp/2024"
    assert plot.run_label("2024/vis_data/scalars.json") == "2024"
    assert plot.run_label("runs/b/scalars.json") == "b"


def test_one_png_per_key_with_runs_overlaid(tmp_path: Path) -> None:
    first = _run(tmp_path / "exp" / "a", _train_val(1.0))
    second = _run(tmp_path / "exp" / "b", _train_val(2.0))
    out = tmp_path / "plots"
    paths = plot.plot_scalars([first, second], out)
    assert [p.name for p in paths] == ["lr.png", "loss.png", "accuracy_top1.png"]
    image = imread(paths[1])
    assert image.shape[:2] == (400, 640)  # figsize (6.4, 4.0) at 100 dpi
    pixels = image.reshape(-1, image.shape[-1])[:, :3]
    for colour in ((0.122, 0.467, 0.706), (1.0, 0.498, 0.055)):  # matplotlib C0, C1
        assert (np.abs(pixels - colour).max(axis=1) < 0.02).any()  # two curves


def test_keys_labels_and_missing_keys(tmp_path: Path) -> None:
    run = _run(tmp_path / "r", _train_val(1.0))
    paths = plot.plot_scalars(
        {"base": run, "base2": run}, tmp_path / "o", keys=["loss", "nope"]
    )
    assert [p.name for p in paths] == ["loss.png"]


def test_x_key_falls_back_to_the_line_index(tmp_path: Path) -> None:
    rows = [{"loss": 1.0}, {"loss": 0.5}]
    assert plot._curve(rows, "loss", "step") == ([0.0, 1.0], [1.0, 0.5])
    assert plot._curve(_train_val(1.0), "accuracy/top1", "step")[0] == [1.0, 2.0]


def test_duplicate_labels_are_made_unique(tmp_path: Path) -> None:
    run = _run(tmp_path / "same", [{"loss": 1.0, "step": 1}])
    label = plot.run_label(run)
    assert list(plot._as_runs([run, run])) == [label, f"{label} (2)"]


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = _run(tmp_path / "r", _train_val(1.0))
    assert plot.main([str(tmp_path / "o"), str(run), "--keys", "lr"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "o" / "lr.png")
