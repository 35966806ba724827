"""``DefaultOptimWrapperConstructor``: per-parameter options from a config."""

from __future__ import annotations

import logging
from typing import Any

import torch.nn as nn

from engine.logging import print_log
from engine.registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS, OPTIMIZERS

__all__ = ["DefaultOptimWrapperConstructor"]

_NORM_TYPES = (
    nn.modules.batchnorm._BatchNorm,
    nn.modules.instancenorm._InstanceNorm,
    nn.GroupNorm,
    nn.LayerNorm,
)
#: Deformable convolutions (mmcv's), recognised by class name.
_DCN_NAMES = {"DeformConv2d", "ModulatedDeformConv2d"}
_DECAY_KEYS = ("bias_decay_mult", "norm_decay_mult", "dwconv_decay_mult",
               "flat_decay_mult")  # fmt: skip


def _is_dcn(module: nn.Module) -> bool:
    return any(cls.__name__ in _DCN_NAMES for cls in type(module).__mro__)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class DefaultOptimWrapperConstructor:
    """Build an optimizer wrapper, with per-parameter options.

    ``paramwise_cfg`` keys: ``custom_keys`` (``{substring: dict(lr_mult=,
    decay_mult=)}``; the longest key contained in a parameter's full name
    wins, and its settings replace every other rule), ``bias_lr_mult``,
    ``bias_decay_mult``, ``norm_decay_mult``, ``dwconv_decay_mult``,
    ``flat_decay_mult`` (1-D parameters), ``dcn_offset_lr_mult`` and
    ``bypass_duplicate``. Weight decay rules apply in the order norm, bias,
    depth-wise conv, flat. Each option set is logged as
    ``paramwise_options -- <name>:<key>=<value>``. Unknown keys are allowed
    (subclasses read their own). Without ``paramwise_cfg`` every parameter
    goes to one group.

    Args:
        optim_wrapper_cfg: The wrapper config; ``optimizer`` is required,
            ``type`` defaults to ``'OptimWrapper'``.
        paramwise_cfg: Per-parameter options.

    Examples:
        >>> import torch
        >>> ctor = DefaultOptimWrapperConstructor(
        ...     dict(optimizer=dict(type='SGD', lr=0.01, weight_decay=1e-4)),
        ...     dict(norm_decay_mult=0))
        >>> wrapper = ctor(torch.nn.BatchNorm1d(1))
        >>> [g['weight_decay'] for g in wrapper.param_groups]
        [0.0, 0.0]
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: dict | None = None):
        if not isinstance(optim_wrapper_cfg, dict):
            raise TypeError(
                f"optim_wrapper_cfg should be a dict, but got {type(optim_wrapper_cfg)}"
            )
        if "optimizer" not in optim_wrapper_cfg:
            raise KeyError(
                f"optim_wrapper_cfg must contain the key 'optimizer', but got "
                f"keys {list(optim_wrapper_cfg)}"
            )
        self.optim_wrapper_cfg = dict(optim_wrapper_cfg)
        self.optimizer_cfg = self.optim_wrapper_cfg.pop("optimizer")
        self.paramwise_cfg = {} if paramwise_cfg is None else paramwise_cfg
        self.base_lr = self.optimizer_cfg.get("lr", None)
        self.base_wd = self.optimizer_cfg.get("weight_decay", None)
        self._validate_cfg()

    def _validate_cfg(self) -> None:
        if not isinstance(self.paramwise_cfg, dict):
            raise TypeError(
                f"paramwise_cfg should be None or a dict, but got "
                f"{type(self.paramwise_cfg)}"
            )
        custom_keys = self.paramwise_cfg.get("custom_keys", {})
        if not isinstance(custom_keys, dict):
            raise TypeError(
                f"If specified, custom_keys must be a dict, but got {type(custom_keys)}"
            )
        if self.base_wd is None:
            for key, value in custom_keys.items():
                if "decay_mult" in value:
                    raise ValueError(
                        f"custom_keys[{key!r}] sets decay_mult but the optimizer "
                        f"config has no weight_decay: base_wd should not be None"
                    )
            for key in _DECAY_KEYS:
                if key in self.paramwise_cfg:
                    raise ValueError(
                        f"paramwise_cfg.{key} is set but the optimizer config has "
                        f"no weight_decay: base_wd should not be None"
                    )

    def __call__(self, model: nn.Module) -> Any:
        """Build the optimizer for ``model`` and wrap it.

        Args:
            model: The model (a wrapper's ``.module`` is used when present).

        Returns:
            The optimizer wrapper.
        """
        inner = getattr(model, "module", None)
        if isinstance(inner, nn.Module):
            model = inner
        wrapper_cfg = dict(self.optim_wrapper_cfg)
        wrapper_cfg.setdefault("type", "OptimWrapper")
        optimizer_cfg = dict(self.optimizer_cfg)
        if not self.paramwise_cfg:
            optimizer_cfg["params"] = model.parameters()
        else:
            params: list[dict] = []
            self.add_params(params, model)
            optimizer_cfg["params"] = params
        optimizer = _build_optimizer(optimizer_cfg)
        return OPTIM_WRAPPERS.build(wrapper_cfg, default_args=dict(optimizer=optimizer))

    def add_params(
        self,
        params: list[dict],
        module: nn.Module,
        prefix: str = "",
        is_dcn_module: int | float | None = None,
    ) -> None:
        """Append a parameter group for each parameter of ``module``.

        Args:
            params: The groups built so far; new ones are appended.
            module: The module whose parameters (recursively) are added.
            prefix: The name prefix of ``module``.
            is_dcn_module: Whether ``module`` belongs to a deformable conv.
        """
        bypass = self.paramwise_cfg.get("bypass_duplicate", False)
        for name, param in module.named_parameters(recurse=False):
            group: dict[str, Any] = {"params": [param]}
            if bypass and _contains(params, param):
                print_log(
                    f"{prefix} is duplicate. It is skipped since "
                    f"bypass_duplicate={bypass}",
                    logger="current",
                    level=logging.WARNING,
                )
                continue
            full_name = f"{prefix}.{name}" if prefix else name
            if not param.requires_grad:
                print_log(
                    f"{full_name} is skipped since its requires_grad=False",
                    logger="current",
                    level=logging.WARNING,
                )
                continue
            self._set_options(group, module, name, param, prefix, is_dcn_module)
            params.append(group)
            for key, value in group.items():
                if key != "params":
                    print_log(
                        f"paramwise_options -- {full_name}:{key}={value}",
                        logger="current",
                    )
        dcn = _is_dcn(module)
        for child_name, child in module.named_children():
            child_prefix = f"{prefix}.{child_name}" if prefix else child_name
            self.add_params(params, child, child_prefix, is_dcn_module=dcn)

    def _set_options(
        self,
        group: dict,
        module: nn.Module,
        name: str,
        param: nn.Parameter,
        prefix: str,
        is_dcn_module: int | float | None,
    ) -> None:
        full_name = f"{prefix}.{name}" if prefix else name
        custom_keys = self.paramwise_cfg.get("custom_keys", {})
        for key in sorted(sorted(custom_keys), key=len, reverse=True):
            if key in full_name:
                options = custom_keys[key]
                group["lr"] = self.base_lr * options.get("lr_mult", 1.0)
                if self.base_wd is not None:
                    group["weight_decay"] = self.base_wd * options.get(
                        "decay_mult", 1.0
                    )
                group.update(options)
                return
        self._set_lr(group, module, name, prefix, bool(is_dcn_module))
        if self.base_wd is not None:
            decay_mult = self._decay_mult(module, name, param, bool(is_dcn_module))
            if decay_mult is not None:
                group["weight_decay"] = self.base_wd * decay_mult

    def _set_lr(
        self, group: dict, module: nn.Module, name: str, prefix: str, dcn: bool
    ) -> None:
        cfg = self.paramwise_cfg
        if name == "bias" and not (isinstance(module, _NORM_TYPES) or dcn):
            group["lr"] = self.base_lr * cfg.get("bias_lr_mult", 1.0)
        offset_mult = cfg.get("dcn_offset_lr_mult", None)
        if (
            offset_mult is not None
            and dcn
            and "conv_offset" in prefix
            and isinstance(module, nn.Conv2d)
        ):
            group["lr"] = self.base_lr * offset_mult

    def _decay_mult(
        self, module: nn.Module, name: str, param: nn.Parameter, dcn: bool
    ) -> float | None:
        cfg = self.paramwise_cfg
        is_norm = isinstance(module, _NORM_TYPES)
        if is_norm and "norm_decay_mult" in cfg:
            return cfg["norm_decay_mult"]
        is_bias = name == "bias" and not dcn
        if is_bias and "bias_decay_mult" in cfg:
            return cfg["bias_decay_mult"]
        is_dwconv = (
            isinstance(module, nn.Conv2d) and module.in_channels == module.groups
        )
        if is_dwconv and "dwconv_decay_mult" in cfg:
            return cfg["dwconv_decay_mult"]
        if param.ndim == 1 and "flat_decay_mult" in cfg:
            return cfg["flat_decay_mult"]
        if is_bias and not is_norm:
            return 1.0  # the implicit bias_decay_mult, logged (doc L3980-4016)
        return None


def _contains(groups: list[dict], param: nn.Parameter) -> bool:
    return any(p is param for group in groups for p in group["params"])


def _build_optimizer(cfg: dict) -> Any:
    """Build ``cfg`` through ``OPTIMIZERS`` with a clear unknown-type error."""
    name = cfg.get("type")
    if isinstance(name, str) and OPTIMIZERS.get(name) is None:
        raise TypeError(
            f"optimizer.type: {name!r} is not a registered optimizer (registry "
            f"'optimizer'); registered are torch.optim's optimizers and, when "
            f"installed, dadaptation's and lion-pytorch's"
        )
    try:
        return OPTIMIZERS.build(cfg)
    except ValueError as e:
        if "more than one parameter group" not in str(e):
            raise
        raise ValueError(
            f"{e}: a parameter is shared by several modules; set "
            f"paramwise_cfg.bypass_duplicate=True to keep only its first use"
        ) from e
