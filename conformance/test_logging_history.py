"""logging: HistoryBuffer (LOG-10..15).

One test per documented statement of the HistoryBuffer design page
(L8945-9109). Expected values are the doc's comments, or sums computed here
from the values fed in.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.harness.impl import Impl


@pytest.fixture
def buffer_cls(impl: Impl) -> Any:
    return impl.attr("logging.HistoryBuffer")


@pytest.mark.spec("LOG-10")
def test_default_buffer_is_empty(buffer_cls: Any) -> None:
    values, counts = buffer_cls().data
    assert isinstance(values, np.ndarray) and isinstance(counts, np.ndarray)
    assert values.size == 0 and counts.size == 0


@pytest.mark.spec("LOG-10")
def test_buffer_from_lists(buffer_cls: Any) -> None:
    values, counts = buffer_cls([1, 2, 3], [1, 2, 3]).data
    np.testing.assert_array_equal(values, [1, 2, 3])
    np.testing.assert_array_equal(counts, [1, 2, 3])
    assert str(values) == "[1 2 3]"  # the doc prints arrays, not lists


@pytest.mark.spec("LOG-10")
def test_initial_history_longer_than_max_length_warns_and_is_cut(
    buffer_cls: Any,
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        buffer = buffer_cls([1, 2, 3], [1, 2, 3], max_length=2)
    messages = [str(w.message) for w in caught]
    assert (
        "The length of history buffer(3) exceeds the max_length(2), the first "
        "few elements will be ignored." in messages
    )
    values, counts = buffer.data
    np.testing.assert_array_equal(values, [2, 3])
    np.testing.assert_array_equal(counts, [2, 3])


@pytest.mark.spec("LOG-11")
def test_update_appends_value_and_count(buffer_cls: Any) -> None:
    buffer = buffer_cls([1, 2, 3], [1, 1, 1])
    buffer.update(4)
    np.testing.assert_array_equal(buffer.data[0], [1, 2, 3, 4])
    np.testing.assert_array_equal(buffer.data[1], [1, 1, 1, 1])
    buffer.update(5, 2)
    np.testing.assert_array_equal(buffer.data[0], [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(buffer.data[1], [1, 1, 1, 1, 2])


@pytest.mark.spec("LOG-11")
def test_update_drops_the_oldest_entries_beyond_max_length(buffer_cls: Any) -> None:
    buffer = buffer_cls(max_length=3)
    for value in range(1, 8):
        buffer.update(float(value))
    np.testing.assert_array_equal(buffer.data[0], [5.0, 6.0, 7.0])
    assert float(buffer.mean()) == 6.0  # (5 + 6 + 7) / 3: only what is kept


@pytest.mark.spec("LOG-11")
@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(
        st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), max_size=700
    ),
    max_length=st.integers(1, 300),
)
def test_buffer_keeps_the_last_max_length_updates(
    impl: Impl, values: list[float], max_length: int
) -> None:
    buffer = impl.attr("logging.HistoryBuffer")(max_length=max_length)
    for value in values:
        buffer.update(value)
    kept = values[-max_length:]
    np.testing.assert_array_equal(buffer.data[0], np.array(kept, dtype=float))
    if kept:
        window = min(len(kept), 10)
        expected = np.array(kept[-window:]).sum() / window
        assert float(buffer.mean(10)) == pytest.approx(expected, rel=1e-12, abs=1e-9)
        assert float(buffer.max()) == max(kept)
        assert float(buffer.min()) == min(kept)
        assert float(buffer.current()) == kept[-1]


@pytest.mark.spec("LOG-12")
@pytest.mark.parametrize(
    ("method", "args", "expected"),
    [
        ("min", (2,), 2),  # the minimum of [2, 3]
        ("min", (), 1),  # the global minimum
        ("max", (2,), 3),  # the maximum of [2, 3]
        ("max", (), 3),  # the global maximum (the doc writes min(), AMB-49)
        ("mean", (2,), 2.5),  # (2 + 3) / (1 + 1)
        ("mean", (), 2),  # (1 + 2 + 3) / (1 + 1 + 1)
    ],
)
def test_basic_statistics(
    buffer_cls: Any, method: str, args: tuple, expected: float
) -> None:
    buffer = buffer_cls([1, 2, 3], [1, 1, 1])
    assert getattr(buffer, method)(*args) == expected


@pytest.mark.spec("LOG-12")
def test_mean_divides_by_the_sum_of_counts(buffer_cls: Any) -> None:
    assert buffer_cls([1, 2, 3], [2, 2, 2]).mean() == 1  # (1+2+3) / (2+2+2)


@pytest.mark.spec("LOG-12")
def test_current_is_the_latest_update(buffer_cls: Any) -> None:
    buffer = buffer_cls([1, 2, 3], [1, 1, 1])
    buffer.update(4, 1)
    assert buffer.current() == 4


@pytest.mark.spec("LOG-13")
def test_statistics_by_name(buffer_cls: Any) -> None:
    buffer = buffer_cls([1, 2, 3], [1, 1, 1])
    assert buffer.statistics("mean") == 2
    assert buffer.statistics("mean", 2) == 2.5


@pytest.mark.spec("LOG-13")
def test_statistics_with_too_many_arguments_raises(buffer_cls: Any) -> None:
    with pytest.raises(TypeError):
        buffer_cls([1, 2, 3], [1, 1, 1]).statistics("mean", 2, 3)


@pytest.mark.spec("LOG-13")
def test_statistics_of_an_unregistered_name_raises(buffer_cls: Any) -> None:
    with pytest.raises(KeyError, match="data"):
        buffer_cls([1, 2, 3], [1, 1, 1]).statistics("data")


@pytest.mark.spec("LOG-14")
def test_register_a_custom_statistic(buffer_cls: Any) -> None:
    def weighted_mean(self: Any, window_size: int, weight: list[int]) -> Any:
        assert len(weight) == window_size
        values = self._log_history[-window_size:]
        return (values * np.array(weight)).sum() / self._count_history[
            -window_size:
        ].sum()

    registered = buffer_cls.register_statistics(weighted_mean)
    try:
        assert registered is weighted_mean
        buffer = buffer_cls([1, 2], [1, 1])
        # (2 * 1 + 1 * 2) / (1 + 1), the doc's comment
        assert buffer.statistics("weighted_mean", 2, [2, 1]) == 2
    finally:
        buffer_cls._statistics_methods.pop("weighted_mean", None)


@pytest.mark.spec("LOG-14")
def test_the_docs_weighted_mean_divides_by_an_array(buffer_cls: Any) -> None:
    """The doc's own code divides by the counts array (AMB-50).

    Its result is therefore ``(1*2 + 2*1) / array([1, 1])``, an array, rather
    than the commented 2.
    """

    def weighted_mean(self: Any, window_size: int, weight: list[int]) -> Any:
        return (
            self._log_history[-window_size:] * np.array(weight)
        ).sum() / self._count_history[-window_size:]

    buffer_cls.register_statistics(weighted_mean)
    try:
        result = buffer_cls([1, 2], [1, 1]).statistics("weighted_mean", 2, [2, 1])
        np.testing.assert_array_equal(result, np.array([4.0, 4.0]))
    finally:
        buffer_cls._statistics_methods.pop("weighted_mean", None)


@pytest.mark.spec("LOG-15")
def test_use_case_prints_the_documented_values(buffer_cls: Any) -> None:
    logs = dict(lr=buffer_cls(), loss=buffer_cls())
    max_iter, log_interval = 10, 5
    printed = []
    for it in range(1, max_iter + 1):
        logs["lr"].update(it / max_iter * 0.1, 1)
        logs["loss"].update(1 / it, 1)
        if it % log_interval == 0:
            latest_lr = logs["lr"].statistics("current")
            mean_loss = logs["loss"].statistics("mean", log_interval)
            printed.append(f"lr:   {latest_lr}\nloss: {mean_loss}")
    assert printed == [
        "lr:   0.05\nloss: 0.45666666666666667",
        "lr:   0.1\nloss: 0.12912698412698415",
    ]
