"""Unit tests of ``engine.evaluator.Evaluator`` and ``get_metric_value``."""

from __future__ import annotations

from typing import Any

import pytest

from engine.evaluator import BaseMetric, Evaluator, get_metric_value
from engine.registry import EVALUATOR, METRICS
from engine.structures import InstanceData


class Count(BaseMetric):
    default_prefix = "count"

    def process(self, data_batch: Any, data_samples: Any) -> None:
        self.results.extend(data_samples)

    def compute_metrics(self, results: list) -> dict:
        return {"n": len(results)}


class DuckMetric:
    """Not a BaseMetric, but has the two methods the evaluator calls."""

    def __init__(self) -> None:
        self.seen: list = []
        self.dataset_meta: dict | None = None

    def process(self, data_batch: Any, data_samples: Any) -> None:
        self.seen.extend(data_samples)

    def evaluate(self, size: int) -> dict:
        return {"duck/size": size, "duck/seen": len(self.seen)}


def test_registered_in_the_root_registries() -> None:
    assert EVALUATOR.get("Evaluator") is Evaluator
    assert METRICS.get("DumpResults") is not None


def test_rejects_what_is_not_a_metric() -> None:
    with pytest.raises(TypeError, match="got 3"):
        Evaluator(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'Count'"):
        Evaluator("Count")
    with pytest.raises(TypeError):
        Evaluator([Count(), object()])


def test_duck_typed_metrics_are_accepted() -> None:
    duck = DuckMetric()
    evaluator = Evaluator([duck, Count()])
    evaluator.dataset_meta = {"classes": []}
    assert duck.dataset_meta == {"classes": []}
    evaluator.process([InstanceData(x=[1, 2])])
    assert duck.seen == [{"x": [1, 2]}]
    assert evaluator.evaluate(1) == {"duck/size": 1, "duck/seen": 1, "count/n": 1}


def test_offline_evaluate_rejects_bad_chunk_size() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        Evaluator(Count()).offline_evaluate([1, 2], chunk_size=0)


def test_offline_evaluate_length_error_is_assertion_compatible() -> None:
    with pytest.raises(ValueError, match="data length: 1"):
        Evaluator(Count()).offline_evaluate([1, 2], [0])
    with pytest.raises(AssertionError):
        Evaluator(Count()).offline_evaluate([1, 2], [0])


def test_offline_evaluate_on_a_tuple_and_an_empty_list() -> None:
    assert Evaluator(Count()).offline_evaluate((1, 2, 3), chunk_size=2) == {
        "count/n": 3
    }
    assert Evaluator(Count()).offline_evaluate([]) == {"count/n": 0}


def test_duplicate_key_error_names_the_key() -> None:
    evaluator = Evaluator([Count(), Count()])
    evaluator.process([1])
    with pytest.raises(ValueError, match="count/n"):
        evaluator.evaluate(1)


@pytest.mark.parametrize(
    ("indicator", "metrics", "expected"),
    [
        ("acc", {"a/acc": 1}, 1),
        ("acc", {"x": 0, "acc": 2}, 2),
        ("a/acc", {"a/acc": 3, "b/acc": 4}, 3),
        ("acc", {"/acc": 5}, 5),
    ],
)
def test_get_metric_value(indicator: str, metrics: dict, expected: int) -> None:
    assert get_metric_value(indicator, metrics) == expected


def test_get_metric_value_messages() -> None:
    with pytest.raises(
        ValueError, match=r"indicator acc can not match any metric in \['x'\]"
    ):
        get_metric_value("acc", {"x": 1})
    with pytest.raises(
        ValueError, match=r"matches multiple metrics \['a/acc', 'b/acc'\]"
    ):
        get_metric_value("acc", {"a/acc": 1, "b/acc": 2})
    with pytest.raises(ValueError, match='"a/x" can not match'):
        get_metric_value("a/x", {"a/acc": 1})
