"""engine.utils.misc: type checks, casts, list helpers, imports, apply_to."""

import collections
import os.path
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.utils import misc
from engine.utils.misc import (
    apply_to,
    concat_list,
    get_object_from_string,
    has_method,
    import_modules_from_strings,
    is_list_of,
    is_method_overridden,
    is_seq_of,
    is_str,
    is_tuple_of,
    iter_cast,
    list_cast,
    slice_list,
    to_1tuple,
    to_2tuple,
    to_3tuple,
    to_4tuple,
    to_ntuple,
    tuple_cast,
)

_scalars = st.one_of(st.integers(), st.text(max_size=3), st.floats(allow_nan=False))


def test_is_str() -> None:
    assert is_str("a") and is_str("")
    assert not is_str(b"a") and not is_str(1)


def test_iter_cast_is_lazy_without_return_type() -> None:
    result = iter_cast(["1", "2"], int)
    assert not isinstance(result, (list, tuple))
    assert list(result) == [1, 2]
    assert iter_cast(["1", "2"], int, tuple) == (1, 2)
    assert list_cast(("1", "2"), float) == [1.0, 2.0]
    assert tuple_cast(["1"], str) == ("1",)


@pytest.mark.parametrize(("inputs", "dst_type"), [(1, int), (["1"], "int")])
def test_iter_cast_rejects_bad_arguments(inputs: object, dst_type: object) -> None:
    with pytest.raises(TypeError):
        iter_cast(inputs, dst_type)


@given(st.lists(_scalars, max_size=8))
def test_is_seq_of_matches_an_independent_check(items: list) -> None:
    for expected in (int, str, float, (int, str)):
        want = all(isinstance(x, expected) for x in items)
        assert is_seq_of(items, expected) is want
        assert is_list_of(items, expected) is want
        assert is_tuple_of(tuple(items), expected) is want
        assert is_seq_of(tuple(items), expected, list) is False
        assert is_list_of(tuple(items), expected) is False
        assert is_tuple_of(items, expected) is False


def test_is_seq_of_edge_cases() -> None:
    assert is_seq_of([], int)
    assert is_seq_of("ab", str)  # a str is a sequence of str
    assert not is_seq_of(1, int)
    assert not is_seq_of({1, 2}, int)  # a set is not a Sequence
    assert is_seq_of([True], int)  # bool is an int
    with pytest.raises(TypeError):
        is_seq_of([1], int, "list")  # type: ignore[arg-type]


@given(st.lists(st.integers(min_value=0, max_value=4), max_size=6))
def test_slice_list_round_trips(lens: list[int]) -> None:
    data = list(range(sum(lens)))
    parts = slice_list(data, lens)
    assert [len(p) for p in parts] == lens
    assert concat_list(parts) == data


def test_slice_list_equal_chunks_and_errors() -> None:
    assert slice_list([1, 2, 3, 4], 2) == [[1, 2], [3, 4]]
    assert slice_list((1, 2), [1, 1]) == [(1,), (2,)]
    with pytest.raises(ValueError, match="3 != 4"):
        slice_list([1, 2, 3, 4], [1, 2])
    with pytest.raises(TypeError):
        slice_list([1, 2], (1, 1))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        slice_list([1, 2, 3], 2)
    with pytest.raises(ValueError):
        slice_list([1, 2, 3], 0)


def test_concat_list() -> None:
    assert concat_list([[1, 2], (3,), []]) == [1, 2, 3]
    assert concat_list([]) == []


@given(_scalars, st.integers(min_value=1, max_value=5))
def test_to_ntuple_repeats_scalars(value: object, n: int) -> None:
    if isinstance(value, str):
        assert to_ntuple(n)(value) is value  # iterable: unchanged
    else:
        assert to_ntuple(n)(value) == (value,) * n


def test_to_ntuple_shortcuts() -> None:
    assert to_1tuple(1) == (1,)
    assert to_2tuple(1) == (1, 1)
    assert to_3tuple(None) == (None, None, None)
    assert to_4tuple(0) == (0, 0, 0, 0)
    seq = [1, 2, 3]
    assert to_2tuple(seq) is seq


def test_import_modules_from_strings() -> None:
    assert import_modules_from_strings("os.path") is os.path
    assert import_modules_from_strings(["os", "json"])[1].__name__ == "json"
    assert import_modules_from_strings(None) is None
    assert import_modules_from_strings([]) is None


def test_import_modules_from_strings_errors() -> None:
    with pytest.raises(ImportError, match="Failed to import no_such_module_zz") as info:
        import_modules_from_strings("no_such_module_zz")
    assert isinstance(info.value.__cause__, ImportError)
    with pytest.raises(TypeError):
        import_modules_from_strings(("os",))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        import_modules_from_strings([1])  # type: ignore[list-item]
    with pytest.warns(UserWarning, match="no_such_module_zz failed to import"):
        assert import_modules_from_strings(["no_such_module_zz"], True) == [None]


def test_get_object_from_string() -> None:
    assert get_object_from_string("os.path.join") is os.path.join
    assert get_object_from_string("collections.OrderedDict") is collections.OrderedDict
    assert get_object_from_string("os") is os
    assert get_object_from_string("os.no_such_attr") is None
    assert get_object_from_string("no_such_module_zz.x") is None


class _Base:
    def run(self) -> int:
        return 0


class _Overrides(_Base):
    def run(self) -> int:
        return 1


class _Inherits(_Base):
    pass


def test_is_method_overridden() -> None:
    assert is_method_overridden("run", _Base, _Overrides)
    assert is_method_overridden("run", _Base, _Overrides())
    assert not is_method_overridden("run", _Base, _Inherits)
    with pytest.raises(AttributeError):
        is_method_overridden("missing", _Base, _Overrides)
    with pytest.raises(TypeError) as info:
        is_method_overridden("run", _Base(), _Overrides)  # type: ignore[arg-type]
    assert isinstance(info.value, AssertionError)


def test_has_method() -> None:
    assert has_method([], "append")
    assert not has_method([], "missing")
    assert not has_method(3, "real")  # an attribute, not a method


def test_apply_to_nested_containers() -> None:
    point = collections.namedtuple("point", "x y")
    data = {"a": 1, "b": [2, "x", (3,)], "p": point(4, "y")}
    out = apply_to(data, lambda x: isinstance(x, int), lambda x: x * 10)
    assert out == {"a": 10, "b": [20, "x", (30,)], "p": point(40, "y")}
    assert type(out["p"]) is point
    assert data["a"] == 1  # the input is untouched


def test_apply_to_keeps_mapping_types_and_leaves() -> None:
    ordered = collections.OrderedDict(b=1, a=2)
    out = apply_to(ordered, lambda x: isinstance(x, int), str)
    assert type(out) is collections.OrderedDict and list(out.items()) == [
        ("b", "1"),
        ("a", "2"),
    ]
    assert apply_to(5, lambda x: True, str) == "5"
    assert apply_to({1, 2}, lambda x: isinstance(x, int), str) == {1, 2}
    # containers are walked, not passed to expr
    assert apply_to([1, 2], lambda x: isinstance(x, list), len) == [1, 2]


def test_misc_all_names_exist() -> None:
    for name in misc.__all__:
        assert callable(getattr(misc, name)), name


def test_no_warning_on_clean_calls() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        import_modules_from_strings(["os"])
