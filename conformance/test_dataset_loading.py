"""dataset: samplers, collate functions, transforms, dataloader configs.

Covers DATA-01..07, DATA-20 and DATA-22. Samplers are checked on simulated
ranks (``get_dist_info`` of the implementation's sampler module patched, for
hypothesis) and on two real gloo processes; expected orders are computed
here with ``torch.randperm``. The parts of DATA-01/02/03/04/22 that need the
``Runner`` are not here; see docs/conformance/dataset.md.
"""

from __future__ import annotations

import itertools
import json
import math
import os.path as osp
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, Sampler, TensorDataset

from conformance.dataset_toys import list_dataset, randperm, simulated, unique
from conformance.harness.distributed import run_on_ranks
from conformance.harness.impl import Impl


@pytest.mark.spec("DATA-01")
def test_samplers_and_collates_serve_native_torch_datasets(impl: Impl) -> None:
    dataset = TensorDataset(torch.rand(10, 3, 4, 4), torch.arange(10) % 3)
    sampler = impl.attr("dataset.DefaultSampler")(dataset, shuffle=True, seed=3)
    loader = DataLoader(
        dataset,
        batch_size=4,
        sampler=sampler,
        collate_fn=impl.attr("dataset.default_collate"),
    )
    batches = list(loader)
    assert [b[0].shape for b in batches] == [(4, 3, 4, 4)] * 2 + [(2, 3, 4, 4)]
    labels = torch.cat([b[1] for b in batches]).tolist()
    assert labels == [i % 3 for i in randperm(10, 3)]


class _FakeMNIST:
    """Substitute for torchvision MNIST (DATA-02): 64 uint8 28x28 images."""

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self.images = rng.integers(0, 256, (64, 28, 28), dtype=np.uint8)

    def __iter__(self) -> Any:
        return ((img, i % 10) for i, img in enumerate(self.images))


def mnist_class(impl: Impl) -> type:
    class MNISTDataset(impl.attr("dataset.BaseDataset")):  # type: ignore[misc]
        def __init__(self, data_root: str, pipeline: list, test_mode: bool = False):
            self.mnist_dataset = _FakeMNIST()
            super().__init__(
                data_root=data_root, pipeline=pipeline, test_mode=test_mode
            )

        @staticmethod
        def totensor(img: np.ndarray) -> torch.Tensor:
            if len(img.shape) < 3:
                img = np.expand_dims(img, -1)
            return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))

        def load_data_list(self) -> list[dict]:
            return [
                dict(inputs=self.totensor(np.array(x[0]))) for x in self.mnist_dataset
            ]

    return MNISTDataset


@pytest.mark.spec("DATA-02", "DATA-13")
def test_mnist_dataset_with_a_persistent_worker(impl: Impl, tmp_path: Path) -> None:
    dataset = mnist_class(impl)(str(tmp_path), [])
    assert len(dataset) == 64
    assert torch.equal(
        dataset[5]["inputs"], torch.from_numpy(_FakeMNIST().images[5])[None]
    )
    loader = DataLoader(
        dataset,
        batch_size=16,
        num_workers=1,
        persistent_workers=True,
        sampler=impl.attr("dataset.DefaultSampler")(dataset, shuffle=True, seed=0),
        collate_fn=impl.attr("dataset.pseudo_collate"),
    )
    for _ in range(2):  # two epochs on the same worker
        batches = list(loader)
        assert len(batches) == 4
        assert isinstance(batches[0]["inputs"], list)  # not stacked
        assert [t.shape for t in batches[0]["inputs"]] == [(1, 28, 28)] * 16


def _build_loader(impl: Impl, cfg: dict) -> DataLoader:
    """The dict-to-DataLoader step without the Runner: registries only."""
    registry = impl.mod("registry")
    cfg = dict(cfg)
    dataset = cfg.pop("dataset")
    if isinstance(dataset, dict):
        dataset = registry.DATASETS.build(dataset)
    sampler = registry.DATA_SAMPLERS.build(
        cfg.pop("sampler"), default_args=dict(dataset=dataset)
    )
    collate = cfg.pop("collate_fn", dict(type="pseudo_collate"))
    collate_fn = registry.FUNCTIONS.get(collate["type"])
    return DataLoader(dataset=dataset, sampler=sampler, collate_fn=collate_fn, **cfg)


