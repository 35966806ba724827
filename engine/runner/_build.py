"""What the Runner builds from configs: optimizer wrappers, schedulers,
evaluators and loops (each accepts a built object as well)."""

from __future__ import annotations

import copy
import logging
from collections import OrderedDict
from typing import Any

from engine.logging import print_log

__all__ = [
    "build_evaluator",
    "build_optim_wrapper",
    "build_param_schedulers",
    "build_train_loop",
    "build_eval_loop",
    "scale_lr",
]


def build_optim_wrapper(model: Any, optim_wrapper: Any) -> Any:
    """An ``OptimWrapper`` (or ``OptimWrapperDict``) for ``model``.

    Accepts an optimizer, a wrapper, a wrapper config (with ``optimizer``,
    ``type`` or ``constructor``) or a dict of built wrappers (several
    optimizers, e.g. a GAN's generator and discriminator).
    """
    import torch

    from engine.optim import OptimWrapper, OptimWrapperDict
    from engine.optim import build_optim_wrapper as build
    from engine.optim.optimizer.base import BaseOptimWrapper

    if isinstance(optim_wrapper, BaseOptimWrapper):
        return optim_wrapper
    if isinstance(optim_wrapper, torch.optim.Optimizer):
        return OptimWrapper(optim_wrapper)
    if not isinstance(optim_wrapper, dict):
        raise TypeError(
            "optim_wrapper should be an `OptimWrapper`, an optimizer or a dict, "
            f"but got {type(optim_wrapper)}"
        )
    if any(key in optim_wrapper for key in ("optimizer", "type", "constructor")):
        cfg = copy.copy(optim_wrapper)
        if isinstance(cfg.get("optimizer"), torch.optim.Optimizer):
            from engine.registry import OPTIM_WRAPPERS

            cfg.setdefault("type", "OptimWrapper")
            return OPTIM_WRAPPERS.build(cfg)
        return build(model, cfg)
    for name, value in optim_wrapper.items():
        if not isinstance(value, OptimWrapper):
            raise ValueError(
                "each item of a multi-optimizer optim_wrapper must be a built "
                "OptimWrapper when 'optimizer', 'type' and 'constructor' are not "
                f"given (or use a custom constructor), but got {name}={value!r}"
            )
    return OptimWrapperDict(**optim_wrapper)


def _default_end(cfg: dict, train_loop: Any) -> None:
    """``end`` defaults to the train loop's length (epochs or iterations).

    Not for an epoch-based scheduler converted to iterations in an
    iteration-based loop: MMEngine bounds it by the loop's ``max_epochs``
    (1), which stops it after one "epoch"; the docs present the converted
    form as equivalent to the iteration-based one, so it stays unbounded.
    """
    if train_loop is None or "end" in cfg:
        return
    by_epoch = cfg.get("by_epoch", True)
    if by_epoch and cfg.get("convert_to_iter_based", False):
        from engine.runner.loops import IterBasedTrainLoop

        if isinstance(train_loop, IterBasedTrainLoop):
            return
    cfg["end"] = train_loop.max_epochs if by_epoch else train_loop.max_iters
    print_log(
        f"The `end` of {cfg.get('type')} is not set. Use the max "
        "epochs/iters of train loop as default.",
        logger="current",
        level=logging.DEBUG,
    )


def _schedulers(optim_wrapper: Any, scheduler: Any, runner: Any) -> list:
    from engine.optim.scheduler import _ParamScheduler
    from engine.registry import PARAM_SCHEDULERS

    configs = scheduler if isinstance(scheduler, list) else [scheduler]
    built = []
    for cfg in configs:
        if isinstance(cfg, _ParamScheduler):
            built.append(cfg)
            continue
        if not isinstance(cfg, dict):
            raise TypeError(
                f"scheduler should be a _ParamScheduler object or dict, but got {cfg!r}"
            )
        cfg = copy.deepcopy(cfg)
        train_loop = runner._train_loop if _is_loop(runner._train_loop) else None
        _default_end(cfg, train_loop)
        default_args: dict[str, Any] = dict(optimizer=optim_wrapper)
        if cfg.get("convert_to_iter_based", False):
            default_args["epoch_length"] = len(runner.train_dataloader)
        built.append(PARAM_SCHEDULERS.build(cfg, default_args=default_args))
    return built


def _is_loop(obj: Any) -> bool:
    from engine.runner.base_loop import BaseLoop

    return isinstance(obj, BaseLoop)


