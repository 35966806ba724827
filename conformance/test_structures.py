"""Conformance of the data elements (``structures``; STRUCT-01).

The docs' "Abstract Data Element" page is "Coming soon" (L7024-7026); they
only need ``BaseDataElement`` with ``new()`` (L8115-8118) and say that
predictions are lists of data elements (L3426). Everything else here is
**reference-derived**: observed on mmengine 0.10.7, with the expected values
computed in the test from the inputs. Field order is not compared (the
reference keeps fields in sets), so keys are compared as sets; a ``repr`` is
compared only where each block has a single field.
"""

from __future__ import annotations

import copy
import pickle
import re
import warnings
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as hs

from conformance.harness.impl import Impl

STRUCT = pytest.mark.spec("STRUCT-01")


@pytest.fixture
def st(impl: Impl) -> Any:
    """The ``structures`` package of the implementation."""
    return impl.mod("structures")


def _plain_repr(obj: object) -> str:
    """``repr(obj)`` without the memory addresses."""
    return re.sub(r" at 0x[0-9a-f]+>", " at ADDR>", repr(obj))


# --------------------------------------------------------------- documented
@STRUCT
def test_new_keeps_type_and_metainfo(st: Any) -> None:
    """L8115-8118: ``data_samples[0].new()`` gives an element of the same
    class carrying the same metainfo (the TTA example then sets fields on
    it)."""

    class ClsDataSample(st.BaseDataElement):
        def set_pred_score(self, value: torch.Tensor) -> ClsDataSample:
            self.pred_score = value
            return self

    sample = ClsDataSample(metainfo=dict(img_id=7, ori_shape=(4, 4)))
    sample.gt_label = torch.tensor([1])
    fresh = sample.new()
    assert type(fresh) is ClsDataSample
    assert fresh.metainfo == {"img_id": 7, "ori_shape": (4, 4)}
    fresh.set_pred_score(torch.tensor([0.1, 0.9]))
    assert "pred_score" in fresh and "pred_score" not in sample


@STRUCT
def test_all_public_names(st: Any) -> None:
    """Reference-derived: the package exports the four element classes and
    each is a ``BaseDataElement``."""
    assert set(st.__all__) == {
        "BaseDataElement",
        "InstanceData",
        "LabelData",
        "PixelData",
    }
    for name in ("InstanceData", "LabelData", "PixelData"):
        assert issubclass(getattr(st, name), st.BaseDataElement)


# -------------------------------------------------------- metainfo and data
@STRUCT
def test_metainfo_and_data_fields_are_separate(st: Any) -> None:
    """Reference-derived: ``metainfo=`` sets metainfo fields, keyword
    arguments and attribute assignment set data fields, and each accessor
    lists its own kind."""
    sample = st.BaseDataElement(metainfo=dict(img_id=1, shape=(2, 3)), boxes=[1, 2])
    sample.scores = [0.5, 0.6]
    assert set(sample.metainfo_keys()) == {"img_id", "shape"}
    assert set(sample.keys()) == {"boxes", "scores"}
    assert set(sample.all_keys()) == {"img_id", "shape", "boxes", "scores"}
    assert sample.all_keys()[:2] == sample.metainfo_keys()  # metainfo first
    assert dict(sample.items()) == {"boxes": [1, 2], "scores": [0.5, 0.6]}
    assert dict(sample.metainfo_items()) == {"img_id": 1, "shape": (2, 3)}
    assert len(list(sample.all_items())) == 4
    assert sorted(map(str, sample.values())) == ["[0.5, 0.6]", "[1, 2]"]
    assert sorted(map(str, sample.metainfo_values())) == ["(2, 3)", "1"]
    assert len(sample.all_values()) == 4
    assert sample.metainfo == {"img_id": 1, "shape": (2, 3)}
    assert "boxes" in sample and "img_id" in sample and "nope" not in sample