@pytest.mark.spec("DATA-03", "DATA-04")
def test_dict_dataloader_equals_the_manual_one(impl: Impl) -> None:
    items = [dict(x=torch.tensor([float(i)]), y=i) for i in range(10)]
    dataset = list_dataset(impl, items)
    built = _build_loader(
        impl,
        dict(
            batch_size=4,
            sampler=dict(type="DefaultSampler", shuffle=True, seed=11),
            dataset=dataset,
            collate_fn=dict(type="default_collate"),
        ),
    )
    manual = DataLoader(
        batch_size=4,
        sampler=impl.attr("dataset.DefaultSampler")(dataset, shuffle=True, seed=11),
        dataset=dataset,
        collate_fn=impl.attr("dataset.default_collate"),
    )
    assert isinstance(built, DataLoader)
    got = [b["y"].tolist() for b in built]
    assert got == [b["y"].tolist() for b in manual]
    assert sum(got, []) == randperm(10, 11)
    assert built.collate_fn is impl.attr("dataset.default_collate")


@pytest.mark.spec("DATA-03")
def test_dataset_config_is_built_only_when_built(impl: Impl) -> None:
    calls: list[dict] = []
    name = unique("CountingDataset")

    @impl.mod("registry").DATASETS.register_module(name=name)
    def build_counting(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return list_dataset(impl, [dict(v=1)] * 3)

    cfg = dict(
        batch_size=2,
        sampler=dict(type="DefaultSampler", shuffle=False),
        dataset=dict(type=name, k=1),
    )
    assert calls == []
    loader = _build_loader(impl, cfg)
    assert calls == [dict(k=1)]
    assert [b["v"] for b in loader] == [[1, 1], [1]]  # pseudo_collate: lists


# ------------------------------------------------------------------ samplers


@pytest.mark.spec("DATA-05")
def test_default_sampler_orders(impl: Impl) -> None:
    sampler_cls = impl.attr("dataset.DefaultSampler")
    dataset = list(range(50))
    assert list(sampler_cls(dataset, shuffle=False)) == list(range(50))
    sampler = sampler_cls(dataset, shuffle=True, seed=5)
    first = list(sampler)
    assert first == list(sampler) == randperm(50, 5)
    sampler.set_epoch(1)
    assert list(sampler) == randperm(50, 6) != first
    assert len(sampler) == 50


@pytest.mark.spec("DATA-05")
def test_two_ranks_get_half_each_padded_by_repetition(impl: Impl) -> None:
    shards = []
    for rank in range(2):
        with simulated(impl, rank, 2):
            sampler = impl.attr("dataset.DefaultSampler")(range(7), shuffle=False)
        assert len(sampler) == 4  # ceil(7 / 2)
        shards.append(list(sampler))
    assert shards == [[0, 2, 4, 6], [1, 3, 5, 0]]  # the 8th index repeats 0


@pytest.mark.spec("DATA-05")
def test_infinite_sampler_never_stops(impl: Impl) -> None:
    sampler = impl.attr("dataset.InfiniteSampler")(range(5), shuffle=True, seed=2)
    taken = list(itertools.islice(iter(sampler), 23))
    generator = torch.Generator()
    generator.manual_seed(2)
    stream = sum(
        (torch.randperm(5, generator=generator).tolist() for _ in range(5)), []
    )
    assert taken == stream[:23]
    assert len(sampler) == 5
    unshuffled = impl.attr("dataset.InfiniteSampler")(range(3), shuffle=False)
    assert list(itertools.islice(iter(unshuffled), 7)) == [0, 1, 2, 0, 1, 2, 0]


@pytest.mark.spec("DATA-05")
def test_custom_sampler_is_built_by_type(impl: Impl) -> None:
    name = unique("MySampler")
    registry = impl.mod("registry")

    @registry.DATA_SAMPLERS.register_module(name=name)
    class MySampler(Sampler):
        def __init__(self, dataset: Sequence, step: int = 2) -> None:
            self.dataset, self.step = dataset, step

        def __iter__(self) -> Any:
            return iter(range(0, len(self.dataset), self.step))

        def __len__(self) -> int:
            return len(range(0, len(self.dataset), self.step))

    sampler = registry.DATA_SAMPLERS.build(
        dict(type=name), default_args=dict(dataset=list(range(5)))
    )
    assert isinstance(sampler, MySampler)
    assert list(sampler) == [0, 2, 4]


def _interleave(shards: list[list[int]]) -> list[int]:
    """Position ``i * world_size + r`` of the result is ``shards[r][i]``."""
    return [
        index
        for group in itertools.zip_longest(*shards)
        for index in group
        if index is not None
    ]


@pytest.mark.spec("DATA-05")
@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 40),
    world_size=st.integers(1, 8),
    seed=st.integers(0, 2**31 - 100),
    epoch=st.integers(0, 50),
    shuffle=st.booleans(),
    round_up=st.booleans(),
)
def test_default_sampler_shards(
    impl: Impl,
    size: int,
    world_size: int,
    seed: int,
    epoch: int,
    shuffle: bool,
    round_up: bool,
) -> None:
    shards = []
    for rank in range(world_size):
        with simulated(impl, rank, world_size):
            sampler = impl.attr("dataset.DefaultSampler")(
                range(size), shuffle=shuffle, seed=seed, round_up=round_up
            )
        sampler.set_epoch(epoch)
        shard = list(sampler)
        assert len(shard) == len(sampler)
        shards.append(shard)
    order = randperm(size, seed + epoch) if shuffle else list(range(size))
    if round_up:
        per_rank = math.ceil(size / world_size)
        assert [len(s) for s in shards] == [per_rank] * world_size
        padded = [order[i % size] for i in range(per_rank * world_size)]
        assert _interleave(shards) == padded
    else:
        assert [len(s) for s in shards] == [
            len(range(r, size, world_size)) for r in range(world_size)
        ]
        assert _interleave(shards) == order  # disjoint, covering, same order
    assert set(itertools.chain(*shards)) == set(range(size))


