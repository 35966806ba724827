"""The Config object: construction, access, copying, dumping, diff."""

from __future__ import annotations

import copy
import json
import pickle
import sys
from pathlib import Path

import pytest

from engine.config import Config, ConfigDict


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_construction() -> None:
    assert repr(Config()) == "Config (path: None): {}"
    cfg = Config(dict(a=1, b=dict(c=[1, 2])))
    assert type(cfg._cfg_dict) is ConfigDict and type(cfg.b) is ConfigDict
    assert (cfg.filename, cfg.text, cfg.env_variables) == (None, "", {})
    with pytest.raises(TypeError, match="cfg_dict must be a dict"):
        Config([1])  # type: ignore[arg-type]
    for key in ("filename", "text", "pretty_text", "env_variables"):
        with pytest.raises(KeyError, match=f"{key} is reserved for config file"):
            Config({key: 1})


def test_filename_reads_the_text(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text("a = 1\n")
    cfg = Config(dict(a=1), filename=Path("x.py"))
    assert cfg.filename == "x.py" and cfg.text == "a = 1\n"
    assert repr(cfg) == "Config (path: x.py): {'a': 1}"
    assert Config(dict(a=1), cfg_text="t", filename="nope.py").text == "t"
    with pytest.raises(FileNotFoundError):
        Config(dict(a=1), filename="nope.py")


def test_access_and_mutation() -> None:
    cfg = Config(dict(a=1, b=dict(c=2)))
    cfg.d = dict(e=1)
    cfg["f"] = [dict(g=1)]
    assert type(cfg.d) is ConfigDict and type(cfg.f[0]) is ConfigDict
    assert "a" in cfg and len(cfg) == 4 and list(cfg) == ["a", "b", "d", "f"]
    assert cfg.get("zz", 3) == 3 and list(cfg.keys()) == ["a", "b", "d", "f"]
    with pytest.raises(
        AttributeError, match="'ConfigDict' object has no attribute 'zz'"
    ):
        _ = cfg.zz
    with pytest.raises(KeyError):
        _ = cfg["zz"]
    del cfg.a
    del cfg["d"]
    assert cfg.to_dict() == {"b": {"c": 2}, "f": [{"g": 1}]}
    assert type(cfg.to_dict()["b"]) is dict


def test_copies() -> None:
    cfg = Config(dict(a=1, b=dict(c=[1])))
    shallow = cfg.copy()
    assert type(shallow) is Config and shallow.b is cfg.b
    shallow.q = 1
    assert "q" not in cfg
    assert copy.copy(cfg).b is cfg.b
    deep = copy.deepcopy(cfg)
    assert deep.to_dict() == cfg.to_dict() and deep.b is not cfg.b
    loaded = pickle.loads(pickle.dumps(cfg))
    assert repr(loaded) == repr(cfg)
    assert cfg != Config(dict(a=1, b=dict(c=[1])))  # compared by identity


def test_copies_of_a_file_config_keep_provenance(tmp_path: Path) -> None:
    (tmp_path / "c.py").write_text("a = 1\nb = dict(c=2)\n")
    cfg = Config.fromfile("c.py")
    for other in (cfg.copy(), copy.deepcopy(cfg), pickle.loads(pickle.dumps(cfg))):
        assert str(other.provenance("b.c")) == f"{tmp_path}/c.py:2"


def test_fromstring() -> None:
    assert Config.fromstring("a = 1\nb = dict(c=2)", ".py").to_dict() == {
        "a": 1,
        "b": {"c": 2},
    }
    assert Config.fromstring('{"a": [1]}', ".json").a == [1]
    assert Config.fromstring("a: x", ".yml").a == "x"
    for bad in ("yaml", ".txt"):
        with pytest.raises(OSError, match="Only py/yml/yaml/json"):
            Config.fromstring("a: 1", bad)


def test_dump(tmp_path: Path) -> None:
    cfg = Config(dict(b=dict(y=1, x=(1, 2)), a="s"))
    assert cfg.dump() == cfg.pretty_text
    assert Config.fromstring(cfg.pretty_text, ".py").to_dict() == cfg.to_dict()
    cfg.dump(tmp_path / "out.py")
    assert (tmp_path / "out.py").read_text() == cfg.pretty_text
    cfg.dump("out.json")
    assert json.loads((tmp_path / "out.json").read_text()) == {
        "b": {"y": 1, "x": [1, 2]},
        "a": "s",
    }
    cfg.dump("out.yml")
    assert Config.fromfile("out.yml").to_dict() == cfg.to_dict()
    (tmp_path / "j.json").write_text('{"a": 1}')
    assert Config.fromfile("j.json").dump() == '{"a": 1}'


def test_merge_from_dict() -> None:
    cfg = Config(dict(model=dict(depth=50, stages=[dict(a=1), dict(a=2)])))
    cfg.merge_from_dict(
        {"model.depth": 101, "model.stages.1.a": 3, "new.key": (1,), "model.x": {}}
    )
    assert cfg.to_dict() == {
        "model": {"depth": 101, "stages": [{"a": 1}, {"a": 3}], "x": {}},
        "new": {"key": (1,)},
    }
    with pytest.raises(TypeError, match=r"--cfg-options model\.stages\.0\.a=1"):
        cfg.merge_from_dict({"model.stages.0.a": 1}, allow_list_keys=False)
    with pytest.raises(KeyError, match=r"--cfg-options model\.stages\.5=1: Index 5"):
        cfg.merge_from_dict({"model.stages.5": 1})


def test_diff_text_and_changes() -> None:
    a = Config(dict(a=1, e="x", r=dict(k=1)))
    b = Config(dict(a=2, e="x", n=3))
    diff = Config.diff(a, b)
    # The text is MMEngine's: a unified diff of pretty_text (reference-derived).
    assert str(Config.diff(Config(dict(a=1, e="x")), Config(dict(a=2, e="x")))) == (
        "--- \n\n+++ \n\n@@ -1,3 +1,3 @@\n\n-a = 1\n+a = 2\n e = 'x'\n \n\n"
    )
    assert Config.diff(a, a) == "\n"
    assert diff.changed == ["a", "r.k", "n"]
    assert [c.kind for c in diff.changes] == ["changed", "removed", "added"]
    assert (
        diff.summary().splitlines()[0] == "~ a: 1 -> 2 (Config(dict) -> Config(dict))"
    )


def test_diff_of_files(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("x = 2\n")
    diff = Config.diff("a.py", "b.py")
    assert diff.changes[0].old_source is not None
    assert str(diff.changes[0].new_source) == f"{tmp_path}/b.py:1"


def test_auto_argparser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "c.py").write_text(
        "model = dict(depth=50, name='r', flag=False, sizes=[1, 2])\nlr = 0.1\n"
    )
    monkeypatch.setattr(sys, "argv", ["train.py", "c.py", "--model.depth", "3"])
    parser, cfg = Config.auto_argparser("desc")
    args = parser.parse_args()
    assert cfg.lr == 0.1
    assert vars(args) == {
        "config": "c.py",
        "model.depth": 3,
        "model.name": None,
        "model.flag": False,
        "model.sizes": None,
        "lr": None,
    }
