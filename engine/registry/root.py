"""The root registries of ``engine``.

Every registry here has the scope :data:`engine._identity.ROOT_SCOPE`; a
downstream package creates children of them (``Registry('model',
parent=MODELS, scope='mmdet')``). Each lists in ``locations`` the ``engine``
modules that register into it; they are imported on the first lookup, so
``import engine.registry`` stays cheap (it does not import torch).

Locations of modules that are not part of this installation are left out
(:func:`_present`), so a lookup never fails on a subpackage that is absent.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.util import find_spec
from typing import Any

from engine._identity import ROOT_SCOPE
from engine.registry.build_functions import (
    build_model_from_cfg,
    build_optimizer_from_cfg,
    build_runner_from_cfg,
    build_scheduler_from_cfg,
)
from engine.registry.registry import Registry

#: Where the modules registering into each root registry live.
LOCATIONS: dict[str, tuple[str, ...]] = {
    "RUNNERS": ("engine.runner",),
    "RUNNER_CONSTRUCTORS": ("engine.runner",),
    "LOOPS": ("engine.runner",),
    "HOOKS": ("engine.hooks",),
    "STRATEGIES": ("engine._strategy",),
    "DATASETS": ("engine.dataset",),
    "DATA_SAMPLERS": ("engine.dataset",),
    "TRANSFORMS": ("engine.dataset",),
    "MODELS": ("engine.model",),
    "MODEL_WRAPPERS": ("engine.model", "engine._strategy"),
    "WEIGHT_INITIALIZERS": ("engine.model",),
    "OPTIMIZERS": ("engine.optim",),
    "OPTIM_WRAPPERS": ("engine.optim", "engine._strategy"),
    "OPTIM_WRAPPER_CONSTRUCTORS": ("engine.optim",),
    "PARAM_SCHEDULERS": ("engine.optim",),
    "METRICS": ("engine.evaluator",),
    "EVALUATOR": ("engine.evaluator",),
    "TASK_UTILS": (),
    "VISUALIZERS": ("engine.visualization",),
    "VISBACKENDS": ("engine.visualization",),
    "LOG_PROCESSORS": ("engine.runner",),
    "INFERENCERS": ("engine.infer",),
    "FUNCTIONS": ("engine.dataset",),
}


def _present(variable: str) -> list[str]:
    """The locations of ``variable`` that exist in this installation."""
    return [name for name in LOCATIONS[variable] if find_spec(name) is not None]


def _root(
    variable: str, name: str, build_func: Callable[..., Any] | None = None
) -> Registry:
    return Registry(name, build_func, scope=ROOT_SCOPE, locations=_present(variable))


# manage Runner
RUNNERS = _root("RUNNERS", "runner", build_func=build_runner_from_cfg)
# manage runner constructors that define how to initialize runners
RUNNER_CONSTRUCTORS = _root("RUNNER_CONSTRUCTORS", "runner constructor")
# manage all kinds of loops like `EpochBasedTrainLoop`
LOOPS = _root("LOOPS", "loop")
# manage all kinds of hooks like `CheckpointHook`
HOOKS = _root("HOOKS", "hook")
# manage all kinds of strategies like `NativeStrategy` and `DDPStrategy`
STRATEGIES = _root("STRATEGIES", "strategy")
# manage data-related modules
DATASETS = _root("DATASETS", "dataset")
DATA_SAMPLERS = _root("DATA_SAMPLERS", "data sampler")
TRANSFORMS = _root("TRANSFORMS", "transform")
# manage all kinds of modules inheriting `nn.Module`
MODELS = _root("MODELS", "model", build_func=build_model_from_cfg)
# manage all kinds of model wrappers like 'MMDistributedDataParallel'
MODEL_WRAPPERS = _root("MODEL_WRAPPERS", "model_wrapper")
# manage all kinds of weight initialization modules like `Uniform`
WEIGHT_INITIALIZERS = _root("WEIGHT_INITIALIZERS", "weight initializer")
# manage all kinds of optimizers like `SGD` and `Adam`
OPTIMIZERS = _root("OPTIMIZERS", "optimizer", build_func=build_optimizer_from_cfg)
# manage optimizer wrappers like `OptimWrapper` and `AmpOptimWrapper`
OPTIM_WRAPPERS = _root("OPTIM_WRAPPERS", "optim_wrapper")
# manage constructors that customize the optimization hyperparameters
OPTIM_WRAPPER_CONSTRUCTORS = _root(
    "OPTIM_WRAPPER_CONSTRUCTORS", "optimizer wrapper constructor"
)
# manage all kinds of parameter schedulers like `MultiStepLR`
PARAM_SCHEDULERS = _root(
    "PARAM_SCHEDULERS", "parameter scheduler", build_func=build_scheduler_from_cfg
)
# manage all kinds of metrics
METRICS = _root("METRICS", "metric")
# manage evaluators
EVALUATOR = _root("EVALUATOR", "evaluator")
# manage task-specific modules like anchor generators and box coders
TASK_UTILS = _root("TASK_UTILS", "task util")
# manage visualizers
VISUALIZERS = _root("VISUALIZERS", "visualizer")
# manage visualizer backends
VISBACKENDS = _root("VISBACKENDS", "vis_backend")
# manage log processors
LOG_PROCESSORS = _root("LOG_PROCESSORS", "log_processor")
# manage inferencers
INFERENCERS = _root("INFERENCERS", "inferencer")
# manage functions, e.g. the `collate_fn` of a DataLoader
FUNCTIONS = _root("FUNCTIONS", "function")