@pytest.mark.spec("DATA-05")
@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(1, 20),
    world_size=st.integers(1, 8),
    seed=st.integers(0, 2**31 - 1),
    shuffle=st.booleans(),
)
def test_infinite_sampler_shards(
    impl: Impl, size: int, world_size: int, seed: int, shuffle: bool
) -> None:
    take = 3 * size
    shards = []
    for rank in range(world_size):
        with simulated(impl, rank, world_size):
            sampler = impl.attr("dataset.InfiniteSampler")(
                range(size), shuffle=shuffle, seed=seed
            )
        shards.append(list(itertools.islice(iter(sampler), take)))
    generator = torch.Generator()
    generator.manual_seed(seed)
    passes = math.ceil(take * world_size / size)
    stream = [
        index
        for _ in range(passes)
        for index in (
            torch.randperm(size, generator=generator).tolist()
            if shuffle
            else range(size)
        )
    ]
    assert _interleave(shards) == stream[: take * world_size]


def _samplers_on_rank(impl_name: str, size: int) -> dict:
    """On a real rank: the synchronised seeds and this rank's indices."""
    import importlib

    dataset = importlib.import_module(f"{impl_name}.dataset")
    default = dataset.DefaultSampler(range(size), shuffle=True)  # seed=None
    default.set_epoch(3)
    infinite = dataset.InfiniteSampler(range(size), shuffle=True)
    return dict(
        seeds=(default.seed, infinite.seed),
        default=list(default),
        infinite=list(itertools.islice(iter(infinite), 2 * size)),
    )


@pytest.mark.spec("DATA-05")
def test_two_real_ranks_share_the_seed_and_split_the_data(impl: Impl) -> None:
    size = 11
    rank0, rank1 = run_on_ranks(_samplers_on_rank, impl.name, size, world_size=2)
    assert rank0["seeds"] == rank1["seeds"]
    seed = rank0["seeds"][0]
    order = randperm(size, seed + 3)
    padded = order + order[:1]
    assert rank0["default"] == padded[0::2] and rank1["default"] == padded[1::2]
    assert set(rank0["infinite"]) | set(rank1["infinite"]) == set(range(size))
    generator = torch.Generator()
    generator.manual_seed(rank0["seeds"][1])
    stream = sum(
        (torch.randperm(size, generator=generator).tolist() for _ in range(4)), []
    )
    assert rank0["infinite"] == stream[0 : 4 * size : 2]
    assert rank1["infinite"] == stream[1 : 4 * size : 2]


