"""``LazyObject``, ``LazyAttr`` and ``read_base``.

Expected reprs, ``module`` values and error texts were observed on
``mmengine.config.lazy`` 0.10.7.
"""

from __future__ import annotations

import collections
import copy
import os
import pickle
import xml.etree.ElementTree

import pytest

from engine.config.lazy import LazyAttr, LazyObject, read_base


def test_module_object_builds_the_module() -> None:
    obj = LazyObject("collections")
    assert str(obj) == repr(obj) == "collections"
    assert obj.module == "collections"
    assert obj.build() is collections


def test_imported_name_builds_the_attribute() -> None:
    obj = LazyObject("collections", "OrderedDict", "cfg.py, line 1")
    assert str(obj) == "OrderedDict"
    assert obj.module == "collections"
    assert obj.build() is collections.OrderedDict
    assert vars(obj) == {
        "_module": "collections",
        "_imported": "OrderedDict",
        "location": "cfg.py, line 1",
    }


def test_dotted_module_keeps_its_full_name() -> None:
    obj = LazyObject("xml.etree.ElementTree")
    assert str(obj) == obj.module == "xml.etree.ElementTree"
    assert obj.build() is xml.etree.ElementTree


def test_module_list_imports_all_and_builds_the_top_package() -> None:
    obj = LazyObject(["xml.etree.ElementTree", "xml"])
    assert str(obj) == obj.module == "xml"
    built = obj.build()
    assert built.__name__ == "xml"
    assert built.etree.ElementTree is xml.etree.ElementTree


@pytest.mark.parametrize("module", [1, [1], [], None])
def test_bad_module_is_a_type_error(module: object) -> None:
    with pytest.raises(TypeError, match="module must be"):
        LazyObject(module)  # type: ignore[arg-type]


def test_bad_imported_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="imported must be"):
        LazyObject("os", 1)  # type: ignore[arg-type]


def test_missing_module_error_keeps_its_type_and_names_the_location() -> None:
    obj = LazyObject("no_such_module_q", location="cfg.py, line 3")
    with pytest.raises(ModuleNotFoundError) as info:
        obj.build()
    assert str(info.value).startswith(
        "Failed to import no_such_module_q in cfg.py, line 3 for "
    )


def test_missing_imported_name_is_an_import_error() -> None:
    with pytest.raises(ImportError, match="Failed to import nope from os in loc"):
        LazyObject("os", "nope", "loc").build()


def test_attribute_access_gives_lazy_attrs() -> None:
    obj = LazyObject("os", location="cfg.py, line 2")
    attr = obj.path
    assert isinstance(attr, LazyAttr)
    assert str(attr) == repr(attr) == "path"
    assert attr.module == "os"
    assert attr.source is obj
    assert attr.location == "cfg.py"  # the file part of the source location
    join = attr.join
    assert join.module == "os.path"
    assert join.location is None
    assert join.build() is os.path.join


def test_attr_of_an_imported_name_names_the_full_path() -> None:
    attr = LazyObject("collections", "OrderedDict").fromkeys
    assert attr.module == "collections.OrderedDict"
    assert attr.build() == collections.OrderedDict.fromkeys


def test_attr_of_a_module_list_uses_the_top_package() -> None:
    assert LazyObject(["xml.etree", "xml"]).etree.module == "xml"


def test_missing_attribute_is_an_import_error() -> None:
    attr = LazyAttr("nope", LazyObject("os"), location="y.py, line 4")
    with pytest.raises(
        ImportError, match=r"Failed to import os\.nope in y\.py, line 4"
    ):
        attr.build()


def test_lazy_attr_needs_a_lazy_source() -> None:
    with pytest.raises(TypeError, match="source must be"):
        LazyAttr("x", "os")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", [LazyObject("math"), LazyObject("math").sqrt], ids=["object", "attr"]
)
def test_calling_while_parsing_is_a_runtime_error(value: object) -> None:
    with pytest.raises(RuntimeError, match="cannot be called"):
        value(4)  # type: ignore[operator]


def test_deepcopy_makes_new_objects_with_the_same_state() -> None:
    obj = LazyObject("os", "path", "cfg.py, line 1")
    twin = copy.deepcopy(obj)
    assert twin is not obj and vars(twin) == vars(obj)
    attr = obj.sep
    attr_twin = copy.deepcopy(attr)
    assert attr_twin is not attr
    assert attr_twin.source is obj
    assert vars(attr_twin) == vars(attr)


def test_shallow_copy_does_not_share_state() -> None:
    obj = LazyObject("os", location="cfg.py, line 1")
    twin = copy.copy(obj)
    twin.location = "elsewhere"
    assert obj.location == "cfg.py, line 1"


def test_pickle_round_trip() -> None:
    attr = LazyObject("collections", location="cfg.py, line 1").OrderedDict
    again = pickle.loads(pickle.dumps(attr))
    assert str(again) == "OrderedDict"
    assert again.build() is collections.OrderedDict
    assert vars(again.source) == vars(attr.source)


def test_equality_is_identity() -> None:
    assert LazyObject("os") != LazyObject("os")
    assert {LazyObject("os"): 1}  # hashable


def test_repr_inside_containers() -> None:
    obj = LazyObject("os")
    assert repr({"a": obj, "b": obj.path}) == "{'a': os, 'b': path}"


def test_read_base_is_a_no_op_context_manager() -> None:
    with read_base() as value:
        import collections as imported
    assert value is None
    assert imported is collections
