"""Saving, loading and resuming the Runner's state."""

from __future__ import annotations

import logging
import time
from typing import Any

from engine.logging import print_log

__all__ = ["load", "resume", "save"]


def _bare_model(runner: Any) -> Any:
    from engine.model.wrappers.utils import is_model_wrapper

    model = runner.model
    return model.module if is_model_wrapper(model) else model


def _meta(runner: Any, meta: dict | None, by_epoch: bool) -> dict:
    from engine._identity import COMPAT_MMENGINE_VERSION
    from engine.version import __version__

    if meta is not None and not isinstance(meta, dict):
        raise TypeError(f"meta must be a dict or None, but got {type(meta)}")
    meta = dict(meta or {})
    if by_epoch:
        meta.update(epoch=runner.epoch + 1, iter=runner.iter)
    else:
        meta.update(epoch=runner.epoch, iter=runner.iter + 1)
    meta.update(
        cfg=runner.cfg.pretty_text,
        seed=runner.seed,
        experiment_name=runner.experiment_name,
        time=time.strftime("%Y%m%d_%H%M%S", time.localtime()),
        mmengine_version=COMPAT_MMENGINE_VERSION,
        engine_version=__version__,
    )
    dataset: Any = getattr(runner.train_dataloader, "dataset", None)
    if hasattr(dataset, "metainfo"):
        meta["dataset_meta"] = dataset.metainfo
    return meta


def _scheduler_states(schedulers: Any) -> Any:
    if isinstance(schedulers, dict):
        return {
            name: [s.state_dict() for s in group] for name, group in schedulers.items()
        }
    return [s.state_dict() for s in schedulers]


def save(
    runner: Any,
    filepath: str,
    save_optimizer: bool,
    save_param_scheduler: bool,
    meta: dict | None,
    by_epoch: bool,
    backend_args: dict | None,
) -> None:
    """Write the Runner's checkpoint to ``filepath`` (atomically)."""
    from engine.optim.optimizer.base import BaseOptimWrapper
    from engine.runner.checkpoint import get_state_dict, save_checkpoint, weights_to_cpu

    checkpoint: dict[str, Any] = {
        "meta": _meta(runner, meta, by_epoch),
        "state_dict": weights_to_cpu(get_state_dict(_bare_model(runner))),
        "message_hub": runner.message_hub.state_dict(),
    }
    if save_optimizer:
        if not isinstance(runner.optim_wrapper, BaseOptimWrapper):
            raise TypeError(
                "runner.optim_wrapper should be an `OptimWrapper` or "
                f"`OptimWrapperDict` instance, but got {runner.optim_wrapper}"
            )
        checkpoint["optimizer"] = runner.optim_wrapper.state_dict()
    if save_param_scheduler and runner.param_schedulers is None:
        print_log(
            "`save_param_scheduler` is True but `self.param_schedulers` is "
            "None, so skip saving parameter schedulers",
            logger="current",
            level=logging.WARNING,
        )
    elif save_param_scheduler:
        checkpoint["param_schedulers"] = _scheduler_states(runner.param_schedulers)
    runner.call_hook("before_save_checkpoint", checkpoint=checkpoint)
    save_checkpoint(checkpoint, filepath, backend_args=backend_args)


def load(
    runner: Any, filename: str, map_location: Any, strict: bool, revise_keys: list
) -> dict:
    """Load the weights of ``filename`` into the model; return the checkpoint."""
    from engine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model

    checkpoint = _load_checkpoint(filename, map_location=map_location)
    runner.call_hook("after_load_checkpoint", checkpoint=checkpoint)
    checkpoint = _load_checkpoint_to_model(
        _bare_model(runner), checkpoint, strict, revise_keys=revise_keys
    )
    runner._has_loaded = True
    runner.logger.info(f"Load checkpoint from {filename}")
    return checkpoint


def _restore_seed(runner: Any, meta: dict) -> None:
    resumed = meta.get("seed")
    current = runner._randomness_cfg.get("seed")
    if resumed is None or resumed == current:
        return
    if current is not None:
        print_log(
            f'The value of random seed in the checkpoint "{resumed}" is '
            f'different from the value in `randomness` config "{current}"',
            logger="current",
            level=logging.WARNING,
        )
    runner._randomness_cfg.update(seed=resumed)
    runner.set_randomness(**runner._randomness_cfg)


def _check_dataset_meta(runner: Any, meta: dict) -> None:
    from engine.runner.checkpoint import make_weights_only_safe

    # compared as saved (numpy values become lists), so arrays compare too
    dataset = getattr(runner.train_dataloader, "dataset", None)
    resumed = make_weights_only_safe(meta.get("dataset_meta"))
    current = make_weights_only_safe(getattr(dataset, "metainfo", None))
    if resumed != current:
        print_log(
            "The dataset metainfo from the resumed checkpoint is different "
            "from the current training dataset, please check the correctness "
            "of the checkpoint or the training dataset.",
            logger="current",
            level=logging.WARNING,
        )


def _restore_schedulers(runner: Any, states: Any) -> None:
    runner.param_schedulers = runner.build_param_scheduler(runner.param_schedulers)
    if isinstance(runner.param_schedulers, dict):
        for name, group in runner.param_schedulers.items():
            for scheduler, state in zip(group, states[name]):
                scheduler.load_state_dict(state)
    else:
        for scheduler, state in zip(runner.param_schedulers, states):
            scheduler.load_state_dict(state)


def resume(
    runner: Any,
    filename: str,
    resume_optimizer: bool,
    resume_param_scheduler: bool,
    map_location: Any,
) -> None:
    """Restore weights, counters, message hub, optimizer and schedulers."""
    if map_location == "default":
        import torch

        map_location = "cuda" if torch.cuda.is_available() else "cpu"
    checkpoint = runner.load_checkpoint(filename, map_location=map_location)
    meta = checkpoint["meta"]
    runner.train_loop._epoch = meta["epoch"]
    runner.train_loop._iter = meta["iter"]
    _restore_seed(runner, meta)
    _check_dataset_meta(runner, meta)
    runner.message_hub.load_state_dict(checkpoint["message_hub"])
    if resume_optimizer and "optimizer" in checkpoint:
        runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
        runner.optim_wrapper.load_state_dict(checkpoint["optimizer"])
    if resume_param_scheduler and runner.param_schedulers is None:
        print_log(
            "`resume_param_scheduler` is True but `self.param_schedulers` is "
            "None, so skip resuming parameter schedulers",
            logger="current",
            level=logging.WARNING,
        )
    elif resume_param_scheduler and "param_schedulers" in checkpoint:
        _restore_schedulers(runner, checkpoint["param_schedulers"])
    runner._has_loaded = True
    runner.logger.info(f"resumed epoch: {runner.epoch}, iter: {runner.iter}")
