"""The Runner's environment: processes, seeds, timestamp and the banner."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

__all__ = ["env_banner", "setup_env", "shared_timestamp"]


def setup_env(env_cfg: dict, launcher: str, distributed: bool) -> None:
    """cuDNN benchmark, worker start method, and the process group.

    Args:
        env_cfg: ``cudnn_benchmark``, ``mp_cfg`` (arguments of
            :func:`~engine.utils.dl_utils.set_multi_processing`) and
            ``dist_cfg`` (arguments of :func:`engine.dist.init_dist`).
        launcher: ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
        distributed: Whether the job is distributed.
    """
    import torch

    from engine.dist import init_dist, is_distributed
    from engine.utils.dl_utils import set_multi_processing

    if env_cfg.get("cudnn_benchmark"):
        torch.backends.cudnn.benchmark = True
    set_multi_processing(**env_cfg.get("mp_cfg", {}), distributed=distributed)
    if distributed and not is_distributed():
        init_dist(launcher, **env_cfg.get("dist_cfg", {}))


def shared_timestamp() -> str:
    """``YYYYmmdd_HHMMSS`` of rank 0's clock, the same on every rank."""
    from engine.dist import broadcast_object_list, is_distributed

    stamp = [time.time()]
    if is_distributed():
        broadcast_object_list(stamp)
    return time.strftime("%Y%m%d_%H%M%S", time.localtime(stamp[0]))


def env_banner(runner: Any, env_cfg: dict) -> str:
    """The system and runtime environment logged when the Runner starts."""
    from engine.utils.dl_utils import collect_env

    system = collect_env()
    runtime: dict[str, Any] = OrderedDict(env_cfg)
    runtime.update(runner._randomness_cfg)
    runtime["seed"] = runner.seed
    runtime["Distributed launcher"] = runner.launcher
    runtime["Distributed training"] = runner.distributed
    runtime["GPU number"] = runner.world_size
    dash = "-" * 60
    return (
        "\n"
        + dash
        + "\nSystem environment:"
        + _lines(system)
        + "\n\nRuntime environment:"
        + _lines(runtime)
        + "\n"
        + dash
        + "\n"
    )


def _lines(items: dict[str, Any]) -> str:
    return "\n    " + "\n    ".join(f"{key}: {value}" for key, value in items.items())
