"""Config: ``fromfile`` on an MMDetection-style 3-level ``_base_`` chain,
``pretty_text`` and ``dump``.

The configs are written at run time by :mod:`benchmarks.data.mmdet_style`:
four bases (model, dataset, schedule, runtime), a child that inherits them
all and a grandchild overriding a few keys (~200 lines in all).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from benchmarks.data.mmdet_style import write_config_tree
from benchmarks.suite import Case

NAME = "config"


def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]:
    """The config cases for ``impl``."""
    config_cls = importlib.import_module(f"{impl}.config").Config
    leaf = write_config_tree(workdir)
    cfg = config_cls.fromfile(str(leaf))
    out = workdir / "dumped.py"

    def fromfile() -> None:
        config_cls.fromfile(str(leaf))

    def pretty_text() -> None:
        _ = cfg.pretty_text

    def dump() -> None:
        cfg.dump(str(out))

    return {
        "fromfile (3-level chain)": fromfile,
        "pretty_text": pretty_text,
        "dump .py": dump,
    }
