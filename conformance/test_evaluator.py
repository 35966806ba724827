"""Conformance of metrics and the evaluator (EVAL-01..05).

The docs' Evaluation pages are "Coming soon" (L3614-3616, L8876-8878); the
examples come from the 15-minute tutorial (EVAL-01, L280-301), the runner
tutorial (EVAL-02, L2624-2639), the pseudo-code of the loops (EVAL-03,
L2959-2960), the CheckpointHook page (EVAL-04, L4693) and a config migration
page (EVAL-05, L9818-9823). Tests whose docstring says **reference-derived**
check behaviour the docs leave open, observed on mmengine 0.10.7. Expected
values are computed in the tests from the inputs.

The distributed test runs 2 gloo processes (``run_on_ranks``) over a
7-sample dataset dealt like a distributed sampler does (padded to 8,
rank ``r`` gets samples ``r, r + 2, ...``), so rank 1 holds a duplicate of
sample 0 that ``evaluate(size)`` must drop.
"""

from __future__ import annotations

import importlib
import pickle
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from conformance.harness.distributed import run_on_ranks
from conformance.harness.impl import Impl

_SIZE = 7  # samples in the toy dataset
_WORLD = 2
_SPAWN_TIMEOUT_S = 90.0


@pytest.fixture
def ev(impl: Impl) -> Any:
    """The ``evaluator`` package of the implementation."""
    return impl.mod("evaluator")


@pytest.fixture
def metrics_registry(impl: Impl) -> Iterator[Any]:
    """``METRICS``, with the test's registrations undone afterwards."""
    registry = impl.mod("registry").METRICS
    impl.mod("evaluator")  # the implementation's own metrics register first
    registry.get("__no_such_metric__")
    saved = dict(registry.module_dict)
    yield registry
    registry.module_dict.clear()
    registry.module_dict.update(saved)


def _doc_accuracy(base: type) -> type:
    """The ``Accuracy`` metric of the 15-minute tutorial (L280-301)."""

    class Accuracy(base):  # type: ignore[misc, valid-type]
        def process(self, data_batch: Any, data_samples: Any) -> None:
            score, gt = data_samples
            # save the middle result of a batch to `self.results`
            self.results.append(
                {
                    "batch_size": len(gt),
                    "correct": (score.argmax(dim=1) == gt).sum().cpu(),
                }
            )

        def compute_metrics(self, results: list) -> dict:
            total_correct = sum(item["correct"] for item in results)
            total_size = sum(item["batch_size"] for item in results)
            # return the dict containing the eval results
            # the key is the name of the metric name
            return dict(accuracy=100 * total_correct / total_size)

    return Accuracy


