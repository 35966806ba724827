"""Unit tests of ``engine.structures.BaseDataElement``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.structures import BaseDataElement
from engine.utils._errors import CompatTypeError, CompatValueError


def test_fields_keep_insertion_order() -> None:
    sample = BaseDataElement(metainfo=dict(z=1, a=2), y=1, b=2)
    sample.c = 3
    assert sample.metainfo_keys() == ["z", "a"]
    assert sample.keys() == ["y", "b", "c"]
    assert sample.all_keys() == ["z", "a", "y", "b", "c"]
    assert sample.all_values() == [1, 2, 1, 2, 3]
    assert list(sample.all_items())[0] == ("z", 1)


def test_accessors_return_fresh_containers() -> None:
    sample = BaseDataElement(metainfo=dict(m=1), x=1)
    sample.keys().append("junk")
    sample.metainfo["junk"] = 1
    assert sample.keys() == ["x"] and sample.metainfo == {"m": 1}
    assert iter(sample.items()) is not None and not isinstance(sample.items(), list)


def test_errors_are_typed_and_assertion_compatible() -> None:
    sample = BaseDataElement()
    with pytest.raises(CompatTypeError, match="should be a ``dict``"):
        sample.set_metainfo([1])  # type: ignore[arg-type]
    with pytest.raises(CompatTypeError, match="should be a `dict`"):
        sample.set_data(1)  # type: ignore[arg-type]
    with pytest.raises(CompatValueError, match="field_type"):
        sample.set_field(1, "a", field_type="x")
    with pytest.raises(CompatTypeError, match="should be a <class 'str'>"):
        sample.set_field(1, "a", dtype=str)
    with pytest.raises(CompatTypeError, match="more than 2"):
        sample.pop(1, 2, 3)
    assert issubclass(CompatTypeError, AssertionError)


def test_conflict_messages_name_the_field() -> None:
    sample = BaseDataElement(metainfo=dict(img_id=0), boxes=1)
    with pytest.raises(AttributeError, match="Cannot set img_id to be a field of data"):
        sample.img_id = 1
    with pytest.raises(AttributeError, match="boxes is already a data field"):
        sample.set_metainfo(dict(boxes=0))


def test_failed_property_setter_registers_nothing() -> None:
    class Sample(BaseDataElement):
        @property
        def gt(self) -> torch.Tensor:
            return self._gt

        @gt.setter
        def gt(self, value: torch.Tensor) -> None:
            self.set_field(value, "_gt", dtype=torch.Tensor)

    sample = Sample()
    with pytest.raises(AssertionError):
        sample.gt = [1]  # type: ignore[assignment]
    assert sample.keys() == [] and "gt" not in sample
    sample.gt = torch.ones(1)
    assert sample.keys() == ["gt"] and sample.values()[0].tolist() == [1.0]


def test_pop_returns_value_and_unregisters() -> None:
    sample = BaseDataElement(metainfo=dict(m=1), x=2)
    assert sample.pop("m") == 1 and "m" not in sample.metainfo_keys()
    with pytest.raises(KeyError, match="x2 is not contained"):
        sample.pop("x2")
    with pytest.raises(IndexError):
        sample.pop()


def test_delete_missing_and_item_syntax() -> None:
    sample = BaseDataElement(x=1)
    del sample["x"]
    assert "x" not in sample
    with pytest.raises(AttributeError):
        del sample.x


def test_conversions_skip_other_values_and_keep_metainfo() -> None:
    sample = BaseDataElement(metainfo=dict(m=np.ones(1)), a=np.ones(2), s="text")
    tensors = sample.to_tensor()
    assert isinstance(tensors.a, torch.Tensor) and tensors.s == "text"
    assert isinstance(tensors.m, np.ndarray)
    assert np.shares_memory(tensors.a.numpy(), sample.a)  # from_numpy shares
    arrays = BaseDataElement(t=torch.ones(2, requires_grad=True)).numpy()
    assert isinstance(arrays.t, np.ndarray)


@pytest.mark.parametrize("method", ["cuda", "npu", "mlu", "musa"])
def test_device_methods_call_the_tensor_method(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def fake(self: torch.Tensor) -> str:
        calls.append(method)
        return f"on {method}"

    monkeypatch.setattr(torch.Tensor, method, fake, raising=False)
    inner = BaseDataElement(t=torch.ones(1))
    moved = getattr(BaseDataElement(t=torch.ones(1), inner=inner, n=1), method)()
    assert moved.t == f"on {method}" and moved.inner.t == f"on {method}"
    assert moved.n == 1 and calls == [method, method]


def test_new_without_metainfo_argument_deep_copies() -> None:
    meta = {"classes": ["a"]}
    sample = BaseDataElement(metainfo=meta)
    assert sample.new().classes is not sample.classes
    assert sample.new(metainfo=meta).classes is not meta["classes"]


def test_private_registries_are_plain_attributes() -> None:
    sample = BaseDataElement(metainfo=dict(m=1), x=1)
    assert list(sample._metainfo_fields) == ["m"]
    assert list(sample._data_fields) == ["x"]
    assert set(vars(sample)) == {"_metainfo_fields", "_data_fields", "m", "x"}
