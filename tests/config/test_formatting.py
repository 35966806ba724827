"""The config text: byte-identical to MMEngine's ``pretty_text``.

``fixtures/pretty_text_reference.jsonl`` and ``mmdet_like_reference.json``
are reference-derived (recorded from MMEngine 0.10.7 by
``fixtures/record_reference.py``); their configs have keys in sorted order,
so MMEngine's sorting does not change them.
"""

from __future__ import annotations

import ast
import io
import json
import math
import tokenize
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config.formatting import format_config
from engine.config.formatting.nodes import Unsupported, parse_expression

FIXTURES = Path(__file__).with_name("fixtures")


def reference_cases() -> list[tuple[dict, str]]:
    lines = (FIXTURES / "pretty_text_reference.jsonl").read_text().splitlines()
    header = json.loads(lines[0])
    assert header["source"].startswith("reference-derived")
    cases = [json.loads(line) for line in lines[1:]]
    return [(ast.literal_eval(c["config"]), c["text"]) for c in cases]


CASES = reference_cases()


@pytest.mark.parametrize("index", range(len(CASES)))
def test_reference_texts(index: int) -> None:
    cfg, text = CASES[index]
    assert format_config(cfg) == text


def test_mmdet_like_config_text() -> None:
    record = json.loads((FIXTURES / "mmdet_like_reference.json").read_text())
    cfg = ast.literal_eval(record["config"])
    assert format_config(cfg, sort_keys=True) == record["text"]


@pytest.mark.parametrize(
    ("cfg", "text"),
    [
        ({}, "\n"),
        (dict(a=1, b=dict(c=[1, 2])), "a = 1\nb = dict(c=[\n    1,\n    2,\n])\n"),
        (dict(e=[], f=(), g={}, h=(1,)), "e = []\nf = ()\ng = dict()\nh = (1, )\n"),
        (dict(a={1: 2, "b c": 3}), "a = dict({1: 2, 'b c': 3})\n"),
        (dict(x="a'b\"c"), "x = 'a\\'b\"c'\n"),
        (dict(x=-1.5, y=1e-05, z=float("-inf")), "x = -1.5\ny = 1e-05\nz = -inf\n"),
        (dict(x={1, 2}, r=range(3)), "x = {1, 2}\nr = range(0, 3)\n"),
        (dict(x=complex(1, 2)), "x = (1 + 2j)\n"),
        ({"a b": 1}, "{'a b': 1}\n"),
    ],
)
def test_small_shapes(cfg: dict, text: str) -> None:
    assert format_config(cfg) == text


def test_sort_keys_sorts_every_level() -> None:
    cfg = dict(b=1, a=dict(z=1, y=2))
    assert format_config(cfg, sort_keys=True) == "a = dict(y=2, z=1)\nb = 1\n"
    assert format_config(cfg) == "b = 1\na = dict(z=1, y=2)\n"


def test_keyword_keys_use_the_dict_display() -> None:
    # MMEngine writes ``dict(class=1)`` and fails; the text here stays valid.
    assert format_config(dict(x={"class": 1, "None": 2})) == (
        "x = dict({'class': 1, 'None': 2})\n"
    )
    assert format_config({"class": 1, "b": 2}) == "{'class': 1, 'b': 2}\n"


def test_value_whose_text_is_not_python_is_a_syntax_error() -> None:
    class Odd:
        def __str__(self) -> str:
            return "<odd object>"

    with pytest.raises(SyntaxError, match="Failed to format the config"):
        format_config(dict(x=Odd()))


def test_unsupported_expression_stays_whole() -> None:
    class Sliced:
        def __str__(self) -> str:
            return "data[1:2]"

    assert format_config(dict(x=[Sliced()])) == "x = [\n    data[1:2],\n]\n"
    with pytest.raises(Unsupported):
        parse_expression("a if b else c")


# -- properties ------------------------------------------------------------------

NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda s: s not in {"if", "in", "is", "or", "as", "for", "def", "del", "not"}
)
SCALARS = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.none(),
    st.booleans(),
)


def values() -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=5),
            st.lists(inner, max_size=4).map(tuple),
            st.dictionaries(NAMES, inner, max_size=5),
            st.dictionaries(st.text(max_size=8), inner, min_size=1, max_size=3),
        ),
        max_leaves=25,
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return (
            type(b) is dict and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
        )
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(NAMES, values(), min_size=1, max_size=5))
def test_text_is_python_that_rebuilds_the_config(cfg: dict) -> None:
    text = format_config(cfg)
    namespace: dict[str, Any] = {}
    exec(compile(text, "<config>", "exec"), namespace)
    rebuilt = {k: v for k, v in namespace.items() if k != "__builtins__"}
    assert _same(rebuilt, cfg)


def _value_tokens(line: str) -> int:
    """Names, numbers and strings on ``line`` (a fragment may be unbalanced)."""
    kinds = {tokenize.NAME, tokenize.NUMBER, tokenize.STRING}
    count = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line.strip()).readline):
            count += tok.type in kinds
    except tokenize.TokenError:  # an open bracket at the end of the fragment
        pass
    return count


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(NAMES, values(), min_size=1, max_size=4))
def test_lines_fit_unless_a_token_is_too_long(cfg: dict) -> None:
    for line in format_config(cfg).splitlines():
        if len(line) > 79:
            # Only a line holding one long token (plus punctuation) may overflow.
            assert _value_tokens(line) <= 2, line