def _batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Three batches of (scores, labels); 4 of the 7 predictions are right."""
    scores = torch.tensor(
        [
            [0.9, 0.1],
            [0.2, 0.8],
            [0.6, 0.4],
            [0.3, 0.7],
            [0.5, 0.6],
            [0.8, 0.2],
            [0.1, 0.9],
        ]
    )
    labels = torch.tensor([0, 1, 1, 0, 1, 1, 0])
    return [
        (scores[:3], labels[:3]),
        (scores[3:5], labels[3:5]),
        (scores[5:], labels[5:]),
    ]


def _expected_accuracy() -> float:
    pairs = [(s.argmax(dim=1) == g) for s, g in _batches()]
    correct = sum(int(p.sum()) for p in pairs)
    return 100 * correct / sum(len(p) for p in pairs)


# ------------------------------------------------------------------ EVAL-01
@pytest.mark.spec("EVAL-01")
def test_doc_accuracy_metric(ev: Any) -> None:
    """L280-301: the tutorial's metric; ``evaluate`` passes every result to
    ``compute_metrics`` and returns its dict (a 0-dim tensor here)."""
    metric = _doc_accuracy(ev.BaseMetric)()
    for batch in _batches():
        metric.process(None, batch)
    assert len(metric.results) == 3
    result = metric.evaluate(_SIZE)
    assert list(result) == ["accuracy"]
    assert (
        isinstance(result["accuracy"], torch.Tensor) and result["accuracy"].dim() == 0
    )
    assert float(result["accuracy"]) == pytest.approx(_expected_accuracy())


@pytest.mark.spec("EVAL-01")
def test_results_cleared_and_size_trims(ev: Any) -> None:
    """Reference-derived: ``self.results`` is emptied by ``evaluate``, and
    ``evaluate(size)`` keeps only the first ``size`` results (the padding a
    distributed sampler adds)."""
    seen: list[list] = []

    class Keep(ev.BaseMetric):
        default_prefix = "keep"

        def process(self, data_batch: Any, data_samples: Any) -> None:
            self.results.extend(data_samples)

        def compute_metrics(self, results: list) -> dict:
            seen.append(list(results))
            return {"n": len(results)}

    metric = Keep()
    metric.process(None, [1, 2, 3, 4])
    assert metric.evaluate(3) == {"keep/n": 3}
    assert seen == [[1, 2, 3]] and metric.results == []


@pytest.mark.spec("EVAL-01")
def test_prefixes(ev: Any) -> None:
    """Reference-derived: keys become ``<prefix>/<name>``; ``prefix``
    overrides the class's ``default_prefix``; an empty ``prefix`` falls back
    to it; without either, keys stay bare."""

    def metric_class(default: str | None) -> type:
        class Toy(ev.BaseMetric):
            default_prefix = default

            def process(self, data_batch: Any, data_samples: Any) -> None:
                self.results.append(1)

            def compute_metrics(self, results: list) -> dict:
                return {"acc": 1.0, "loss": 0.5}

        return Toy

    def run(metric: Any) -> dict:
        metric.process(None, [])
        return metric.evaluate(1)

    with_default = metric_class("cls")
    assert run(with_default()) == {"cls/acc": 1.0, "cls/loss": 0.5}
    assert run(with_default(prefix="p")) == {"p/acc": 1.0, "p/loss": 0.5}
    assert run(with_default(prefix="")) == {"cls/acc": 1.0, "cls/loss": 0.5}
    assert with_default().prefix == "cls"
    bare = metric_class(None)
    assert run(bare()) == {"acc": 1.0, "loss": 0.5}
    assert bare().prefix is None


@pytest.mark.spec("EVAL-01")
def test_base_metric_contract(ev: Any, impl: Impl) -> None:
    """Reference-derived: ``BaseMetric`` is abstract (``process`` and
    ``compute_metrics``); its attributes and ``dataset_meta`` property; a
    ``collect_dir`` needs ``collect_device='cpu'``."""
    with pytest.raises(TypeError):
        ev.BaseMetric()

    class Toy(ev.BaseMetric):
        def process(self, data_batch: Any, data_samples: Any) -> None: ...

        def compute_metrics(self, results: list) -> dict:
            return {}

    metric = Toy()
    assert (metric.collect_device, metric.collect_dir, metric.results) == (
        "cpu",
        None,
        [],
    )
    assert metric.dataset_meta is None
    meta = {"classes": ("cat", "dog")}
    metric.dataset_meta = meta
    assert metric.dataset_meta == meta
    assert Toy(collect_device="gpu").collect_device == "gpu"
    with pytest.raises(ValueError):
        Toy(collect_device="gpu", collect_dir="somewhere")


@pytest.mark.spec("EVAL-01")
def test_warnings_logged(
    ev: Any, impl: Impl, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reference-derived: a metric without prefix logs a warning naming its
    class; ``evaluate`` with no results logs a warning and still computes."""

    class Unprefixed(ev.BaseMetric):
        def process(self, data_batch: Any, data_samples: Any) -> None: ...

        def compute_metrics(self, results: list) -> dict:
            return {"n": len(results)}

    metric = Unprefixed()
    assert metric.evaluate(0) == {"n": 0}
    lines = [
        line for line in capsys.readouterr().out.splitlines() if " - WARNING - " in line
    ]
    assert len(lines) == 2, lines
    assert "prefix" in lines[0] and "Unprefixed" in lines[0]
    assert "Unprefixed" in lines[1] and "self.results" in lines[1]