@STRUCT
def test_a_name_belongs_to_one_kind(st: Any) -> None:
    """Reference-derived: a metainfo name cannot be set as data (attribute,
    ``set_data``, ``set_field``) nor a data name as metainfo: AttributeError,
    and the field keeps its value."""
    sample = st.BaseDataElement(metainfo=dict(img_id=1), boxes=[1])
    with pytest.raises(AttributeError, match="img_id"):
        sample.img_id = 2
    with pytest.raises(AttributeError, match="img_id"):
        sample.set_data(dict(img_id=2))
    with pytest.raises(AttributeError, match="boxes"):
        sample.set_metainfo(dict(boxes=2))
    with pytest.raises(AttributeError, match="boxes"):
        sample.set_field(2, "boxes", field_type="metainfo")
    with pytest.raises(AttributeError):
        st.BaseDataElement(metainfo=dict(a=1), a=2)
    assert sample.img_id == 1 and sample.boxes == [1]
    sample.set_metainfo(dict(img_id=5))  # updating within a kind is fine
    assert sample.img_id == 5


@STRUCT
def test_set_metainfo_deep_copies_set_data_does_not(st: Any) -> None:
    """Reference-derived: metainfo values are deep-copied when set; data
    values are stored as given; ``metainfo`` is a new dict each time."""
    meta, data = {"classes": ["a"]}, {"boxes": [1]}
    sample = st.BaseDataElement()
    sample.set_metainfo(meta)
    sample.set_data(data)
    assert sample.classes == ["a"] and sample.classes is not meta["classes"]
    assert sample.boxes is data["boxes"]
    assert sample.metainfo is not sample.metainfo


@STRUCT
def test_argument_checks(st: Any) -> None:
    """Reference-derived: non-dict ``metainfo``/``data``, a wrong ``dtype``
    or ``field_type`` in ``set_field`` and ``pop`` with three arguments fail
    with AssertionError; ``__init__`` takes keywords only."""
    sample = st.BaseDataElement()
    with pytest.raises(AssertionError):
        st.BaseDataElement(metainfo=[1])
    with pytest.raises(AssertionError):
        sample.set_data([1])
    with pytest.raises(AssertionError):
        sample.set_field(3, "n", dtype=str)
    with pytest.raises(AssertionError):
        sample.set_field(3, "n", field_type="other")
    with pytest.raises(AssertionError):
        sample.pop("a", 1, 2)
    with pytest.raises(AssertionError):
        sample.update({"a": 1})
    with pytest.raises(TypeError):
        st.BaseDataElement(dict(a=1))
    sample.set_field(3, "n", dtype=int)
    assert sample.n == 3 and "n" in sample.keys()
    sample.set_field("m", "meta_name", field_type="metainfo")
    assert "meta_name" in sample.metainfo_keys()


@STRUCT
def test_field_registries_are_immutable(st: Any) -> None:
    """Reference-derived: ``_metainfo_fields``/``_data_fields`` can be neither
    replaced nor deleted; other private names are ordinary data fields."""
    sample = st.BaseDataElement()
    for name in ("_metainfo_fields", "_data_fields"):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(sample, name, set())
        with pytest.raises(AttributeError, match="immutable"):
            delattr(sample, name)
    sample._cache = 1
    assert "_cache" in sample.keys()


@STRUCT
def test_get_pop_delete(st: Any) -> None:
    """Reference-derived: ``get`` reads either kind with a default; ``pop``
    removes and returns, with a default or KeyError; ``del`` works on both
    kinds (attribute and item syntax) and raises AttributeError when absent."""
    sample = st.BaseDataElement(metainfo=dict(m=1), x=2, y=3, z=4)
    assert (sample.get("m"), sample.get("x"), sample.get("q"), sample.get("q", 0)) == (
        1,
        2,
        None,
        0,
    )
    assert sample.pop("x") == 2 and "x" not in sample
    assert sample.pop("m") == 1 and sample.metainfo == {}
    assert sample.pop("x", "default") == "default"
    with pytest.raises(KeyError):
        sample.pop("x")
    del sample.y
    del sample["z"]
    assert sample.keys() == []
    with pytest.raises(AttributeError):
        del sample.y
    with pytest.raises(AttributeError):
        _ = sample.y


