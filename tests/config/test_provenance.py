"""Where each config value was set."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engine.config import Config
from engine.config.provenance import ProvenanceMap, ValueSource


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    sources = {
        "base.py": """\
            model = dict(
                type='ResNet',
                depth=50,
                norm=dict(type='BN'))
            pipeline = [
                dict(type='Load'),
                dict(type='Resize', scale=(1, 2)),
            ]
            root = '{{$PROV_ROOT:/data/}}'
            """,
        "mid.json": (
            '{\n  "_base_": "base.py",\n  "model": {"depth": 101},\n  "j": 1\n}'
        ),
        "child.py": """\
            _base_ = ['mid.json']
            lr = 0.1
            model = dict(norm=dict(_delete_=True, type='GN'))
            model['extra'] = lr
            optimizer = dict(lr=lr)
            alias = _base_.model
            _base_.pipeline[0].type = 'LoadImage'
            """,
        "c.yaml": "a: 1\nb:\n  c: [1, 2]\n",
    }
    for name, text in sources.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    return tmp_path


def where(cfg: Config, key: str) -> str:
    return str(cfg.provenance(key))


def test_values_through_the_base_chain(files: Path) -> None:
    cfg = Config.fromfile("child.py")
    base, mid, child = (str(files / n) for n in ("base.py", "mid.json", "child.py"))
    assert where(cfg, "model.type") == f"{base}:2"
    assert where(cfg, "model.depth") == f"{mid}:3"
    assert where(cfg, "model.norm") == f"{child}:3"
    assert where(cfg, "model.norm.type") == f"{child}:3"
    assert where(cfg, "model.extra") == f"{child}:2"  # copied from `lr`
    assert where(cfg, "optimizer.lr") == f"{child}:2"
    assert where(cfg, "pipeline.1.scale") == f"{base}:7"
    assert where(cfg, "pipeline.1.scale.0") == f"{base}:7"
    assert where(cfg, "alias.depth") == f"{mid}:3"
    assert where(cfg, "j") == f"{mid}:4"


def test_assignment_through_base_variable(files: Path) -> None:
    cfg = Config.fromfile("child.py")
    assert cfg.pipeline[0].type == "LoadImage"
    assert where(cfg, "pipeline.0.type") == f"{files}/child.py:7"


def test_environment_variable_source(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Config.fromfile("base.py").provenance("root").kind == "file"
    monkeypatch.setenv("PROV_ROOT", "/mnt/")
    source = Config.fromfile("base.py").provenance("root")
    assert source == ValueSource("env", str(files / "base.py"), 9, "PROV_ROOT")
    assert str(source) == f"{files}/base.py:9 (environment variable PROV_ROOT)"


def test_cfg_options_and_later_changes(files: Path) -> None:
    cfg = Config.fromfile("child.py")
    cfg.merge_from_dict({"model.depth": 18, "model.new": dict(a=1)})
    assert where(cfg, "model.depth") == "--cfg-options model.depth=18"
    assert where(cfg, "model.new.a") == "--cfg-options model.new={'a': 1}"
    cfg.model.type = "MobileNet"
    cfg.added = 1
    changed = cfg.provenance("model.type")
    assert changed.kind == "code" and changed.line == 2
    assert str(changed) == f"set after loading (was {files}/base.py:2)"
    assert cfg.provenance("added") == ValueSource("code")
    assert cfg.provenance("model.depth").kind == "cfg-options"


def test_yaml_lines(files: Path) -> None:
    cfg = Config.fromfile("c.yaml")
    assert where(cfg, "b.c.1") == f"{files}/c.yaml:3"


def test_config_from_a_dict_and_missing_keys() -> None:
    cfg = Config(dict(a=dict(b=1)))
    assert cfg.provenance("a.b") == ValueSource("dict")
    with pytest.raises(KeyError, match="no key 'a.c'"):
        cfg.provenance("a.c")


def test_provenances_lists_every_leaf(files: Path) -> None:
    cfg = Config.fromfile("c.yaml")
    assert {k: str(v) for k, v in cfg.provenances().items()} == {
        "a": f"{files}/c.yaml:1",
        "b.c": f"{files}/c.yaml:3",
    }


def test_map_operations() -> None:
    prov = ProvenanceMap()
    prov.set(("m",), ValueSource("file", "a.py", 1))
    prov.set(("m", "d"), ValueSource("file", "a.py", 2))
    other = ProvenanceMap({("x", "y"): ValueSource("file", "b.py", 5)})
    prov.graft(("m", "d"), other, ("x", "y", "z"))  # nearest ancestor stands in
    assert prov.get(("m", "d")) == ValueSource("file", "b.py", 5)
    prov.set(("m",), ValueSource("file", "c.py", 9))  # forgets what was below
    assert list(prov) == [("m",)]
    assert prov.lookup(("m", "d", "e")) == ValueSource("file", "c.py", 9)
    prov.clear(("m",))
    assert len(prov) == 0 and prov.lookup(("m",)) is None
