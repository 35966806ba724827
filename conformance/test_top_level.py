"""The top-level names the doc imports with ``from mmengine import ...``."""

from __future__ import annotations

import importlib

import pytest

from conformance.harness import Impl


def _from_top(impl: Impl, *names: str) -> list[object]:
    """Resolve ``from <impl> import name`` (a submodule if not an attribute)."""
    root = impl.root
    found = []
    for name in names:
        if hasattr(root, name):
            found.append(getattr(root, name))
        else:
            found.append(importlib.import_module(f"{impl.name}.{name}"))
    return found


@pytest.mark.spec("REG-07")
def test_registry_and_models_from_the_top_level(impl: Impl) -> None:
    registry, models = _from_top(impl, "Registry", "MODELS")
    assert registry is impl.attr("registry.Registry")
    assert models is impl.attr("registry.MODELS")


@pytest.mark.spec("CFG-03")
def test_config_and_optim_from_the_top_level(impl: Impl) -> None:
    config, optim = _from_top(impl, "Config", "optim")
    assert config is impl.attr("config.Config")
    assert optim is impl.mod("optim")


@pytest.mark.spec("FIO-01", "FIO-03", "FIO-05", "FIO-06")
@pytest.mark.parametrize(
    "name",
    [
        "load",
        "dump",
        "register_handler",
        "BaseFileHandler",
        "list_from_file",
        "dict_from_file",
    ],
)
def test_fileio_names_from_the_top_level(impl: Impl, name: str) -> None:
    (obj,) = _from_top(impl, name)
    assert obj is impl.attr(f"fileio.{name}")


@pytest.mark.spec("LOG-16")
def test_message_hub_from_the_top_level(impl: Impl) -> None:
    (hub,) = _from_top(impl, "MessageHub")
    assert hub is impl.attr("logging.MessageHub")
