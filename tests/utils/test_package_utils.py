"""engine.utils.package_utils: installed packages and commands."""

import importlib.metadata
import json
import os.path as osp
import subprocess
import sys

import pytest
import yaml

from engine.utils import package_utils
from engine.utils.package_utils import (
    call_command,
    get_installed_path,
    install_package,
    is_installed,
)


@pytest.mark.parametrize("name", ["json", "yaml", "PyYAML", "pyyaml", "numpy"])
def test_is_installed_by_module_or_distribution_name(name: str) -> None:
    assert is_installed(name)


@pytest.mark.parametrize("name", ["no_such_pkg_zz", "json.no_such_sub"])
def test_is_installed_false(name: str) -> None:
    assert not is_installed(name)


def test_get_installed_path_of_modules() -> None:
    assert get_installed_path("json") == osp.dirname(json.__file__)
    assert get_installed_path("yaml") == osp.dirname(yaml.__file__)


def test_get_installed_path_of_a_distribution_whose_module_differs() -> None:
    # PyYAML installs the modules `_yaml` and `yaml`: the first, sorted, wins.
    path = get_installed_path("PyYAML")
    assert osp.basename(path) == "_yaml"
    assert osp.dirname(path) == osp.dirname(osp.dirname(yaml.__file__))


def test_get_installed_path_missing() -> None:
    with pytest.raises(importlib.metadata.PackageNotFoundError, match="no_such_pkg"):
        get_installed_path("no_such_pkg_zz")


def test_call_command() -> None:
    call_command([sys.executable, "-c", "pass"])
    with pytest.raises(subprocess.CalledProcessError):
        call_command([sys.executable, "-c", "raise SystemExit(3)"])


def test_install_package_only_when_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(package_utils, "call_command", calls.append)
    install_package("json")
    assert calls == []
    install_package("no_such_pkg_zz")
    assert calls == [[sys.executable, "-m", "pip", "install", "no_such_pkg_zz"]]
