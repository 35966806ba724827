"""Bookkeeping of which initialiser last changed each parameter.

While a top-level :meth:`BaseModule.init_weights` runs, every submodule
shares one ``_params_init_info`` mapping: parameter -> ``{'init_info': str,
'tmp_mean_value': Tensor}``. After an initialiser or a user-defined
``init_weights`` runs, :func:`update_init_info` compares each parameter's mean
with the recorded one and, where it changed, records the new description.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import torch.nn as nn

#: Name of the attribute that holds the shared mapping.
INFO_ATTR = "_params_init_info"


def _mean(param: nn.Parameter) -> Any:
    return param.data.mean().cpu()


def update_init_info(module: nn.Module, init_info: str) -> None:
    """Record ``init_info`` for the parameters of ``module`` that changed.

    A parameter changed when its mean differs from the one recorded the last
    time its information was updated.

    Args:
        module: A module being initialised by a top-level ``init_weights``.
        init_info: Description of what initialised the parameters.

    Raises:
        AssertionError: if ``module`` is not being initialised, or has a
            parameter that was added or replaced during the initialisation.

    Examples:
        >>> import torch.nn as nn
        >>> from collections import defaultdict
        >>> layer = nn.Linear(1, 1)
        >>> layer._params_init_info = defaultdict(dict)
        >>> for p in layer.parameters():
        ...     layer._params_init_info[p] = dict(init_info='', tmp_mean_value=0)
        >>> _ = nn.init.constant_(layer.weight, 3.0)
        >>> update_init_info(layer, 'set to 3')
        >>> layer._params_init_info[layer.weight]['init_info']
        'set to 3'
    """
    infos = getattr(module, INFO_ATTR, None)
    if infos is None:
        raise AssertionError(f"Can not find `{INFO_ATTR}` in {module}")
    for name, param in module.named_parameters():
        if param not in infos:
            raise AssertionError(
                f"Find a new :obj:`Parameter` named `{name}` during executing the "
                f"`init_weights` of `{type(module).__name__}`. Please do not add or "
                "replace parameters during executing the `init_weights`. "
            )
        mean = _mean(param)
        if infos[param]["tmp_mean_value"] != mean:
            infos[param]["init_info"] = init_info
            infos[param]["tmp_mean_value"] = mean


def attach_init_info(module: nn.Module) -> None:
    """Give ``module`` and all its submodules one fresh shared mapping."""
    infos: defaultdict[nn.Parameter, dict[str, Any]] = defaultdict(dict)
    unchanged = (
        "The value is the same before and after calling `init_weights` "
        f"of {type(module).__name__} "
    )
    for param in module.parameters():
        infos[param]["init_info"] = unchanged
        infos[param]["tmp_mean_value"] = _mean(param)
    for sub in module.modules():
        setattr(sub, INFO_ATTR, infos)


def detach_init_info(module: nn.Module) -> None:
    """Remove the mapping from ``module`` and its submodules."""
    for sub in module.modules():
        if INFO_ATTR in sub.__dict__:
            delattr(sub, INFO_ATTR)


def format_init_info(module: nn.Module) -> list[str]:
    """One text block per parameter, as the init log shows it."""
    infos = getattr(module, INFO_ATTR)
    return [
        f"\n{name} - {param.shape}: \n{infos[param]['init_info']} \n"
        for name, param in module.named_parameters()
    ]
