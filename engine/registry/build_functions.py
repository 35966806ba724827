"""Build functions: how a registry turns a cfg dict into an object.

Every build function follows the same steps:

1. merge ``default_args`` into a copy of ``cfg`` (keys of ``cfg`` win);
2. pop ``_scope_`` and, while building, make it the default scope (so the
   type, and every build nested in this one, resolve in that scope's
   registry; see :meth:`Registry.switch_scope_and_registry`);
3. pop ``type``: a registered name (``'ResNet'``, ``'mmdet.ResNet'``) or the
   class or function itself;
4. call it with the remaining keys; a :class:`~engine.utils.ManagerMixin`
   subclass is built with ``get_instance(**kwargs)`` instead.

An unknown type raises :class:`KeyError` naming the cfg key path, the
registry and scopes searched, and close registered names. An exception from
the constructor is re-raised with the same type, naming the class and the
cfg key path, chained to the original (``raise ... from e``).
"""

from __future__ import annotations

import inspect
import sys
from typing import TYPE_CHECKING, Any

from engine.registry import _diagnostics
from engine.registry._log import log
from engine.registry.registry import Registry
from engine.utils._errors import CompatTypeError, CompatValueError
from engine.utils.manager import ManagerMixin

if TYPE_CHECKING:
    import torch.nn as nn

__all__ = [
    "build_from_cfg",
    "build_model_from_cfg",
    "build_optimizer_from_cfg",
    "build_runner_from_cfg",
    "build_scheduler_from_cfg",
]


def _is_cfg(obj: object) -> bool:
    """A dict/ConfigDict, or an ``engine.config.Config`` (if that is loaded)."""
    if isinstance(obj, dict):
        return True
    config_cls = getattr(sys.modules.get("engine.config"), "Config", None)
    return isinstance(config_cls, type) and isinstance(obj, config_cls)


def _check_args(cfg: Any, registry: Any, default_args: Any) -> None:
    if not _is_cfg(cfg):
        raise CompatTypeError(
            f"cfg should be a dict, ConfigDict or Config, but got {type(cfg)}"
        )
    if default_args is not None and not _is_cfg(default_args):
        raise CompatTypeError(
            "default_args should be a dict, ConfigDict, Config or None, "
            f"but got {type(default_args)}"
        )
    if not isinstance(registry, Registry):
        raise TypeError(f"registry must be a Registry, but got {type(registry)}")


def _prepare(cfg: Any, registry: Any, default_args: Any) -> Any:
    """Check the arguments; a copy of ``cfg`` completed by ``default_args``."""
    _check_args(cfg, registry, default_args)
    args = cfg.copy()
    for key, value in (default_args or {}).items():
        args.setdefault(key, value)
    if "type" not in args:
        raise KeyError(
            '`cfg` or `default_args` must contain the key "type", '
            f"but got {cfg}\n{default_args}"
        )
    return args


def _resolve(obj_type: Any, registry: Registry, path: str) -> Any:
    """The class/function ``type`` names, looked up in ``registry``."""
    if isinstance(obj_type, str):
        obj = registry.get(obj_type)
        if obj is None:
            message = _diagnostics.not_found_message(obj_type, registry, path)
            raise _diagnostics.mark(KeyError(message))
        return obj
    if callable(obj_type):
        return obj_type
    raise TypeError(f"type must be a str or valid type, but got {type(obj_type)}")


def _call(obj_cls: Any, args: Any, registry: Registry, path: str) -> Any:
    """``obj_cls(**args)`` (or ``get_instance``), naming the cfg on error."""
    try:
        if inspect.isclass(obj_cls) and issubclass(obj_cls, ManagerMixin):
            obj = obj_cls.get_instance(**args)
        else:
            obj = obj_cls(**args)
    except Exception as e:
        _diagnostics.reraise_with_context(e, obj_cls, registry, path)
    log(
        f"An `{getattr(obj_cls, '__name__', obj_cls)}` instance is built from "
        "registry, its implementation can be found in "
        f"{getattr(obj_cls, '__module__', '?')}"
    )
    return obj


def build_from_cfg(
    cfg: dict,
    registry: Registry,
    default_args: dict | None = None,
) -> Any:
    """Build an object from a cfg dict (the default ``build_func``).

    Args:
        cfg: Config with a ``type`` key (a registered name or the class or
            function itself), optionally ``_scope_``, and the arguments.
        registry: Registry to look ``type`` up in.
        default_args: Arguments used where ``cfg`` lacks the key (``type``
            may come from here). Defaults to None.

    Returns:
        The built object (or the function's return value).

    Raises:
        TypeError: if ``cfg``/``default_args`` is not a dict or ``type`` is
            neither a str nor callable.
        KeyError: if there is no ``type``, or it is not registered.

    Examples:
        >>> MODELS = Registry('model', scope='demo')
        >>> @MODELS.register_module()
        ... class Linear:
        ...     def __init__(self, width=1):
        ...         self.width = width
        >>> build_from_cfg(dict(type='Linear'), MODELS, dict(width=4)).width
        4
    """
    args = _prepare(cfg, registry, default_args)
    with registry.switch_scope_and_registry(args.pop("_scope_", None)) as reg:
        with _diagnostics.building(cfg, args) as path:
            obj_cls = _resolve(args.pop("type"), reg, path)
            return _call(obj_cls, args, reg, path)