def build_param_schedulers(runner: Any, scheduler: Any) -> Any:
    """The schedulers of ``runner.optim_wrapper``: a list, or a dict of lists
    (one per wrapper of an ``OptimWrapperDict``)."""
    from engine.optim import OptimWrapperDict

    optim_wrapper = runner.optim_wrapper
    if not isinstance(optim_wrapper, OptimWrapperDict):
        return _schedulers(optim_wrapper, scheduler, runner)
    names = list(optim_wrapper.keys())
    if isinstance(scheduler, dict) and "type" not in scheduler:
        unknown = set(scheduler) - set(names)
        if unknown:
            raise KeyError(
                f"param_scheduler names {sorted(unknown)} are not optimizer "
                f"wrappers of the OptimWrapperDict ({names})"
            )
        return OrderedDict(
            (name, _schedulers(optim_wrapper[name], scheduler[name], runner))
            for name in scheduler
        )
    return OrderedDict(
        (name, _schedulers(optim_wrapper[name], scheduler, runner)) for name in names
    )


def build_evaluator(evaluator: Any) -> Any:
    """An ``Evaluator`` from an evaluator, a metric config or a list of them."""
    from engine.evaluator import Evaluator
    from engine.registry import EVALUATOR

    if isinstance(evaluator, Evaluator):
        return evaluator
    if isinstance(evaluator, dict):
        if "metrics" in evaluator:
            cfg = dict(evaluator)
            cfg.setdefault("type", "Evaluator")
            return EVALUATOR.build(cfg)
        return Evaluator(evaluator)
    if isinstance(evaluator, list):
        return Evaluator(evaluator)
    raise TypeError(
        "evaluator should be one of dict, list of dict, and Evaluator, "
        f"but got {evaluator}"
    )


def build_train_loop(runner: Any, loop: Any) -> Any:
    """The train loop from ``train_cfg`` (``type``, or ``by_epoch``)."""
    from engine.registry import LOOPS
    from engine.runner.loops import EpochBasedTrainLoop, IterBasedTrainLoop

    if _is_loop(loop):
        return loop
    if not isinstance(loop, dict):
        raise TypeError(f"train_cfg should be a dict or a loop, but got {loop!r}")
    cfg = copy.deepcopy(loop)
    dataloader = runner._train_dataloader
    if "type" in cfg:
        return LOOPS.build(cfg, default_args=dict(runner=runner, dataloader=dataloader))
    if "by_epoch" not in cfg:
        raise KeyError(
            "train_cfg needs either 'type' (a loop in LOOPS) or 'by_epoch' "
            f"(True: EpochBasedTrainLoop, False: IterBasedTrainLoop), got {loop}"
        )
    loop_cls = EpochBasedTrainLoop if cfg.pop("by_epoch") else IterBasedTrainLoop
    return loop_cls(runner=runner, dataloader=dataloader, **cfg)


def build_eval_loop(runner: Any, loop: Any, stage: str) -> Any:
    """The val or test loop from ``val_cfg``/``test_cfg``."""
    from engine.registry import LOOPS
    from engine.runner.loops import TestLoop, ValLoop

    if _is_loop(loop):
        return loop
    if not isinstance(loop, dict):
        raise TypeError(f"{stage}_cfg should be a dict or a loop, but got {loop!r}")
    cfg = copy.deepcopy(loop)
    args = dict(
        runner=runner,
        dataloader=getattr(runner, f"_{stage}_dataloader"),
        evaluator=getattr(runner, f"_{stage}_evaluator"),
    )
    if "type" in cfg:
        return LOOPS.build(cfg, default_args=args)
    loop_cls = ValLoop if stage == "val" else TestLoop
    return loop_cls(**args, **cfg)


def scale_lr(runner: Any, optim_wrapper: Any, auto_scale_lr: dict | None) -> None:
    """Scale every lr by (world size x batch size) / ``base_batch_size``."""
    if not auto_scale_lr or not auto_scale_lr.get("enable", False):
        return
    if "base_batch_size" not in auto_scale_lr:
        raise KeyError(
            "auto_scale_lr needs 'base_batch_size' (the batch size the lr was "
            f"tuned for), got {auto_scale_lr}"
        )
    base = auto_scale_lr["base_batch_size"]
    real = runner.world_size * runner.train_dataloader.batch_size
    ratio = float(real) / float(base)
    print_log(
        f"LR is set based on batch size of {base} and the current batch size "
        f"is {real}. Scaling the original LR by {ratio}.",
        logger="current",
    )
    wrappers = (
        optim_wrapper.values() if hasattr(optim_wrapper, "values") else [optim_wrapper]
    )
    for wrapper in wrappers:
        for group in wrapper.optimizer.param_groups:
            group["lr"] = group["lr"] * ratio
