"""Data and communication devices; casting nested data (CPU and meta tensors)."""

from __future__ import annotations

from collections import OrderedDict, defaultdict, namedtuple

import pytest
import torch

from engine.dist import cast_data_device, get_comm_device, get_data_device

CPU, META = torch.device("cpu"), torch.device("meta")
Pair = namedtuple("Pair", "first second")


def test_comm_device_is_the_cpu_without_a_backend() -> None:
    assert get_comm_device() == CPU


@pytest.mark.parametrize(
    "data",
    [
        torch.zeros(1),
        [torch.zeros(1), torch.ones(2)],
        (torch.zeros(1),),
        {"a": torch.zeros(1), "b": [torch.ones(1), {"c": torch.ones(1)}]},
    ],
)
def test_data_device_of_nested_tensors(data: object) -> None:
    assert get_data_device(data) == CPU  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ([], ValueError, "empty"),
        ({"a": []}, ValueError, "empty"),
        ([1], TypeError, "but got 1"),
        ("abc", TypeError, "but got 'abc'"),
        ([torch.zeros(1), torch.zeros(1, device="meta")], ValueError, "one device"),
    ],
)
def test_data_device_errors(data: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        get_data_device(data)  # type: ignore[arg-type]


def test_cast_keeps_container_types() -> None:
    tensor = torch.zeros(2)
    nested = OrderedDict(a=[tensor, (tensor,)], b=Pair(tensor, {"c": tensor}))
    moved = cast_data_device(nested, META)
    assert type(moved) is OrderedDict
    assert type(moved["a"]) is list and type(moved["a"][1]) is tuple
    assert type(moved["b"]) is Pair and moved["b"].second["c"].device == META
    assert get_data_device(moved) == META
    factory = defaultdict(list, x=tensor)
    moved_factory = cast_data_device(factory, META)
    assert isinstance(moved_factory, defaultdict) and moved_factory["y"] == []


def test_cast_to_the_same_device_returns_the_tensor() -> None:
    tensor = torch.zeros(2)
    assert cast_data_device(tensor, CPU) is tensor


def test_cast_with_out_copies_into_out() -> None:
    data = {"a": torch.tensor([1.0, 2.0]), "b": [torch.tensor([3])]}
    out = {"a": torch.zeros(2), "b": [torch.zeros(1, dtype=torch.long)]}
    cast_data_device(data, CPU, out=out)
    assert out["a"].tolist() == [1.0, 2.0] and out["b"][0].tolist() == [3]


@pytest.mark.parametrize(
    ("data", "out", "error"),
    [
        (torch.zeros(1), [torch.zeros(1)], TypeError),
        ([torch.zeros(1)], [torch.zeros(1), torch.zeros(1)], ValueError),
        ({"a": torch.zeros(1)}, [torch.zeros(1)], TypeError),
        ({"a": torch.zeros(1)}, {"b": torch.zeros(1)}, KeyError),
        ([1], None, TypeError),
        ({}, None, ValueError),
    ],
)
def test_cast_errors(data: object, out: object, error: type) -> None:
    with pytest.raises(error):
        cast_data_device(data, CPU, out=out)  # type: ignore[arg-type]
