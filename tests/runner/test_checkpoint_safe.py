"""Weights-only checkpoints: what engine writes, and what it agrees to read."""

from __future__ import annotations

import os
import pickle
import sys
import types
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config import ConfigDict
from engine.logging import HistoryBuffer, MessageHub
from engine.runner import checkpoint as ckpt
from engine.runner._checkpoint.safe import (
    HISTORY_BUFFER_KEY,
    make_weights_only_safe,
    restore_history_buffers,
    unsafe_values,
)
from engine.utils import _reset_manager_instances


@pytest.fixture(autouse=True)
def _no_instances() -> Iterator[None]:
    _reset_manager_instances()
    yield
    _reset_manager_instances()


def weights_only_round_trip(obj: Any, path: Path) -> Any:
    torch.save(obj, path)
    return torch.load(path, weights_only=True)


# -- conversions ----------------------------------------------------------------


def test_numpy_values_become_python_values() -> None:
    converted = make_weights_only_safe(
        {
            "seed": np.int64(3),
            "eta": np.float64(0.5),
            "flag": np.bool_(True),
            "name": np.str_("x"),
            "palette": np.array([[1, 2, 3]], dtype=np.uint8),
            "scalar_array": np.array(2.5),
        }
    )
    assert converted == {
        "seed": 3,
        "eta": 0.5,
        "flag": True,
        "name": "x",
        "palette": [[1, 2, 3]],
        "scalar_array": 2.5,
    }
    assert [type(v) for v in converted.values()] == [int, float, bool, str, list, float]


def test_history_buffer_round_trips_exactly(tmp_path: Path) -> None:
    buffer = HistoryBuffer([1.5, 2.25, 3.0], [1, 2, 3], max_length=5)
    saved = weights_only_round_trip(
        make_weights_only_safe({"b": buffer}), tmp_path / "a"
    )
    assert set(saved["b"]) == {HISTORY_BUFFER_KEY}
    restored = restore_history_buffers(saved)["b"]
    assert type(restored) is HistoryBuffer
    assert restored.max_length == 5
    values, counts = restored.data
    np.testing.assert_array_equal(values, [1.5, 2.25, 3.0])
    np.testing.assert_array_equal(counts, [1, 2, 3])
    assert values.dtype == np.float64 and counts.dtype == np.int64


def test_message_hub_state_survives_save_and_load(tmp_path: Path) -> None:
    hub = MessageHub.get_instance("saved")
    for value in (0.5, 0.25):
        hub.update_scalar("train/loss", value)
    hub.update_info("eta", np.float64(1.5))
    hub.update_info("dataset_meta", {"palette": np.array([[1, 2, 3]])})
    ckpt.save_checkpoint({"message_hub": hub.state_dict()}, tmp_path / "a.pth")
    loaded = ckpt._load_checkpoint(tmp_path / "a.pth", logger="silent")
    other = MessageHub.get_instance("loaded")
    other.load_state_dict(loaded["message_hub"])
    assert float(other.get_scalar("train/loss").mean()) == 0.375
    assert other.get_info("eta") == 1.5
    assert other.get_info("dataset_meta") == {"palette": [[1, 2, 3]]}


def test_unchanged_containers_are_not_copied() -> None:
    state = torch.nn.Linear(1, 1).state_dict()
    checkpoint = {"state_dict": state, "meta": {"epoch": 1, "t": (1, "a")}}
    assert make_weights_only_safe(checkpoint) is checkpoint


def test_changed_ordered_dicts_keep_their_attributes() -> None:
    state = torch.nn.Linear(1, 1).state_dict()
    state["seed"] = np.int64(1)  # type: ignore[assignment]
    converted = make_weights_only_safe(state)
    assert converted is not state and type(converted) is OrderedDict
    assert converted._metadata == state._metadata
    assert converted["seed"] == 1 and "seed" in state  # input untouched
    assert type(state["seed"]) is np.int64