@pytest.mark.spec("EVAL-01")
def test_results_moved_to_cpu_before_compute(ev: Any, impl: Impl) -> None:
    """Reference-derived: tensors and data elements inside the results
    reach ``compute_metrics`` (CPU-side) with their values and types."""
    element_cls = impl.attr("structures.BaseDataElement")
    received: list = []

    class Toy(ev.BaseMetric):
        default_prefix = "toy"

        def process(self, data_batch: Any, data_samples: Any) -> None:
            self.results.append(
                {"t": torch.ones(2), "e": element_cls(x=torch.zeros(1))}
            )

        def compute_metrics(self, results: list) -> dict:
            received.extend(results)
            return {}

    metric = Toy()
    metric.process(None, None)
    metric.evaluate(1)
    (item,) = received
    assert item["t"].device.type == "cpu" and torch.equal(item["t"], torch.ones(2))
    assert isinstance(item["e"], element_cls) and torch.equal(
        item["e"].x, torch.zeros(1)
    )


# ------------------------------------------------------------------ EVAL-02
@pytest.mark.spec("EVAL-02")
def test_registered_metric_built_by_name(ev: Any, metrics_registry: Any) -> None:
    """L2624-2639, L2853: a metric registered in METRICS with an explicit
    ``__init__`` calling ``super().__init__()``, built from
    ``dict(type='Accuracy')`` (by the registry and by the Evaluator)."""
    doc_accuracy = _doc_accuracy(ev.BaseMetric)

    @metrics_registry.register_module(force=True)
    class Accuracy(doc_accuracy):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()

    built = metrics_registry.build(dict(type="Accuracy"))
    assert type(built) is Accuracy
    evaluator = ev.Evaluator(dict(type="Accuracy"))
    (metric,) = evaluator.metrics
    assert type(metric) is Accuracy
    for scores, labels in _batches():
        evaluator.process(data_samples=(scores, labels), data_batch=None)
    result = evaluator.evaluate(_SIZE)
    assert float(result["accuracy"]) == pytest.approx(_expected_accuracy())


@pytest.mark.spec("EVAL-02")
def test_class_type_in_config(ev: Any) -> None:
    """L280-301 with L2853: ``val_evaluator=dict(type=Accuracy)`` takes the
    class itself as ``type``."""
    accuracy = _doc_accuracy(ev.BaseMetric)
    evaluator = ev.Evaluator(dict(type=accuracy))
    assert [type(m) for m in evaluator.metrics] == [accuracy]


@pytest.mark.spec("EVAL-02")
def test_evaluator_registry_and_dump_results(impl: Impl, ev: Any) -> None:
    """Reference-derived: ``Evaluator`` is registered in EVALUATOR (built
    from ``dict(type='Evaluator', metrics=...)``; a list is not a config) and
    ``DumpResults`` in METRICS."""
    registries = impl.mod("registry")
    evaluator = registries.EVALUATOR.build(
        dict(type="Evaluator", metrics=dict(type="DumpResults", out_file_path="x.pkl"))
    )
    assert type(evaluator) is ev.Evaluator
    assert [type(m) for m in evaluator.metrics] == [ev.DumpResults]
    assert registries.METRICS.get("DumpResults") is ev.DumpResults
    with pytest.raises(TypeError):
        registries.EVALUATOR.build([dict(type="DumpResults", out_file_path="x.pkl")])


# ------------------------------------------------------------------ EVAL-03
class _Recorder:
    """A metric factory whose instances record what they are given."""

    def __init__(self, base: type) -> None:
        calls: list[tuple[str, Any, Any]] = []
        self.calls = calls

        class Recording(base):  # type: ignore[misc, valid-type]
            default_prefix = "rec"

            def process(self, data_batch: Any, data_samples: Any) -> None:
                calls.append((self.prefix, data_batch, list(data_samples)))
                self.results.extend(s["score"] for s in data_samples)

            def compute_metrics(self, results: list) -> dict:
                return {"total": sum(results), "count": len(results)}

        self.cls = Recording


