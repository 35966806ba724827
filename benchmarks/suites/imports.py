"""Cold import time of the package and its main modules, and of torch.

Each case starts a fresh interpreter and measures the import inside it, so
interpreter start-up is excluded and nothing is cached in ``sys.modules``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from benchmarks.suite import Case

NAME = "imports"
MODULES = ("", "config", "registry", "fileio", "utils", "runner")
_PROBE = (
    "import time; t = time.perf_counter(); import {mod}; print(time.perf_counter() - t)"
)


def cold_import(module: str) -> Case:
    """A case timing ``import module`` in a new interpreter."""

    def case() -> float:
        out = subprocess.run(
            [sys.executable, "-c", _PROBE.format(mod=module)],
            capture_output=True,
            text=True,
            check=True,
        )
        return float(out.stdout.strip())

    return case


def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]:
    """``import <impl>[.<module>]`` for the modules that exist, and torch."""
    found = {}
    for sub in MODULES:
        name = f"{impl}.{sub}" if sub else impl
        if importlib.util.find_spec(name.split(".")[0]) is None:
            continue
        try:
            if importlib.util.find_spec(name) is None:
                continue
        except ModuleNotFoundError:
            continue
        found[f"import {name.replace(impl, 'pkg', 1)}"] = cold_import(name)
    found["import torch"] = cold_import("torch")
    return found