def test_dict_subclasses_become_dicts_but_counter_stays() -> None:
    converted = make_weights_only_safe(
        {
            "cfg": ConfigDict(a=1),
            "d": defaultdict(list, a=[1]),
            "milestones": Counter({3: 1}),
        }
    )
    assert type(converted["cfg"]) is dict and converted["cfg"] == {"a": 1}
    assert type(converted["d"]) is dict
    assert type(converted["milestones"]) is Counter


def test_numpy_keys_are_converted() -> None:
    converted = make_weights_only_safe({np.int64(0): "a"})
    assert [type(k) for k in converted] == [int]


def test_unsafe_values_name_the_path() -> None:
    assert unsafe_values({"meta": {"fn": len, "ok": [1, (2,)]}}) == [
        "checkpoint['meta']['fn']: builtins.builtin_function_or_method"
    ]
    assert unsafe_values({"s": slice(1)}) == ["checkpoint['s']: builtins.slice"]


def test_user_allowed_globals_are_not_reported() -> None:
    class Point:
        pass

    assert unsafe_values([Point()]) != []
    with torch.serialization.safe_globals([Point]):
        assert unsafe_values([Point()]) == []


# -- property: whatever the conversion keeps, weights-only loading reads ---------

numpy_scalars = st.one_of(
    st.integers(-(2**31), 2**31 - 1).map(np.int64),
    st.integers(0, 255).map(np.uint8),
    st.floats(allow_nan=False, width=32).map(np.float32),
    st.floats(allow_nan=False).map(np.float64),
    st.booleans().map(np.bool_),
    st.text(max_size=5).map(np.str_),
)
numpy_arrays = st.lists(st.floats(allow_nan=False), max_size=4).map(np.array)
leaves = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    numpy_scalars,
    numpy_arrays,
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=3), children, max_size=3),
    ),
    max_leaves=12,
)


def plain(value: Any) -> Any:
    """The Python value of ``value`` (independent of the conversion code)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist() if isinstance(value, np.ndarray) else value.item()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    return value


@settings(max_examples=60, deadline=None)
@given(tree=trees)
def test_converted_trees_load_with_weights_only(
    tree: Any, tmp_path_factory: Any
) -> None:
    path = tmp_path_factory.mktemp("prop") / "a.pth"
    converted = make_weights_only_safe(tree)
    assert unsafe_values(tree) == []
    assert weights_only_round_trip(converted, path) == plain(tree)


# -- reading: the allow-list for MMEngine's checkpoints ----------------------------


MMENGINE_MODULE = "mmengine.logging.history_buffer"


def _mean(self: Any) -> float:
    return 0.0


def _init(self: Any, values: list[float], counts: list[int]) -> None:
    self.max_length = 1000000
    self._log_history = np.array(values)
    self._count_history = np.array(counts)
    self.statistics_methods = {"mean": type(self).mean}


_mean.__module__ = _init.__module__ = MMENGINE_MODULE
_mean.__qualname__ = "HistoryBuffer.mean"
#: Pickles like MMEngine's HistoryBuffer: same module path, name and state.
FakeHistoryBuffer: Any = type(
    "HistoryBuffer",
    (),
    {"__module__": MMENGINE_MODULE, "__init__": _init, "mean": _mean},
)


@pytest.fixture
def mmengine_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make FakeHistoryBuffer importable as mmengine's HistoryBuffer."""
    for name in ["mmengine", "mmengine.logging", MMENGINE_MODULE]:
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    sys.modules[MMENGINE_MODULE].HistoryBuffer = FakeHistoryBuffer  # type: ignore[attr-defined]


