"""Curves from ``scalars.json`` files as PNG images (beyond MMEngine).

:class:`~engine.visualization.LocalVisBackend` writes a run's scalars as one
JSON object per line (``{"loss": 0.52, "lr": 0.01, ..., "step": 100}``).
:func:`plot_scalars` draws one PNG per scalar key, with the curve of every
given run overlaid and labelled, on matplotlib's Agg canvas (no display, no
pyplot state). Training lines are indexed by iteration and validation lines
by epoch, as the logger writes them; each curve uses the lines that carry its
key.

Command line::

    python -m engine.visualization.plot OUT_DIR RUN1/vis_data/scalars.json \\
        RUN2/vis_data/scalars.json --keys loss lr

Examples:
    >>> import json, os, tempfile
    >>> run = tempfile.mkdtemp()
    >>> with open(os.path.join(run, 'scalars.json'), 'w') as f:
    ...     for step in range(1, 4):
    ...         print(json.dumps({'loss': 1 / step, 'step': step}), file=f)
    >>> paths = plot_scalars([os.path.join(run, 'scalars.json')], run)
    >>> [os.path.basename(p) for p in paths]
    ['loss.png']
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeGuard, Union

__all__ = ["load_scalars", "plot_scalars", "run_label", "scalar_keys"]

PathLike = Union[str, "os.PathLike[str]"]

#: Keys that index the lines or describe timing, not plotted by default.
NOT_PLOTTED = frozenset({"step", "iter", "epoch", "time", "data_time", "memory", "eta"})


def load_scalars(path: PathLike) -> list[dict[str, Any]]:
    """Read a ``scalars.json`` file: one JSON object per line.

    Blank lines are skipped.

    Args:
        path: The file.

    Returns:
        The records, in file order.

    Raises:
        ValueError: A line is not a JSON object; the message names the file
            and the line number.

    Examples:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        ...     _ = f.write('{"loss": 1.0, "step": 1}\\n\\n{"loss": 0.5, "step": 2}\\n')
        >>> load_scalars(f.name)
        [{'loss': 1.0, 'step': 1}, {'loss': 0.5, 'step': 2}]
    """
    records = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{number}: not a JSON line: {e}") from e
            if not isinstance(record, dict):
                raise ValueError(
                    f"{path}:{number}: expected a JSON object, got {line!r}"
                )
            records.append(record)
    return records


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def scalar_keys(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Numeric keys of ``records`` worth plotting, in first-seen order.

    Leaves out :data:`NOT_PLOTTED` (``step``, ``iter``, ``epoch``, timings).

    Examples:
        >>> scalar_keys([{'loss': 1.0, 'lr': 0.1, 'step': 1}, {'acc': 0.5, 'step': 1}])
        ['loss', 'lr', 'acc']
    """
    keys: dict[str, None] = {}
    for record in records:
        for key, value in record.items():
            if key not in NOT_PLOTTED and _is_number(value):
                keys.setdefault(key, None)
    return list(keys)


def run_label(path: PathLike) -> str:
    """A short label for the run of a ``scalars.json``.

    ``work_dirs/exp/20240101_000000/vis_data/scalars.json`` gives
    ``exp/20240101_000000``; a file elsewhere gives its folder's name.

    Examples:
        >>> run_label('work_dirs/exp/20240101_000000/vis_data/scalars.json')
        'exp/20240101_000000'
        >>> run_label('runs/baseline/scalars.json')
        'baseline'
    """
    folder = Path(path).parent
    if folder.name == "vis_data":
        run = folder.parent
        return f"{run.parent.name}/{run.name}" if run.parent.name else run.name
    return folder.name or str(path)


def _curve(
    records: Sequence[Mapping[str, Any]], key: str, x_key: str
) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for index, record in enumerate(records):
        value = record.get(key)
        if _is_number(value):
            x = record.get(x_key)
            xs.append(float(x) if _is_number(x) else float(index))
            ys.append(float(value))
    return xs, ys


def _file_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", key).strip("_") or "scalar"


def _as_runs(
    scalar_files: PathLike | Sequence[PathLike] | Mapping[str, PathLike],
) -> dict[str, list[dict[str, Any]]]:
    """``label -> records`` for every run (labels made unique)."""
    if isinstance(scalar_files, Mapping):
        pairs = [(str(label), path) for label, path in scalar_files.items()]
    else:
        files = (
            [scalar_files]
            if isinstance(scalar_files, (str, os.PathLike))
            else scalar_files
        )
        pairs = [(run_label(path), path) for path in files]
    runs: dict[str, list[dict[str, Any]]] = {}
    for label, path in pairs:
        unique, count = label, 1
        while unique in runs:
            count += 1
            unique = f"{label} ({count})"
        runs[unique] = load_scalars(path)
    return runs


def plot_scalars(
    scalar_files: PathLike | Sequence[PathLike] | Mapping[str, PathLike],
    out_dir: PathLike,
    keys: Sequence[str] | None = None,
    x_key: str = "step",
    dpi: int = 100,
    figsize: tuple[float, float] = (6.4, 4.0),
) -> list[Path]:
    """Write ``<out_dir>/<key>.png`` for every key, all runs overlaid.

    Args:
        scalar_files: One ``scalars.json``, several, or a mapping from label
            to file. Runs are labelled with :func:`run_label` by default.
        out_dir: The folder for the PNG files (created if missing).
        keys: The keys to plot. Defaults to None: every numeric key of any
            run (:func:`scalar_keys`).
        x_key: The key of the x axis; a line without it uses its index.
            Defaults to ``'step'``.
        dpi: Resolution of the images. Defaults to 100.
        figsize: Size of each figure in inches. Defaults to ``(6.4, 4.0)``.

    Returns:
        The written files, in key order. A key that no run has is skipped.

    Raises:
        ImportError: matplotlib is missing.
        ValueError: A file has a malformed line.
    """
    from engine.visualization._canvas import require_matplotlib

    require_matplotlib()
    runs = _as_runs(scalar_files)
    if keys is None:
        keys = scalar_keys([record for records in runs.values() for record in records])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for key in keys:
        curves = {label: _curve(records, key, x_key) for label, records in runs.items()}
        curves = {label: xy for label, xy in curves.items() if xy[0]}
        if curves:
            path = out / f"{_file_name(key)}.png"
            _draw(curves, key, x_key, path, dpi, figsize)
            written.append(path)
    return written


def _draw(
    curves: Mapping[str, tuple[list[float], list[float]]],
    key: str,
    x_key: str,
    path: Path,
    dpi: int,
    figsize: tuple[float, float],
) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for label, (xs, ys) in curves.items():
        ax.plot(xs, ys, label=label, marker="." if len(xs) < 30 else None)
    ax.set_title(key)
    ax.set_xlabel(x_key)
    ax.set_ylabel(key)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    canvas.print_png(str(path))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry: ``python -m engine.visualization.plot``."""
    parser = argparse.ArgumentParser(
        prog="python -m engine.visualization.plot",
        description="Plot scalars.json files of runs as PNG curves.",
    )
    parser.add_argument("out_dir", help="folder for the PNG files")
    parser.add_argument("files", nargs="+", help="scalars.json files (one per run)")
    parser.add_argument("--keys", nargs="+", default=None, help="keys to plot")
    parser.add_argument("--x-key", default="step", help="key of the x axis")
    args = parser.parse_args(argv)
    for path in plot_scalars(args.files, args.out_dir, args.keys, args.x_key):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
