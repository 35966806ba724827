"""Register the optimizers of ``torch.optim`` into ``OPTIMIZERS``."""

from __future__ import annotations

import inspect

import torch

from engine.registry import OPTIMIZERS

__all__ = ["OPTIMIZERS", "TORCH_OPTIMIZERS", "register_torch_optimizers"]

#: Registry names that differ from the ``torch.optim`` attribute name:
#: ``Adafactor`` is left to third-party implementations (as in MMEngine).
_RENAMED = {"Adafactor": "TorchAdafactor"}


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


#: Names of the ``torch.optim`` optimizers registered at import.
TORCH_OPTIMIZERS = register_torch_optimizers()
