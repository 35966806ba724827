"""MessageHub: values, resumed keys, state dicts and their warnings."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from engine._identity import ROOT_SCOPE
from engine.logging import HistoryBuffer, MessageHub, MMLogger


def test_default_current_instance_is_named_after_the_root_scope() -> None:
    assert MessageHub.get_current_instance().instance_name == ROOT_SCOPE


def test_constructor_arguments() -> None:
    hub = MessageHub.get_instance(
        "built",
        log_scalars={"train/a": HistoryBuffer([1], [1])},
        runtime_info={"epoch": 1, "tmp": 2},
        resumed_keys={"train/a": True, "epoch": True},
    )
    state = hub.state_dict()
    assert list(state["log_scalars"]) == ["train/a"]
    assert list(state["runtime_info"]) == ["epoch"]  # 'tmp' has no flag


def test_constructor_rejects_non_buffers() -> None:
    with pytest.raises(TypeError, match=r"log_scalars\['a'\] must be a HistoryBuffer"):
        MessageHub.get_instance("bad", log_scalars={"a": 1})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (torch.tensor(1.5), 1.5),
        (torch.tensor([[2.0]]), 2.0),
        (np.array([3]), 3),
        (np.float64(4.5), 4.5),
        (True, True),
    ],
)
def test_update_scalar_converts_single_values(value: object, expected: object) -> None:
    hub = MessageHub.get_instance("values")
    hub.update_scalar("train/x", value)
    current = hub.get_scalar("train/x").current()
    assert current == expected


@pytest.mark.parametrize("value", [torch.ones(2), np.ones(3), "1", None, [1]])
def test_update_scalar_rejects_other_values(value: object) -> None:
    hub = MessageHub.get_instance("values")
    with pytest.raises(TypeError, match="train/x"):
        hub.update_scalar("train/x", value)


def test_update_scalar_accepts_a_tensor_count() -> None:
    hub = MessageHub.get_instance("counts")
    hub.update_scalar("train/x", 2.0, count=torch.tensor(4))
    np.testing.assert_array_equal(hub.get_scalar("train/x").data[1], [4])


def test_update_scalars_errors() -> None:
    hub = MessageHub.get_instance("many")
    with pytest.raises(TypeError, match="must be a dict"):
        hub.update_scalars([1])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="value must be defined"):
        hub.update_scalars({"train/x": {"count": 1}})


def test_get_scalar_of_an_unknown_key() -> None:
    hub = MessageHub.get_instance("missing")
    with pytest.raises(KeyError, match="train/x is not found.*missing"):
        hub.get_scalar("train/x")


def test_update_info_stores_the_object_itself() -> None:
    hub = MessageHub.get_instance("info")
    items = [1]
    hub.update_info("items", items)
    items.append(2)
    assert hub.get_info("items") == [1, 2]


def test_update_info_dict_and_pop_info() -> None:
    hub = MessageHub.get_instance("info")
    hub.update_info_dict({"a": 1, "b": 2}, resumed=False)
    assert hub.pop_info("a") == 1
    assert hub.pop_info("a", "gone") == "gone"
    assert list(hub.runtime_info) == ["b"]
    assert hub.state_dict()["resumed_keys"] == {"b": False}
    with pytest.raises(TypeError, match="must be a dict"):
        hub.update_info_dict(["x"])  # type: ignore[arg-type]


def test_resumed_flag_follows_the_last_update() -> None:
    hub = MessageHub.get_instance("flags")
    hub.update_scalar("train/x", 1.0, resumed=False)
    hub.update_scalar("train/x", 2.0)
    assert list(hub.state_dict()["log_scalars"]) == ["train/x"]


def test_load_state_dict_from_a_hub_copies_everything() -> None:
    source = MessageHub.get_instance("source")
    source.update_scalar("train/x", 1.0, resumed=False)
    source.update_info("meta", {"a": 1}, resumed=False)
    target = MessageHub.get_instance("target")
    target.update_info("kept", 0)
    target.load_state_dict(source)
    assert target.get_scalar("train/x") is not source.get_scalar("train/x")
    assert target.get_info("meta") == {"a": 1}
    assert target.get_info("meta") is not source.get_info("meta")
    assert target.get_info("kept") == 0


def test_load_state_dict_needs_the_three_keys() -> None:
    with pytest.raises(ValueError, match="runtime_info"):
        MessageHub.get_instance("x").load_state_dict({"log_scalars": {}})


def test_load_state_dict_warns_about_odd_entries(
    capsys: pytest.CaptureFixture[str],
) -> None:
    MMLogger.get_instance("hub-tests")  # built here, it writes to capsys
    hub = MessageHub.get_instance("odd")
    hub.load_state_dict(
        {
            "log_scalars": {"train/bad": 3, "train/ok": HistoryBuffer([1], [1])},
            "runtime_info": {"tmp": 1},
            "resumed_keys": {"train/bad": True, "tmp": False, "ghost": True},
        }
    )
    out = capsys.readouterr().out
    assert "train/bad in message_hub is not HistoryBuffer" in out
    assert "resumed key: ghost is not defined in message_hub" in out
    assert "Although resumed key: tmp is False" in out
    assert hub.get_scalar("train/ok").current() == 1
    assert "train/bad" not in hub.log_scalars
    assert "tmp" not in hub.state_dict()["runtime_info"]


def test_state_dict_keeps_uncopyable_values_by_reference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    MMLogger.get_instance("hub-tests")
    hub = MessageHub.get_instance("lock")
    lock = threading.Lock()
    hub.update_info("lock", lock)
    assert hub.state_dict()["runtime_info"]["lock"] is lock
    assert "lock in message_hub cannot be copied" in capsys.readouterr().out


def test_repeated_updates_share_one_buffer() -> None:
    hub = MessageHub.get_instance("loop")
    for i in range(1000):
        hub.update_scalar("train/loss", float(i))
    buffer = hub.get_scalar("train/loss")
    assert buffer.mean(10) == np.arange(990, 1000, dtype=float).mean()
    assert len(buffer.data[0]) == 1000
