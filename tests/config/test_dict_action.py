"""``DictAction``: command-line ``KEY=VALUE`` parsing.

The example tables were observed on ``mmengine.config.DictAction`` 0.10.7.
The property tests check the parser against values rendered by the
documented syntax, and against a small independent model of the rules.
"""

from __future__ import annotations

import argparse
import math
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.config.dict_action import DictAction, ImbalancedBracketsError

parse_scalar = DictAction._parse_int_float_bool
parse = DictAction._parse_iterable


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (``True`` is not ``1``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


SCALARS = [
    ("1", 1), ("-1", -1), ("+1", 1), ("01", 1), ("1_000", 1000), (" 1 ", 1),
    ("1.5", 1.5), ("1e3", 1000.0), ("1.", 1.0), (".5", 0.5), ("inf", math.inf),
    ("-inf", -math.inf), ("True", True), ("true", True), ("TRUE", True),
    ("False", False), ("false", False), ("None", None), ("none", "none"),
    ("NONE", "NONE"), ("null", "null"), ("0x10", "0x10"), ("1j", "1j"),
    (" True", " True"), ("abc", "abc"), ("", ""), ("'a'", "'a'"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), SCALARS)
def test_parse_int_float_bool(text: str, expected: Any) -> None:
    assert same(parse_scalar(text), expected)


def test_parse_int_float_bool_nan() -> None:
    assert math.isnan(parse_scalar("nan"))


ITERABLES = [
    ("1,2,3", [1, 2, 3]),
    ("[a, b, c]", ["a", "b", "c"]),
    ("[(1, 2, 3), [a, b], c]", [(1, 2, 3), ["a", "b"], "c"]),
    ("[(1,2),(3,4)]", [(1, 2), (3, 4)]),
    ("'[(1,2),(3,4)]'", [(1, 2), (3, 4)]),
    ("'a,b'", ["a", "b"]),
    ('"a,b",c', ["a", "b", "c"]),
    ("['a,b',c]", ["a", "b", "c"]),
    ("True", True),
    ("none", "none"),
    ("[]", []),
    ("()", ()),
    ("[ ]", []),
    ("[1]", [1]),
    ("(1)", (1,)),
    ("(1,)", (1,)),
    ("((1))", ((1,),)),
    ("[1,]", [1]),
    ("1,", [1]),
    ("a,,b", ["a", "", "b"]),
    (",", [""]),
    (",,", ["", ""]),
    ("[,]", [""]),
    ("(,)", ("",)),
    ("a,b,", ["a", "b"]),
    (" [1,2] ", [1, 2]),
    ("[ ( 1 , 2 ) , [ 3 ] ]", [(1, 2), [3]]),
    ("[[1,2],[3,4]]", [[1, 2], [3, 4]]),
    ("1,[2,3]", [1, [2, 3]]),
    ("[1,2],3", [[1, 2], 3]),
    ("[1, None, True, x]", [1, None, True, "x"]),
    ("a b", "ab"),
    ("[a b, c]", ["ab", "c"]),
    ('" a "', "a"),
    (' "a" ', '"a"'),
    ("''a''", "a"),
    ('"a', "a"),
    ('a"b', 'a"b'),
    ('"1"', 1),
    ('"None"', None),
    ("a=b", "a=b"),
    ("x]", "x]"),
    ("[x", "[x"),
    ("(", "("),
    (")(", ")("),
    ("[a\tb]", ["a\tb"]),
    ('[.,]"" ', [["."]]),
]


@pytest.mark.parametrize(("text", "expected"), ITERABLES)
def test_parse_iterable(text: str, expected: Any) -> None:
    assert same(parse(text), expected)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[1,2", "[1,2"),
        ("[1,2)", "[1,2)"),
        ("(1,2]", "(1,2]"),
        ("1,2]", "1,2]"),
        ("[1,(2,3]", "1,(2,3"),
        ("[1,2]]", "1,2]"),
        ("((1,2)", "(1,2"),
    ],
)
def test_imbalanced_brackets_name_the_bad_string(text: str, named: str) -> None:
    with pytest.raises(ImbalancedBracketsError) as info:
        parse(text)
    assert str(info.value).startswith(f"Imbalanced brackets exist in {named}")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, AssertionError)  # what MMEngine raises


@pytest.mark.parametrize("text", ["[1],[2]", "[1,2]\n", "\n[1,2]", "[a),(b]"])
def test_misordered_brackets_raise_instead_of_recursing(text: str) -> None:
    with pytest.raises(ImbalancedBracketsError, match="Imbalanced brackets"):
        parse(text)


# -- the action through argparse -------------------------------------------


def make_parser(**kwargs: Any) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cfg-options", action=DictAction, **kwargs)
    return parser


def test_keys_are_kept_verbatim_and_values_typed() -> None:
    args = make_parser(nargs="+").parse_args(
        ["--cfg-options", "optimizer.lr=0.1", "a.0.b=[1,2]", "s=x,y", " k =v=w"]
    )
    assert args.cfg_options == {
        "optimizer.lr": 0.1,
        "a.0.b": [1, 2],
        "s": ["x", "y"],
        " k ": "v=w",
    }


def test_repeated_flags_extend_and_later_keys_win() -> None:
    args = make_parser(nargs="+").parse_args(
        ["--cfg-options", "a=1", "b=2", "--cfg-options", "a=3", "c=4"]
    )
    assert args.cfg_options == {"a": 3, "b": 2, "c": 4}


