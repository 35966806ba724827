"""Orchestrate suites over two implementations and report ratios."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITES = {
    p.stem: p
    for p in (ROOT / "benchmarks" / "suites").glob("*.py")
    if not p.stem.startswith("_")
}


def run_worker(python: str, suite: str, impl: str, repeats: int, smoke: bool) -> dict:
    """Run one suite for one implementation in a fresh process."""
    cmd = [python, "-m", "benchmarks.worker", suite, impl, str(repeats)]
    if smoke:
        cmd.append("--smoke")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{suite} on {impl} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def summarize(impl_times: dict, ref_times: dict) -> list[dict]:
    """One row per case: medians and the ratio impl / reference."""
    rows = []
    for case, times in impl_times.items():
        med = statistics.median(times)
        ref = ref_times.get(case)
        ref_med = statistics.median(ref) if ref else None
        ratio = med / ref_med if ref_med else None
        rows.append({"case": case, "impl_s": med, "ref_s": ref_med, "ratio": ratio})
    return rows


def table(suite: str, rows: list[dict], impl: str, ref: str) -> str:
    """A readable table of one suite."""
    head = f"{'case':<28} {impl + ' (ms)':>14} {ref + ' (ms)':>14} {'ratio':>8}"
    lines = [f"## {suite}", head]
    for r in rows:
        ref_ms = f"{r['ref_s'] * 1e3:14.2f}" if r["ref_s"] is not None else f"{'-':>14}"
        ratio = f"{r['ratio']:8.3f}" if r["ratio"] is not None else f"{'-':>8}"
        lines.append(f"{r['case']:<28} {r['impl_s'] * 1e3:14.2f} {ref_ms} {ratio}")
    return "\n".join(lines)


def run_all(args: argparse.Namespace) -> int:
    """Run the chosen suites; write ``results-<time>.json`` and a table."""
    repeats = args.repeats or (1 if args.smoke else 7)
    report: dict = {
        "impl": args.impl,
        "ref": args.ref,
        "repeats": repeats,
        "smoke": args.smoke,
        "suites": {},
    }
    texts = []
    for suite in args.suite or sorted(SUITES):
        print(f"running {suite} ...", file=sys.stderr, flush=True)
        mine = run_worker(args.python, suite, args.impl, repeats, args.smoke)
        ref = run_worker(args.ref_python, suite, args.ref, repeats, args.smoke)
        rows = summarize(mine, ref)
        report["suites"][suite] = rows
        texts.append(table(suite, rows, args.impl, args.ref))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (args.out / f"results-{stamp}.json").write_text(json.dumps(report, indent=2))
    text = "\n\n".join(texts)
    (args.out / f"results-{stamp}.md").write_text(text + "\n")
    print(text)
    return 0