@STRUCT
def test_update(st: Any) -> None:
    """Reference-derived: ``update`` copies both kinds from another element,
    overwriting same-named fields."""
    sample = st.BaseDataElement(metainfo=dict(a=1), x=1)
    sample.update(st.BaseDataElement(metainfo=dict(b=2), x=3, y=4))
    assert sample.metainfo == {"a": 1, "b": 2}
    assert dict(sample.items()) == {"x": 3, "y": 4}


@STRUCT
def test_property_backed_fields(st: Any) -> None:
    """Reference-derived: a subclass property whose setter stores
    ``_name`` through ``set_field`` (with a ``dtype`` check) is listed by
    ``keys()`` under its public name, and deleting it removes both."""

    class Sample(st.BaseDataElement):
        @property
        def pred(self) -> Any:
            return self._pred

        @pred.setter
        def pred(self, value: Any) -> None:
            self.set_field(value, "_pred", dtype=torch.Tensor)

        @pred.deleter
        def pred(self) -> None:
            del self._pred

    sample = Sample(pred=torch.ones(2))
    assert sample.keys() == ["pred"]
    assert "pred" in sample and "_pred" in sample
    assert torch.equal(dict(sample.items())["pred"], torch.ones(2))
    with pytest.raises(AssertionError):
        sample.pred = [1, 2]
    copy_ = sample.new()
    assert type(copy_) is Sample and torch.equal(copy_.pred, torch.ones(2))
    del sample.pred
    assert sample.keys() == [] and "_pred" not in sample


# ----------------------------------------------------------------- new/clone
@STRUCT
def test_new_and_clone_copy_semantics(st: Any) -> None:
    """Reference-derived: ``new()`` and ``clone()`` deep-copy metainfo and
    share data values; ``new(metainfo=...)`` replaces the metainfo and
    ``new(**data)`` replaces all the data."""
    data = [1]
    sample = st.BaseDataElement(metainfo=dict(names=["a"]), x=data, y=2)
    for other in (sample.new(), sample.clone()):
        assert other.metainfo == {"names": ["a"]}
        assert other.names is not sample.names
        assert other.x is data and set(other.keys()) == {"x", "y"}
    replaced = sample.new(metainfo=dict(k=0))
    assert replaced.metainfo == {"k": 0} and set(replaced.keys()) == {"x", "y"}
    only = sample.new(z=5)
    assert only.metainfo == {"names": ["a"]} and only.keys() == ["z"]
    assert sample.metainfo == {"names": ["a"]} and set(sample.keys()) == {"x", "y"}


@STRUCT
def test_deepcopy_and_pickle_round_trip(st: Any) -> None:
    """Reference-derived: elements survive ``copy.deepcopy`` and pickling
    with both kinds of fields intact."""
    sample = st.InstanceData(metainfo=dict(m=[1]), x=torch.arange(3))
    for other in (copy.deepcopy(sample), pickle.loads(pickle.dumps(sample))):
        assert type(other) is st.InstanceData
        assert other.metainfo == {"m": [1]} and torch.equal(other.x, sample.x)
        other.y = torch.zeros(3)  # still length-checked
        with pytest.raises(AssertionError):
            other.z = torch.zeros(2)


# ------------------------------------------------------------------ convert
@STRUCT
def test_tensor_conversions_return_new_elements(st: Any) -> None:
    """Reference-derived: ``to``, ``cpu``, ``detach``, ``numpy`` and
    ``to_tensor`` convert tensor-like data fields (recursing into nested
    elements), leave other values and metainfo alone, and return a new
    element of the same class."""
    grad = torch.ones(2, requires_grad=True)
    inner = st.BaseDataElement(t=torch.ones(1), a=np.zeros(1))
    sample = st.BaseDataElement(
        metainfo=dict(m=torch.ones(1)),
        t=grad,
        a=np.ones(2),
        lst=[torch.ones(1)],
        inner=inner,
    )

    as64 = sample.to(torch.float64)
    assert as64.t.dtype == torch.float64 and as64.inner.t.dtype == torch.float64
    assert as64.m.dtype == torch.float32  # metainfo untouched
    assert as64.a.dtype == np.float64 and as64.lst[0].dtype == torch.float32
    assert sample.t.dtype == torch.float32  # the original is unchanged

    assert sample.cpu() is not sample and torch.equal(sample.cpu().t, grad)
    detached = sample.detach()
    assert not detached.t.requires_grad and sample.t.requires_grad

    arrays = sample.numpy()
    assert isinstance(arrays.t, np.ndarray) and np.array_equal(arrays.t, [1.0, 1.0])
    assert isinstance(arrays.inner.t, np.ndarray)
    assert isinstance(arrays.lst[0], torch.Tensor)  # lists are not entered

    tensors = sample.to_tensor()
    assert isinstance(tensors.a, torch.Tensor) and tensors.a.dtype == torch.float64
    assert isinstance(tensors.inner.a, torch.Tensor)
    assert type(st.InstanceData(x=torch.ones(2)).to("cpu")) is st.InstanceData


