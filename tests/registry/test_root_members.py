"""What engine's own modules register: torch optimizers, collate functions."""

from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from engine.dataset import COLLATE_FUNCTIONS, default_collate, pseudo_collate
from engine.optim import TORCH_OPTIMIZERS, register_torch_optimizers
from engine.registry import FUNCTIONS, OPTIMIZERS

Pair = namedtuple("Pair", "a b")


def _torch_optimizers() -> dict[str, type]:
    return {
        name: obj
        for name, obj in vars(torch.optim).items()
        if isinstance(obj, type) and issubclass(obj, torch.optim.Optimizer)
    }


def test_every_torch_optimizer_is_registered() -> None:
    expected = _torch_optimizers()
    assert sorted(TORCH_OPTIMIZERS) == sorted(expected)
    for name, cls in expected.items():
        key = "TorchAdafactor" if name == "Adafactor" else name
        assert OPTIMIZERS.get(key) is cls


def test_register_again_keeps_existing_names() -> None:
    class Mine(torch.optim.SGD):
        pass

    OPTIMIZERS.register_module(name="SGD", module=Mine, force=True)
    assert sorted(register_torch_optimizers()) == sorted(TORCH_OPTIMIZERS)
    assert OPTIMIZERS.get("SGD") is Mine


def test_collate_functions_are_registered() -> None:
    assert COLLATE_FUNCTIONS is FUNCTIONS
    assert FUNCTIONS.get("pseudo_collate") is pseudo_collate
    assert FUNCTIONS.get("default_collate") is default_collate


def test_pseudo_collate_keeps_leaves() -> None:
    t0, t1 = torch.zeros(2), torch.ones(3)
    assert pseudo_collate([t0, t1]) == [t0, t1]
    assert pseudo_collate([(1, "x"), (2, "y")]) == [(1, 2), ("x", "y")]
    assert pseudo_collate([[1, 2], [3, 4]]) == [(1, 3), (2, 4)]
    assert pseudo_collate([Pair(1, 2), Pair(3, 4)]) == Pair((1, 3), (2, 4))
    assert pseudo_collate(["a", "b"]) == ["a", "b"]
    ordered = pseudo_collate([OrderedDict(b=1, a=2), OrderedDict(b=3, a=4)])
    assert type(ordered) is OrderedDict and list(ordered.items()) == [
        ("b", [1, 3]),
        ("a", [2, 4]),
    ]
    nested = pseudo_collate([dict(a=[1, dict(c=t0)]), dict(a=[2, dict(c=t1)])])
    assert nested == {"a": [(1, 2), {"c": [t0, t1]}]}


def test_default_collate_stacks_leaves() -> None:
    batch = default_collate([dict(a=1, b=torch.zeros(1)), dict(a=2, b=torch.ones(1))])
    assert torch.equal(batch["a"], torch.tensor([1, 2]))
    assert torch.equal(batch["b"], torch.tensor([[0.0], [1.0]]))
    arrays = default_collate([np.zeros(2), np.ones(2)])
    assert arrays.dtype == torch.float64 and arrays.shape == (2, 2)
    mixed = default_collate([(torch.zeros(1), "a"), (torch.zeros(1), "b")])
    assert mixed[0].shape == (2, 1) and mixed[1] == ("a", "b")
    assert default_collate([Pair(1, 2), Pair(3, 4)]).a.tolist() == [1, 3]


def test_default_collate_errors() -> None:
    with pytest.raises(RuntimeError, match="stack expects each tensor"):
        default_collate([torch.zeros(2), torch.ones(3)])
    with pytest.raises(TypeError):
        default_collate([None, None])


@pytest.mark.parametrize("collate", [pseudo_collate, default_collate])
def test_unequal_sequences_and_empty_batch(collate) -> None:
    with pytest.raises(RuntimeError, match="equal size"):
        collate([[1, 2], [3]])
    with pytest.raises(IndexError):
        collate([])


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from("abc"), st.integers(-9, 9), min_size=3, max_size=3
        ),
        min_size=1,
        max_size=5,
    )
)
def test_collates_transpose_dicts(batch: list[dict[str, int]]) -> None:
    pseudo, stacked = pseudo_collate(batch), default_collate(batch)
    for key in batch[0]:
        column = [sample[key] for sample in batch]
        assert pseudo[key] == column
        assert stacked[key].tolist() == column