# ------------------------------------------------------------------ collate


@pytest.mark.spec("DATA-06")
def test_pseudo_collate_keeps_lists_default_collate_stacks(impl: Impl) -> None:
    samples = [(torch.tensor([float(i), 1.0]), i) for i in range(3)]
    inputs, labels = impl.attr("dataset.pseudo_collate")(samples)
    assert [list(map(torch.Tensor.tolist, inputs)), list(labels)] == [
        [[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]],
        [0, 1, 2],
    ]
    stacked = impl.attr("dataset.default_collate")(samples)
    assert isinstance(stacked, list) and len(stacked) == 2
    assert stacked[0].shape == (3, 2) and stacked[1].tolist() == [0, 1, 2]
    dicts = [dict(img=torch.ones(2) * i, label=i, name=f"n{i}") for i in range(3)]
    pseudo = impl.attr("dataset.pseudo_collate")(dicts)
    assert isinstance(pseudo["img"], list) and list(pseudo["label"]) == [0, 1, 2]
    default = impl.attr("dataset.default_collate")(dicts)
    assert default["img"].shape == (3, 2) and default["label"].tolist() == [0, 1, 2]
    assert list(default["name"]) == ["n0", "n1", "n2"]


@pytest.mark.spec("DATA-06")
def test_default_collate_keeps_data_elements_as_a_list(impl: Impl) -> None:
    element_cls = impl.attr("structures.BaseDataElement")
    elements = [element_cls(metainfo=dict(idx=i)) for i in range(2)]
    batch = [dict(inputs=torch.zeros(2), data_samples=e) for e in elements]
    for name in ("pseudo_collate", "default_collate"):
        collated = impl.attr(f"dataset.{name}")(batch)
        assert list(collated["data_samples"]) == elements


@pytest.mark.spec("DATA-06")
def test_custom_collate_is_found_by_type(impl: Impl) -> None:
    registry = impl.mod("registry")
    name = unique("my_collate_func")

    @registry.FUNCTIONS.register_module(name=name)
    def my_collate_func(data_batch: Sequence) -> Any:
        return len(data_batch)

    assert impl.attr("dataset.COLLATE_FUNCTIONS") is registry.FUNCTIONS
    assert registry.FUNCTIONS.get(name) is my_collate_func
    for builtin in ("pseudo_collate", "default_collate"):
        assert registry.FUNCTIONS.get(builtin) is impl.attr(f"dataset.{builtin}")
    loader = _build_loader(
        impl,
        dict(
            batch_size=3,
            sampler=dict(type="DefaultSampler", shuffle=False),
            dataset=list_dataset(impl, [dict(a=1)] * 5),
            collate_fn=dict(type=name),
        ),
    )
    assert list(loader) == [3, 2]


# ------------------------------------------------------- transforms, Compose


@pytest.mark.spec("DATA-07", "DATA-20")
def test_registered_dataset_function_with_composed_transforms(impl: Impl) -> None:
    registry = impl.mod("registry")
    compose_cls = impl.attr("dataset.base_dataset.Compose")
    crop, flip, ds_name = unique("Crop"), unique("Flip"), unique("Cifar10")

    class Crop:
        def __init__(self, size: int) -> None:
            self.size = size

        def __call__(self, img: np.ndarray) -> np.ndarray:
            return img[: self.size, : self.size]

    class Flip:
        def __call__(self, img: np.ndarray) -> np.ndarray:
            return img[:, ::-1]

    registry.TRANSFORMS.register_module(crop, module=Crop)
    registry.TRANSFORMS.register_module(flip, module=Flip)

    @registry.DATASETS.register_module(name=ds_name, force=False)
    def build_fake_cifar10(transform: Any = None, **kwargs: Any) -> Any:
        if isinstance(transform, dict):
            transform = [transform]
        if isinstance(transform, (list, tuple)):
            transform = compose_cls(transform)
        images = np.arange(kwargs["num"] * 16).reshape(kwargs["num"], 4, 4)
        return [(transform(img), 0) for img in images]

    dataset = registry.DATASETS.build(
        dict(type=ds_name, num=2, transform=[dict(type=crop, size=2), dict(type=flip)])
    )
    assert [img.tolist() for img, _ in dataset] == [
        [[1, 0], [5, 4]],
        [[17, 16], [21, 20]],
    ]


