"""Collate functions, worker_init_fn and Compose / force_full_init."""

from __future__ import annotations

import collections
import functools
import gc
import random
import warnings

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from engine.dataset import (
    COLLATE_FUNCTIONS,
    Compose,
    default_collate,
    force_full_init,
    pseudo_collate,
    worker_init_fn,
)
from engine.registry import FUNCTIONS, TRANSFORMS
from engine.structures import BaseDataElement
from tests.dataset.conftest import ListDataset


def test_collate_registry() -> None:
    assert COLLATE_FUNCTIONS is FUNCTIONS
    assert FUNCTIONS.get("pseudo_collate") is pseudo_collate
    assert FUNCTIONS.get("default_collate") is default_collate


def test_collate_structures() -> None:
    point = collections.namedtuple("point", "x y")
    assert pseudo_collate([point(1, "a"), point(2, "b")]) == point((1, 2), ("a", "b"))
    assert default_collate([point(1, "a"), point(2, "b")]).x.tolist() == [1, 2]
    merged = default_collate(
        [collections.OrderedDict(a=np.ones(2)), collections.OrderedDict(a=np.zeros(2))]
    )
    assert isinstance(merged, collections.OrderedDict) and merged["a"].shape == (2, 2)
    with pytest.raises(RuntimeError, match=r"equal size, got lengths \[2, 1\]"):
        pseudo_collate([[1, 2], [1]])


def test_data_elements_stay_a_list() -> None:
    elements = [BaseDataElement(metainfo=dict(i=i)) for i in range(3)]
    assert default_collate(elements) == elements
    nested = default_collate([dict(e=e, x=torch.ones(1)) for e in elements])
    assert nested["e"] == elements and nested["x"].shape == (3, 1)


def _draws() -> tuple[float, float, float]:
    return np.random.rand(), random.random(), torch.rand(1).item()


def test_worker_init_fn_seed() -> None:
    worker_init_fn(3, num_workers=4, rank=2, seed=10)
    got = _draws()
    np.random.seed(21)
    random.seed(21)
    torch.manual_seed(21)
    assert got == _draws()


def test_worker_init_fn_silences_other_workers() -> None:
    with warnings.catch_warnings():
        worker_init_fn(0, 2, 0, 0, disable_subprocess_warning=True)
        assert (
            warnings.filters[0][0] != "ignore" or warnings.filters[0][2] is not Warning
        )
        worker_init_fn(1, 2, 0, 0, disable_subprocess_warning=True)
        assert warnings.filters[0][:3] == ("ignore", None, Warning)


class _Draw:
    def __call__(self, results: dict) -> dict:
        results["draw"] = float(np.random.rand())
        return results


def test_workers_get_distinct_seeds() -> None:
    dataset = ListDataset([dict(v=i) for i in range(4)], pipeline=[_Draw()])
    init = functools.partial(worker_init_fn, num_workers=2, rank=0, seed=5)
    loader = DataLoader(
        dataset,
        batch_size=1,
        num_workers=2,
        worker_init_fn=init,
        collate_fn=pseudo_collate,
    )
    draws = [batch["draw"][0] for batch in loader]
    assert len(set(draws)) == 4
    np.random.seed(5)  # worker 0 took samples 0 and 2
    assert draws[0] == np.random.rand()


def test_dataloader_workers_read_serialized_data() -> None:
    dataset = ListDataset([dict(v=i, name=f"s{i}") for i in range(50)])
    loader = DataLoader(dataset, batch_size=8, num_workers=2, collate_fn=pseudo_collate)
    seen = [v for batch in loader for v in batch["v"]]
    assert seen == list(range(50))


def test_compose() -> None:
    if "UnitAddOne" not in TRANSFORMS:

        @TRANSFORMS.register_module(name="UnitAddOne")
        class AddOne:
            def __call__(self, results: dict) -> dict:
                return dict(results, n=results.get("n", 0) + 1)

    pipeline = Compose(
        [dict(type="UnitAddOne"), lambda r: dict(r, m=1), dict(type="UnitAddOne")]
    )
    assert pipeline({}) == dict(n=2, m=1)
    assert repr(Compose([])) == "Compose(\n)"
    assert repr(Compose(None)).startswith("Compose(")
    assert Compose(None)({"a": 1}) == {"a": 1}
    with pytest.raises(TypeError, match=r"pipeline\[1\]: transform must be a callable"):
        Compose([lambda r: r, 3])
    if "UnitNotCallable" not in TRANSFORMS:
        TRANSFORMS.register_module(
            name="UnitNotCallable", module=type("NotCallable", (), {})
        )
    with pytest.raises(
        TypeError, match=r"pipeline\[0\]: transform should be a callable"
    ):
        Compose([dict(type="UnitNotCallable")])


def test_force_full_init() -> None:
    class Lazy:
        inits = 0

        def full_init(self) -> None:
            self.inits += 1

        @force_full_init
        def get(self, x: int, y: int = 1) -> int:
            """Doc."""
            return x + y

    lazy = Lazy()
    assert lazy.get(1) == 2 and lazy.get(1, y=3) == 4
    assert lazy.inits == 1 and lazy._fully_initialized is True  # type: ignore[attr-defined]
    assert Lazy.get.__name__ == "get" and Lazy.get.__doc__ == "Doc."

    class NoInit:
        @force_full_init
        def get(self) -> int:
            return 1

    with pytest.raises(AttributeError, match="does not have full_init"):
        NoInit().get()


class _FreezeCount:
    def __call__(self, results: dict) -> dict:
        results["frozen"] = gc.get_freeze_count()
        return results


def test_worker_init_fn_freezes_inherited_objects_in_workers_only() -> None:
    before = gc.get_freeze_count()
    worker_init_fn(0, 1, 0, 0)  # the main process: nothing frozen
    assert gc.get_freeze_count() == before
    dataset = ListDataset([dict(v=0)], pipeline=[_FreezeCount()])
    init = functools.partial(worker_init_fn, num_workers=1, rank=0, seed=0)
    loader = DataLoader(
        dataset, num_workers=1, worker_init_fn=init, collate_fn=pseudo_collate
    )
    assert next(iter(loader))["frozen"][0] > 0
    plain = DataLoader(dataset, num_workers=1, collate_fn=pseudo_collate)
    assert next(iter(plain))["frozen"][0] == before
