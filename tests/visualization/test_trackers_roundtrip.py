"""Real round trips through MLflow, DVCLive and W&B (offline), and back.

Each test logs through a :class:`~engine.visualization.Visualizer` with one
tracker backend, closes it, then reads what was stored with the tracker's
own reader: MLflow's ``MlflowClient``, DVCLive's file parsers, and W&B's
protobuf ``Record`` schema over the run's transaction log. Nothing leaves the
machine: MLflow uses a local store, W&B runs offline, DVCLive writes files.

The trackers are not installed in the main environment; ``ci/trackers.sh``
builds ``.venv-trackers`` with them and runs this file. Elsewhere each test
is skipped with the missing package as the reason.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine.config import Config
from engine.visualization import Visualizer

CONFIG = Config(dict(model=dict(type="Net", depth=50), lr=0.1))
SCALARS = [
    ({"loss": 1.0, "lr": 0.1}, 1),
    ({"loss": 0.5, "lr": 0.05}, 2),
    ({"loss": 0.25}, 3),
]


def _image() -> np.ndarray:
    image = np.zeros((6, 8, 3), np.uint8)
    image[..., 0] = 255
    image[2, 3] = (10, 200, 30)
    return image


def _log_run(backends: list[dict], save_dir: Path) -> None:
    vis = Visualizer(vis_backends=backends, save_dir=str(save_dir))
    vis.add_config(CONFIG)
    for scalars, step in SCALARS:
        vis.add_scalars(scalars, step=step)
    vis.add_scalar("acc", 0.75, step=3)
    vis.add_image("pred", _image(), step=3)
    vis.close()
    assert vis._failed_backends == set()  # no call was swallowed by the guard


def _read_png(path: str | Path) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB"))


# -- MLflow --


def test_mlflow_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mlflow = pytest.importorskip("mlflow", reason="mlflow not installed")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)  # nothing may land in the working directory
    (tmp_path / "run.log").write_text("training log\n")
    # LocalVisBackend first: its files exist when MLflow uploads them on close
    mlflow_cfg = dict(type="MLflowVisBackend", exp_name="rt", run_name="first")
    _log_run([dict(type="LocalVisBackend"), mlflow_cfg], tmp_path)

    store = tmp_path / "vis_data"
    client = mlflow.MlflowClient(f"sqlite:///{store}/mlflow.db")
    experiment = client.get_experiment_by_name("rt")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.run_name == "first" and run.info.status == "FINISHED"
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(1, 1.0), (2, 0.5), (3, 0.25)]
    assert [
        (m.step, m.value) for m in client.get_metric_history(run.info.run_id, "lr")
    ] == [
        (1, 0.1),
        (2, 0.05),
    ]
    assert run.data.metrics["acc"] == 0.75
    assert run.data.params == {"model.type": "Net", "model.depth": "50", "lr": "0.1"}

    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert artifacts == {"config.py", "pred_3.png", "run.log", "vis_data"}
    uploaded = {a.path for a in client.list_artifacts(run.info.run_id, "vis_data")}
    assert uploaded == {"vis_data/config.py", "vis_data/scalars.json"}
    local = Path(
        client.download_artifacts(run.info.run_id, "pred_3.png", str(tmp_path))
    )
    np.testing.assert_array_equal(_read_png(local), _image())
    config = client.download_artifacts(run.info.run_id, "config.py", str(tmp_path))
    assert Config.fromfile(config).model.depth == 50
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["run.log", "vis_data", "pred_3.png", "config.py"]
    )


# -- DVCLive --


def test_dvclive_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dvclive", reason="dvclive not installed")
    from dvclive.serialize import load_yaml
    from dvclive.utils import parse_json, parse_tsv

    monkeypatch.chdir(tmp_path)  # outside any git/DVC repository
    backend = dict(type="DVCLiveVisBackend", init_kwargs=dict(save_dvc_exp=False))
    _log_run([backend], tmp_path)

    live = tmp_path / "vis_data"
    loss = parse_tsv(live / "plots" / "metrics" / "loss.tsv")
    assert [(int(r["step"]), float(r["loss"])) for r in loss] == [
        (1, 1.0),
        (2, 0.5),
        (3, 0.25),
    ]
    lr = parse_tsv(live / "plots" / "metrics" / "lr.tsv")
    assert [(int(r["step"]), float(r["lr"])) for r in lr] == [(1, 0.1), (2, 0.05)]
    latest = parse_json(live / "metrics.json")
    assert latest["loss"] == 0.25 and latest["acc"] == 0.75
    assert load_yaml(live / "params.yaml") == {
        "model": {"type": "Net", "depth": 50},
        "lr": 0.1,
    }
    image = _read_png(live / "plots" / "images" / "pred_3.png")
    np.testing.assert_array_equal(image, _image())


# -- W&B (offline) --


def _wandb_records(path: Path) -> list[Any]:
    """Every record of an offline run's ``.wandb`` transaction log.

    The file is W&B's header (``:W&B``, a 2-byte magic, a version byte)
    followed by a LevelDB-style log: 32 KiB blocks of chunks, each with a
    7-byte header (CRC, little-endian length, type: 1 full, 2 first, 3 middle,
    4 last). The payloads are ``wandb_internal.Record`` protobufs, decoded
    with W&B's own schema.
    """
    from wandb.proto import wandb_internal_pb2

    data = path.read_bytes()
    assert data[:4] == b":W&B", "not a W&B transaction log"
    block, offset, pending, payloads = 32768, 7, b"", []
    while offset + 7 <= len(data):
        left_in_block = block - offset % block
        if left_in_block < 7:  # block trailer padding
            offset += left_in_block
            continue
        length, kind = struct.unpack_from("<HB", data, offset + 4)
        if length == 0 and kind == 0:  # zero padding at the end
            break
        chunk = data[offset + 7 : offset + 7 + length]
        offset += 7 + length
        pending += chunk
        if kind in (1, 4):  # a full record, or the last chunk of one
            payloads.append(pending)
            pending = b""
    records = []
    for payload in payloads:
        record = wandb_internal_pb2.Record()
        record.ParseFromString(payload)
        records.append(record)
    return records


def _history(records: list[Any]) -> list[dict[str, Any]]:
    """The logged rows; nested keys (``pred.width``) become nested dicts."""
    rows = []
    for record in records:
        if record.WhichOneof("record_type") != "history":
            continue
        row: dict[str, Any] = {}
        for item in record.history.item:
            *parents, leaf = list(item.nested_key) or [item.key]
            node = row
            for key in parents:
                node = node.setdefault(key, {})
            node[leaf] = json.loads(item.value_json)
        rows.append(row)
    return rows


def test_wandb_offline_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("wandb", reason="wandb not installed")
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.chdir(tmp_path)
    backend = dict(
        type="WandbVisBackend", init_kwargs=dict(mode="offline", project="rt")
    )
    _log_run([backend], tmp_path)

    (log,) = (tmp_path / "vis_data" / "wandb").glob("offline-run-*/run-*.wandb")
    records = _wandb_records(log)
    rows = _history(records)
    assert [row.get("loss") for row in rows if "loss" in row] == [1.0, 0.5, 0.25]
    assert [row.get("lr") for row in rows if "lr" in row] == [0.1, 0.05]
    assert [row["acc"] for row in rows if "acc" in row] == [0.75]
    (image_row,) = [row for row in rows if "pred" in row]
    assert image_row["pred"]["_type"] == "image-file"
    assert (image_row["pred"]["width"], image_row["pred"]["height"]) == (8, 6)
    media = log.parent / "files" / image_row["pred"]["path"]
    np.testing.assert_array_equal(_read_png(media), _image())
    config: dict[str, Any] = {}
    for record in records:
        if record.WhichOneof("record_type") == "config":
            for item in record.config.update:
                config[item.key] = json.loads(item.value_json)
    assert config["model"] == {"type": "Net", "depth": 50} and config["lr"] == 0.1
