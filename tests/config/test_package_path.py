"""``pkg::path`` references to the configs an installed package ships."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.config import Config
from engine.config.package_path import (
    is_package_path,
    resolve_package_config,
    split_package_path,
)


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "site" / "fakedet"
    configs = root / ".mim" / "configs"
    (configs / "sched").mkdir(parents=True)
    (root / "__init__.py").write_text("raise RuntimeError('never imported')\n")
    (configs / "sched" / "s1x.py").write_text(
        "_base_ = '../runtime.py'\n"
        "train_cfg = dict(type='Loop', max_epochs=12)\n"
        "model = dict(a=dict(type='A', _scope_='other', b=dict(type='B')),\n"
        "             c=[dict(type='C', d=(dict(type='D'),))], e=dict(f=1))\n"
    )
    (configs / "runtime.py").write_text("hooks = dict(type='Hook', _scope_=None)\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.chdir(tmp_path)
    yield configs
    sys.modules.pop("fakedet", None)


def test_split_and_check() -> None:
    assert is_package_path("mmdet::a/b.py") and not is_package_path("a/b.py")
    assert split_package_path("mmdet::a/b.py") == ("mmdet", "a/b.py")
    for bad in ("mmdet::", "::a.py", "a.py"):
        with pytest.raises(ValueError, match="is not a package config path"):
            split_package_path(bad)


def test_resolve_without_importing(package: Path) -> None:
    path, scope = resolve_package_config("fakedet::sched/s1x.py")
    assert (path, scope) == (str(package / "sched" / "s1x.py"), "fakedet")
    assert "fakedet" not in sys.modules
    with pytest.raises(FileNotFoundError, match=r"'fakedet::nope\.py'"):
        resolve_package_config("fakedet::nope.py")
    with pytest.raises(ModuleNotFoundError, match="no_such_pkg_q is not installed"):
        resolve_package_config("no_such_pkg_q::a.py")


def test_bases_from_a_package_get_its_scope(package: Path, tmp_path: Path) -> None:
    (tmp_path / "c.py").write_text(
        "_base_ = ['fakedet::sched/s1x.py']\ntrain_cfg = dict(max_epochs=24)\n"
        "own = dict(type='Mine')\n"
    )
    cfg = Config.fromfile("c.py")
    assert cfg.train_cfg == {"type": "Loop", "max_epochs": 24, "_scope_": "fakedet"}
    assert cfg.model == {
        "a": {"type": "A", "_scope_": "other", "b": {"type": "B"}},
        "c": [{"type": "C", "d": ({"type": "D"},), "_scope_": "fakedet"}],
        "e": {"f": 1},
    }
    assert cfg.hooks == {"type": "Hook", "_scope_": "fakedet"}  # relative base too
    assert cfg.own == {"type": "Mine"}
