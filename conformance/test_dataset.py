"""dataset: BaseDataset and the dataset wrappers (DATA-08..19, DATA-21).

The fixtures are the doc's (L6260-6499), from ``conformance/dataset_toys.py``:
``data/annotations/{train,val}.json`` in the OpenMMLab 2.0 format, two tiny
JPEG images per split, and the ``ToyDataset`` that loads them. The data
loading side (samplers, collate functions, DataLoader configs) is in
``test_dataset_loading.py``. See docs/conformance/dataset.md.
"""

from __future__ import annotations

import json
import math
import os.path as osp
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from conformance.dataset_toys import (
    ANN,
    IMAGE_HW,
    list_dataset,
    toy_class,
    toy_dataset,
    unique,
    write_toy_data,
)
from conformance.harness.impl import Impl


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The doc's ``data/`` tree in ``tmp_path``, which becomes the cwd."""
    write_toy_data(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


# ------------------------------------------------------------------ BaseDataset


def _write_ann(path: Path, ann: dict) -> None:
    if path.suffix == ".json":
        path.write_text(json.dumps(ann))
    elif path.suffix in (".yaml", ".yml"):
        path.write_text(yaml.safe_dump(ann))
    else:
        path.write_bytes(pickle.dumps(ann))


@pytest.mark.spec("DATA-08")
@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml", ".pkl", ".pickle"])
def test_annotation_formats_give_the_same_dataset(
    impl: Impl, data_root: Path, suffix: str
) -> None:
    _write_ann(data_root / "annotations" / f"copy{suffix}", ANN)
    dataset = toy_class(impl)(
        data_root="data/",
        data_prefix=dict(img_path="train/"),
        ann_file=f"annotations/copy{suffix}",
    )
    reference = toy_dataset(impl)
    assert len(dataset) == 2
    assert [dataset.get_data_info(i) for i in range(2)] == [
        reference.get_data_info(i) for i in range(2)
    ]
    assert list(dataset.metainfo["classes"]) == ["cat", "dog"]


@pytest.mark.spec("DATA-08")
@pytest.mark.parametrize("missing", ["metainfo", "data_list"])
def test_annotation_without_a_required_key_is_an_error(
    impl: Impl, tmp_path: Path, missing: str
) -> None:
    ann = {k: v for k, v in ANN.items() if k != missing}
    (tmp_path / "bad.json").write_text(json.dumps(ann))
    with pytest.raises(ValueError):
        impl.attr("dataset.BaseDataset")(ann_file=str(tmp_path / "bad.json"))


@pytest.mark.spec("DATA-09")
def test_metainfo_priority_per_field(impl: Impl, tmp_path: Path) -> None:
    ann = dict(ANN, metainfo={"classes": ["cat", "dog"], "extra": 1})
    (tmp_path / "ann.json").write_text(json.dumps(ann))

    class WithMeta(impl.attr("dataset.BaseDataset")):  # type: ignore[misc]
        METAINFO = dict(classes=("a", "b"), palette=[1])

    dataset = WithMeta(
        ann_file=str(tmp_path / "ann.json"), metainfo=dict(classes=("x", "y"))
    )
    assert dataset.metainfo == dict(classes=("x", "y"), palette=[1], extra=1)
    assert WithMeta(ann_file=str(tmp_path / "ann.json")).metainfo["classes"] == (
        "a",
        "b",
    )
    assert WithMeta.METAINFO == dict(classes=("a", "b"), palette=[1])


@pytest.mark.spec("DATA-09")
def test_paths_are_joined_onto_data_root(impl: Impl, data_root: Path) -> None:
    dataset = toy_dataset(impl)
    assert osp.normpath(dataset.ann_file) == osp.normpath("data/annotations/train.json")
    assert osp.normpath(dataset.data_prefix["img_path"]) == osp.normpath("data/train")
    absolute = toy_class(impl)(
        data_root="data/", ann_file=str(data_root / "annotations" / "val.json")
    )
    assert absolute.ann_file == str(data_root / "annotations" / "val.json")


@pytest.mark.spec("DATA-09")
def test_filter_then_indices(impl: Impl) -> None:
    items = [dict(v=i) for i in range(10)]
    base = impl.attr("dataset.BaseDataset")

    class Odd(base):  # type: ignore[misc, valid-type]
        def load_data_list(self) -> list[dict]:
            return [dict(item) for item in items]

        def filter_data(self) -> list[dict]:
            keep = self.filter_cfg["keep"]
            return [d for d in self.data_list if d["v"] % 2 == keep]

    dataset = Odd(filter_cfg=dict(keep=1), indices=2)
    assert [dataset.get_data_info(i)["v"] for i in range(len(dataset))] == [1, 3]
    assert len(Odd(filter_cfg=dict(keep=0), indices=1)) == 1
    assert [d["v"] for d in Odd(filter_cfg=dict(keep=0), indices=[4, 0])] == [8, 0]


@pytest.mark.spec("DATA-10")
@pytest.mark.parametrize("serialize_data", [True, False])
def test_dataset_interface(impl: Impl, serialize_data: bool) -> None:
    items = [dict(v=i, meta=dict(tags=[i])) for i in range(6)]
    dataset = list_dataset(
        impl, items, metainfo=dict(classes=["a"]), serialize_data=serialize_data
    )
    meta = dataset.metainfo
    meta["classes"].append("changed")
    assert dataset.metainfo == dict(classes=["a"])  # a copy
    info = dataset.get_data_info(2)
    assert isinstance(info, dict) and info["v"] == 2
    info["meta"]["tags"].append(99)
    assert dataset.get_data_info(2)["meta"] == dict(tags=[2])
    assert isinstance(dataset[3], dict) and dataset[3]["v"] == 3
    assert isinstance(len(dataset), int) and len(dataset) == 6
    sub = dataset.get_subset([5, 1, 3])
    assert [d["v"] for d in sub] == [5, 1, 3] and len(dataset) == 6
    assert [d["v"] for d in dataset.get_subset(2)] == [0, 1]
    assert dataset.get_subset_(4) is None
    assert [d["v"] for d in dataset] == [0, 1, 2, 3]
    dataset.get_subset_([3, 0])
    assert [d["v"] for d in dataset] == [3, 0]


@pytest.mark.spec("DATA-11")
def test_toy_dataset_end_to_end(impl: Impl, data_root: Path) -> None:
    dataset = toy_dataset(impl)
    assert list(dataset.metainfo["classes"]) == ["cat", "dog"]  # AMB-32: a list
    info = dataset.get_data_info(0)
    assert osp.normpath(info["img_path"]) == osp.normpath("data/train/xxx/xxx_0.jpg")
    assert info["img_label"] == 0
    assert len(dataset) == 2
    sample = dataset[0]
    assert isinstance(sample["img"], np.ndarray)
    assert sample["img"].shape == (*IMAGE_HW, 3) == sample["img_shape"]
    assert osp.normpath(sample["img_path"]) == osp.normpath("data/train/xxx/xxx_0.jpg")
    sub = dataset.get_subset(1)
    assert (len(dataset), len(sub)) == (2, 1)
    dataset.get_subset_(1)
    assert len(dataset) == 1


@pytest.mark.spec("DATA-12")
def test_one_raw_info_may_give_several_samples(impl: Impl, tmp_path: Path) -> None:
    ann = dict(metainfo={}, data_list=[dict(video=f"v{v}.mp4") for v in range(2)])
    (tmp_path / "videos.json").write_text(json.dumps(ann))

    class ToyVideoDataset(impl.attr("dataset.BaseDataset")):  # type: ignore[misc]
        def parse_data_info(self, raw_data_info: dict) -> list[dict]:
            return [dict(video=raw_data_info["video"], frame=f) for f in range(3)]

    dataset = ToyVideoDataset(ann_file=str(tmp_path / "videos.json"))
    assert len(dataset) == 6
    got = [(d["video"], d["frame"]) for d in map(dataset.get_data_info, range(6))]
    assert got == [(f"v{v}.mp4", f) for v in range(2) for f in range(3)]


@pytest.mark.spec("DATA-13")
def test_load_data_list_override_reads_any_format(impl: Impl, tmp_path: Path) -> None:
    (tmp_path / "labels.txt").write_text("a.jpg 0\nb.jpg 1\n")

    class TxtDataset(impl.attr("dataset.BaseDataset")):  # type: ignore[misc]
        def load_data_list(self) -> list[dict]:
            lines = Path(self.ann_file).read_text().split("\n")
            return [
                dict(img_path=p, label=int(y))
                for p, y in (ln.split() for ln in lines if ln)
            ]

    dataset = TxtDataset(ann_file=str(tmp_path / "labels.txt"))
    assert [(d["img_path"], d["label"]) for d in dataset] == [
        ("a.jpg", 0),
        ("b.jpg", 1),
    ]


def _spy_class(impl: Impl) -> type:
    class Spy(toy_class(impl)):  # type: ignore[misc]
        loads = 0

        def load_data_list(self) -> list[dict]:
            type(self).loads += 1
            return super().load_data_list()

    return Spy


_TRIGGERS: dict[str, Callable[[Any], Any]] = {
    "full_init": lambda d: d.full_init(),
    "get_data_info": lambda d: d.get_data_info(0),
    "__len__": len,
    "__getitem__": lambda d: d[0],
    "get_subset_": lambda d: d.get_subset_([0, 1]),
    "get_subset": lambda d: d.get_subset(1),
}


@pytest.mark.spec("DATA-14")
@pytest.mark.parametrize("trigger", sorted(_TRIGGERS))
def test_lazy_init_loads_on_first_use_only(
    impl: Impl, data_root: Path, trigger: str
) -> None:
    ann = data_root / "annotations" / "train.json"
    ann.rename(ann.with_suffix(".later"))
    spy = _spy_class(impl)
    dataset = toy_dataset(impl, cls=spy, lazy_init=True, metainfo=dict(version=2))
    assert spy.loads == 0
    assert dataset.metainfo == dict(version=2)
    ann.with_suffix(".later").rename(ann)
    _TRIGGERS[trigger](dataset)
    assert spy.loads == 1
    for other in _TRIGGERS.values():
        other(dataset)
    assert spy.loads == 1
    assert len(dataset) == 2
    assert dataset[0]["img_shape"] == (*IMAGE_HW, 3)
    assert list(dataset.metainfo["classes"]) == ["cat", "dog"]


@pytest.mark.spec("DATA-15")
def test_serialize_data_false_keeps_dicts(impl: Impl, data_root: Path) -> None:
    plain = toy_dataset(impl, serialize_data=False)
    packed = toy_dataset(impl)
    assert [plain.get_data_info(i) for i in range(2)] == [
        packed.get_data_info(i) for i in range(2)
    ]
    assert plain.serialize_data is False and packed.serialize_data is True
    assert [d["img_label"] for d in plain.data_list] == [0, 1]
    assert all(isinstance(d, dict) for d in plain.data_list)


# ------------------------------------------------------------------ wrappers


@pytest.mark.spec("DATA-16")
@pytest.mark.parametrize("lazy_init", [False, True])
def test_concat_dataset(impl: Impl, data_root: Path, lazy_init: bool) -> None:
    train = toy_dataset(impl, lazy_init=lazy_init)
    val = toy_dataset(impl, "val", lazy_init=lazy_init)
    wrapped_meta = train.metainfo  # a lazy dataset has not read its file yet
    both = impl.attr("dataset.ConcatDataset")(
        datasets=[train, val], lazy_init=lazy_init
    )
    assert len(both) == 4
    for i in range(4):
        source, j = (train, i) if i < 2 else (val, i - 2)
        assert both.get_data_info(i) == source.get_data_info(j)
        assert np.array_equal(both[i]["img"], source[j]["img"])
    assert osp.normpath(both.get_data_info(3)["img_path"]) == osp.normpath(
        "data/val/xxx/xxx_1.jpg"
    )
    assert both.metainfo == wrapped_meta  # the first's, when wrapped [GAP]
    assert ("classes" in both.metainfo) is not lazy_init


@pytest.mark.spec("DATA-16")
def test_concat_metainfo_must_agree_unless_ignored(impl: Impl) -> None:
    first = list_dataset(impl, [dict(v=0)], metainfo=dict(classes=["a"], version=1))
    second = list_dataset(impl, [dict(v=1)], metainfo=dict(classes=["a"], version=2))
    concat = impl.attr("dataset.ConcatDataset")
    with pytest.raises(ValueError):
        concat([first, second])
    assert concat([first, second], ignore_keys=["version"]).metainfo == dict(
        classes=["a"], version=1
    )
    assert len(concat([first, second], ignore_keys="version")) == 2


@pytest.mark.spec("DATA-17")
def test_repeat_dataset(impl: Impl, data_root: Path) -> None:
    base = toy_dataset(impl)
    repeated = impl.attr("dataset.RepeatDataset")(dataset=base, times=5)
    assert len(repeated) == 10
    for i in range(10):
        assert repeated.get_data_info(i) == base.get_data_info(i % 2)
        assert np.array_equal(repeated[i]["img"], base[i % 2]["img"])
    assert repeated.metainfo == base.metainfo


@pytest.mark.spec("DATA-18")
def test_class_balanced_dataset(impl: Impl, data_root: Path) -> None:
    toy = toy_dataset(impl, cls=toy_class(impl, with_cat_ids=True))
    balanced = impl.attr("dataset.ClassBalancedDataset")(
        dataset=toy, oversample_thr=1e-3
    )
    assert len(balanced) == 2
    labels = [0] * 1000 + [1]
    skewed_base = list_dataset(impl, [dict(img_label=y) for y in labels])
    skewed_base.get_cat_ids = lambda idx: [skewed_base.get_data_info(idx)["img_label"]]
    skewed = impl.attr("dataset.ClassBalancedDataset")(
        dataset=skewed_base, oversample_thr=0.01
    )
    dog_repeats = math.ceil(math.sqrt(0.01 / (1 / 1001)))  # 4
    assert len(skewed) == 1000 + dog_repeats
    labels_seen = [skewed.get_data_info(i)["img_label"] for i in range(len(skewed))]
    assert labels_seen.count(1) == dog_repeats and labels_seen.count(0) == 1000


class _NotADataset:
    pass


@pytest.mark.spec("DATA-19")
@pytest.mark.parametrize(
    "wrapper", ["ConcatDataset", "RepeatDataset", "ClassBalancedDataset"]
)
def test_wrappers_reject_other_objects(impl: Impl, wrapper: str) -> None:
    cls = impl.attr(f"dataset.{wrapper}")
    bad = _NotADataset()
    message = (
        "elements in datasets sequence should be config or `BaseDataset` "
        f"instance, but got {type(bad)}"
    )
    with pytest.raises(TypeError) as info:
        if wrapper == "ConcatDataset":
            cls([bad])
        elif wrapper == "RepeatDataset":
            cls(bad, times=2)
        else:
            cls(bad, oversample_thr=0.1)
    assert str(info.value) == message


@pytest.mark.spec("DATA-19")
def test_custom_wrapper_pattern(impl: Impl) -> None:
    force_full_init = impl.attr("dataset.base_dataset.force_full_init")
    base_cls = impl.attr("dataset.BaseDataset")
    registry = impl.mod("registry")
    inner_name, wrapper_name = unique("Inner"), unique("ReverseWrapper")

    @registry.DATASETS.register_module(name=inner_name)
    class Inner(base_cls):  # type: ignore[misc, valid-type]
        def load_data_list(self) -> list[dict]:
            return [dict(v=i) for i in range(3)]

    @registry.DATASETS.register_module(name=wrapper_name)
    class ReverseWrapper:
        def __init__(self, dataset: Any, lazy_init: bool = False) -> None:
            if isinstance(dataset, dict):
                self.dataset = registry.DATASETS.build(dataset)
            elif isinstance(dataset, base_cls):
                self.dataset = dataset
            else:
                raise TypeError(type(dataset))
            self._metainfo = self.dataset.metainfo
            self._fully_initialized = False
            self.inits = 0
            if not lazy_init:
                self.full_init()

        def full_init(self) -> None:
            if self._fully_initialized:
                return
            self.dataset.full_init()
            self.inits += 1
            self._fully_initialized = True

        @force_full_init
        def _get_ori_dataset_idx(self, idx: int) -> int:
            return len(self.dataset) - 1 - idx

        @force_full_init
        def get_data_info(self, idx: int) -> dict:
            return self.dataset.get_data_info(self._get_ori_dataset_idx(idx))

        @force_full_init
        def __len__(self) -> int:
            return len(self.dataset)

    wrapper = registry.DATASETS.build(
        dict(
            type=wrapper_name,
            dataset=dict(type=inner_name, lazy_init=True),
            lazy_init=True,
        )
    )
    assert wrapper.inits == 0
    assert len(wrapper) == 3 and wrapper.inits == 1
    assert [wrapper.get_data_info(i)["v"] for i in range(3)] == [2, 1, 0]
    assert wrapper.inits == 1 and wrapper._fully_initialized is True


@pytest.mark.spec("DATA-19")
def test_wrappers_support_lazy_init(impl: Impl) -> None:
    spy_loads: list[int] = []

    class Lazy(impl.attr("dataset.BaseDataset")):  # type: ignore[misc]
        def load_data_list(self) -> list[dict]:
            spy_loads.append(1)
            return [dict(img_label=i % 2) for i in range(4)]

        def get_cat_ids(self, idx: int) -> list[int]:
            return [self.get_data_info(idx)["img_label"]]

    dataset_module = impl.mod("dataset")
    wrappers = [
        dataset_module.ConcatDataset(
            [Lazy(lazy_init=True), Lazy(lazy_init=True)], lazy_init=True
        ),
        dataset_module.RepeatDataset(Lazy(lazy_init=True), times=2, lazy_init=True),
        dataset_module.ClassBalancedDataset(Lazy(lazy_init=True), 0.1, lazy_init=True),
    ]
    assert spy_loads == []
    assert [w._fully_initialized for w in wrappers] == [False] * 3
    assert [len(w) for w in wrappers] == [8, 8, 4]
    assert len(spy_loads) == 4
    assert all(w._fully_initialized for w in wrappers)


# ------------------------------------------------------------ config examples


@pytest.mark.spec("DATA-21")
def test_indices_in_a_dataset_config(impl: Impl) -> None:
    name = unique("Big")

    @impl.mod("registry").DATASETS.register_module(name=name)
    class Big(impl.attr("dataset.BaseDataset")):  # type: ignore[misc]
        def load_data_list(self) -> list[dict]:
            return [dict(v=i) for i in range(6000)]

    dataset = impl.mod("registry").DATASETS.build(dict(type=name, indices=5000))
    assert len(dataset) == 5000
    assert dataset.get_data_info(4999)["v"] == 4999