@pytest.mark.spec("EVAL-03")
def test_evaluator_forwards_to_each_metric(ev: Any, impl: Impl) -> None:
    """L2959-2960: ``process(data_samples=..., data_batch=...)`` reaches every
    metric; data elements arrive as dicts (``to_dict``), other samples as
    they are; ``evaluate(size)`` merges every metric's prefixed results."""
    element_cls = impl.attr("structures.BaseDataElement")
    recorder = _Recorder(ev.BaseMetric)
    evaluator = ev.Evaluator([recorder.cls(), recorder.cls(prefix="again")])
    sample = element_cls(metainfo=dict(img_id=1), score=2)
    evaluator.process(
        data_samples=[sample, {"score": 3}], data_batch={"inputs": [0, 1]}
    )
    evaluator.process(data_samples=[{"score": 5}])
    dict_sample = {"img_id": 1, "score": 2}
    assert recorder.calls == [
        ("rec", {"inputs": [0, 1]}, [dict_sample, {"score": 3}]),
        ("again", {"inputs": [0, 1]}, [dict_sample, {"score": 3}]),
        ("rec", None, [{"score": 5}]),
        ("again", None, [{"score": 5}]),
    ]
    assert evaluator.evaluate(3) == {
        "rec/total": 10,
        "rec/count": 3,
        "again/total": 10,
        "again/count": 3,
    }


@pytest.mark.spec("EVAL-03")
def test_evaluator_accepts_one_or_many_metrics(ev: Any, metrics_registry: Any) -> None:
    """Reference-derived: ``metrics`` is one metric, one config dict, or a
    list/tuple mixing both; ``dataset_meta`` set on the evaluator reaches
    every metric."""
    recorder = _Recorder(ev.BaseMetric)
    metrics_registry.register_module(name="ConformanceRecording", force=True)(
        recorder.cls
    )
    single = ev.Evaluator(recorder.cls())
    by_cfg = ev.Evaluator(dict(type="ConformanceRecording"))
    mixed = ev.Evaluator(
        (dict(type="ConformanceRecording", prefix="a"), recorder.cls())
    )
    assert [len(e.metrics) for e in (single, by_cfg, mixed)] == [1, 1, 2]
    assert [m.prefix for m in mixed.metrics] == ["a", "rec"]
    assert ev.Evaluator([]).evaluate(0) == {}
    assert mixed.dataset_meta is None
    meta = {"classes": ["x", "y"]}
    mixed.dataset_meta = meta
    assert mixed.dataset_meta == meta
    assert all(m.dataset_meta == meta for m in mixed.metrics)


@pytest.mark.spec("EVAL-03")
def test_duplicate_metric_names_are_an_error(ev: Any) -> None:
    """Reference-derived ([GAP] in the docs): two metrics yielding the same
    key (same prefix) make ``evaluate`` raise ValueError naming the key."""
    recorder = _Recorder(ev.BaseMetric)
    evaluator = ev.Evaluator([recorder.cls(), recorder.cls()])
    evaluator.process(data_samples=[{"score": 1}])
    with pytest.raises(ValueError, match="rec/total"):
        evaluator.evaluate(1)


@pytest.mark.spec("EVAL-03")
def test_offline_evaluate(ev: Any) -> None:
    """Reference-derived: ``offline_evaluate`` processes saved predictions in
    chunks of ``chunk_size`` (with ``data`` collated alongside), then
    evaluates them all; ``data`` must match in length."""
    recorder = _Recorder(ev.BaseMetric)
    evaluator = ev.Evaluator(recorder.cls())
    samples = [{"score": s} for s in (1, 2, 4, 8, 16)]
    data = [{"x": i} for i in range(5)]
    assert evaluator.offline_evaluate(samples, data, chunk_size=2) == {
        "rec/total": 31,
        "rec/count": 5,
    }
    assert [(batch, len(chunk)) for _, batch, chunk in recorder.calls] == [
        ({"x": [0, 1]}, 2),
        ({"x": [2, 3]}, 2),
        ({"x": [4]}, 1),
    ]
    recorder.calls.clear()
    assert evaluator.offline_evaluate(samples) == {"rec/total": 31, "rec/count": 5}
    assert [batch for _, batch, _ in recorder.calls] == [None] * 5
    with pytest.raises(AssertionError):
        evaluator.offline_evaluate(samples, data[:2])