@STRUCT
def test_to_calls_to_on_any_value_having_it(st: Any) -> None:
    """Reference-derived: ``to`` is duck-typed (any data value with a ``to``
    method), while ``cpu``/``detach``/``numpy`` touch only tensors and
    elements."""

    class Movable:
        def to(self, *args: Any, **kwargs: Any) -> str:
            return f"moved{args}"

        def cpu(self) -> str:
            return "cpu called"

    sample = st.BaseDataElement(obj=Movable())
    assert sample.to("cpu").obj == "moved('cpu',)"
    assert isinstance(sample.cpu().obj, Movable)


@STRUCT
def test_to_dict_flattens_both_kinds_recursively(st: Any) -> None:
    """Reference-derived: ``to_dict`` merges metainfo and data into one dict
    and turns nested elements into dicts (plain dicts are left as they are)."""
    inner = st.BaseDataElement(metainfo=dict(z=1), y=2)
    sample = st.BaseDataElement(metainfo=dict(m=0), inner=inner, d={"k": inner})
    out = sample.to_dict()
    assert out["m"] == 0 and out["inner"] == {"z": 1, "y": 2}
    assert out["d"]["k"] is inner


# --------------------------------------------------------------------- repr
@STRUCT
def test_repr_layout(st: Any) -> None:
    """Reference-derived: the text form lists META INFORMATION then DATA
    FIELDS, one ``name: value`` per line, dict values as indented blocks,
    continuation lines kept under their value, nested elements indented."""
    empty = "<BaseDataElement(\n\n    META INFORMATION\n\n    DATA FIELDS\n) at ADDR>"
    assert _plain_repr(st.BaseDataElement()) == empty
    assert str(st.BaseDataElement()).startswith("<BaseDataElement(")

    sample = st.BaseDataElement(
        metainfo=dict(d={"k": {"j": 1}, "e": "x"}), t=torch.ones(2, 2)
    )
    assert _plain_repr(sample) == (
        "<BaseDataElement(\n\n"
        "    META INFORMATION\n"
        "    d: \n"
        "        k: \n"
        "            j: 1\n"
        "        e: 'x'\n\n"
        "    DATA FIELDS\n"
        "    t: tensor([[1., 1.],\n"
        "                [1., 1.]])\n"
        ") at ADDR>"
    )
    nested = st.BaseDataElement(
        inner=st.LabelData(metainfo=dict(m=1), x=torch.tensor([2]))
    )
    assert _plain_repr(nested) == (
        "<BaseDataElement(\n\n"
        "    META INFORMATION\n\n"
        "    DATA FIELDS\n"
        "    inner: <LabelData(\n"
        "        \n"
        "            META INFORMATION\n"
        "            m: 1\n"
        "        \n"
        "            DATA FIELDS\n"
        "            x: tensor([2])\n"
        "        ) at ADDR>\n"
        ") at ADDR>"
    )


