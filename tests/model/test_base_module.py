"""``BaseModule.init_weights``: order, once-only, Pretrained, the init log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn as nn

from engine.logging import MMLogger
from engine.model import BaseModule, ModuleDict, ModuleList, Sequential
from engine.registry import MODEL_WRAPPERS
from engine.utils import _reset_manager_instances

UNCHANGED = "The value is the same before and after calling `init_weights` of {} "


@pytest.fixture(autouse=True)
def _fresh_loggers() -> Iterator[None]:
    _reset_manager_instances()
    yield
    _reset_manager_instances()


@pytest.fixture
def messages() -> Iterator[list[tuple[int, str]]]:
    """(level, message) of each record of the current logger."""
    records: list[tuple[int, str]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append((record.levelno, record.getMessage()))

    logger = MMLogger.get_instance("test-base-module", log_level="DEBUG")
    handler = Collect(level=logging.DEBUG)
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


class Sub(BaseModule):
    def __init__(self, init_cfg: Any = None) -> None:
        super().__init__(init_cfg)
        self.conv = nn.Conv2d(1, 2, 1)


class Custom(nn.Module):
    """A plain module with its own ``init_weights``."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.calls = 0

    def init_weights(self) -> None:
        self.calls += 1
        nn.init.constant_(self.fc.weight, 11.0)


class Net(BaseModule):
    def __init__(self, init_cfg: Any = None) -> None:
        super().__init__(init_cfg)
        self.sub = Sub(init_cfg=dict(type="Constant", val=5, layer="Conv2d"))
        self.fc = nn.Linear(2, 2)
        self.custom = Custom()


def test_init_cfg_is_deep_copied_and_is_init_settable() -> None:
    cfg = dict(type="Constant", val=1)
    module = BaseModule(init_cfg=cfg)
    assert module.init_cfg == cfg and module.init_cfg is not cfg
    assert module.is_init is False
    module.is_init = True
    assert module.is_init is True
    assert BaseModule().init_cfg is None


def test_repr_shows_init_cfg() -> None:
    assert repr(BaseModule()) == "BaseModule()"
    assert repr(BaseModule(init_cfg=dict(type="Constant", val=1))) == (
        "BaseModule()\ninit_cfg={'type': 'Constant', 'val': 1}"
    )


def test_parent_cfg_then_children(messages: list) -> None:
    net = Net(init_cfg=[dict(type="Constant", val=2, layer=["Linear", "Conv2d"])])
    net.init_weights()
    # The child's own cfg runs after (and so overrides) the parent's.
    assert float(net.sub.conv.weight.detach().mean()) == 5.0
    assert float(net.fc.weight.detach().mean()) == 2.0
    # A plain child's init_weights runs after the parent's cfg too.
    assert float(net.custom.fc.weight.detach().mean()) == 11.0
    assert net.is_init and net.sub.is_init and net.custom.calls == 1
    assert not any(hasattr(m, "_params_init_info") for m in net.modules())
    debug = [
        m for lvl, m in messages if lvl == logging.DEBUG and m.startswith("initialize")
    ]
    assert debug == [
        "initialize Net with init_cfg [{'type': 'Constant', 'val': 2, "
        "'layer': ['Linear', 'Conv2d']}]",
        "initialize Sub with init_cfg "
        "{'type': 'Constant', 'val': 5, 'layer': 'Conv2d'}",
    ]


def test_second_call_warns_and_changes_nothing(messages: list) -> None:
    net = Net(init_cfg=dict(type="Constant", val=2, layer="Linear"))
    net.init_weights()
    with torch.no_grad():
        net.fc.weight.fill_(9.0)
    messages.clear()
    net.init_weights()
    assert float(net.fc.weight.detach().mean()) == 9.0
    assert net.custom.calls == 1
    assert (logging.WARNING, "init_weights of Net has been called more than once.") in (
        messages
    )
    infos = [m for level, m in messages if level == logging.INFO]
    assert (
        infos[0] == "\nsub.conv.weight - torch.Size([2, 1, 1, 1]): "
        f"\n{UNCHANGED.format('Net')} \n "
    )


def test_initialised_children_are_skipped() -> None:
    net = Net()
    net.sub.init_weights()
    with torch.no_grad():
        net.sub.conv.weight.fill_(-1.0)
    net.init_weights()
    assert float(net.sub.conv.weight.detach().mean()) == -1.0


