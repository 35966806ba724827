"""Train from a config file: ``python examples/train.py CONFIG [options]``.

The config's ``runner_type`` (default ``Runner``) is built from ``RUNNERS``.
Options override the config: ``--work-dir``, ``--resume``, ``--launcher``
(``none``, ``pytorch`` for ``torchrun``, ``slurm``, ``mpi``) and
``--cfg-options key=value ...``. The folder of this script is on the import
path, so ``custom_imports`` can name the example modules.
"""

from __future__ import annotations

import argparse
import os
import sys

from engine.config import Config, DictAction
from engine.registry import RUNNERS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description="Train a model from a config file")
    parser.add_argument("config", help="the config file")
    parser.add_argument("--work-dir", help="where logs and checkpoints go")
    parser.add_argument(
        "--resume", action="store_true", help="resume from the latest checkpoint"
    )
    parser.add_argument(
        "--launcher", choices=["none", "pytorch", "slurm", "mpi"], default="none"
    )
    parser.add_argument(
        "--cfg-options", nargs="+", action=DictAction, help="key=value overrides"
    )
    parser.add_argument("--local-rank", "--local_rank", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault("LOCAL_RANK", str(args.local_rank))
    return args


def main(argv: list[str] | None = None) -> None:
    """Load the config, apply the options, build the runner and train."""
    args = parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir:
        cfg.work_dir = args.work_dir
    if args.resume:
        cfg.resume = True
    runner = RUNNERS.build(cfg)
    runner.train()


if __name__ == "__main__":
    main()
