"""Model inspection helpers."""

from __future__ import annotations

from typing import Any

import torch.nn as nn

__all__ = ["has_batch_norm", "is_norm"]

_NORMS = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm)


def is_norm(layer: nn.Module, exclude: Any = None) -> bool:
    """Whether ``layer`` is a normalization layer (BN, GN, LN, IN).

    Args:
        layer: The layer.
        exclude: Types (a type or a tuple) not counted as norms.

    Examples:
        >>> import torch.nn as nn
        >>> is_norm(nn.BatchNorm2d(2)), is_norm(nn.Linear(1, 1))
        (True, False)
    """
    if exclude is not None:
        if not isinstance(exclude, tuple):
            exclude = (exclude,)
        if not all(isinstance(t, type) for t in exclude):
            raise TypeError(
                f"exclude must be a type or a tuple of types, got {exclude!r}"
            )
        if isinstance(layer, exclude):
            return False
    return isinstance(layer, (*_NORMS, nn.modules.instancenorm._InstanceNorm))


def has_batch_norm(model: nn.Module) -> bool:
    """Whether ``model`` contains a BatchNorm layer.

    Examples:
        >>> import torch.nn as nn
        >>> has_batch_norm(nn.Sequential(nn.Linear(1, 1), nn.BatchNorm1d(1)))
        True
    """
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
