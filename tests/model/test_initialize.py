"""``initialize``: cfg lists, ``override`` and errors."""

from __future__ import annotations

import copy
from collections import defaultdict

import pytest
import torch
import torch.nn as nn

from engine.model import ConstantInit, initialize, update_init_info


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 1)
        self.fc = nn.Linear(2, 2)
        self.bn = nn.BatchNorm2d(2)


def weight(module: nn.Module) -> float:
    return float(module.weight.detach().mean())  # type: ignore[arg-type, operator]


def test_dict_and_list() -> None:
    net = Net()
    initialize(net, dict(type="Constant", val=2, layer="Linear"))
    assert weight(net.fc) == 2.0
    initialize(
        net,
        [
            dict(type="Constant", val=3, layer="Conv2d"),
            dict(type="Constant", val=4, bias=1, layer="BatchNorm2d"),
        ],
    )
    assert (weight(net.conv), weight(net.bn)) == (3.0, 4.0)
    assert torch.equal(net.bn.bias, torch.ones(2))


def test_type_may_be_the_class() -> None:
    net = Net()
    initialize(net, dict(type=ConstantInit, val=5, layer="Linear"))
    assert weight(net.fc) == 5.0


def test_cfg_without_layer_does_nothing() -> None:
    net = Net()
    before = weight(net.fc)
    initialize(net, dict(type="Constant", val=2))
    assert weight(net.fc) == before


def test_override_initialises_the_child_whole() -> None:
    net = Net()
    initialize(
        net,
        dict(
            type="Constant",
            val=2,
            layer="Linear",
            override=dict(name="conv", type="Constant", val=7, layer="Linear"),
        ),
    )
    assert (weight(net.fc), weight(net.conv)) == (2.0, 7.0)


def test_override_with_only_a_name_inherits_the_outer_cfg() -> None:
    net = Net()
    initialize(
        net, dict(type="Constant", val=2, layer="Linear", override=dict(name="bn"))
    )
    assert (weight(net.fc), weight(net.bn)) == (2.0, 2.0)


def test_override_list() -> None:
    net = Net()
    cfg = dict(
        type="Constant",
        val=2,
        layer="Linear",
        override=[
            dict(name="conv", type="Constant", val=8),
            dict(name="bn", type="Constant", val=9, bias=4),
        ],
    )
    saved = copy.deepcopy(cfg)
    initialize(net, cfg)
    assert (weight(net.conv), weight(net.bn)) == (8.0, 9.0)
    assert cfg == saved  # the cfg is not modified


@pytest.mark.parametrize(
    ("cfg", "error", "match"),
    [
        ("Constant", TypeError, "init_cfg must be a dict or a list of dict"),
        ((dict(type="Constant", val=1),), TypeError, "init_cfg must be a dict"),
        (
            dict(type="Constant", val=1, layer="Linear", override="conv"),
            TypeError,
            "override must be a dict or a list of dict",
        ),
        (
            dict(type="Constant", val=1, override=dict(type="Constant", val=2)),
            ValueError,
            'must contain the key "name"',
        ),
        (
            dict(type="Constant", val=1, override=dict(name="conv", val=2)),
            ValueError,
            'need "type" key',
        ),
        (
            dict(
                type="Constant",
                val=1,
                override=dict(name="nope", type="Constant", val=2),
            ),
            RuntimeError,
            "did not have attribute nope",
        ),
        (dict(type="NoSuchInit"), KeyError, "NoSuchInit"),
        (dict(type="Constant"), TypeError, "val"),
    ],
)
def test_errors(cfg: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        initialize(Net(), cfg)  # type: ignore[arg-type]


def test_update_init_info_records_changed_parameters_only() -> None:
    layer = nn.Linear(2, 2)
    with pytest.raises(AssertionError, match="Can not find `_params_init_info`"):
        update_init_info(layer, "x")
    info: defaultdict = defaultdict(dict)
    layer._params_init_info = info  # type: ignore[assignment]
    with pytest.raises(AssertionError, match="new :obj:`Parameter` named `weight`"):
        update_init_info(layer, "x")
    for param in layer.parameters():
        info[param] = dict(init_info="orig", tmp_mean_value=param.data.mean())
    update_init_info(layer, "unchanged")
    assert [v["init_info"] for v in info.values()] == ["orig", "orig"]
    with torch.no_grad():
        layer.weight.fill_(3.0)
    update_init_info(layer, "filled")
    assert info[layer.weight] == dict(
        init_info="filled", tmp_mean_value=torch.tensor(3.0)
    )
    assert info[layer.bias]["init_info"] == "orig"
