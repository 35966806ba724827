"""ConcatDataset, RepeatDataset, ClassBalancedDataset."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch.utils.data
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.dataset import (
    BaseDataset,
    ClassBalancedDataset,
    ConcatDataset,
    RepeatDataset,
)
from engine.registry import DATASETS
from tests.dataset.conftest import ListDataset


def _ds(n: int, offset: int = 0, **kwargs: object) -> ListDataset:
    return ListDataset([dict(v=offset + i) for i in range(n)], **kwargs)


# ------------------------------------------------------------ ConcatDataset


def test_concat_maps_indices_and_is_a_torch_concat() -> None:
    both = ConcatDataset([_ds(2), _ds(3, offset=10)])
    assert isinstance(both, torch.utils.data.ConcatDataset)
    assert [d["v"] for d in both] == [0, 1, 10, 11, 12]
    assert both.cumulative_sizes == [2, 5]
    assert both._get_ori_dataset_idx(-1) == (1, 2)
    assert both.get_data_info(-5)["v"] == 0
    for bad in (5, -6):
        with pytest.raises(
            IndexError, match=f"index {bad} is out of range for length 5"
        ):
            both.get_data_info(bad)


def test_concat_metainfo_errors_name_the_key() -> None:
    first = _ds(1, metainfo=dict(classes=["a"], v=1))
    with pytest.raises(
        ValueError, match="dataset 1 does not match.*key 'v'.*ignore_keys"
    ):
        ConcatDataset([first, _ds(1, metainfo=dict(classes=["a"], v=2))])
    with pytest.raises(ValueError, match="'v' is in dataset 0 but not in dataset 1"):
        ConcatDataset([first, _ds(1, metainfo=dict(classes=["a"]))])
    with pytest.raises(ValueError, match="'w' is in dataset 2 but not in dataset 0"):
        ConcatDataset([first, first, _ds(1, metainfo=dict(classes=["a"], v=1, w=0))])
    with pytest.raises(TypeError, match="ignore_keys should be a list or str"):
        ConcatDataset([first], ignore_keys=1)  # type: ignore[arg-type]


def test_concat_compares_array_metainfo() -> None:
    palette = dict(palette=np.array([[1, 2, 3]]))
    both = ConcatDataset([_ds(1, metainfo=palette), _ds(1, metainfo=palette)])
    assert len(both) == 2
    other = dict(palette=np.array([[1, 2, 4]]))
    with pytest.raises(ValueError, match="palette"):
        ConcatDataset([_ds(1, metainfo=palette), _ds(1, metainfo=other)])


def test_concat_builds_configs_and_rejects_empty() -> None:
    name = "UnitListDataset"
    if name not in DATASETS:
        DATASETS.register_module(name=name, module=ListDataset)
    both = ConcatDataset([dict(type=name, items=[dict(v=7)]), _ds(1)])
    assert [d["v"] for d in both] == [7, 0]
    with pytest.raises(ValueError, match="should not be empty"):
        ConcatDataset([])


@pytest.mark.parametrize(
    "wrapper", [ConcatDataset, RepeatDataset, ClassBalancedDataset]
)
def test_no_subsets(wrapper: type) -> None:
    args = {ConcatDataset: ([_ds(2)],), RepeatDataset: (_ds(2), 2)}
    dataset = wrapper(*args.get(wrapper, (_ds(2), 0.1)))
    for method in ("get_subset", "get_subset_"):
        with pytest.raises(NotImplementedError, match=f"`{wrapper.__name__}` does not"):
            getattr(dataset, method)(1)


# ------------------------------------------------------------ RepeatDataset


def test_repeat_bounds_and_validation() -> None:
    repeated = RepeatDataset(_ds(3), times=2)
    assert [d["v"] for d in repeated] == [0, 1, 2, 0, 1, 2]  # stops: IndexError
    assert repeated.get_data_info(-1)["v"] == 2
    assert len(RepeatDataset(_ds(3), times=0)) == 0
    for times in (-1, 1.5):
        with pytest.raises(ValueError, match="times should be a non-negative int"):
            RepeatDataset(_ds(3), times=times)  # type: ignore[arg-type]


def test_repeat_is_lazy() -> None:
    repeated = RepeatDataset(_ds(2, lazy_init=True), times=3, lazy_init=True)
    assert not hasattr(repeated, "_ori_len")
    assert repeated[5]["v"] == 1
    assert repeated._ori_len == 2


# ------------------------------------------------------------ ClassBalanced


def _cats(cat_lists: list[list[int]]) -> ListDataset:
    return ListDataset([dict(cats=c) for c in cat_lists])


def test_class_balanced_examples() -> None:
    dataset = ClassBalancedDataset(_cats([[0]] * 9 + [[1], [0, 1], []]), 0.5)
    # f(1) = 2/12: r = sqrt(3) -> 2 copies; f(0) = 10/12 -> 1; no category -> 1
    assert dataset.repeat_indices == list(range(9)) + [9, 9, 10, 10, 11]
    assert dataset.get_cat_ids(10) == [1]
    assert dataset.get_data_info(-1)["cats"] == []
    duplicates = ClassBalancedDataset(_cats([[0, 0, 0]] + [[1]] * 3), 0.5)
    assert duplicates.repeat_indices == [0, 0, 1, 2, 3]  # a category counts once


def test_class_balanced_validation() -> None:
    with pytest.raises(ValueError, match="oversample_thr should be >= 0"):
        ClassBalancedDataset(_cats([[0]]), -1)

    class NoCats(BaseDataset):
        def load_data_list(self) -> list[dict]:
            return [dict(v=1)]

    with pytest.raises(NotImplementedError, match="get_cat_ids"):
        ClassBalancedDataset(NoCats(data_prefix=dict()), 0.1)


@settings(max_examples=60, deadline=None)
@given(
    cat_lists=st.lists(
        st.lists(st.integers(0, 4), max_size=3), min_size=1, max_size=30
    ),
    thr=st.floats(0, 1),
)
def test_class_balanced_closed_form(cat_lists: list[list[int]], thr: float) -> None:
    dataset = ClassBalancedDataset(_cats(cat_lists), thr)
    n = len(cat_lists)
    freq = {
        c: sum(c in cats for cats in cat_lists) / n for cats in cat_lists for c in cats
    }
    expected = []
    for idx, cats in enumerate(cat_lists):
        factor = max([max(1.0, math.sqrt(thr / freq[c])) for c in cats], default=1.0)
        expected += [idx] * math.ceil(factor)
    assert dataset.repeat_indices == expected
    assert len(dataset) == len(expected)