@pytest.mark.spec("EVAL-03")
def test_dump_results(ev: Any, impl: Impl, tmp_path: Path) -> None:
    """Reference-derived: ``DumpResults`` pickles the collected predictions
    (data elements included) to ``out_file_path``, returns no metrics, and
    accepts only ``.pkl``/``.pickle`` paths."""
    element_cls = impl.attr("structures.BaseDataElement")
    out = tmp_path / "sub" / "preds.pkl"
    metric = ev.DumpResults(out_file_path=str(out))
    assert metric.out_file_path == str(out)
    metric.process(None, [{"label": torch.tensor(1)}, element_cls(score=0.5)])
    assert metric.evaluate(2) == {}
    with open(out, "rb") as f:
        dumped = pickle.load(f)
    assert torch.equal(dumped[0]["label"], torch.tensor(1))
    assert isinstance(dumped[1], element_cls) and dumped[1].score == 0.5
    ev.DumpResults(out_file_path=str(tmp_path / "ok.pickle"))
    for bad in ("out.json", "out.PKL", "out"):
        with pytest.raises(ValueError):
            ev.DumpResults(out_file_path=str(tmp_path / bad))


@pytest.mark.spec("EVAL-03")
def test_get_metric_value(ev: Any) -> None:
    """Reference-derived: an indicator with ``/`` must match a key exactly;
    one without matches the part after the last ``/``, unambiguously."""
    get = ev.get_metric_value
    assert get("acc", {"cls/acc": 0.9, "cls/loss": 0.1}) == 0.9
    assert get("acc", {"a/b/acc": 0.8}) == 0.8
    assert get("acc", {"acc": 0.7}) == 0.7
    assert get("cls/acc", {"cls/acc": 0.6, "acc": 0.5}) == 0.6
    for indicator, metrics in (
        ("acc", {"a/acc": 1, "b/acc": 2}),
        ("acc", {"acc/x": 1}),
        ("b/acc", {"a/b/acc": 1}),
        ("acc", {}),
    ):
        with pytest.raises(ValueError):
            get(indicator, metrics)


# ------------------------------------------------------------------ EVAL-04
@pytest.mark.spec("EVAL-04")
def test_results_are_ordered(ev: Any) -> None:
    """L4693: the evaluator's result is an ordered dict: metrics in the
    order given, each metric's keys in the order it computed them, so
    ``save_best='auto'`` can take the first key."""

    def make(prefix: str, names: list[str]) -> Any:
        class Ordered(ev.BaseMetric):
            def process(self, data_batch: Any, data_samples: Any) -> None:
                self.results.append(1)

            def compute_metrics(self, results: list) -> dict:
                return {name: i for i, name in enumerate(names)}

        return Ordered(prefix=prefix)

    evaluator = ev.Evaluator([make("z", ["top5", "top1"]), make("a", ["mAP"])])
    evaluator.process(data_samples=[{}])
    result = evaluator.evaluate(1)
    assert list(result) == ["z/top5", "z/top1", "a/mAP"]
    assert next(iter(result)) == "z/top5"


# ------------------------------------------------------------------ EVAL-05
@pytest.mark.spec("EVAL-05")
def test_test_evaluator_aliases_val_evaluator(
    impl: Impl, ev: Any, metrics_registry: Any, tmp_path: Path
) -> None:
    """L9818-9823, aliasing part only (CocoMetric is mmdet's): with
    ``test_evaluator = val_evaluator`` in a config, both keys hold the same
    settings and each builds its own, independent evaluator."""
    recorder = _Recorder(ev.BaseMetric)
    metrics_registry.register_module(name="ConformanceBoxMetric", force=True)(
        recorder.cls
    )
    config_file = tmp_path / "cfg.py"
    config_file.write_text(
        textwrap.dedent(
            """
            data_root = 'data/coco/'
            val_evaluator = dict(
                type='ConformanceBoxMetric',
                prefix='coco')
            test_evaluator = val_evaluator
            """
        )
    )
    cfg = impl.attr("config.Config").fromfile(str(config_file))
    assert cfg.test_evaluator == cfg.val_evaluator
    assert cfg.test_evaluator["type"] == "ConformanceBoxMetric"
    val, test = ev.Evaluator(cfg.val_evaluator), ev.Evaluator(cfg.test_evaluator)
    assert val.metrics[0] is not test.metrics[0]
    val.process(data_samples=[{"score": 3}])
    assert val.evaluate(1) == {"coco/total": 3, "coco/count": 1}
    test.process(data_samples=[{"score": 4}, {"score": 1}])
    assert test.evaluate(2) == {"coco/total": 5, "coco/count": 2}


