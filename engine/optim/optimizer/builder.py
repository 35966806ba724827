"""Register optimizers into ``OPTIMIZERS``; ``build_optim_wrapper``."""

from __future__ import annotations

import copy
import importlib
import inspect
from typing import Any

import torch
import torch.nn as nn

from engine.registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIMIZERS

__all__ = [
    "OPTIMIZERS",
    "TORCH_OPTIMIZERS",
    "build_optim_wrapper",
    "register_torch_optimizers",
]

#: Registry names that differ from the ``torch.optim`` attribute name:
#: ``Adafactor`` is left to third-party implementations (as in MMEngine).
_RENAMED = {"Adafactor": "TorchAdafactor"}

#: Optional third-party optimizers: module -> names, registered if installed.
_EXTRAS = {
    "dadaptation": ("DAdaptAdaGrad", "DAdaptAdam", "DAdaptSGD"),
    "lion_pytorch": ("Lion",),
}


def register_torch_optimizers() -> list[str]:
    """Register every ``torch.optim.Optimizer`` subclass in ``torch.optim``.

    Each is registered under its name (``torch.optim.Adafactor`` as
    ``'TorchAdafactor'``). A name already taken (by an earlier call, or by
    a user's ``register_module(force=True)``) is left as it is.

    Returns:
        The ``torch.optim`` names of the optimizers found.

    Examples:
        >>> 'SGD' in register_torch_optimizers()
        True
        >>> OPTIMIZERS.get('SGD') is torch.optim.SGD
        True
    """
    names = []
    for name in dir(torch.optim):
        obj = getattr(torch.optim, name)
        if not (inspect.isclass(obj) and issubclass(obj, torch.optim.Optimizer)):
            continue
        names.append(name)
        key = _RENAMED.get(name, name)
        if key not in OPTIMIZERS.module_dict:
            OPTIMIZERS.register_module(name=key, module=obj)
    return names


def register_extra_optimizers() -> list[str]:
    """Register ``dadaptation``'s and ``lion-pytorch``'s optimizers if installed.

    Returns:
        The names registered (none when neither package is installed).

    Examples:
        >>> isinstance(register_extra_optimizers(), list)
        True
    """
    names = []
    for module_name, classes in _EXTRAS.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in classes:
            obj = getattr(module, name, None)
            if obj is not None and name not in OPTIMIZERS.module_dict:
                OPTIMIZERS.register_module(name=name, module=obj)
                names.append(name)
    return names


def build_optim_wrapper(model: nn.Module, cfg: dict | Any) -> Any:
    """Build an optimizer wrapper for ``model`` from ``cfg``.

    ``cfg`` is a wrapper config (``type`` defaults to ``'OptimWrapper'``)
    whose ``constructor`` (default ``'DefaultOptimWrapperConstructor'``,
    looked up in ``OPTIM_WRAPPER_CONSTRUCTORS``) and ``paramwise_cfg`` keys
    are taken out and given to the constructor.

    Args:
        model: The model to optimize.
        cfg: The config.

    Returns:
        The wrapper the constructor returns.

    Examples:
        >>> model = nn.Linear(1, 1)
        >>> wrapper = build_optim_wrapper(
        ...     model, dict(optimizer=dict(type='SGD', lr=0.01)))
        >>> type(wrapper).__name__
        'OptimWrapper'
    """
    try:
        cfg = copy.deepcopy(dict(cfg))
    except (TypeError, ValueError) as e:
        raise TypeError(f"cfg must be a dict or Config, but got {type(cfg)}") from e
    constructor_type = cfg.pop("constructor", "DefaultOptimWrapperConstructor")
    paramwise_cfg = cfg.pop("paramwise_cfg", None)
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type=constructor_type, optim_wrapper_cfg=cfg, paramwise_cfg=paramwise_cfg)
    )
    return constructor(model)


#: Names of the ``torch.optim`` optimizers registered at import.
TORCH_OPTIMIZERS = register_torch_optimizers()
#: Names of the optional third-party optimizers registered at import.
EXTRA_OPTIMIZERS = register_extra_optimizers()