def test_no_flag_keeps_the_default() -> None:
    assert make_parser(nargs="+").parse_args([]).cfg_options is None


def test_default_dict_is_copied_not_modified() -> None:
    inner = {"x": 1}
    default = {"z": inner}
    args = make_parser(nargs="+", default=default).parse_args(["--cfg-options", "a=1"])
    assert args.cfg_options == {"z": {"x": 1}, "a": 1}
    assert default == {"z": {"x": 1}}
    assert args.cfg_options["z"] is inner  # a shallow copy


def test_empty_nargs_star_gives_empty_dict() -> None:
    assert make_parser(nargs="*").parse_args(["--cfg-options"]).cfg_options == {}


def test_empty_value_and_empty_key() -> None:
    args = make_parser(nargs="+").parse_args(["--cfg-options", "a=", "=b"])
    assert args.cfg_options == {"a": "", "": "b"}


def test_word_without_equals_sign_names_it() -> None:
    with pytest.raises(ValueError, match=r"--cfg-options: expected KEY=VALUE, got 'b'"):
        make_parser(nargs="+").parse_args(["--cfg-options", "a=1", "b"])


def test_single_string_without_nargs_is_refused() -> None:
    with pytest.raises(ValueError, match="nargs"):
        make_parser().parse_args(["--cfg-options", "a=1"])


def test_none_values_store_an_empty_dict() -> None:
    action = DictAction(["--o"], "o", nargs="+")
    namespace = argparse.Namespace()
    action(argparse.ArgumentParser(), namespace, None)
    assert namespace.o == {}


# -- property tests ----------------------------------------------------------


def _is_plain_word(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return word.lower() not in ("true", "false") and word != "None"
    return False


words = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_.\-]{0,6}", fullmatch=True).filter(
    _is_plain_word
)
bools = st.booleans()
scalars = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=True),
    bools,
    st.none(),
    words,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple)
    ),
    max_leaves=12,
)


@st.composite
def rendered(draw: st.DrawFn, value: Any) -> str:
    """``value`` written by the documented command-line syntax."""
    pad = draw(st.sampled_from(["", " ", "  "]))
    if isinstance(value, bool):
        text = draw(
            st.sampled_from([str(value), str(value).lower(), str(value).upper()])
        )
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = draw(st.sampled_from([value, f"'{value}'", f'"{value}"']))
    elif isinstance(value, (list, tuple)):
        items = [draw(rendered(item)) for item in value]
        trailing = "," if items and draw(st.booleans()) else ""
        opening, closing = ("(", ")") if isinstance(value, tuple) else ("[", "]")
        text = opening + f"{pad},{pad}".join(items) + trailing + closing
    else:
        text = str(value)
    return pad + text + pad


@st.composite
def command_line_values(draw: st.DrawFn) -> tuple[Any, str]:
    value = draw(values)
    # No spaces around a quoted scalar: they would keep its quotes.
    text = draw(rendered(value)).strip()
    if isinstance(value, list) and value and draw(st.booleans()):
        # A top-level list may drop its brackets, keeping a comma.
        bare = ",".join(draw(rendered(item)) for item in value).strip()
        bare += "," if len(value) == 1 else ""
        stripped = bare.replace(" ", "")
        if not (
            (stripped.startswith("[") and stripped.endswith("]"))
            or (stripped.startswith("(") and stripped.endswith(")"))
        ):
            text = bare
    quote = draw(st.sampled_from(["", "'", '"']))
    return value, f"{quote}{text}{quote}"


@given(command_line_values())
def test_rendered_values_parse_back(case: tuple[Any, str]) -> None:
    value, text = case
    assert same(parse(text), value), text


def model_parse(text: str) -> Any:
    """An independent model of the rules, for well-formed values.

    It tokenizes the whole text once and reads it by recursive descent,
    rather than splitting strings at top-level commas as the implementation
    does.
    """
    text = text.strip("'\"").replace(" ", "")
    tokens = re.findall(r"[()\[\],]|[^()\[\],]+", text)
    if not tokens:
        return ""
    items, top_level_comma, _ = _model_sequence(tokens, 0, None)
    if not top_level_comma and len(items) == 1:
        return items[0]
    return items


def _model_sequence(
    tokens: list[str], pos: int, closing: str | None
) -> tuple[list[Any], bool, int]:
    """Items up to ``closing``; whether a comma was seen; the next position."""
    items: list[Any] = []
    comma = False
    expect_item = True
    while pos < len(tokens):
        token = tokens[pos]
        pos += 1
        if token == closing:
            break
        if token in ("(", "["):
            sub, _, pos = _model_sequence(tokens, pos, ")" if token == "(" else "]")
            items.append(tuple(sub) if token == "(" else sub)
            expect_item = False
        elif token == ",":
            if expect_item:
                items.append("")
            comma, expect_item = True, True
        else:
            items.append(parse_word(token))
            expect_item = False
    return items, comma, pos


def parse_word(word: str) -> Any:
    """The scalar rules, restated: what Python's int() or float() reads."""
    word = word.strip("'\"")
    for cast in (int, float):
        try:
            return cast(word)
        except ValueError:
            continue
    if word.lower() in ("true", "false"):
        return word.lower() == "true"
    return None if word == "None" else word


@given(command_line_values())
def test_parser_agrees_with_the_model(case: tuple[Any, str]) -> None:
    _, text = case
    assert same(parse(text), model_parse(text)), text
