"""Registries: build objects from config dicts by name, across packages.

See :mod:`engine.registry.registry` for the lookup rules,
:mod:`engine.registry.build_functions` for how a cfg is built, and
:mod:`engine.registry.root` for the root registries. ``DATA_TRANSFORMS`` is
an alias of ``TRANSFORMS`` (the docs use both names).
"""

from engine.registry.build_functions import (
    build_from_cfg,
    build_model_from_cfg,
    build_runner_from_cfg,
    build_scheduler_from_cfg,
)
from engine.registry.default_scope import DefaultScope
from engine.registry.registry import Registry
from engine.registry.root import (
    DATA_SAMPLERS,
    DATASETS,
    EVALUATOR,
    FUNCTIONS,
    HOOKS,
    INFERENCERS,
    LOG_PROCESSORS,
    LOOPS,
    METRICS,
    MODEL_WRAPPERS,
    MODELS,
    OPTIM_WRAPPER_CONSTRUCTORS,
    OPTIM_WRAPPERS,
    OPTIMIZERS,
    PARAM_SCHEDULERS,
    RUNNER_CONSTRUCTORS,
    RUNNERS,
    STRATEGIES,
    TASK_UTILS,
    TRANSFORMS,
    VISBACKENDS,
    VISUALIZERS,
    WEIGHT_INITIALIZERS,
)
from engine.registry.utils import (
    count_registered_modules,
    init_default_scope,
    traverse_registry_tree,
)

#: Alias of :data:`TRANSFORMS`, the name the data-pipeline docs use.
DATA_TRANSFORMS = TRANSFORMS

__all__ = [
    "DATASETS",
    "DATA_SAMPLERS",
    "DATA_TRANSFORMS",
    "EVALUATOR",
    "FUNCTIONS",
    "HOOKS",
    "INFERENCERS",
    "LOG_PROCESSORS",
    "LOOPS",
    "METRICS",
    "MODELS",
    "MODEL_WRAPPERS",
    "OPTIMIZERS",
    "OPTIM_WRAPPERS",
    "OPTIM_WRAPPER_CONSTRUCTORS",
    "PARAM_SCHEDULERS",
    "RUNNERS",
    "RUNNER_CONSTRUCTORS",
    "STRATEGIES",
    "TASK_UTILS",
    "TRANSFORMS",
    "VISBACKENDS",
    "VISUALIZERS",
    "WEIGHT_INITIALIZERS",
    "DefaultScope",
    "Registry",
    "build_from_cfg",
    "build_model_from_cfg",
    "build_runner_from_cfg",
    "build_scheduler_from_cfg",
    "count_registered_modules",
    "init_default_scope",
    "traverse_registry_tree",
]
