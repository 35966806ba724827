"""Apply ``init_cfg`` dicts to a module: :func:`initialize`."""

from __future__ import annotations

import copy
from typing import Any

import torch.nn as nn

from engine.registry import WEIGHT_INITIALIZERS, build_from_cfg


def _as_cfg_list(cfg: Any, what: str) -> list[Any]:
    if isinstance(cfg, dict):
        return [cfg]
    if isinstance(cfg, list):
        return cfg
    raise TypeError(f"{what} must be a dict or a list of dict, but got {type(cfg)}")


def initialize(module: nn.Module, init_cfg: dict | list[dict]) -> None:
    """Initialise ``module`` with one or several initialiser cfgs.

    Each cfg names an initialiser of ``WEIGHT_INITIALIZERS`` (``type``) and its
    arguments; ``layer`` selects submodules by class name. ``override`` (a
    dict or a list of them, each with a ``name``) initialises the named
    attribute of ``module`` as a whole instead, with its own ``type`` and
    arguments, or with the outer cfg's when it holds nothing but ``name``.
    The cfgs themselves are not modified.

    Args:
        module: The module.
        init_cfg: A cfg dict or a list of them.

    Raises:
        TypeError: if ``init_cfg`` or an ``override`` is neither a dict nor a
            list.
        ValueError: if an ``override`` lacks ``name``, or has arguments but
            no ``type``.
        RuntimeError: if ``module`` has no attribute named by an override.

    Examples:
        >>> import torch.nn as nn
        >>> net = nn.Sequential(nn.Linear(2, 2), nn.Conv2d(1, 1, 1))
        >>> initialize(net, dict(type='Constant', val=1, bias=2, layer='Linear'))
        >>> net[0].bias.tolist()
        [2.0, 2.0]
        >>> initialize(net, dict(type='Constant', val=0, layer='Linear',
        ...                      override=dict(name='1', type='Constant', val=5)))
        >>> net[1].weight.item()
        5.0
    """
    for cfg in _as_cfg_list(init_cfg, "init_cfg"):
        cfg = copy.deepcopy(cfg)
        override = cfg.pop("override", None)
        _apply(module, cfg)
        if override is not None:
            cfg.pop("layer", None)
            _apply_override(module, override, cfg)


def _apply(module: nn.Module, cfg: dict, wholemodule: bool = False) -> None:
    init = build_from_cfg(cfg, WEIGHT_INITIALIZERS)
    init.wholemodule = wholemodule
    init(module)


def _apply_override(module: nn.Module, override: Any, outer_cfg: dict) -> None:
    for item in _as_cfg_list(override, "override"):
        cfg = copy.deepcopy(item)
        name = cfg.pop("name", None)
        if name is None:
            raise ValueError(f'`override` must contain the key "name", but got {item}')
        if not cfg:
            cfg.update(outer_cfg)
        elif "type" not in cfg:
            raise ValueError(f'`override` need "type" key, but got {cfg}')
        if not hasattr(module, name):
            raise RuntimeError(
                f"module did not have attribute {name}, but init_cfg is {cfg}."
            )
        _apply(getattr(module, name), cfg, wholemodule=True)
