"""The inheritance rules: examples and a property against a reference model."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config.merge import merge_dicts


def test_doc_examples() -> None:
    base = dict(optimizer=dict(type="SGD", lr=0.02, momentum=0.9), gpu_ids=[0, 1])
    assert merge_dicts(dict(optimizer=dict(lr=0.01)), base)["optimizer"] == {
        "type": "SGD",
        "lr": 0.01,
        "momentum": 0.9,
    }
    assert merge_dicts(dict(gpu_ids=[0]), base)["gpu_ids"] == [0]
    merged = merge_dicts(dict(optimizer=dict(_delete_=True, type="SGD", lr=0.01)), base)
    assert merged["optimizer"] == {"type": "SGD", "lr": 0.01}


def test_base_is_not_modified_and_order_is_kept() -> None:
    base = dict(a=1, b=dict(c=2, d=3), e=4)
    snapshot = copy.deepcopy(base)
    merged = merge_dicts(dict(b=dict(d=5, f=6), g=7, a=0), base)
    assert base == snapshot
    assert list(merged) == ["a", "b", "e", "g"]
    assert list(merged["b"]) == ["c", "d", "f"]


def test_delete_is_only_read_where_the_key_exists() -> None:
    merged = merge_dicts(dict(x=dict(_delete_=True, a=1), y=dict(_delete_=False)), {})
    assert merged == {"x": {"_delete_": True, "a": 1}, "y": {"_delete_": False}}
    merged = merge_dicts(dict(y=dict(_delete_=False, b=2)), dict(y=dict(a=1)))
    assert merged == {"y": {"a": 1, "b": 2}}


def test_dict_over_non_dict_needs_delete() -> None:
    with pytest.raises(TypeError, match="a is a dict in the child config"):
        merge_dicts(dict(a=dict(x=1)), dict(a=1))
    assert merge_dicts(dict(a=dict(_delete_=True, x=1)), dict(a=1)) == {"a": {"x": 1}}


def test_list_keys() -> None:
    base = dict(p=[dict(type="A", x=1), dict(type="B")])
    merged = merge_dicts({"p": {"0": {"x": 2}, "1": 5}}, base, allow_list_keys=True)
    assert merged == {"p": [{"type": "A", "x": 2}, 5]}
    assert base["p"][0] == {"type": "A", "x": 1}
    with pytest.raises(KeyError, match="Index 2 exceeds the length"):
        merge_dicts({"p": {"2": {"x": 2}}}, base, allow_list_keys=True)
    with pytest.raises(TypeError, match="must be a list index"):
        merge_dicts({"p": {"x": 1}}, base, allow_list_keys=True)
    with pytest.raises(TypeError, match="p is a dict in the child"):
        merge_dicts({"p": {"0": {"x": 2}}}, base)


def test_on_replace_reports_replaced_paths() -> None:
    replaced: list[tuple] = []
    base = dict(a=dict(b=1, c=dict(d=2)), p=[dict(x=1)])
    child = {"a": {"b": 2, "c": {"_delete_": True}, "n": 1}, "p": {"0": {"x": 3}}}
    merge_dicts(child, base, True, replaced.append)
    assert replaced == [("a", "b"), ("a", "c"), ("a", "n"), ("p", 0, "x")]


# -- property: agreement with a small model of the documented rules -------------


class Conflict(Exception):
    """The model's "dict over a non-dict" error."""


def model(child: dict, base: dict) -> dict:
    """The documented rules, written independently of the implementation."""
    result = dict(base)
    for key, value in child.items():
        if not isinstance(value, dict):
            result[key] = value
        elif key not in base:
            result[key] = value  # a new key keeps its _delete_ flag
        elif value.get("_delete_", False):
            result[key] = {k: v for k, v in value.items() if k != "_delete_"}
        elif not isinstance(base[key], dict):
            raise Conflict(key)
        else:
            rest = {k: v for k, v in value.items() if k != "_delete_"}
            result[key] = model(rest, base[key])
    return result


KEYS = st.sampled_from(["a", "b", "c", "d"])
LEAVES = st.one_of(st.integers(-3, 3), st.lists(st.integers(0, 3), max_size=2))


def dicts(with_delete: bool) -> st.SearchStrategy[dict]:
    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        inner = st.dictionaries(KEYS, children, max_size=3)
        if not with_delete:
            return inner
        flags = st.dictionaries(st.just("_delete_"), st.booleans(), max_size=1)
        return st.builds(lambda d, f: {**f, **d}, inner, flags)

    return st.dictionaries(KEYS, st.recursive(LEAVES, extend, max_leaves=8), max_size=4)


def plain(value: Any) -> Any:
    """Nested dicts as lists of items, so key order is compared too."""
    if isinstance(value, dict):
        return [(k, plain(v)) for k, v in value.items()]
    return value


@settings(max_examples=300, deadline=None)
@given(base=dicts(with_delete=False), child=dicts(with_delete=True))
def test_merge_agrees_with_the_model(base: dict, child: dict) -> None:
    try:
        expected = model(copy.deepcopy(child), base)
    except Conflict:
        with pytest.raises(TypeError):
            merge_dicts(copy.deepcopy(child), base)
        return
    assert plain(merge_dicts(copy.deepcopy(child), base)) == plain(expected)
