"""Unit tests of engine.model.test_time_aug.BaseTTAModel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch
import torch.nn as nn

from engine.model.base_model import BaseDataPreprocessor, BaseModel
from engine.model.test_time_aug import BaseTTAModel
from engine.registry import MODELS
from engine.structures import BaseDataElement


class Scorer(BaseModel):
    """Predicts one ``BaseDataElement(score=x)`` per input row."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[Any, Any]] = []

    def forward(
        self, inputs: torch.Tensor, data_samples: Any = None, mode: str = "tensor"
    ) -> list:
        self.calls.append((inputs.clone(), data_samples))
        return [BaseDataElement(score=row) for row in inputs]


class MeanScore(BaseTTAModel):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.merged: list[Any] = []

    def merge_preds(self, data_samples_list: list) -> list:
        self.merged.append(data_samples_list)
        return [
            views[0].new(score=sum(v.score for v in views) / len(views))
            for views in data_samples_list
        ]


class Recorder(nn.Module):
    """A module whose ``test_step`` records the batch it gets."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[Any] = []

    def test_step(self, data: Any) -> list:
        self.batches.append(data)
        return [f"pred{len(self.batches)}"]


class Keep(BaseTTAModel):
    def merge_preds(self, data_samples_list: list) -> list:
        return data_samples_list


@pytest.fixture
def scorer_type() -> Iterator[str]:
    MODELS.register_module(name="_TTAScorer", module=Scorer, force=True)
    yield "_TTAScorer"
    MODELS.module_dict.pop("_TTAScorer")


def _views() -> dict:
    return dict(
        inputs=[
            torch.tensor([[1.0], [2.0], [3.0]]),
            torch.tensor([[10.0], [20.0], [30.0]]),
        ],
        data_samples=[["a0", "b0", "c0"], ["a1", "b1", "c1"]],
    )


def test_each_view_runs_through_module_test_step() -> None:
    tta = MeanScore(module=Scorer())
    tta.test_step(_views())
    (first, samples0), (second, samples1) = tta.module.calls
    assert first.tolist() == [[1.0], [2.0], [3.0]] and samples0 == ["a0", "b0", "c0"]
    assert second.tolist() == [[10.0], [20.0], [30.0]] and samples1 == [
        "a1",
        "b1",
        "c1",
    ]


def test_merge_gets_batch_size_lists_of_views_and_merges_them() -> None:
    tta = MeanScore(module=Scorer())
    merged = tta.test_step(_views())
    (per_sample,) = tta.merged
    assert [type(views) for views in per_sample] == [list] * 3
    assert [[v.score.item() for v in views] for views in per_sample] == [
        [1.0, 10.0],
        [2.0, 20.0],
        [3.0, 30.0],
    ]
    assert [m.score.item() for m in merged] == [5.5, 11.0, 16.5]


def test_tuple_and_list_batches_hold_fields_by_augmentation() -> None:
    for data in (
        (["a0", "a1", "a2"], ["b0", "b1", "b2"]),
        [["a0", "a1", "a2"], ["b0", "b1", "b2"]],
    ):
        tta = Keep(module=Recorder())
        assert tta.test_step(data) == [["pred1", "pred2", "pred3"]]
        assert tta.module.batches == [["a0", "b0"], ["a1", "b1"], ["a2", "b2"]]


def test_dict_batch_without_data_samples() -> None:
    tta = Keep(module=Recorder())
    tta.test_step(dict(inputs=["x0", "x1"]))
    assert tta.module.batches == [{"inputs": "x0"}, {"inputs": "x1"}]


@pytest.mark.parametrize(
    "data",
    [dict(inputs=["x0", "x1"], data_samples=["s0"]), [["a0"], ["b0", "b1"]], {}, []],
)
def test_fields_of_unequal_length_are_rejected(data: Any) -> None:
    with pytest.raises(ValueError, match="one entry per augmentation"):
        Keep(module=Recorder()).test_step(data)


def test_other_batch_types_are_rejected() -> None:
    with pytest.raises(TypeError, match="got str"):
        Keep(module=Recorder()).test_step("abc")  # type: ignore[arg-type]


def test_module_from_cfg_and_bad_module(scorer_type: str) -> None:
    tta = MeanScore(module=dict(type=scorer_type))
    assert isinstance(tta.module, Scorer)
    with pytest.raises(TypeError, match="nn.Module.*or a dict.*'oops'"):
        MeanScore(module="oops")  # type: ignore[arg-type]


def test_merge_preds_is_abstract_and_forward_raises() -> None:
    with pytest.raises(TypeError, match="merge_preds"):
        BaseTTAModel(module=Scorer())  # type: ignore[abstract]
    with pytest.raises(NotImplementedError, match="test_step"):
        MeanScore(module=Scorer())(torch.ones(1, 1))


def test_registered_and_built_from_the_doc_config(scorer_type: str) -> None:
    """``cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)`` (L8137)."""
    assert MODELS.get("BaseTTAModel") is BaseTTAModel
    MODELS.register_module(name="_MeanScore", module=MeanScore, force=True)
    try:
        tta = MODELS.build(dict(type="_MeanScore", module=dict(type=scorer_type)))
    finally:
        MODELS.module_dict.pop("_MeanScore")
    assert isinstance(tta, MeanScore) and isinstance(tta.module, Scorer)


def test_data_preprocessor_argument_is_not_used() -> None:
    """MMEngine keeps a default preprocessor; each view uses the module's."""

    class Shout(BaseDataPreprocessor):
        pass

    tta = MeanScore(module=Scorer(), data_preprocessor=Shout())
    assert type(tta.data_preprocessor) is BaseDataPreprocessor
    assert list(dict(tta.named_children())) == ["data_preprocessor", "module"]
