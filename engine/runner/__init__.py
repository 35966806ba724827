"""The runner: :class:`Runner`, its loops, checkpoint I/O and helpers.

Mirrors ``mmengine.runner``: ``Runner`` builds a job's components from
objects or configs and runs the train/val/test loops
(:mod:`engine.runner.loops`); :mod:`engine.runner.checkpoint` saves and
loads checkpoints (interchangeable with MMEngine's); ``LogProcessor``
formats the training log; ``Priority``/``get_priority`` order hooks.
"""

from engine.runner.amp import autocast
from engine.runner.base_loop import BaseLoop
from engine.runner.checkpoint import (
    CheckpointLoader,
    find_latest_checkpoint,
    get_deprecated_model_names,
    get_external_models,
    get_mmcls_models,
    get_state_dict,
    get_torchvision_models,
    load_checkpoint,
    load_state_dict,
    save_checkpoint,
    weights_to_cpu,
)
from engine.runner.log_processor import LogProcessor
from engine.runner.loops import (
    EpochBasedTrainLoop,
    IterBasedTrainLoop,
    TestLoop,
    ValLoop,
)
from engine.runner.priority import Priority, get_priority
from engine.runner.runner import Runner
from engine.runner.utils import set_random_seed

__all__ = [
    "BaseLoop",
    "load_state_dict",
    "get_torchvision_models",
    "get_external_models",
    "get_mmcls_models",
    "get_deprecated_model_names",
    "CheckpointLoader",
    "load_checkpoint",
    "weights_to_cpu",
    "get_state_dict",
    "save_checkpoint",
    "EpochBasedTrainLoop",
    "IterBasedTrainLoop",
    "ValLoop",
    "TestLoop",
    "Runner",
    "get_priority",
    "Priority",
    "find_latest_checkpoint",
    "autocast",
    "LogProcessor",
    "set_random_seed",
]
