"""Command line: ``python -m benchmarks run [--impl engine] [--ref mmengine] ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.runner import SUITES, run_all


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run benchmark suites and compare")
    run.add_argument("--impl", default="engine")
    run.add_argument("--ref", default="mmengine", help="reference implementation")
    run.add_argument("--python", default=sys.executable, help="interpreter for --impl")
    run.add_argument(
        "--ref-python", default=sys.executable, help="interpreter for --ref"
    )
    run.add_argument("--suite", action="append", choices=sorted(SUITES))
    run.add_argument("--repeats", type=int, default=None)
    run.add_argument("--smoke", action="store_true", help="smallest sizes, 1 repeat")
    run.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