# ------------------------------------------------------------- distributed
def _score(index: int) -> int:
    return (index * 7) % 5 + index


def _expected_result() -> dict:
    """What one process evaluating the whole dataset, in order, reports."""
    return {
        "order": list(range(_SIZE)),
        "total": sum(_score(i) for i in range(_SIZE)),
        "count": _SIZE,
    }


def _ordered_metric(base: type) -> type:
    class Ordered(base):  # type: ignore[misc, valid-type]
        default_prefix = "dist"

        def process(self, data_batch: Any, data_samples: Any) -> None:
            for sample in data_samples:
                self.results.append((sample["index"], torch.tensor(sample["score"])))

        def compute_metrics(self, results: list) -> dict:
            return {
                "order": [index for index, _ in results],
                "total": int(sum(score for _, score in results)),
                "count": len(results),
            }

    return Ordered


def _evaluate_on_rank(impl_name: str, collect_dir: str) -> dict[str, Any]:
    """Evaluate this rank's share of the dataset every way there is."""
    ev = importlib.import_module(f"{impl_name}.evaluator")
    dist = importlib.import_module(f"{impl_name}.dist")
    rank, world_size = dist.get_dist_info()
    padded = list(range(_SIZE)) + list(range(-_SIZE % world_size))
    mine = [{"index": i, "score": _score(i)} for i in padded[rank::world_size]]
    ordered = _ordered_metric(ev.BaseMetric)
    out: dict[str, Any] = {
        "world_size": world_size,
        "shard": [s["index"] for s in mine],
    }
    for name, kwargs in (
        ("cpu", {}),
        ("cpu_dir", {"collect_dir": collect_dir}),
        ("gpu", {"collect_device": "gpu"}),
    ):
        metric = ordered(**kwargs)
        for start in range(0, len(mine), 3):  # batches of 3, then 1
            metric.process(None, mine[start : start + 3])
        out[name] = metric.evaluate(_SIZE)
        out[name + "_left"] = len(metric.results)
    evaluator = ev.Evaluator([ordered(), ordered(prefix="again")])
    evaluator.process(data_samples=mine[:2])
    evaluator.process(data_samples=mine[2:])
    out["evaluator"] = evaluator.evaluate(_SIZE)
    return out


@pytest.mark.spec("EVAL-01", "EVAL-03")
def test_distributed_evaluate_equals_single_process(
    ev: Any, impl: Impl, tmp_path: Path
) -> None:
    """L283: with 2 processes and an uneven split (7 samples, the second rank
    padded with a duplicate), every rank gets the result of one process
    evaluating the whole dataset in order, for both collect devices and a
    given ``collect_dir``; each rank's results are cleared."""
    expected = {f"dist/{key}": value for key, value in _expected_result().items()}

    single = _ordered_metric(ev.BaseMetric)()
    single.process(None, [{"index": i, "score": _score(i)} for i in range(_SIZE)])
    assert single.evaluate(_SIZE) == expected

    collect_dir = tmp_path / "collect"
    ranks = run_on_ranks(
        _evaluate_on_rank, impl.name, str(collect_dir), world_size=_WORLD,
        timeout=_SPAWN_TIMEOUT_S,
    )  # fmt: skip
    assert [r["shard"] for r in ranks] == [[0, 2, 4, 6], [1, 3, 5, 0]]
    again = {key.replace("dist/", "again/"): value for key, value in expected.items()}
    for result in ranks:
        assert result["world_size"] == _WORLD
        for name in ("cpu", "cpu_dir", "gpu"):
            assert result[name] == expected, name
            assert result[name + "_left"] == 0
        assert result["evaluator"] == {**expected, **again}
