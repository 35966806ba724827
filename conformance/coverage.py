"""Report which inventory ids the conformance suite covers.

Usage::

    python -m conformance.coverage [--inventory PATH] [--require UTIL,FIO]

Prints, per module prefix (``CFG``, ``FIO``, ...), the ids covered by a
``spec`` mark, the ids waived in :mod:`conformance.waivers` with their reason,
and the ids still missing. With ``--require``, exits 1 if any id of the named
prefixes is neither covered nor waived.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

from conformance.waivers import WAIVERS

ROOT = Path(__file__).resolve().parent
DEFAULT_INVENTORY = ROOT.parent.parent / "shared" / "spec" / "inventory.md"

_ID = re.compile(r"\b([A-Z]+-\d{2})\b")
_INVENTORY_ID = re.compile(r"^\*\*([A-Z]+-\d{2})\*\*", re.MULTILINE)
_SPEC_CALL = re.compile(r"mark\.spec\(([^)]*)\)")


def inventory_ids(path: Path) -> list[str]:
    """Every id the inventory defines (``**CFG-01**`` at a line start)."""
    return sorted(set(_INVENTORY_ID.findall(path.read_text(encoding="utf-8"))))


def covered_ids(root: Path = ROOT) -> dict[str, list[str]]:
    """Map id -> test files whose ``mark.spec(...)`` names it."""
    found: dict[str, list[str]] = defaultdict(list)
    for file in sorted(root.rglob("test_*.py")):
        text = file.read_text(encoding="utf-8")
        for call in _SPEC_CALL.findall(text):
            for ident in _ID.findall(call):
                if str(file.relative_to(root)) not in found[ident]:
                    found[ident].append(str(file.relative_to(root)))
    return dict(found)


def prefix(ident: str) -> str:
    """``'CFG-07'`` -> ``'CFG'``."""
    return ident.split("-", 1)[0]


def report(ids: list[str], covered: dict[str, list[str]]) -> dict[str, dict]:
    """Group ids by prefix into covered / waived / missing."""
    table: dict[str, dict] = {}
    for ident in ids:
        row = table.setdefault(
            prefix(ident), {"covered": [], "waived": [], "missing": []}
        )
        if ident in covered:
            row["covered"].append(ident)
        elif ident in WAIVERS:
            row["waived"].append(ident)
        else:
            row["missing"].append(ident)
    return table


def render(table: dict[str, dict]) -> str:
    """The human-readable report."""
    lines = [f"{'module':<7} {'covered':>8} {'waived':>7} {'missing':>8} {'total':>6}"]
    for name, row in table.items():
        total = sum(len(v) for v in row.values())
        lines.append(
            f"{name:<7} {len(row['covered']):>8} {len(row['waived']):>7} "
            f"{len(row['missing']):>8} {total:>6}"
        )
    for row in table.values():
        for ident in row["waived"]:
            lines.append(f"  waived  {ident}: {WAIVERS[ident]}")
    for name, row in table.items():
        if row["missing"]:
            lines.append(f"  missing {name}: {', '.join(row['missing'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.coverage")
    parser.add_argument("--inventory", type=Path, default=DEFAULT_INVENTORY)
    parser.add_argument("--require", default="", help="comma-separated prefixes")
    args = parser.parse_args(argv)
    ids = inventory_ids(args.inventory)
    covered = covered_ids()
    unknown = sorted(set(covered) - set(ids))
    table = report(ids, covered)
    print(render(table))
    status = 0
    if unknown:
        print(f"ids marked in tests but not in the inventory: {', '.join(unknown)}")
        status = 1
    stale = sorted(set(WAIVERS) & set(covered))
    if stale:
        print(f"ids both waived and covered (drop the waiver): {', '.join(stale)}")
        status = 1
    for name in filter(None, args.require.split(",")):
        missing = table.get(name, {}).get("missing", [])
        if missing:
            print(f"required module {name} has uncovered ids: {', '.join(missing)}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
