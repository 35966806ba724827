"""The registered initialisers: arguments, layer selection, init info."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import torch
import torch.nn as nn

from engine.model import (
    BaseInit,
    Caffe2XavierInit,
    ConstantInit,
    KaimingInit,
    NormalInit,
    PretrainedInit,
    TruncNormalInit,
    UniformInit,
    XavierInit,
    bias_init_with_prob,
)
from engine.registry import WEIGHT_INITIALIZERS


class MyConv(nn.Conv2d):
    pass


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = MyConv(1, 2, 1)
        self.fc = nn.Linear(2, 2)
        self.bn = nn.BatchNorm2d(2)
        self.seq = nn.Sequential(nn.Linear(2, 2))


def test_registered_names() -> None:
    expected = {
        "Constant": ConstantInit,
        "Xavier": XavierInit,
        "Normal": NormalInit,
        "TruncNormal": TruncNormalInit,
        "Uniform": UniformInit,
        "Kaiming": KaimingInit,
        "Caffe2Xavier": Caffe2XavierInit,
        "Pretrained": PretrainedInit,
    }
    for name, cls in expected.items():
        assert WEIGHT_INITIALIZERS.get(name) is cls
        assert cls.__module__ == "engine.model.weight_init"


def test_base_init_arguments() -> None:
    init = BaseInit()
    assert (init.wholemodule, init.bias, init.layer) == (False, 0, [])
    assert BaseInit(layer="Conv2d").layer == ["Conv2d"]
    assert BaseInit(layer=["A", "B"]).layer == ["A", "B"]
    assert BaseInit(bias_prob=0.01).bias == bias_init_with_prob(0.01)
    assert BaseInit()._get_init_info() == "BaseInit, bias=0"
    with pytest.raises(TypeError, match="bias must be a number"):
        BaseInit(bias="a")
    with pytest.raises(TypeError, match="bias_prob type must be float"):
        BaseInit(bias_prob=1)
    with pytest.raises(TypeError, match="layer must be a str or a list of str"):
        BaseInit(layer=("Conv2d",))
    with pytest.raises(TypeError):
        BaseInit(0)  # type: ignore[misc]  # keyword-only


def values(net: nn.Module) -> dict[str, float]:
    return {k: float(v.float().mean()) for k, v in net.state_dict().items()}


@pytest.mark.parametrize(
    ("layer", "initialised"),
    [
        ("Conv2d", {"conv"}),  # a direct base class of MyConv
        ("_ConvNd", set()),  # a grandparent does not count
        ("MyConv", {"conv"}),
        ("Module", {"fc", "seq.0"}),  # Linear's direct base
        (["Linear", "BatchNorm2d"], {"fc", "bn", "seq.0"}),
    ],
)
def test_layer_selects_class_or_direct_base(layer: Any, initialised: set) -> None:
    net = Net()
    before = values(net)
    ConstantInit(val=3, bias=1, layer=layer)(net)
    after = values(net)
    for prefix in ("conv", "fc", "bn", "seq.0"):
        expected_changed = prefix in initialised
        assert (after[f"{prefix}.weight"] == 3.0) is expected_changed
        if not expected_changed:
            assert after[f"{prefix}.weight"] == before[f"{prefix}.weight"]


def test_no_layer_does_nothing_unless_wholemodule() -> None:
    net = Net()
    before = values(net)
    ConstantInit(val=3)(net)
    assert values(net) == before
    init = ConstantInit(val=3, layer="Conv2d")
    init.wholemodule = True  # the layer filter is then ignored
    init(net)
    after = values(net)
    assert all(after[f"{p}.weight"] == 3.0 for p in ("conv", "fc", "bn", "seq.0"))
    assert after["bn.running_var"] == 1.0  # buffers untouched


class Nested(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(3))
        self.child = nn.Linear(2, 2)


@pytest.mark.parametrize("layer", [None, ["Nested", "Linear"]])
def test_children_are_drawn_before_parents(layer: Any) -> None:
    """Random draws follow ``nn.Module.apply`` (post-)order."""
    net = Nested()
    init = NormalInit(layer=layer)
    init.wholemodule = layer is None
    torch.manual_seed(1)
    init(net)
    torch.manual_seed(1)
    child = torch.empty(2, 2).normal_()
    parent = torch.empty(3).normal_()
    assert torch.equal(net.child.weight, child)
    assert torch.equal(net.weight, parent)


INFOS = [
    (ConstantInit(val=1, bias=2), "ConstantInit: val=1, bias=2"),
    (XavierInit(gain=2), "XavierInit: gain=2, distribution=normal, bias=0"),
    (NormalInit(std=0.01), "NormalInit: mean=0, std=0.01, bias=0"),
    (TruncNormalInit(std=0.02), "TruncNormalInit: a=-2, b=2, mean=0, std=0.02, bias=0"),
    (UniformInit(a=-1), "UniformInit: a=-1, b=1, bias=0"),
    (
        KaimingInit(a=0.1),
        "KaimingInit: a=0.1, mode=fan_out, nonlinearity=relu, "
        "distribution =normal, bias=0",
    ),
    (
        Caffe2XavierInit(),
        "Caffe2XavierInit: a=1, mode=fan_in, nonlinearity=leaky_relu, "
        "distribution =uniform, bias=0",
    ),
    (PretrainedInit("x.pth", prefix="b."), "PretrainedInit: load from x.pth"),
]


@pytest.mark.parametrize(("init", "info"), INFOS)
def test_init_info_text(init: Any, info: str) -> None:
    assert init._get_init_info() == info


def test_caffe2_xavier_fixes_its_kaiming_arguments() -> None:
    init = Caffe2XavierInit(bias=0.5, layer="Linear")
    assert (init.a, init.mode, init.nonlinearity, init.distribution) == (
        1,
        "fan_in",
        "leaky_relu",
        "uniform",
    )
    with pytest.raises(TypeError, match="multiple values"):
        Caffe2XavierInit(a=2)


def test_pretrained_defaults() -> None:
    init = PretrainedInit("ckpt.pth")
    assert (init.checkpoint, init.prefix, init.map_location) == (
        "ckpt.pth",
        None,
        "cpu",
    )


def test_initializer_updates_init_info_when_present() -> None:
    layer = nn.Linear(2, 2)
    with torch.no_grad():
        layer.bias.zero_()
    info: defaultdict = defaultdict(dict)
    for param in layer.parameters():
        info[param] = dict(init_info="old", tmp_mean_value=param.data.mean())
    layer._params_init_info = info  # type: ignore[assignment]
    ConstantInit(val=1, layer="Linear")(layer)
    assert info[layer.weight]["init_info"] == "ConstantInit: val=1, bias=0"
    assert info[layer.weight]["tmp_mean_value"] == 1.0
    # The bias was already 0: its mean did not change, nor did its info.
    assert info[layer.bias]["init_info"] == "old"