def test_init_log_to_terminal(messages: list) -> None:
    net = Net(
        init_cfg=[
            dict(type="Constant", val=2, layer="Linear"),
            dict(type="Normal", std=0.1, layer="Conv2d"),
        ]
    )
    net.init_weights()
    infos = [m for level, m in messages if level == logging.INFO]
    assert infos == [
        "\nsub.conv.weight - torch.Size([2, 1, 1, 1]): "
        "\nConstantInit: val=5, bias=0 \n ",
        # Normal set the bias to 0; the child's Constant left it at 0.
        "\nsub.conv.bias - torch.Size([2]): \nNormalInit: mean=0, std=0.1, bias=0 \n ",
        "\nfc.weight - torch.Size([2, 2]): \nConstantInit: val=2, bias=0 \n ",
        "\nfc.bias - torch.Size([2]): \nConstantInit: val=2, bias=0 \n ",
        "\ncustom.fc.weight - torch.Size([2, 2]): \n"
        "Initialized by user-defined `init_weights` in Custom  \n ",
        "\ncustom.fc.bias - torch.Size([2]): \nConstantInit: val=2, bias=0 \n ",
    ]


def test_init_log_to_file_only(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    logger = MMLogger.get_instance("file-log", log_file=str(tmp_path / "init.log"))
    module = Sub(init_cfg=dict(type="Constant", val=5, layer="Conv2d"))
    module.init_weights()
    assert "conv.weight" not in capsys.readouterr().out
    text = Path(logger.log_file).read_text()  # type: ignore[arg-type]
    assert text.endswith(
        "Name of parameter - Initialization information\n"
        "\nconv.weight - torch.Size([2, 1, 1, 1]): \nConstantInit: val=5, bias=0 \n"
        "\nconv.bias - torch.Size([2]): \nConstantInit: val=5, bias=0 \n"
    )


def test_pretrained_is_applied_last(tmp_path: Path, messages: list) -> None:
    path = tmp_path / "ckpt.pth"
    state = {"fc.weight": torch.full((2, 2), 7.0), "fc.bias": torch.full((2,), 7.0)}
    torch.save(dict(state_dict=state), path)
    net = Net(
        init_cfg=[
            dict(type="Pretrained", checkpoint=str(path)),
            dict(type="Constant", val=1, layer="Linear"),
        ]
    )
    net.init_weights()
    assert torch.equal(net.fc.weight, torch.full((2, 2), 7.0))
    assert float(net.custom.fc.weight.detach().mean()) == 11.0
    text = [m for _, m in messages]
    assert f"load model from: {path}" in text
    assert (
        f"\nfc.weight - torch.Size([2, 2]): \nPretrainedInit: load from {path} \n "
        in text
    )


def test_pretrained_with_prefix_and_class_type(tmp_path: Path, messages: list) -> None:
    from engine.model import PretrainedInit

    path = tmp_path / "ckpt.pth"
    torch.save(
        {
            "backbone.conv.weight": torch.full((2, 1, 1, 1), 3.0),
            "backbone.conv.bias": torch.zeros(2),
        },
        path,
    )
    sub = Sub(
        init_cfg=dict(type=PretrainedInit, checkpoint=str(path), prefix="backbone.")
    )
    sub.init_weights()
    assert torch.equal(sub.conv.weight, torch.full((2, 1, 1, 1), 3.0))
    assert f"load backbone. in model from: {path}" in [m for _, m in messages]


class FakeWrapper(nn.Module):
    """A registered model wrapper without ``init_weights``."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module


def test_wrapped_children_are_unwrapped() -> None:
    MODEL_WRAPPERS.register_module(module=FakeWrapper, force=True)
    try:
        parent = BaseModule()
        parent.wrapped = FakeWrapper(
            Sub(init_cfg=dict(type="Constant", val=4, layer="Conv2d"))
        )
        parent.init_weights()
    finally:
        MODEL_WRAPPERS._module_dict.pop("FakeWrapper", None)
    assert parent.wrapped.module.is_init
    assert float(parent.wrapped.module.conv.weight.detach().mean()) == 4.0


@pytest.mark.parametrize(
    "make",
    [
        lambda cfg: Sequential(nn.Linear(1, 1), nn.Linear(1, 1), init_cfg=cfg),
        lambda cfg: ModuleList([nn.Linear(1, 1), nn.Linear(1, 1)], init_cfg=cfg),
        lambda cfg: ModuleDict(
            dict(a=nn.Linear(1, 1), b=nn.Linear(1, 1)), init_cfg=cfg
        ),
    ],
    ids=["Sequential", "ModuleList", "ModuleDict"],
)
def test_containers(make: Any) -> None:
    container = make(dict(type="Constant", val=3, layer="Linear"))
    assert len(container) == 2 and isinstance(container, BaseModule)
    container.init_weights()
    assert all(float(p.detach().mean()) in (3.0, 0.0) for p in container.parameters())
    assert "init_cfg=" in repr(container)


def test_empty_containers() -> None:
    assert len(Sequential()) == len(ModuleList()) == len(ModuleDict()) == 0
