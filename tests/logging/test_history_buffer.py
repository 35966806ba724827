"""HistoryBuffer internals: storage, exact sums, promotion, pickling."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.logging import HistoryBuffer
from engine.logging._series import RECENT
from engine.logging._summation import pairwise_sum

finite = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(finite, min_size=0, max_size=600))
def test_pairwise_sum_is_numpy_sum_bit_for_bit(values: list[float]) -> None:
    assert pairwise_sum(values) == float(np.array(values, dtype=float).sum())


@pytest.mark.parametrize(
    "n", [1, 5, 7, 8, 9, 10, 16, 127, 128, 129, 130, 255, 256, 1000]
)
def test_pairwise_sum_block_boundaries(n: int) -> None:
    rng = np.random.default_rng(n)
    values = rng.random(n) * 10.0 ** rng.integers(-8, 8, n)
    assert pairwise_sum(values.tolist()) == float(values.sum())


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(finite, max_size=900),
    max_length=st.integers(1, 400),
    window=st.integers(1, 500),
)
def test_float_statistics_equal_numpy_on_the_kept_history(
    values: list[float], max_length: int, window: int
) -> None:
    buffer = HistoryBuffer(max_length=max_length)
    for value in values:
        buffer.update(value)
    kept = np.array(values[-max_length:], dtype=float)
    np.testing.assert_array_equal(buffer.data[0], kept)
    np.testing.assert_array_equal(buffer.data[1], np.ones(len(kept)))
    if len(kept):
        tail = kept[-window:]
        assert buffer.mean(window) == tail.sum() / len(tail)  # exact
        assert buffer.max(window) == tail.max()
        assert buffer.min(window) == tail.min()
        assert buffer.current() == kept[-1]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(finite, st.integers(1, 9)), min_size=1, max_size=400))
def test_weighted_mean_with_counts(pairs: list[tuple[float, int]]) -> None:
    buffer = HistoryBuffer()
    for value, count in pairs:
        buffer.update(value, count)
    values = np.array([v for v, _ in pairs])
    counts = np.array([float(c) for _, c in pairs])
    for window in (1, 3, 10, 200, None):
        span = slice(-window if window else None, None)
        expected = values[span].sum() / counts[span].sum()
        assert buffer.mean(window) == expected


def test_int_history_stays_int_until_a_float_arrives() -> None:
    buffer = HistoryBuffer([1, 2, 3], [1, 1, 1])
    buffer.update(4)
    assert buffer.data[0].dtype == np.int64
    assert repr(buffer.current()) == "np.int64(4)"
    buffer.update(0.5)
    assert buffer.data[0].dtype == np.float64
    np.testing.assert_array_equal(buffer.data[0], [1, 2, 3, 4, 0.5])
    assert buffer.mean() == pytest.approx(10.5 / 5)


def test_bool_history_is_promoted_to_int() -> None:
    buffer = HistoryBuffer([True], [1])
    buffer.update(3)
    np.testing.assert_array_equal(buffer.data[0], [1, 3])
    assert buffer.data[0].dtype == np.int64


def test_an_empty_buffer_holds_floats() -> None:
    buffer = HistoryBuffer()
    buffer.update(1)
    assert buffer.data[0].dtype == np.float64
    assert buffer.data[1].dtype == np.float64
    assert repr(buffer.current()) == "np.float64(1.0)"


def test_float_counts_are_promoted() -> None:
    buffer = HistoryBuffer([1, 2], [1, 1])
    buffer.update(3, 0.5)
    np.testing.assert_array_equal(buffer.data[1], [1, 1, 0.5])
    assert buffer.mean() == 6 / 2.5


def test_numpy_scalars_are_accepted() -> None:
    buffer = HistoryBuffer()
    buffer.update(np.float32(0.5), np.int64(2))
    buffer.update(np.int64(3))
    np.testing.assert_array_equal(buffer.data[0], [0.5, 3.0])
    np.testing.assert_array_equal(buffer.data[1], [2.0, 1.0])


@pytest.mark.parametrize("value", ["1", None, [1], np.array([1.0, 2.0])])
def test_update_rejects_non_numbers(value: object) -> None:
    with pytest.raises(TypeError, match="log_val must be int or float"):
        HistoryBuffer().update(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("count", ["1", None, True])
def test_update_rejects_bad_counts(count: object) -> None:
    with pytest.raises(TypeError, match="count must be int"):
        HistoryBuffer().update(1.0, count)  # type: ignore[arg-type]


def test_data_is_a_read_only_snapshot() -> None:
    buffer = HistoryBuffer(max_length=5)
    for value in range(3):
        buffer.update(float(value))
    values, counts = buffer.data
    for value in range(3, 3000):
        buffer.update(float(value))
    np.testing.assert_array_equal(values, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(counts, [1.0, 1.0, 1.0])
    with pytest.raises(ValueError):
        values[0] = 7.0
    np.testing.assert_array_equal(
        buffer.data[0], [2995.0, 2996.0, 2997.0, 2998.0, 2999.0]
    )


def test_storage_stays_bounded() -> None:
    buffer = HistoryBuffer(max_length=1000)
    for value in range(100_000):
        buffer.update(float(value))
        assert len(buffer._vals) <= 2 * (1000 + 2 * RECENT)
    assert len(buffer.data[0]) == 1000
    assert buffer.mean() == np.arange(99_000, 100_000, dtype=float).mean()


def test_construction_errors() -> None:
    with pytest.raises(ValueError, match="same length"):
        HistoryBuffer([1, 2], [1])
    with pytest.raises(TypeError, match="1-d sequence of numbers"):
        HistoryBuffer(["a"], [1])
    with pytest.raises(ValueError, match="positive"):
        HistoryBuffer(max_length=0)
    with pytest.raises(TypeError, match="max_length must be an int"):
        HistoryBuffer(max_length=2.5)  # type: ignore[arg-type]


def test_errors_are_also_assertion_errors() -> None:
    """MMEngine asserts; code catching AssertionError keeps working."""
    with pytest.raises(AssertionError):
        HistoryBuffer([1, 2], [1])
    with pytest.raises(AssertionError):
        HistoryBuffer([1.0], [1]).mean(1.5)  # type: ignore[arg-type]


def test_window_validation() -> None:
    buffer = HistoryBuffer([1.0, 2.0], [1, 1])
    with pytest.raises(TypeError, match="window size should be int"):
        buffer.mean("2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        buffer.max(0)
    assert buffer.mean(np.int64(1)) == 2.0
    assert buffer.mean(10) == 1.5  # larger than the history: all of it


def test_empty_buffer_statistics() -> None:
    with pytest.raises(ValueError, match="empty"):
        HistoryBuffer().current()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isnan(HistoryBuffer().mean())
    with pytest.raises(ValueError):
        HistoryBuffer().max()


def test_zero_counts_fall_back_to_numpy_division() -> None:
    buffer = HistoryBuffer([1.0, 2.0], [0, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isinf(buffer.mean())


def test_statistics_unknown_name_lists_the_registered_ones() -> None:
    with pytest.raises(
        KeyError, match="registered: \\['current', 'max', 'mean', 'min'"
    ):
        HistoryBuffer([1], [1]).statistics("median")


def test_register_statistics_rejects_non_callables() -> None:
    with pytest.raises(TypeError, match="expects a function"):
        HistoryBuffer.register_statistics(3)  # type: ignore[arg-type]


def test_pickle_and_deepcopy_keep_only_the_history() -> None:
    buffer = HistoryBuffer(max_length=50)
    for value in range(500):
        buffer.update(value / 4, 2)
    for clone in (pickle.loads(pickle.dumps(buffer)), copy.deepcopy(buffer)):
        np.testing.assert_array_equal(clone.data[0], buffer.data[0])
        np.testing.assert_array_equal(clone.data[1], buffer.data[1])
        assert clone.max_length == 50
        assert clone.mean(10) == buffer.mean(10)
        clone.update(1000.0)
        assert buffer.current() == 499 / 4
    state = buffer.__getstate__()
    assert sorted(state) == ["_count_history", "_log_history", "max_length"]
    assert len(pickle.dumps(buffer)) < 2000  # not the spare capacity


def test_setstate_accepts_the_reference_layout() -> None:
    """MMEngine pickles ``statistics_methods`` too; it is ignored."""
    buffer = HistoryBuffer.__new__(HistoryBuffer)
    buffer.__setstate__(
        {
            "max_length": 10,
            "_log_history": np.array([1, 2]),
            "_count_history": np.array([1, 1]),
            "statistics_methods": {},
        }
    )
    assert buffer.mean() == 1.5
    buffer.update(3)
    np.testing.assert_array_equal(buffer.data[0], [1, 2, 3])


def test_initial_history_longer_than_max_length_warns() -> None:
    with pytest.warns(
        UserWarning, match=r"history buffer\(3\) exceeds the max_length\(2\)"
    ):
        buffer = HistoryBuffer([1, 2, 3], [1, 1, 1], max_length=2)
    np.testing.assert_array_equal(buffer.data[0], [2, 3])
