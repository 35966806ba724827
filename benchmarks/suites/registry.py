"""Registry: ``build`` of many small objects from config dicts."""

from __future__ import annotations

import importlib
from pathlib import Path

from benchmarks.suite import Case

NAME = "registry"


class Point:
    """A small object to build."""

    def __init__(self, x: int, y: int = 0) -> None:
        self.x, self.y = x, y


def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]:
    """Build 10,000 (smoke: 100) objects through a fresh registry."""
    registry_cls = importlib.import_module(f"{impl}.registry").Registry
    registry = registry_cls("bench_points")
    registry.register_module(module=Point)
    count = 100 if smoke else 10_000
    cfgs = [{"type": "Point", "x": i, "y": 1} for i in range(count)]

    def build() -> None:
        for cfg in cfgs:
            registry.build(dict(cfg))

    return {f"build x{count}": build}
