"""Unit tests of ``engine.evaluator.metric``."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
import torch

from engine.evaluator import BaseMetric, DumpResults
from engine.evaluator.metric import _to_cpu
from engine.structures import BaseDataElement, InstanceData


class Sum(BaseMetric):
    default_prefix = "sum"

    def process(self, data_batch: Any, data_samples: Any) -> None:
        self.results.extend(data_samples)

    def compute_metrics(self, results: list) -> dict:
        return {"value": sum(results)}


def test_evaluate_calls_collect_results_with_the_device(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple] = []

    def fake_collect(
        results: list, size: int, device: str = "cpu", tmpdir: Any = None
    ) -> list:
        calls.append((list(results), size, device, tmpdir))
        return results[:size]

    monkeypatch.setattr("engine.evaluator.metric.collect_results", fake_collect)
    for kwargs in ({}, {"collect_dir": "shared"}, {"collect_device": "gpu"}):
        metric = Sum(**kwargs)
        metric.process(None, [1, 2, 3])
        assert metric.evaluate(2) == {"sum/value": 3}
    assert calls == [
        ([1, 2, 3], 2, "cpu", None),
        ([1, 2, 3], 2, "cpu", "shared"),
        ([1, 2, 3], 2, "gpu", None),
    ]


def test_other_ranks_receive_the_broadcast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off rank 0, compute_metrics is not called; the result is what rank 0
    broadcasts."""

    def fake_broadcast(objects: list) -> None:
        objects[0] = {"sum/value": 42}

    monkeypatch.setattr("engine.evaluator.metric.is_main_process", lambda: False)
    monkeypatch.setattr("engine.evaluator.metric.collect_results", lambda *a, **k: None)
    monkeypatch.setattr("engine.evaluator.metric.broadcast_object_list", fake_broadcast)

    class Exploding(Sum):
        def compute_metrics(self, results: list) -> dict:
            raise AssertionError("computed off rank 0")

    metric = Exploding()
    metric.process(None, [1])
    assert metric.evaluate(1) == {"sum/value": 42}
    assert metric.results == []


def test_collect_dir_error_names_the_device() -> None:
    with pytest.raises(ValueError, match="collect_device='gpu'"):
        Sum(collect_device="gpu", collect_dir="d")


def test_to_cpu_walks_containers() -> None:
    element = InstanceData(x=torch.ones(2))
    data = {"a": [torch.ones(1), (element, 3)], "b": "text"}
    moved = _to_cpu(data)
    assert moved["b"] == "text" and isinstance(moved["a"][1], tuple)
    assert (
        isinstance(moved["a"][1][0], InstanceData) and moved["a"][1][0] is not element
    )
    assert torch.equal(moved["a"][0], torch.ones(1))


def test_dump_results_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "out.pickle"
    metric = DumpResults(str(path))
    metric.process({"inputs": 1}, [BaseDataElement(score=torch.tensor(0.5))])
    metric.process(None, [{"label": 2}])
    assert metric.evaluate(2) == {}
    with open(path, "rb") as f:
        loaded = pickle.load(f)
    assert float(loaded[0].score) == 0.5 and loaded[1] == {"label": 2}


def test_dump_results_rejects_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"pkl file, but got '.*out\.json'"):
        DumpResults(str(tmp_path / "out.json"))


def test_dump_results_has_no_prefix() -> None:
    metric = DumpResults("x.pkl", collect_device="gpu")
    assert metric.prefix is None and metric.collect_device == "gpu"
