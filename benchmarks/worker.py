"""Run one suite for one implementation and print its timings as JSON.

Invoked by the orchestrator as
``python -m benchmarks.worker SUITE IMPL REPEATS [--smoke]`` with the
interpreter of that implementation's environment.
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
import time
from pathlib import Path


def measure(case: object, repeats: int) -> list[float]:
    """Time ``case`` ``repeats`` times (see :mod:`benchmarks.suite`)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = case()  # type: ignore[operator]
        elapsed = time.perf_counter() - start
        times.append(float(result) if isinstance(result, float) else elapsed)
    return times


def main(argv: list[str]) -> int:
    suite_name, impl, repeats = argv[0], argv[1], int(argv[2])
    smoke = "--smoke" in argv
    suite = importlib.import_module(f"benchmarks.suites.{suite_name}")
    with tempfile.TemporaryDirectory() as tmp:
        cases = suite.cases(impl, Path(tmp), smoke)
        result = {name: measure(case, repeats) for name, case in cases.items()}
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
