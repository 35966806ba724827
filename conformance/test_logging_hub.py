"""logging: MessageHub (LOG-16..19).

The doc's MessageHub examples (L9143-9299), one test per statement.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from conformance.harness.impl import Impl


@pytest.fixture
def hub_cls(impl: Impl) -> Any:
    return impl.attr("logging.MessageHub")


@pytest.mark.spec("LOG-16")
def test_update_and_get_scalar(hub_cls: Any) -> None:
    hub = hub_cls.get_instance("task")
    hub.update_scalar("train/loss", 1, 1)
    assert hub.get_scalar("train/loss").current() == 1
    hub.update_scalar("train/loss", 3, 1)
    assert hub.get_scalar("train/loss").mean() == 2  # (1 + 3) / (1 + 1)


@pytest.mark.spec("LOG-16")
def test_update_scalars_with_value_and_count_dicts(impl: Impl, hub_cls: Any) -> None:
    hub = hub_cls.get_instance("task")
    hub.update_scalar("train/lr", 0.1, 1)
    hub.update_scalars(
        {
            "train/time": {"value": 0.1, "count": 1},
            "train/data_time": {"value": 0.1, "count": 1},
        }
    )
    train_time = hub.get_scalar("train/time")
    # The doc comments "# 1" (AMB-51): it is the HistoryBuffer of 0.1.
    assert isinstance(train_time, impl.attr("logging.HistoryBuffer"))
    assert train_time.current() == pytest.approx(0.1)


@pytest.mark.spec("LOG-16")
def test_log_scalars_holds_one_buffer_per_key(impl: Impl, hub_cls: Any) -> None:
    hub = hub_cls.get_instance("task")
    hub.update_scalar("train/loss", 1, 1)
    hub.update_scalar("train/lr", 0.1, 1)
    hub.update_scalars({"train/time": {"value": 0.1, "count": 1}})
    hub.update_scalars({"train/data_time": {"value": 0.1, "count": 1}})
    log_dict = hub.log_scalars
    buffer_cls = impl.attr("logging.HistoryBuffer")
    for key in ("train/lr", "train/loss", "train/time", "train/data_time"):
        assert isinstance(log_dict[key], buffer_cls)


@pytest.mark.spec("LOG-16")
def test_first_update_creates_a_buffer_later_ones_update_it(hub_cls: Any) -> None:
    hub = hub_cls.get_instance("task")
    hub.update_scalar("train/loss", 1)
    first = hub.get_scalar("train/loss")
    hub.update_scalar("train/loss", 2)
    assert hub.get_scalar("train/loss") is first
    np.testing.assert_array_equal(first.data[0], [1, 2])


@pytest.mark.spec("LOG-07", "LOG-16")
@pytest.mark.parametrize(
    "value",
    [torch.tensor(2.5), torch.tensor([2.5]), np.float32(2.5), np.array(2.5)],
    ids=["tensor0d", "tensor1", "np-scalar", "np-0d"],
)
def test_update_scalar_accepts_tensors_and_numpy_scalars(
    hub_cls: Any, value: Any
) -> None:
    hub = hub_cls.get_instance("task")
    hub.update_scalar("train/loss_tmp", value)
    assert float(hub.get_scalar("train/loss_tmp").current()) == 2.5


@pytest.mark.spec("LOG-16")
def test_update_scalar_rejects_a_tensor_of_several_values(hub_cls: Any) -> None:
    hub = hub_cls.get_instance("task")
    with pytest.raises((TypeError, AssertionError)):
        hub.update_scalar("train/loss", torch.tensor([1.0, 2.0]))


@pytest.mark.spec("LOG-17")
def test_runtime_info_is_overwritten(hub_cls: Any) -> None:
    hub = hub_cls.get_instance("task")
    hub.update_info("iter", 1)
    assert hub.get_info("iter") == 1
    hub.update_info("iter", 2)
    assert hub.get_info("iter") == 2
    hub.update_info("iter", "any type")
    assert hub.get_info("iter") == "any type"


@pytest.mark.spec("LOG-18")
def test_modules_share_one_hub_by_name(
    hub_cls: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The doc's ToyRunner (L9202-9268), verbatim apart from the hub class."""

    class LogProcessor:
        def __init__(self, name: str) -> None:
            self.message_hub = hub_cls.get_instance(name)

        def run(self) -> None:
            hub = self.message_hub
            print(f"Learning rate is {hub.get_scalar('train/lr').current()}")
            print(f"loss is {hub.get_scalar('train/loss').current()}")
            print(f"meta is {hub.get_info('meta')}")

    class LrUpdater:
        def __init__(self, name: str) -> None:
            self.message_hub = hub_cls.get_instance(name)

        def run(self) -> None:
            self.message_hub.update_scalar("train/lr", 0.001)

    class MetaUpdater:
        def __init__(self, name: str) -> None:
            self.message_hub = hub_cls.get_instance(name)

        def run(self) -> None:
            self.message_hub.update_info(
                "meta",
                dict(
                    experiment="retinanet_r50_caffe_fpn_1x_coco.py", repo="mmdetection"
                ),
            )

    class LossUpdater:
        def __init__(self, name: str) -> None:
            self.message_hub = hub_cls.get_instance(name)

        def run(self) -> None:
            self.message_hub.update_scalar("train/loss", 0.1)

    class ToyRunner:
        def __init__(self, name: str) -> None:
            self.message_hub = hub_cls.get_instance(name)
            self.log_processor = LogProcessor(name)
            self.updaters = [LossUpdater(name), MetaUpdater(name), LrUpdater(name)]

        def run(self) -> None:
            for updater in self.updaters:
                updater.run()
            self.log_processor.run()

    task = ToyRunner("name")
    task.run()
    assert all(u.message_hub is task.message_hub for u in task.updaters)
    assert capsys.readouterr().out.splitlines() == [
        "Learning rate is 0.001",
        "loss is 0.1",
        # the doc's comment drops "is" (AMB-52)
        "meta is {'experiment': 'retinanet_r50_caffe_fpn_1x_coco.py', "
        "'repo': 'mmdetection'}",
    ]


