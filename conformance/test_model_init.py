"""Conformance of BaseModule and weight initialisation (MODEL-08).

Docs: "Weight initialization" (L6905-6968), which ends after the table of
initialisers, and REG-12's ``Pretrained`` cfg (L7946-7955). Tests marked
"reference-derived" check what the docs leave open (the ``init_cfg`` keys,
``override``, the initialisation order and log); their expected values were
observed on MMEngine 0.10.7 and are recorded in docs/conformance/model.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn as nn

from conformance.harness.impl import Impl


@pytest.fixture
def model_mod(impl: Impl) -> Any:
    return impl.mod("model")


INITIALIZERS = {
    "Constant": "ConstantInit",
    "Xavier": "XavierInit",
    "Normal": "NormalInit",
    "TruncNormal": "TruncNormalInit",
    "Uniform": "UniformInit",
    "Kaiming": "KaimingInit",
    "Caffe2Xavier": "Caffe2XavierInit",
    "Pretrained": "PretrainedInit",
}


@pytest.mark.spec("MODEL-08")
def test_initializer_table(impl: Impl, model_mod: Any) -> None:
    """Doc L6915-6966: every initialiser and its registered name."""
    registry = impl.mod("registry").WEIGHT_INITIALIZERS
    for registered, class_name in INITIALIZERS.items():
        assert registry.get(registered) is getattr(model_mod, class_name)
    assert issubclass(model_mod.BaseModel, model_mod.BaseModule)


def linear_net(model_mod: Any, init_cfg: Any) -> Any:
    class Net(model_mod.BaseModule):
        def __init__(self) -> None:
            super().__init__(init_cfg=init_cfg)
            self.fc = nn.Linear(3, 2)
            self.conv = nn.Conv2d(1, 2, 1)

    return Net()


@pytest.mark.spec("MODEL-08")
def test_constant_init_cfg_reference_derived(model_mod: Any) -> None:
    """Reference-derived keys: ``layer``, ``val``, ``bias``."""
    net = linear_net(model_mod, dict(type="Constant", layer="Linear", val=1, bias=2))
    conv_before = net.conv.weight.detach().clone()
    assert net.is_init is False
    net.init_weights()
    assert net.is_init is True
    assert torch.equal(net.fc.weight, torch.ones(2, 3))
    assert torch.equal(net.fc.bias, torch.full((2,), 2.0))
    assert torch.equal(net.conv.weight, conv_before)


@pytest.mark.spec("MODEL-08")
def test_override_reference_derived(model_mod: Any) -> None:
    """Reference-derived: ``override`` initialises the named child whole."""
    net = linear_net(
        model_mod,
        dict(
            type="Constant",
            layer="Linear",
            val=1,
            override=dict(name="conv", type="Constant", val=3, bias=4),
        ),
    )
    net.init_weights()
    assert torch.equal(net.fc.weight, torch.ones(2, 3))
    assert torch.equal(net.conv.weight, torch.full((2, 1, 1, 1), 3.0))
    assert torch.equal(net.conv.bias, torch.full((2,), 4.0))


@pytest.mark.spec("MODEL-08")
def test_children_initialised_once_after_parent_reference_derived(
    model_mod: Any,
) -> None:
    """Reference-derived: the parent's cfg runs first, then each child's
    ``init_weights`` once; a second call changes nothing."""
    calls: list[str] = []

    class Child(model_mod.BaseModule):
        def __init__(self) -> None:
            super().__init__(init_cfg=dict(type="Constant", layer="Linear", val=5))
            self.fc = nn.Linear(2, 2)

        def init_weights(self) -> None:
            calls.append("child")
            super().init_weights()

    class Parent(model_mod.BaseModule):
        def __init__(self) -> None:
            super().__init__(init_cfg=dict(type="Constant", layer="Linear", val=1))
            self.child = Child()
            self.fc = nn.Linear(2, 2)

    parent = Parent()
    parent.init_weights()
    assert calls == ["child"]
    assert torch.equal(parent.child.fc.weight, torch.full((2, 2), 5.0))
    assert torch.equal(parent.fc.weight, torch.ones(2, 2))
    assert parent.child.is_init
    with torch.no_grad():
        parent.fc.weight.fill_(9.0)
    parent.init_weights()
    assert calls == ["child"]
    assert torch.equal(parent.fc.weight, torch.full((2, 2), 9.0))


@pytest.mark.spec("MODEL-08", "REG-12")
def test_pretrained_with_prefix(model_mod: Any, tmp_path: Path) -> None:
    """REG-12: ``dict(type='Pretrained', checkpoint=..., prefix='backbone.')``."""
    source = nn.ModuleDict(dict(backbone=nn.Linear(3, 2), head=nn.Linear(2, 1)))
    with torch.no_grad():
        for param in source.parameters():
            param.fill_(7.0)
    path = tmp_path / "full.pth"
    torch.save(dict(state_dict=source.state_dict()), path)

    class Backbone(model_mod.BaseModule):
        def __init__(self) -> None:
            super().__init__(
                init_cfg=dict(
                    type="Pretrained", checkpoint=str(path), prefix="backbone."
                )
            )
            self.weight = nn.Parameter(torch.zeros(2, 3))
            self.bias = nn.Parameter(torch.zeros(2))

    backbone = Backbone()
    backbone.init_weights()
    assert torch.equal(backbone.weight, torch.full((2, 3), 7.0))
    assert torch.equal(backbone.bias, torch.full((2,), 7.0))


@pytest.mark.spec("MODEL-08")
def test_pretrained_runs_after_other_cfgs_reference_derived(
    model_mod: Any, tmp_path: Path
) -> None:
    """Reference-derived: a 'Pretrained' cfg is applied last, so the
    checkpoint wins over a Constant cfg listed after it."""
    path = tmp_path / "fc.pth"
    torch.save(dict(state_dict={"fc.weight": torch.full((2, 3), 7.0)}), path)
    net = linear_net(
        model_mod,
        [
            dict(type="Pretrained", checkpoint=str(path)),
            dict(type="Constant", layer="Linear", val=1),
        ],
    )
    net.init_weights()
    assert torch.equal(net.fc.weight, torch.full((2, 3), 7.0))
    assert torch.equal(net.fc.bias, torch.zeros(2))


@pytest.mark.spec("MODEL-08")
def test_init_log_reference_derived(impl: Impl, model_mod: Any, tmp_path: Path) -> None:
    """Reference-derived: with a log file, the top-level ``init_weights``
    writes each parameter's name, shape and last initialiser into it."""
    mm_logging = impl.mod("logging")
    logger = mm_logging.MMLogger.get_instance(
        "model-init-log", log_file=str(tmp_path / "init.log")
    )
    net = linear_net(model_mod, dict(type="Constant", layer="Linear", val=1, bias=2))
    net.init_weights()
    for handler in logger.handlers:
        handler.flush()
    text = Path(logger.log_file).read_text()
    unchanged = "The value is the same before and after calling `init_weights` of Net "
    assert (
        "Name of parameter - Initialization information\n"
        "\nfc.weight - torch.Size([2, 3]): \nConstantInit: val=1, bias=2 \n"
        "\nfc.bias - torch.Size([2]): \nConstantInit: val=1, bias=2 \n"
        f"\nconv.weight - torch.Size([2, 1, 1, 1]): \n{unchanged} \n"
        f"\nconv.bias - torch.Size([2]): \n{unchanged} \n"
    ) in text


@pytest.mark.spec("MODEL-08")
def test_module_containers_take_init_cfg(model_mod: Any) -> None:
    cfg = dict(type="Constant", layer="Linear", val=3)
    seq = model_mod.Sequential(nn.Linear(1, 1), init_cfg=cfg)
    lst = model_mod.ModuleList([nn.Linear(1, 1)], init_cfg=cfg)
    dct = model_mod.ModuleDict(dict(a=nn.Linear(1, 1)), init_cfg=cfg)
    for container, layer in ((seq, seq[0]), (lst, lst[0]), (dct, dct["a"])):
        container.init_weights()
        assert layer.weight.item() == 3.0
