"""traverse_registry_tree and count_registered_modules."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from pathlib import Path

from engine.registry import (
    FUNCTIONS,
    MODELS,
    Registry,
    count_registered_modules,
    traverse_registry_tree,
)


def test_traverse_walks_the_whole_tree_depth_first(caplog) -> None:
    top = Registry("m", scope="top")
    a = Registry("m", parent=top, scope="a")
    Registry("m", parent=a, scope="a1")
    b = Registry("m", parent=top, scope="b")
    top.register_module(module=OrderedDict)
    top.register_module(module=json.dumps)
    b.register_module(module=Path)
    with caplog.at_level("INFO", logger="engine"):
        result = traverse_registry_tree(b)
    assert result == [
        {"num_modules": 2, "scope": "top", "": ["OrderedDict", "dumps"]},
        {"num_modules": 0, "scope": "a"},
        {"num_modules": 0, "scope": "a1"},
        {"num_modules": 1, "scope": "b", "": ["Path"]},
    ]
    assert "Find 2 modules in top's 'm' registry " in caplog.messages
    assert traverse_registry_tree(b, verbose=False) == result


def test_traverse_groups_by_package_path() -> None:
    registry = Registry("m", scope="s")
    registry.register_module(module=Registry)
    registry.register_module(module=FUNCTIONS.get("pseudo_collate"))
    assert traverse_registry_tree(registry, verbose=False)[0] == {
        "num_modules": 2,
        "scope": "s",
        "engine/registry": ["Registry"],
        "engine/dataset": ["pseudo_collate"],
    }


def test_count_registered_modules(tmp_path: Path) -> None:
    Registry("model", parent=MODELS, scope="counted")
    result = count_registered_modules(save_path=str(tmp_path), verbose=False)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", result["scan_date"])
    registries = result["registries"]
    assert list(registries) == sorted(registries) and len(registries) == 23
    assert registries["FUNCTIONS"][0]["engine/dataset"] == [
        "pseudo_collate",
        "default_collate",
    ]
    assert [info["scope"] for info in registries["MODELS"]] == ["engine", "counted"]
    assert "SGD" in registries["OPTIMIZERS"][0]["torch/optim"]
    saved = json.loads((tmp_path / "modules_statistic_results.json").read_text())
    assert saved == result


def test_count_logs_when_verbose(caplog) -> None:
    with caplog.at_level("INFO", logger="engine"):
        count_registered_modules()
    assert any(m.startswith("Finish registry analysis") for m in caplog.messages)
