"""Checks of the Runner's arguments."""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["as_config", "check_components"]


def _check_trio(names: tuple[str, str, str], args: dict) -> None:
    values = [args[name] for name in names]
    given = [value is not None for value in values]
    if any(given) and not all(given):
        got = ", ".join(f"{n}={v}" for n, v in zip(names, values))
        raise ValueError(
            f"{names[0]}, {names[1]}, and {names[2]} should be either all None "
            f"or not None, but got {got}."
        )


def check_components(args: dict) -> None:
    """The train, val and test trios are each complete or absent, and a
    scheduler comes with an optimizer."""
    _check_trio(("train_dataloader", "train_cfg", "optim_wrapper"), args)
    if args["param_scheduler"] is not None and args["optim_wrapper"] is None:
        raise ValueError(
            "param_scheduler should be None when optim_wrapper is None, "
            f"but got {args['param_scheduler']}"
        )
    _check_trio(("val_dataloader", "val_cfg", "val_evaluator"), args)
    _check_trio(("test_dataloader", "test_cfg", "test_evaluator"), args)


def as_config(cfg: Any) -> Any:
    """The Runner's ``cfg`` as a ``Config`` (a copy; empty when None)."""
    from engine.config import Config

    if cfg is None:
        return Config(dict())
    if isinstance(cfg, Config):
        return copy.deepcopy(cfg)
    if isinstance(cfg, dict):
        return Config(cfg)
    raise TypeError(f"cfg should be a `Config` or `dict`, but got {type(cfg)}")