@pytest.fixture
def mmengine_style_file(tmp_path: Path, mmengine_modules: None) -> Path:
    path = tmp_path / "mm.pth"
    checkpoint = {
        "meta": {"seed": np.int64(3), "palette": np.array([[1, 2, 3]])},
        "message_hub": {
            "log_scalars": OrderedDict(loss=FakeHistoryBuffer([0.5, 0.25], [1, 1])),
            "runtime_info": OrderedDict(eta=np.float64(1.5)),
        },
    }
    torch.save(checkpoint, path)
    unsafe = set(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    assert "mmengine.logging.history_buffer.HistoryBuffer" in unsafe
    assert "builtins.getattr" in unsafe
    return path


def test_mmengine_style_checkpoint_loads(mmengine_style_file: Path) -> None:
    loaded = ckpt._load_checkpoint(mmengine_style_file, logger="silent")
    buffer = loaded["message_hub"]["log_scalars"]["loss"]
    assert type(buffer) is HistoryBuffer
    assert float(buffer.mean()) == 0.375
    assert loaded["meta"]["seed"] == 3 and type(loaded["meta"]["seed"]) is np.int64
    np.testing.assert_array_equal(loaded["meta"]["palette"], [[1, 2, 3]])
    assert type(loaded["message_hub"]["runtime_info"]["eta"]) is np.float64


def test_the_allow_list_does_not_outlive_the_load(mmengine_style_file: Path) -> None:
    before = set(torch.serialization.get_safe_globals())
    ckpt._load_checkpoint(mmengine_style_file, logger="silent")
    assert set(torch.serialization.get_safe_globals()) == before
    with pytest.raises(pickle.UnpicklingError):
        torch.load(mmengine_style_file, weights_only=True)


def test_globals_the_user_allowed_stay_allowed(mmengine_style_file: Path) -> None:
    with torch.serialization.safe_globals([np.ndarray]):
        ckpt._load_checkpoint(mmengine_style_file, logger="silent")
        assert np.ndarray in torch.serialization.get_safe_globals()


class Reduces:
    """Pickles as ``function(*args)``."""

    def __init__(self, function: Any, *args: Any) -> None:
        self.function, self.args = function, args

    def __reduce__(self) -> Any:
        return self.function, self.args


@pytest.mark.parametrize(
    "payload, refused",
    [
        (Reduces(os.system, "echo pwned"), "system whose module"),
        (Reduces(getattr, np.ndarray, "tofile"), "getattr"),
        (Reduces(eval, "1"), "GLOBAL eval was not an allowed global"),
    ],
)
@pytest.mark.usefixtures("mmengine_modules")
def test_other_objects_are_refused(
    tmp_path: Path, payload: Reduces, refused: str
) -> None:
    path = tmp_path / "evil.pth"
    torch.save({"x": payload}, path)
    with pytest.raises(pickle.UnpicklingError) as info:
        ckpt._load_checkpoint(path, logger="silent")
    message = str(info.value)
    assert message.startswith(f"{path}: weights-only loading refused the checkpoint")
    assert "weights_only=False" in message
    assert refused in message


@pytest.mark.usefixtures("mmengine_modules")
def test_getattr_on_the_history_buffer_yields_only_the_name(tmp_path: Path) -> None:
    torch.save({"x": Reduces(getattr, FakeHistoryBuffer, "__init__")}, tmp_path / "a")
    assert ckpt._load_checkpoint(tmp_path / "a", logger="silent") == {"x": "__init__"}


def test_weights_only_false_is_an_explicit_opt_in(tmp_path: Path) -> None:
    path = tmp_path / "any.pth"
    torch.save({"x": Counter, "f": slice(1, 2)}, path)
    with pytest.raises(pickle.UnpicklingError):
        ckpt.load_checkpoint(torch.nn.Linear(1, 1), path, logger="silent")
    loaded = ckpt._load_checkpoint(path, logger="silent", weights_only=False)
    assert loaded["f"] == slice(1, 2)


def test_broken_mmengine_history_buffer_is_an_error(
    tmp_path: Path, mmengine_modules: None
) -> None:
    buffer = FakeHistoryBuffer([1.0], [1])
    del buffer._count_history
    torch.save({"b": buffer}, tmp_path / "a.pth")
    with pytest.raises(pickle.UnpicklingError, match="_count_history"):
        ckpt._load_checkpoint(tmp_path / "a.pth", logger="silent")