@pytest.mark.spec("DATA-07", "DATA-20")
def test_compose_builds_configs_and_chains_in_order(impl: Impl) -> None:
    registry = impl.mod("registry")
    name = unique("Append")

    @registry.TRANSFORMS.register_module(name=name)
    class Append:
        def __init__(self, tag: str) -> None:
            self.tag = tag

        def __call__(self, results: dict) -> dict:
            results["trace"] = results.get("trace", []) + [self.tag]
            return results

    compose = impl.attr("dataset.Compose")(
        [dict(type=name, tag="a"), Append("b"), dict(type=name, tag="c")]
    )
    assert compose({})["trace"] == ["a", "b", "c"]
    assert impl.attr("dataset.Compose")([lambda r: None, Append("x")])({}) is None
    with pytest.raises(TypeError):
        impl.attr("dataset.Compose")([1])
    dataset = list_dataset(
        impl, [dict(v=0)], pipeline=[dict(type=name, tag="p"), dict(type=name, tag="q")]
    )
    assert dataset[0]["trace"] == ["p", "q"]


@pytest.mark.spec("DATA-22")
def test_migration_style_dataloader_config(
    impl: Impl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = impl.mod("registry")
    ds_name, bs_name = unique("CocoLike"), unique("AspectRatioBatchSampler")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "annotations").mkdir(parents=True)
    sizes = [(40, 50, 1), (20, 80, 1), (64, 64, 0), (90, 33, 2)]  # w, h, objects
    ann = dict(
        metainfo=dict(classes=["a"]),
        data_list=[
            dict(
                img=f"{i}.jpg",
                width=w,
                height=h,
                instances=[dict(bbox=[0, 0, 1, 1])] * n,
            )
            for i, (w, h, n) in enumerate(sizes)
        ],
    )
    (tmp_path / "data" / "annotations" / "instances_train2017.json").write_text(
        json.dumps(ann)
    )

    @registry.DATASETS.register_module(name=ds_name)
    class CocoLike(impl.attr("dataset.BaseDataset")):  # type: ignore[misc]
        def filter_data(self) -> list[dict]:
            cfg = self.filter_cfg
            return [
                d
                for d in self.data_list
                if (d["instances"] or not cfg["filter_empty_gt"])
                and min(d["width"], d["height"]) >= cfg["min_size"]
            ]

    @registry.DATA_SAMPLERS.register_module(name=bs_name)
    class AspectRatioBatchSampler:
        def __init__(
            self, sampler: Any, batch_size: int, drop_last: bool = False
        ) -> None:
            self.sampler, self.batch_size = sampler, batch_size

        def __iter__(self) -> Any:
            indices = list(self.sampler)
            return (
                indices[i : i + self.batch_size]
                for i in range(0, len(indices), self.batch_size)
            )

        def __len__(self) -> int:
            return math.ceil(len(self.sampler) / self.batch_size)

    dataset = registry.DATASETS.build(
        dict(
            type=ds_name,
            data_root="data/",
            ann_file="annotations/instances_train2017.json",
            data_prefix=dict(img="train2017/"),
            filter_cfg=dict(filter_empty_gt=True, min_size=32),
            test_mode=True,
            pipeline=[],
        )
    )
    assert dataset.test_mode is True
    assert dataset.filter_cfg == dict(filter_empty_gt=True, min_size=32)
    assert [osp.normpath(d["img"]) for d in dataset] == [
        osp.normpath("data/train2017/0.jpg"),
        osp.normpath("data/train2017/3.jpg"),
    ]
    sampler = registry.DATA_SAMPLERS.build(
        dict(type="DefaultSampler", shuffle=False), default_args=dict(dataset=dataset)
    )
    batch_sampler = registry.DATA_SAMPLERS.build(
        dict(type=bs_name), default_args=dict(sampler=sampler, batch_size=1)
    )
    loader = DataLoader(
        dataset,
        batch_sampler=batch_sampler,
        num_workers=0,
        persistent_workers=False,
        collate_fn=impl.attr("dataset.pseudo_collate"),
    )
    assert [batch["width"] for batch in loader] == [[40], [90]]
