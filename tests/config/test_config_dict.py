"""ConfigDict: attribute access, conversion of nested dicts, copying."""

from __future__ import annotations

import copy
import pickle
from collections import namedtuple

import pytest

from engine.config import Config, ConfigDict, LazyAttr, LazyObject


def test_nested_dicts_become_config_dicts_also_in_lists_and_tuples() -> None:
    cfg = ConfigDict(a=1, b=dict(c=2, d=[dict(e=3)]), f=(dict(g=1),))
    assert type(cfg.b) is ConfigDict
    assert type(cfg.b.d[0]) is ConfigDict
    assert type(cfg.f[0]) is ConfigDict
    assert cfg.b.d[0].e == 3


def test_missing_attribute_and_item_name_the_key() -> None:
    cfg = ConfigDict(a=dict(b=1))
    with pytest.raises(
        AttributeError, match="'ConfigDict' object has no attribute 'zz'"
    ):
        _ = cfg.a.zz
    with pytest.raises(KeyError, match="zz"):
        _ = cfg["zz"]
    assert not hasattr(cfg, "zz")
    assert getattr(cfg, "zz", "default") == "default"
    assert "zz" not in cfg  # reading did not create it


def test_setting_converts_dicts_and_copies_lists() -> None:
    cfg = ConfigDict()
    cfg.x = dict(y=1)
    cfg["z"] = [dict(y=1)]
    items = [1]
    cfg.w = items
    assert type(cfg.x) is ConfigDict and type(cfg.z[0]) is ConfigDict
    assert cfg.w == items and cfg.w is not items
    inner = ConfigDict(q=1)
    cfg.v = inner
    assert cfg.v is inner  # a ConfigDict is kept as is


def test_writes_through_nested_references() -> None:
    cfg = ConfigDict(a=dict(b=1))
    alias = cfg.a
    alias.c = 3
    assert cfg == {"a": {"b": 1, "c": 3}}


def test_methods_are_not_shadowed_and_cannot_be_set() -> None:
    cfg = ConfigDict(items=1, keys=2)
    assert cfg["items"] == 1 and callable(cfg.items)
    with pytest.raises(AttributeError, match="read-only"):
        cfg.items = 3


def test_get_pop_setdefault_and_delete() -> None:
    cfg = ConfigDict(a=1)
    assert cfg.get("zz") is None and cfg.get("zz", 5) == 5
    assert cfg.pop("zz") is None and cfg.pop("a") == 1
    assert type(cfg.setdefault("d", dict(x=1))) is ConfigDict
    del cfg.d
    assert cfg == {}
    with pytest.raises(KeyError):
        del cfg.missing


def test_update_merges_nested_dicts() -> None:
    cfg = ConfigDict(b=dict(y=2), c=3)
    cfg.update(dict(b=dict(x=1)), c=dict(z=1))
    assert cfg == {"b": {"y": 2, "x": 1}, "c": {"z": 1}}


def test_merge_follows_the_inheritance_rules() -> None:
    cfg = ConfigDict(b=dict(y=2, z=3))
    cfg.merge(dict(b=dict(_delete_=True, x=1)))
    assert cfg == {"b": {"x": 1}}


def test_to_dict_gives_plain_containers() -> None:
    cfg = ConfigDict(a=dict(b=[dict(c=1)]), t=(dict(d=1),))
    plain = cfg.to_dict()
    assert plain == {"a": {"b": [{"c": 1}]}, "t": ({"d": 1},)}
    assert type(plain["a"]) is dict and type(plain["a"]["b"][0]) is dict
    assert type(plain["t"][0]) is dict


def test_repr_is_the_dict_repr() -> None:
    cfg = ConfigDict(a=1, b=dict(c=[dict(e=3)]))
    assert repr(cfg) == str(cfg) == "{'a': 1, 'b': {'c': [{'e': 3}]}}"


def test_copy_is_shallow_and_deepcopy_deep() -> None:
    cfg = ConfigDict(a=dict(b=1))
    assert cfg.copy().a is cfg.a and copy.copy(cfg).a is cfg.a
    deep = copy.deepcopy(cfg)
    assert deep == cfg and deep.a is not cfg.a and type(deep.a) is ConfigDict


def test_pickle_keeps_the_class() -> None:
    cfg = ConfigDict(a=dict(b=[1, dict(c=2)]))
    loaded = pickle.loads(pickle.dumps(cfg))
    assert loaded == cfg and type(loaded.a.b[1]) is ConfigDict


def test_subclasses_convert_to_themselves() -> None:
    class Sub(ConfigDict):
        pass

    sub = Sub(a=dict(b=1))
    assert type(sub.a) is Sub
    assert type(sub.copy()) is Sub and type(copy.deepcopy(sub)) is Sub


def test_equality_with_dicts_not_configs() -> None:
    assert ConfigDict(a=1) == dict(a=1) and dict(a=1) == ConfigDict(a=1)
    assert ConfigDict(a=1) != 1
    assert ConfigDict(a=1) != Config(dict(a=1))
    with pytest.raises(TypeError):
        hash(ConfigDict())


def test_namedtuples_keep_their_type() -> None:
    point = namedtuple("point", "x y")
    cfg = ConfigDict(p=point(dict(a=1), 2))
    assert type(cfg.p) is point and type(cfg.p.x) is ConfigDict


def test_freeze_forbids_new_keys() -> None:
    cfg = ConfigDict(a=1)
    cfg.freeze()
    cfg.a = 2
    with pytest.raises(KeyError):
        cfg.b = 1
    cfg.unfreeze()
    cfg.b = 1
    assert cfg == {"a": 2, "b": 1}


def test_or_operators_and_items_values_lists() -> None:
    cfg = ConfigDict(a=1)
    assert cfg | dict(b=2) == {"a": 1, "b": 2}
    assert dict(b=2) | cfg == {"b": 2, "a": 1}
    assert cfg.items() == [("a", 1)] and cfg.values() == [1]
    assert ConfigDict() + 1 == 1


def test_lazy_values_are_built_when_read() -> None:
    lazy = LazyAttr("OrderedDict", LazyObject("collections"))
    cfg = ConfigDict(a=lazy, b=[lazy])
    from collections import OrderedDict

    assert cfg.a is OrderedDict and cfg["a"] is OrderedDict
    assert cfg.get("a") is OrderedDict and cfg.values()[0] is OrderedDict
    assert cfg.b[0] is lazy  # inside containers they stay lazy
    assert cfg.to_dict() == {
        "a": "collections.OrderedDict",
        "b": ["collections.OrderedDict"],
    }
    assert cfg._to_lazy_dict()["a"] is lazy