# --------------------------------------------------------------- InstanceData
@STRUCT
def test_instance_data_lengths(st: Any) -> None:
    """Reference-derived: every data field must have ``__len__`` and the
    element's length; ``len`` is 0 without data fields; metainfo is not
    checked; ``set_field`` bypasses the check."""
    inst = st.InstanceData(metainfo=dict(img_shape=(4, 4)))
    assert len(inst) == 0
    inst.boxes = torch.zeros(3, 4)
    inst["labels"] = np.arange(3)  # item syntax sets a field too
    inst.names = "abc"
    assert len(inst) == 3 and set(inst.keys()) == {"boxes", "labels", "names"}
    with pytest.raises(AssertionError):
        inst.scores = torch.ones(2)
    with pytest.raises(AssertionError):
        inst.scores = 3
    with pytest.raises(AssertionError):
        inst.set_data(dict(scores=[1]))
    inst.set_metainfo(dict(scale=2.0, sizes=[1, 2, 3, 4, 5]))
    assert inst.scale == 2.0
    del inst.boxes, inst.labels, inst.names
    assert len(inst) == 0
    inst.other = torch.ones(7)  # an empty element takes any length
    assert len(inst) == 7


def _instances(st: Any) -> Any:
    return st.InstanceData(
        metainfo=dict(img_shape=(8, 8)),
        boxes=torch.arange(12.0).reshape(3, 4),
        labels=np.array([10, 11, 12]),
        names=["a", "b", "c"],
        word="xyz",
        pair=(5, 6, 7),
    )


def _check_selected(result: Any, positions: list[int]) -> None:
    """Every field of ``result`` holds the rows of ``_instances`` at
    ``positions``, computed here from the inputs."""
    full = torch.arange(12.0).reshape(3, 4)
    assert torch.equal(result.boxes, full[positions] if positions else full[:0])
    assert result.labels.tolist() == [[10, 11, 12][p] for p in positions]
    assert result.names == [["a", "b", "c"][p] for p in positions]
    assert result.word == "".join("xyz"[p] for p in positions)
    assert result.pair == tuple((5, 6, 7)[p] for p in positions)
    assert result.metainfo == {"img_shape": (8, 8)}
    assert len(result) == len(positions)


@STRUCT
@pytest.mark.parametrize(
    ("index", "positions"),
    [
        (1, [1]),
        (-1, [2]),
        (slice(0, 2), [0, 1]),
        (slice(None, None, 2), [0, 2]),
        (torch.tensor([True, False, True]), [0, 2]),
        (torch.tensor([2, 0]), [2, 0]),
        (torch.tensor([-1, 0]), [2, 0]),
        ([2, 0], [2, 0]),
        ([True, False, True], [0, 2]),
        (np.array([1, 2]), [1, 2]),
        (np.array([False, True, False]), [1]),
        (torch.zeros(3, dtype=torch.bool), []),
        (torch.tensor([], dtype=torch.long), []),
    ],
    ids=lambda value: type(value).__name__,
)
def test_instance_data_indexing(st: Any, index: Any, positions: list[int]) -> None:
    """Reference-derived: an int (kept as a length-1 element), slice, bool
    mask or positions (tensor, list, array) select instances in every field
    type; metainfo is carried over."""
    _check_selected(_instances(st)[index], positions)


def _index_case(draw: Any) -> tuple[int, str, Any, list[int]]:
    """A length and an index of some kind, with the positions it selects."""
    length = draw(hs.integers(1, 6))
    kind = draw(hs.sampled_from(["int", "slice", "mask", "positions"]))
    if kind == "int":
        index = draw(hs.integers(-length, length - 1))
        return length, kind, index, [index % length]
    if kind == "slice":
        bounds = hs.none() | hs.integers(-length - 1, length + 1)
        start, stop = draw(bounds), draw(bounds)
        step = draw(hs.none() | hs.integers(1, 3))
        index = slice(start, stop, step)
        return length, kind, index, list(range(length))[index]
    if kind == "mask":
        mask = draw(hs.lists(hs.booleans(), min_size=length, max_size=length))
        return length, kind, mask, [i for i, keep in enumerate(mask) if keep]
    positions = draw(hs.lists(hs.integers(-length, length - 1), min_size=1, max_size=8))
    return length, kind, positions, [p % length for p in positions]


