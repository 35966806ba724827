"""Optimization: optimizers, optimizer wrappers and their constructors, and
the parameter schedulers."""

from engine.optim.optimizer import (
    OPTIM_WRAPPER_CONSTRUCTORS,
    OPTIMIZERS,
    TORCH_OPTIMIZERS,
    AmpOptimWrapper,
    ApexOptimWrapper,
    BaseOptimWrapper,
    DefaultOptimWrapperConstructor,
    OptimWrapper,
    OptimWrapperDict,
    ZeroRedundancyOptimizer,
    build_optim_wrapper,
    register_torch_optimizers,
)
from engine.optim.scheduler import *  # noqa: F403
from engine.optim.scheduler import __all__ as _scheduler_all

__all__ = [
    "OPTIMIZERS",
    "OPTIM_WRAPPER_CONSTRUCTORS",
    "TORCH_OPTIMIZERS",
    "AmpOptimWrapper",
    "ApexOptimWrapper",
    "BaseOptimWrapper",
    "DefaultOptimWrapperConstructor",
    "OptimWrapper",
    "OptimWrapperDict",
    "build_optim_wrapper",
    "register_torch_optimizers",
    "ZeroRedundancyOptimizer",
    *_scheduler_all,
]
