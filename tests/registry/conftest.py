"""Fixtures of the ``engine.registry`` unit tests."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.registry import root
from engine.registry.registry import Registry
from engine.utils import _reset_manager_instances

MakePackage = Callable[[str, dict[str, str]], None]


@pytest.fixture(autouse=True)
def _registry_logs_to_stdlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Route ``print_log`` to the stdlib ``engine`` logger so caplog sees it.

    ``MMLogger`` does not propagate to stdlib handlers (as in MMEngine);
    ``test_log.py`` checks that the registry really calls ``print_log``.
    """
    import logging

    import engine.logging

    def to_stdlib(
        msg: object, logger: object = None, level: int = logging.INFO
    ) -> None:
        logging.getLogger("engine").log(level, msg)

    monkeypatch.setattr(engine.logging, "print_log", to_stdlib)


@pytest.fixture(autouse=True)
def _clean_global_state() -> Iterator[None]:
    """No default scope, and root registries as the test found them."""
    _reset_manager_instances()
    roots = [r for r in vars(root).values() if isinstance(r, Registry)]
    for registry in roots:
        registry.import_from_location()
    saved = [(r, dict(r.module_dict), dict(r.children)) for r in roots]
    yield
    _reset_manager_instances()
    for registry, modules, children in saved:
        registry.module_dict.clear()
        registry.module_dict.update(modules)
        registry.children.clear()
        registry.children.update(children)


@pytest.fixture
def make_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MakePackage]:
    """Write an importable package ``name`` made of ``{module: source}``."""
    monkeypatch.syspath_prepend(str(tmp_path))
    names: list[str] = []

    def make(name: str, files: dict[str, str]) -> None:
        names.append(name)
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        for module, source in files.items():
            (tmp_path / name / f"{module}.py").write_text(textwrap.dedent(source))

    yield make
    for module in list(sys.modules):
        if module.split(".")[0] in names:
            del sys.modules[module]
