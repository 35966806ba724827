"""Hook base class, its helpers and ``Priority``/``get_priority``."""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.hooks import Hook
from engine.runner.priority import Priority, get_priority

# --- priority -------------------------------------------------------------------


def test_priority_levels() -> None:
    assert {p.name: p.value for p in Priority} == {
        "HIGHEST": 0,
        "VERY_HIGH": 10,
        "HIGH": 30,
        "ABOVE_NORMAL": 40,
        "NORMAL": 50,
        "BELOW_NORMAL": 60,
        "LOW": 70,
        "VERY_LOW": 90,
        "LOWEST": 100,
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (0, 0),
        (100, 100),
        (35, 35),
        ("NORMAL", 50),
        ("very_low", 90),
        (Priority.LOW, 70),
    ],
)
def test_get_priority(given: Any, expected: int) -> None:
    assert get_priority(given) == expected


@pytest.mark.parametrize("value", [-1, 101])
def test_get_priority_out_of_range(value: int) -> None:
    with pytest.raises(ValueError, match=f"between 0 and 100, but got {value}"):
        get_priority(value)


def test_get_priority_unknown_name_lists_the_levels() -> None:
    with pytest.raises(KeyError) as info:
        get_priority("ABOVE")
    assert "'ABOVE' is not a priority level" in str(info.value)
    assert "ABOVE_NORMAL" in str(info.value)


@pytest.mark.parametrize("value", [3.5, None, [50]])
def test_get_priority_wrong_type(value: Any) -> None:
    with pytest.raises(TypeError, match="integer or Priority enum value"):
        get_priority(value)


# --- mount points -----------------------------------------------------------------


def test_stages_are_the_22_mount_points_in_run_order() -> None:
    assert len(Hook.stages) == 22 == len(set(Hook.stages))
    assert Hook.stages[0] == "before_run" and Hook.stages[-1] == "after_run"
    for stage in Hook.stages:
        assert callable(getattr(Hook, stage))


def test_mount_point_signatures() -> None:
    def params(name: str) -> list[tuple[str, Any]]:
        sig = inspect.signature(getattr(Hook, name))
        return [(p.name, p.default) for p in sig.parameters.values()]

    empty = inspect.Parameter.empty
    assert params("before_run") == [("self", empty), ("runner", empty)]
    assert params("after_load_checkpoint") == [
        ("self", empty),
        ("runner", empty),
        ("checkpoint", empty),
    ]
    assert params("after_val_epoch") == [
        ("self", empty),
        ("runner", empty),
        ("metrics", None),
    ]
    assert params("after_train_iter") == [
        ("self", empty),
        ("runner", empty),
        ("batch_idx", empty),
        ("data_batch", None),
        ("outputs", None),
    ]
    assert params("before_test_iter") == [
        ("self", empty),
        ("runner", empty),
        ("batch_idx", empty),
        ("data_batch", None),
    ]


class _Generic(Hook):
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def _before_epoch(self, runner: Any, mode: str = "train") -> None:
        self.calls.append(("before_epoch", mode))

    def _after_epoch(self, runner: Any, mode: str = "train") -> None:
        self.calls.append(("after_epoch", mode))

    def _before_iter(self, runner: Any, **kwargs: Any) -> None:
        self.calls.append(("before_iter", kwargs))

    def _after_iter(self, runner: Any, **kwargs: Any) -> None:
        self.calls.append(("after_iter", kwargs))


@pytest.mark.parametrize("mode", ["train", "val", "test"])
def test_per_mode_points_forward_to_the_generic_ones(mode: str) -> None:
    hook = _Generic()
    getattr(hook, f"before_{mode}_epoch")("R")
    getattr(hook, f"before_{mode}_iter")("R", 3, "D")
    getattr(hook, f"after_{mode}_iter")("R", 3, "D", "O")
    getattr(hook, f"after_{mode}_epoch")("R", *(() if mode == "train" else ({},)))
    assert hook.calls == [
        ("before_epoch", mode),
        ("before_iter", dict(batch_idx=3, data_batch="D", mode=mode)),
        ("after_iter", dict(batch_idx=3, data_batch="D", outputs="O", mode=mode)),
        ("after_epoch", mode),
    ]


def test_base_mount_points_do_nothing() -> None:
    hook = Hook()
    runner = object()  # any attribute access would fail
    for stage in Hook.stages:
        if stage.endswith("_iter"):
            getattr(hook, stage)(runner, 0)
        elif stage.endswith("_checkpoint"):
            getattr(hook, stage)(runner, {})
        else:
            getattr(hook, stage)(runner)


# --- triggered stages ----------------------------------------------------------


def test_triggered_stages_of_the_base_class_is_empty() -> None:
    assert Hook().get_triggered_stages() == []


def test_triggered_stages_expand_the_generic_methods() -> None:
    class OnEpochs(Hook):
        def _before_epoch(self, runner: Any, mode: str = "train") -> None: ...

        def after_run(self, runner: Any) -> None: ...

    assert OnEpochs().get_triggered_stages() == [
        "before_train_epoch",
        "before_val_epoch",
        "before_test_epoch",
        "after_run",
    ]


def test_triggered_stages_follow_inheritance() -> None:
    class Parent(Hook):
        def _after_iter(self, runner: Any, *args: Any, **kwargs: Any) -> None: ...

    class Child(Parent):
        def before_save_checkpoint(self, runner: Any, checkpoint: dict) -> None: ...

    assert Child().get_triggered_stages() == [
        "after_train_iter",
        "after_val_iter",
        "before_save_checkpoint",
        "after_test_iter",
    ]


# --- helpers --------------------------------------------------------------------


@given(
    count=st.integers(0, 60),
    n=st.integers(-2, 7),
    start=st.integers(0, 10),
)
def test_every_n_helpers_follow_the_schedule(count: int, n: int, start: int) -> None:
    done = count + 1  # epochs (iterations) finished including the current one
    expected = n > 0 and done >= start and (done - start) % n == 0
    hook = Hook()
    runner = SimpleNamespace(epoch=count, iter=count)
    assert hook.every_n_epochs(runner, n, start) is expected
    assert hook.every_n_train_iters(runner, n, start) is expected


def test_every_n_helpers_examples() -> None:
    hook = Hook()
    epochs = [
        e + 1 for e in range(10) if hook.every_n_epochs(SimpleNamespace(epoch=e), 3)
    ]
    assert epochs == [3, 6, 9]
    iters = [
        i + 1
        for i in range(12)
        if hook.every_n_train_iters(SimpleNamespace(iter=i), 4, 2)
    ]
    assert iters == [2, 6, 10]
    assert [b for b in range(7) if hook.every_n_inner_iters(b, 3)] == [2, 5]
    assert not hook.every_n_inner_iters(5, 0)


def test_end_of_epoch_and_last_counters() -> None:
    hook = Hook()
    assert [hook.end_of_epoch([0, 0, 0], b) for b in range(3)] == [False, False, True]
    runner = SimpleNamespace(epoch=2, max_epochs=3, iter=8, max_iters=10)
    assert hook.is_last_train_epoch(runner)
    assert not hook.is_last_train_iter(runner)
    runner.iter = 9
    assert hook.is_last_train_iter(runner)