@pytest.mark.spec("LOG-19")
def test_custom_module_updates_the_current_hub(hub_cls: Any) -> None:
    hub = hub_cls.get_instance("runner")

    class CustomModule:
        def __init__(self) -> None:
            self.message_hub = hub_cls.get_current_instance()

        def custom_method(self) -> None:
            self.message_hub.update_scalar("train/a", 100)
            self.message_hub.update_scalars({"train/b": 1, "train/c": 2})

    CustomModule().custom_method()
    assert hub.get_scalar("train/a").current() == 100
    assert hub.get_scalar("train/b").current() == 1
    assert hub.get_scalar("train/c").current() == 2
    for key in ("train/a", "train/b", "train/c"):
        np.testing.assert_array_equal(hub.get_scalar(key).data[1], [1])


@pytest.mark.spec("LOG-16")
def test_state_dict_keeps_only_resumed_keys(hub_cls: Any) -> None:
    hub = hub_cls.get_instance("source")
    hub.update_scalar("train/loss", 1.0)
    hub.update_scalar("train/tmp", 2.0, resumed=False)
    hub.update_info("epoch", 3)
    hub.update_info("scratch", 4, resumed=False)
    state = hub.state_dict()
    assert list(state["log_scalars"]) == ["train/loss"]
    assert list(state["runtime_info"]) == ["epoch"]
    restored = hub_cls.get_instance("target")
    restored.load_state_dict(state)
    assert restored.get_info("epoch") == 3
    assert restored.get_scalar("train/loss").current() == 1.0
    assert restored.get_info("scratch") is None
    with pytest.raises(KeyError):
        restored.get_scalar("train/tmp")


@pytest.mark.spec("LOG-16")
def test_state_dict_copies_the_values(hub_cls: Any) -> None:
    hub = hub_cls.get_instance("source")
    hub.update_scalar("train/loss", 1.0)
    state = hub.state_dict()
    hub.update_scalar("train/loss", 5.0)
    np.testing.assert_array_equal(state["log_scalars"]["train/loss"].data[0], [1.0])


@pytest.mark.spec("LOG-16")
def test_get_current_instance_without_any_hub(hub_cls: Any) -> None:
    assert isinstance(hub_cls.get_current_instance(), hub_cls)
