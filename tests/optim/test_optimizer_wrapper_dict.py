"""Unit tests of ``OptimWrapperDict``."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from engine.optim import OptimWrapper, OptimWrapperDict


def _dict() -> OptimWrapperDict:
    return OptimWrapperDict(
        a=OptimWrapper(torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1)),
        b=OptimWrapper(torch.optim.Adam(nn.Linear(1, 1).parameters(), lr=0.2)),
    )


def test_only_wrappers_are_accepted() -> None:
    with pytest.raises(TypeError, match="a: "):
        OptimWrapperDict(a=torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name", ["scale_loss", "should_update", "should_sync", "inner_count", "defaults"]
)
def test_single_optimizer_members_raise(name: str) -> None:
    wrappers = _dict()
    with pytest.raises(NotImplementedError, match=name):
        member = getattr(wrappers, name)
        member(torch.tensor(1.0)) if name == "scale_loss" else member()


def test_zero_grad_and_counts_reach_every_wrapper() -> None:
    wrappers = _dict()
    wrappers.initialize_count_status(nn.Linear(1, 1), 2, 10)
    assert [w.inner_count for w in wrappers.values()] == [2, 2]
    for w in wrappers.values():
        w.param_groups[0]["params"][0].grad = torch.ones(1, 1)
    wrappers.zero_grad()
    assert all(w.param_groups[0]["params"][0].grad is None for w in wrappers.values())


def test_param_groups_and_repr() -> None:
    wrappers = _dict()
    assert list(wrappers.param_groups) == ["a", "b"]
    assert "name: a" in repr(wrappers) and "name: b" in repr(wrappers)


def test_unknown_keys_raise() -> None:
    wrappers = _dict()
    with pytest.raises(KeyError, match="'c'"):
        wrappers["c"]
    with pytest.raises(KeyError, match="'c'"):
        wrappers.load_state_dict({"c": {}})
