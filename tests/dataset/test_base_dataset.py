"""BaseDataset: loading, errors, serialization, subsets, refetch."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.dataset import BaseDataset
from engine.logging import MMLogger
from tests.dataset.conftest import ListDataset

_GOOD = {
    "metainfo": {"classes": ["a", "b"]},
    "data_list": [{"img_path": f"{i}.jpg", "label": i} for i in range(5)],
}


# ------------------------------------------------------------ bad annotation


@pytest.mark.parametrize(
    ("ann", "error", "words"),
    [
        ([1, 2], TypeError, ["should be a dict", "list"]),
        ({"data_list": []}, ValueError, ["missing ['metainfo']"]),
        ({"metainfo": {}}, ValueError, ["missing ['data_list']"]),
        ({"metainfo": [1], "data_list": []}, TypeError, ["'metainfo'", "list"]),
        ({"metainfo": {}, "data_list": {"a": 1}}, TypeError, ["'data_list'", "dict"]),
        (
            {"metainfo": {}, "data_list": [{"img_path": "x"}, 3]},
            TypeError,
            ["data_list[1]"],
        ),
    ],
)
def test_bad_annotation_file_names_file_and_key(
    write_ann: Callable[..., str], ann: object, error: type, words: list[str]
) -> None:
    path = write_ann(ann, "bad.json")
    with pytest.raises(error) as info:
        BaseDataset(ann_file=path)
    assert "bad.json" in str(info.value)
    for word in words:
        assert word in str(info.value)


def test_missing_prefix_key_names_it(write_ann: Callable[..., str]) -> None:
    path = write_ann({"metainfo": {}, "data_list": [{"seg": "s.png"}]})
    with pytest.raises(ValueError, match="no key 'img_path'.*data_prefix"):
        BaseDataset(ann_file=path)


def test_parse_data_info_must_return_dicts(write_ann: Callable[..., str]) -> None:
    class Bad(BaseDataset):
        def parse_data_info(self, raw_data_info: dict) -> dict:
            return "oops"  # type: ignore[return-value]

    with pytest.raises(TypeError, match=r"parse_data_info\(data_list\[0\]\).*str"):
        Bad(ann_file=write_ann(_GOOD))


def test_empty_ann_file_is_explained() -> None:
    with pytest.raises(TypeError, match="ann_file is empty"):
        BaseDataset()
    assert BaseDataset(lazy_init=True).metainfo == {}


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        BaseDataset(ann_file=str(tmp_path / "nope.json"))
    (tmp_path / "ann.txt").write_text("{}")
    with pytest.raises(TypeError, match="ann.txt"):
        BaseDataset(ann_file=str(tmp_path / "ann.txt"))


def test_bad_arguments_name_them(write_ann: Callable[..., str]) -> None:
    path = write_ann(_GOOD)
    with pytest.raises(TypeError, match="metainfo should be a Mapping"):
        BaseDataset(ann_file=path, metainfo=[1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="data_prefix should be a dict"):
        BaseDataset(ann_file=path, data_prefix="p")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"data_prefix\['img_path'\].*int"):
        BaseDataset(ann_file=path, data_prefix=dict(img_path=1))


@pytest.mark.parametrize("indices", [1.5, "1", [0, "1"], {1: 2}])
def test_indices_of_wrong_type(write_ann: Callable[..., str], indices: object) -> None:
    with pytest.raises(TypeError, match="indices should be a int or sequence"):
        BaseDataset(ann_file=write_ann(_GOOD), indices=indices)  # type: ignore[arg-type]


@pytest.mark.parametrize("serialize_data", [True, False])
def test_indices_out_of_range(
    write_ann: Callable[..., str], serialize_data: bool
) -> None:
    path = write_ann(_GOOD)
    with pytest.raises(IndexError, match="index 9 in indices.*5 data samples"):
        BaseDataset(ann_file=path, indices=[0, 9], serialize_data=serialize_data)
    dataset = BaseDataset(ann_file=path, serialize_data=serialize_data)
    with pytest.raises(IndexError, match="index -6 is out of range"):
        dataset.get_data_info(-6)
    with pytest.raises(IndexError):
        dataset[5]


# ------------------------------------------------------------ metainfo, paths


def test_meta_file_values_are_read(
    tmp_path: Path, write_ann: Callable[..., str]
) -> None:
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    logger = MMLogger.get_instance("test_dataset", log_level="WARNING")
    dataset = BaseDataset(
        ann_file=write_ann(_GOOD),
        metainfo=dict(classes=str(tmp_path / "classes.txt"), name="toy"),
    )
    assert dataset.metainfo["classes"] == ["cat", "dog"]
    assert dataset.metainfo["name"] == "toy"
    assert logger is MMLogger.get_current_instance()


def test_metainfo_argument_is_copied(write_ann: Callable[..., str]) -> None:
    meta = dict(classes=["x"])
    dataset = BaseDataset(ann_file=write_ann(_GOOD), metainfo=meta)
    dataset._metainfo["classes"].append("y")
    assert meta == dict(classes=["x"])


def test_prefixes_join_data_root_unless_absolute(write_ann: Callable[..., str]) -> None:
    dataset = BaseDataset(
        ann_file="a.json",
        data_root="root",
        data_prefix=dict(img_path="img/", seg="/abs/seg", url="s3://bucket/x"),
        lazy_init=True,
    )
    assert dataset.ann_file == "root/a.json"
    assert dataset.data_prefix == dict(
        img_path="root/img/", seg="/abs/seg", url="s3://bucket/x"
    )
    assert BaseDataset(data_root="root", lazy_init=True).ann_file == ""
    assert BaseDataset(data_root=None, ann_file="a", lazy_init=True).ann_file == "a"


def test_default_parse_joins_every_prefix(write_ann: Callable[..., str]) -> None:
    ann = {
        "metainfo": {},
        "data_list": [{"img_path": "a.jpg", "seg": "a.png", "x": "k"}],
    }
    dataset = BaseDataset(
        ann_file=write_ann(ann), data_prefix=dict(img_path="i", seg="s")
    )
    info = dataset.get_data_info(0)
    assert (info["img_path"], info["seg"], info["x"]) == ("i/a.jpg", "s/a.png", "k")


# ------------------------------------------------------------ serialization


def test_serialized_storage(write_ann: Callable[..., str]) -> None:
    dataset = BaseDataset(ann_file=write_ann(_GOOD))
    assert dataset.data_list == []
    assert dataset.data_bytes.dtype == np.uint8 and dataset.data_bytes.ndim == 1
    assert len(dataset.data_address) == 5
    assert dataset.data_address[-1] == len(dataset.data_bytes)
    assert dataset.get_data_info(4) == dict(img_path="4.jpg", label=4, sample_idx=4)


@pytest.mark.parametrize("serialize_data", [True, False])
def test_empty_dataset_is_allowed(serialize_data: bool) -> None:
    dataset = ListDataset([], serialize_data=serialize_data)
    assert len(dataset) == 0
    assert list(dataset) == []
    full = ListDataset([dict(v=1)], indices=0, serialize_data=serialize_data)
    assert len(full) == 0


@pytest.mark.parametrize("serialize_data", [True, False])
def test_dataset_pickles_with_its_data(serialize_data: bool) -> None:
    dataset = ListDataset([dict(v=i) for i in range(3)], serialize_data=serialize_data)
    clone = pickle.loads(pickle.dumps(dataset))
    assert [d["v"] for d in clone] == [0, 1, 2]


_ITEMS = st.lists(
    st.dictionaries(st.sampled_from("abc"), st.integers() | st.text(max_size=5)),
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(items=_ITEMS, data=st.data())
def test_subsets_agree_with_and_without_serialization(
    items: list[dict], data: st.DataObject
) -> None:
    n = len(items)
    if n and data.draw(st.booleans()):
        indices: object = data.draw(st.lists(st.integers(-n, n - 1), max_size=8))
    else:
        indices = data.draw(st.integers(-15, 15))
    packed = ListDataset(items)
    plain = ListDataset(items, serialize_data=False)
    sub_packed, sub_plain = packed.get_subset(indices), plain.get_subset(indices)
    expected = _expected_subset(items, indices)
    for sub in (sub_packed, sub_plain):
        got = [{k: v for k, v in d.items() if k != "sample_idx"} for d in sub]
        assert got == expected
    assert len(packed) == len(plain) == n
    packed.get_subset_(indices)
    assert len(packed) == len(expected)


def _expected_subset(items: list[dict], indices: object) -> list[dict]:
    if isinstance(indices, int):
        return items[:indices] if indices >= 0 else items[indices:]
    return [items[i] for i in indices]  # type: ignore[union-attr]


def test_subset_copy_is_independent(write_ann: Callable[..., str]) -> None:
    dataset = BaseDataset(ann_file=write_ann(_GOOD), metainfo=dict(k=[1]))
    sub = dataset.get_subset([1])
    sub._metainfo["k"].append(2)
    assert dataset.metainfo == dict(k=[1], classes=["a", "b"])
    assert type(sub) is BaseDataset and sub.pipeline is not dataset.pipeline
    assert len(dataset) == 5 and len(sub) == 1


def test_data_infos_are_fresh_copies() -> None:
    dataset = ListDataset([dict(v=[1])], serialize_data=False)
    dataset.get_data_info(0)["v"].append(2)
    assert dataset.get_data_info(0)["v"] == [1]


# ------------------------------------------------------------ getitem, refetch


def test_refetch_replaces_none_with_a_random_sample() -> None:
    dataset = ListDataset(
        [dict(v=i) for i in range(5)], pipeline=[lambda d: None if d["v"] == 0 else d]
    )
    np.random.seed(0)
    assert dataset[0]["v"] != 0


def test_refetch_gives_up_after_max_refetch() -> None:
    seen: list[int] = []

    def drop(d: dict) -> None:
        seen.append(d["sample_idx"])

    dataset = ListDataset([dict(v=i) for i in range(5)], pipeline=[drop], max_refetch=2)
    with pytest.raises(RuntimeError, match="after 2 refetches.*sample 3"):
        dataset[3]
    assert len(seen) == 3 and seen[0] == 3


def test_test_mode_refuses_none() -> None:
    dataset = ListDataset([dict(v=0)], pipeline=[lambda d: None], test_mode=True)
    with pytest.raises(RuntimeError, match="returned None for sample 0 in test mode"):
        dataset[0]


def test_lazy_getitem_warns_and_initializes(capsys: pytest.CaptureFixture) -> None:
    dataset = ListDataset([dict(v=1)], lazy_init=True)
    assert dataset._fully_initialized is False
    assert dataset[0]["v"] == 1
    out = capsys.readouterr().out
    assert "WARNING" in out and "ListDataset is not fully initialized" in out
    assert dataset._fully_initialized is True


def test_get_cat_ids_is_abstract() -> None:
    with pytest.raises(NotImplementedError, match="get_cat_ids"):
        BaseDataset.get_cat_ids(ListDataset([dict(v=1)]), 0)
