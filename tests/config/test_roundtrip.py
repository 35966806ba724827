"""Property: a dumped config reads back as the same config (py, json, yaml)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config import Config

SPECIAL = {"_base_", "_deprecation_", "custom_imports", "filename", "text"}
SPECIAL |= {"pretty_text", "env_variables"}
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(
    lambda s: s not in SPECIAL and s not in {"if", "in", "is", "or", "as", "for"}
)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
SCALARS = st.one_of(
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
    st.none(),
    st.booleans(),
)


def values(tuples: bool, any_keys: bool) -> st.SearchStrategy[Any]:
    keys = st.one_of(NAMES, TEXT) if any_keys else NAMES

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        options = [
            st.lists(inner, max_size=4),
            st.dictionaries(keys, inner, max_size=4),
        ]
        if tuples:
            options.append(st.lists(inner, max_size=3).map(tuple))
        return st.one_of(*options)

    return st.recursive(SCALARS, extend, max_leaves=20)


def configs(tuples: bool, any_keys: bool) -> st.SearchStrategy[dict]:
    return st.dictionaries(NAMES, values(tuples, any_keys), max_size=5)


def same(a: Any, b: Any) -> bool:
    """Equal, with the same container types and key order."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isnan(a) and math.isnan(b)
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and list(a) == list(b)
            and all(same(a[k], b[k]) for k in a)
        )
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    return type(a) is type(b) and a == b


def round_trip(cfg: dict, suffix: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"dumped{suffix}"
        Config(cfg).dump(path)
        return Config.fromfile(path).to_dict()


@settings(max_examples=100, deadline=None)
@given(configs(tuples=True, any_keys=True))
def test_python_round_trip(cfg: dict) -> None:
    assert same(round_trip(cfg, ".py"), cfg)


@settings(max_examples=100, deadline=None)
@given(configs(tuples=False, any_keys=True))
def test_json_round_trip(cfg: dict) -> None:
    assert same(round_trip(cfg, ".json"), cfg)


@settings(max_examples=100, deadline=None)
@given(configs(tuples=True, any_keys=True))
def test_yaml_round_trip(cfg: dict) -> None:
    loaded = round_trip(cfg, ".yaml")
    assert same(loaded, _sorted(cfg))  # YAML dumps sort keys


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        return type(value)(_sorted(v) for v in value)
    return value
