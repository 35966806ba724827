"""Hypothesis: load(dump(x)) == x for every format, to paths, files and strings."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.fileio import dump, load

# JSON-representable data: str keys, finite floats, no tuples.
_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_data = st.recursive(
    _json_leaf,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)
# YAML additionally keeps tuples and non-str keys; pickle keeps almost anything.
_yaml_leaf = _json_leaf | st.binary(max_size=8)
yaml_data = st.recursive(
    _yaml_leaf,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.integers() | st.text(), children, max_size=4)
    ),
    max_leaves=20,
)
pickle_data = st.recursive(
    _yaml_leaf | st.complex_numbers(allow_nan=False) | st.frozensets(st.integers()),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.integers() | st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


def _round_trips(fmt: str, data: Any) -> None:
    text = dump(data, file_format=fmt)
    stream = io.StringIO(text) if isinstance(text, str) else io.BytesIO(text)
    assert load(stream, file_format=fmt) == data
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"data.{fmt}"
        dump(data, str(path))
        assert load(str(path)) == data
        assert load(path) == data
        buffer: io.StringIO | io.BytesIO = (
            io.BytesIO() if fmt == "pkl" else io.StringIO()
        )
        dump(data, buffer, file_format=fmt)
        buffer.seek(0)
        assert load(buffer, file_format=fmt) == data


@settings(max_examples=60, deadline=None)
@given(data=json_data)
def test_json_round_trip(data: Any) -> None:
    _round_trips("json", data)


@settings(max_examples=60, deadline=None)
@given(data=yaml_data)
def test_yaml_round_trip(data: Any) -> None:
    _round_trips("yaml", data)


@settings(max_examples=60, deadline=None)
@given(data=pickle_data)
def test_pickle_round_trip(data: Any) -> None:
    _round_trips("pkl", data)


@settings(max_examples=30, deadline=None)
@given(data=json_data)
def test_memory_uri_round_trip(data: Any) -> None:
    pytest.importorskip("fsspec")
    for fmt in ("json", "yaml", "pkl"):
        uri = f"memory://roundtrip/data.{fmt}"
        dump(data, uri)
        assert load(uri) == data