@STRUCT
@settings(max_examples=60, deadline=None)
@given(
    case=hs.composite(_index_case)(),
    container=hs.sampled_from(["list", "tensor", "ndarray"]),
)
def test_instance_data_indexing_property(impl: Impl, case: Any, container: str) -> None:
    """Reference-derived (property): for any length, int, slice, mask or
    position list (given as a list, tensor or array), every field holds the
    selected rows, as Python's list indexing computes them."""
    st = impl.mod("structures")
    length, kind, index, positions = case
    if kind in ("mask", "positions") and container != "list":
        dtype = bool if kind == "mask" else np.int64
        array = np.array(index, dtype=dtype)
        index = torch.from_numpy(array) if container == "tensor" else array
    rows = list(range(length))
    inst = st.InstanceData(
        t=torch.tensor(rows) * 10, a=np.array(rows) + 100, l=[f"r{r}" for r in rows]
    )
    out = inst[index]
    assert out.t.tolist() == [10 * p for p in positions]
    assert out.a.tolist() == [100 + p for p in positions]
    assert out.l == [f"r{p}" for p in positions]
    assert len(out) == len(positions)


@STRUCT
def test_instance_data_index_errors(st: Any) -> None:
    """Reference-derived: a str returns the field; out-of-range ints raise
    IndexError; a mask of the wrong length, a non-1-D index, an unsupported
    type (float, tuple, int32 tensor) raise AssertionError; a field without
    ``cat`` cannot be indexed by a mask (ValueError)."""
    inst = _instances(st)
    assert inst["names"] == ["a", "b", "c"]
    with pytest.raises(IndexError):
        inst[3]
    with pytest.raises(IndexError):
        inst[-4]
    for bad in (
        torch.tensor([True, False]),
        torch.tensor(1),
        torch.zeros(3, 1, dtype=torch.long),
        1.0,
        (0, 1),
        torch.tensor([1], dtype=torch.int32),
    ):
        with pytest.raises(AssertionError):
            inst[bad]
    with pytest.raises(ValueError):
        st.InstanceData(d={"a": 1, "b": 2})[torch.tensor([True, False])]
    with pytest.raises(IndexError):
        st.InstanceData()[0]


@STRUCT
def test_instance_data_nested_elements_index_and_cat(st: Any) -> None:
    """Reference-derived: an InstanceData field is indexed by positions and
    concatenated through its own ``cat``."""
    inst = st.InstanceData(sub=st.InstanceData(v=torch.tensor([1, 2, 3])))
    assert inst[torch.tensor([2, 0])].sub.v.tolist() == [3, 1]
    assert inst[[False, True, False]].sub.v.tolist() == [2]


@STRUCT
def test_instance_data_cat(st: Any) -> None:
    """Reference-derived: ``cat`` concatenates tensors, arrays, lists,
    strings and tuples, keeps the first element's metainfo, returns a single
    element unchanged and rejects an empty list, mismatched fields (data or
    metainfo names) or non-InstanceData items (AssertionError)."""
    a = st.InstanceData(
        metainfo=dict(m=1), t=torch.ones(2, 2), n=np.zeros(2), s="ab", p=(1, 2)
    )
    b = st.InstanceData(
        metainfo=dict(m=2), t=torch.zeros(1, 2), n=np.ones(1), s="c", p=(3,)
    )
    out = st.InstanceData.cat([a, b])
    assert type(out) is st.InstanceData and len(out) == 3 and out.m == 1
    assert torch.equal(out.t, torch.cat([torch.ones(2, 2), torch.zeros(1, 2)]))
    assert out.n.tolist() == [0.0, 0.0, 1.0]
    assert (out.s, out.p) == ("abc", (1, 2, 3))
    lists = st.InstanceData.cat(
        [st.InstanceData(l=["x"]), st.InstanceData(l=["y", "z"])]
    )
    assert lists.l == ["x", "y", "z"]
    assert st.InstanceData.cat([a]) is a
    for bad in ([], [a, st.InstanceData(t=torch.ones(1, 2))], [a, 1]):
        with pytest.raises(AssertionError):
            st.InstanceData.cat(bad)
    with pytest.raises(AssertionError):
        st.InstanceData.cat(
            [st.InstanceData(metainfo=dict(a=1)), st.InstanceData(metainfo=dict(b=1))]
        )