def build_model_from_cfg(
    cfg: dict | list,
    registry: Registry,
    default_args: dict | None = None,
) -> nn.Module:
    """Build a model; a list of cfgs becomes an ``nn.Sequential``.

    Args:
        cfg: A cfg dict, or a list of them.
        registry: Registry to build from.
        default_args: Default arguments of every build. Defaults to None.

    Returns:
        The built module.

    Examples:
        >>> import torch.nn as nn
        >>> LAYERS = Registry('layer', scope='demo')
        >>> _ = LAYERS.register_module(module=nn.ReLU)
        >>> build_model_from_cfg([dict(type='ReLU')], LAYERS)
        Sequential(
          (0): ReLU()
        )
    """
    if isinstance(cfg, list):
        import torch.nn as nn

        modules = [build_from_cfg(item, registry, default_args) for item in cfg]
        return nn.Sequential(*modules)
    return build_from_cfg(cfg, registry, default_args)


def build_optimizer_from_cfg(
    cfg: dict,
    registry: Registry,
    default_args: dict | None = None,
) -> Any:
    """Build an optimizer (the ``build_func`` of ``OPTIMIZERS``).

    Same as :func:`build_from_cfg`.

    Examples:
        >>> import torch
        >>> OPTIMS = Registry('optimizer', scope='demo')
        >>> _ = OPTIMS.register_module(module=torch.optim.SGD)
        >>> params = [torch.nn.Parameter(torch.zeros(1))]
        >>> cfg = dict(type='SGD', lr=0.1, params=params)
        >>> type(build_optimizer_from_cfg(cfg, OPTIMS))
        <class 'torch.optim.sgd.SGD'>
    """
    return build_from_cfg(cfg, registry, default_args)


def build_runner_from_cfg(cfg: dict, registry: Registry) -> Any:
    """Build a runner with ``runner_cls.from_cfg(cfg)``.

    The class is ``cfg['runner_type']`` (a name or the class; defaults to
    ``'Runner'``); it receives the whole cfg, ``_scope_`` removed.

    Args:
        cfg: The runner config.
        registry: Registry of runners.

    Returns:
        The runner.

    Examples:
        >>> RUNNERS = Registry('runner', scope='demo')
        >>> @RUNNERS.register_module()
        ... class Runner:
        ...     @classmethod
        ...     def from_cfg(cls, cfg):
        ...         return sorted(cfg)
        >>> build_runner_from_cfg(dict(work_dir='w'), RUNNERS)
        ['work_dir']
    """
    _check_args(cfg, registry, None)
    args = cfg.copy()
    with registry.switch_scope_and_registry(args.pop("_scope_", None)) as reg:
        with _diagnostics.building(cfg, args) as path:
            runner_cls = _resolve(args.get("runner_type", "Runner"), reg, path)
            try:
                runner = runner_cls.from_cfg(args)
            except Exception as e:
                _diagnostics.reraise_with_context(e, runner_cls, reg, path)
            log(
                f"An `{runner_cls.__name__}` instance is built from registry, "
                f"its implementation can be found in {runner_cls.__module__}"
            )
            return runner


def build_scheduler_from_cfg(
    cfg: dict,
    registry: Registry,
    default_args: dict | None = None,
) -> Any:
    """Build a parameter scheduler, converting epochs to iterations if asked.

    With ``convert_to_iter_based=True`` the scheduler class's
    ``build_iter_from_epoch(**args)`` builds it; that needs ``by_epoch``
    true (the default) and ``epoch_length`` (from ``cfg`` or
    ``default_args``). Otherwise ``epoch_length`` is dropped and the class is
    built as by :func:`build_from_cfg`.

    Args:
        cfg: The scheduler config.
        registry: Registry of schedulers.
        default_args: Default arguments (e.g. ``optimizer``,
            ``epoch_length``). Defaults to None.

    Returns:
        The scheduler.

    Raises:
        ValueError: (also an AssertionError, as in MMEngine) if a conversion
            is asked for a scheduler that is not by-epoch or without
            ``epoch_length``.

    Examples:
        >>> SCHEDS = Registry('scheduler', scope='demo')
        >>> @SCHEDS.register_module()
        ... class Step:
        ...     def __init__(self, by_epoch=True):
        ...         self.by_epoch = by_epoch
        ...     @classmethod
        ...     def build_iter_from_epoch(cls, epoch_length, **kwargs):
        ...         return cls(by_epoch=False)
        >>> cfg = dict(type='Step', convert_to_iter_based=True)
        >>> build_scheduler_from_cfg(cfg, SCHEDS, dict(epoch_length=10)).by_epoch
        False
    """
    args = _prepare(cfg, registry, default_args)
    with registry.switch_scope_and_registry(args.pop("_scope_", None)) as reg:
        with _diagnostics.building(cfg, args) as path:
            convert = args.pop("convert_to_iter_based", False)
            obj_cls = _resolve(args.pop("type"), reg, path)
            if not convert:
                args.pop("epoch_length", None)
                return _call(obj_cls, args, reg, path)
            if not (args.get("by_epoch", True) and "epoch_length" in args):
                raise CompatValueError(
                    f"{_field(path)}: only an epoch-based parameter scheduler "
                    "can be converted to iter-based, and `epoch_length` "
                    "should be set"
                )
            try:
                return obj_cls.build_iter_from_epoch(**args)
            except Exception as e:
                _diagnostics.reraise_with_context(e, obj_cls, reg, path)


def _field(path: str) -> str:
    return f"{path}.convert_to_iter_based" if path else "convert_to_iter_based"
