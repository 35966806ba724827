"""``is_model_wrapper``: is a module a registered model wrapper?"""

from __future__ import annotations

import torch.nn as nn

from engine.registry import MODEL_WRAPPERS, Registry

__all__ = ["is_model_wrapper"]


def is_model_wrapper(model: nn.Module, registry: Registry = MODEL_WRAPPERS) -> bool:
    """Whether ``model`` is an instance of a class registered as a wrapper.

    The classes of ``registry`` and of all its descendants (the registries
    of downstream scopes) count, so a wrapper registered in a child of
    ``MODEL_WRAPPERS`` is recognised too.

    Args:
        model: The module to check.
        registry: The registry whose classes are wrappers. Defaults to
            ``MODEL_WRAPPERS``.

    Returns:
        True if ``model`` is a registered wrapper (``DistributedDataParallel``,
        ``DataParallel``, ``MMDistributedDataParallel``, ...).

    Examples:
        >>> import torch.nn as nn
        >>> is_model_wrapper(nn.Linear(1, 1))
        False
        >>> is_model_wrapper(nn.DataParallel(nn.Linear(1, 1)))
        True
    """
    wrappers = tuple(
        obj for obj in registry.module_dict.values() if isinstance(obj, type)
    )
    if wrappers and isinstance(model, wrappers):
        return True
    return any(is_model_wrapper(model, child) for child in registry.children.values())
