"""Optimization: optimizers (torch's, registered in ``OPTIMIZERS``)."""

from engine.optim.optimizer import (
    OPTIMIZERS,
    TORCH_OPTIMIZERS,
    register_torch_optimizers,
)

__all__ = ["OPTIMIZERS", "TORCH_OPTIMIZERS", "register_torch_optimizers"]