# ------------------------------------------------------------------ LabelData
@STRUCT
def test_label_data_conversions(st: Any) -> None:
    """Reference-derived: ``label_to_onehot`` marks each class (dtype of the
    label), ``onehot_to_label`` returns the non-zero positions of a 1-D
    tensor with values in [0, 1]; other inputs fail."""
    label_data = st.LabelData
    onehot = label_data.label_to_onehot(torch.tensor([1, 3]), 5)
    assert onehot.tolist() == [0, 1, 0, 1, 0] and onehot.dtype == torch.long
    assert label_data.label_to_onehot(torch.tensor([1, 1]), 3).tolist() == [0, 1, 0]
    assert label_data.label_to_onehot(
        torch.tensor([0], dtype=torch.int32), 2
    ).dtype == (torch.int32)
    assert label_data.label_to_onehot(
        torch.tensor([], dtype=torch.long), 2
    ).tolist() == [0, 0]
    assert label_data.onehot_to_label(torch.tensor([0, 1, 0, 1])).tolist() == [1, 3]
    assert label_data.onehot_to_label(torch.tensor([1.0, 1.0, 0.0])).tolist() == [0, 1]
    assert label_data.onehot_to_label(torch.tensor([0, 0])).tolist() == []
    with pytest.raises(AssertionError):
        label_data.label_to_onehot(torch.tensor([5]), 5)
    with pytest.raises(AssertionError):
        label_data.label_to_onehot(np.array([1]), 5)
    with pytest.raises(AssertionError):
        label_data.onehot_to_label(np.array([0, 1]))
    for bad in (torch.tensor([0, 2]), torch.tensor([-1, 1]), torch.ones(2, 2)):
        with pytest.raises(ValueError):
            label_data.onehot_to_label(bad)


@STRUCT
def test_label_data_is_an_unconstrained_element(st: Any) -> None:
    """Reference-derived: LabelData fields take any value and length."""
    sample = st.LabelData(metainfo=dict(num_classes=3), score=torch.ones(3), label=5)
    assert sample.label == 5 and sample.num_classes == 3


# ------------------------------------------------------------------ PixelData
@STRUCT
def test_pixel_data_shape_rules(st: Any) -> None:
    """Reference-derived: fields are 2-D (expanded to 1xHxW with a warning)
    or 3-D tensors/arrays sharing (H, W); channels may differ; ``shape`` is
    (H, W) or None."""
    pix = st.PixelData(metainfo=dict(img_shape=(4, 5)))
    assert pix.shape is None
    with pytest.warns(UserWarning):
        pix.mask = torch.ones(4, 5)
    assert pix.mask.shape == (1, 4, 5) and pix.shape == (4, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pix.heat = np.zeros((3, 4, 5))
    assert pix.heat.shape == (3, 4, 5)
    for bad in (
        torch.ones(3, 5),
        torch.ones(1, 4, 6),
        torch.ones(5),
        torch.ones(1, 1, 4, 5),
    ):
        with pytest.raises(AssertionError):
            pix.other = bad
    for bad in ([1, 2], 1):
        with pytest.raises(AssertionError):
            pix.other = bad
    pix.set_metainfo(dict(anything=[1]))  # metainfo is not checked
    assert pix.anything == [1]


@STRUCT
def test_pixel_data_slicing(st: Any) -> None:
    """Reference-derived: ``pix[rows, cols]`` crops every field, keeps the
    channels and metainfo; an int keeps one row/column; anything but a pair
    of ints/slices fails."""
    grid = torch.arange(12).reshape(1, 3, 4)
    pix = st.PixelData(metainfo=dict(id=0), a=grid, b=np.arange(24).reshape(2, 3, 4))
    crop = pix[1:3, 0:2]
    assert type(crop) is st.PixelData and crop.metainfo == {"id": 0}
    assert torch.equal(crop.a, grid[:, 1:3, 0:2]) and crop.b.shape == (2, 2, 2)
    assert pix[1, 2].a.tolist() == [[[6]]]
    assert pix[-1, -1].a.tolist() == [[[11]]]
    assert pix[2, 0:2].a.tolist() == [[[8, 9]]]
    for bad in (slice(0, 1), 1, [0, 1], "a", torch.tensor([0, 1])):
        with pytest.raises(TypeError):
            pix[bad]
    with pytest.raises(TypeError):
        pix[np.int64(1), 1]
    with pytest.raises(AssertionError):
        pix[0, 1, 2]
