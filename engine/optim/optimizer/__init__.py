"""Optimizers, optimizer wrappers and their builders."""

from engine.optim.optimizer.amp_optimizer_wrapper import AmpOptimWrapper
from engine.optim.optimizer.apex_optimizer_wrapper import ApexOptimWrapper
from engine.optim.optimizer.base import BaseOptimWrapper
from engine.optim.optimizer.builder import (
    OPTIMIZERS,
    TORCH_OPTIMIZERS,
    build_optim_wrapper,
    register_torch_optimizers,
)
from engine.optim.optimizer.default_constructor import DefaultOptimWrapperConstructor
from engine.optim.optimizer.optimizer_wrapper import OptimWrapper
from engine.optim.optimizer.optimizer_wrapper_dict import OptimWrapperDict
from engine.optim.optimizer.zero_optimizer import ZeroRedundancyOptimizer
from engine.registry import OPTIM_WRAPPER_CONSTRUCTORS

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
]
