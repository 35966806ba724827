"""Optimizers and their builders."""

from engine.optim.optimizer.builder import (
    OPTIMIZERS,
    TORCH_OPTIMIZERS,
    register_torch_optimizers,
)

__all__ = ["OPTIMIZERS", "TORCH_OPTIMIZERS", "register_torch_optimizers"]
