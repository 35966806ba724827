"""``MMFullyShardedDataParallel``: FSDP (torch's FSDP1 API) from a config.

The wrapper accepts config-friendly values for FSDP's arguments and turns
them into torch objects before calling ``FullyShardedDataParallel``:

========================  ====================================================
argument                  accepted besides the torch object
========================  ====================================================
``sharding_strategy``     a ``ShardingStrategy`` name, ``'SHARD_GRAD_OP'``
``cpu_offload``           a bool: ``CPUOffload(offload_params=<bool>)``
``auto_wrap_policy``      a ``FUNCTIONS`` name, or a dict ``type=<name>`` plus
                          keyword arguments bound with ``functools.partial``
``backward_prefetch``     a ``BackwardPrefetch`` name, ``'BACKWARD_PRE'``
``mixed_precision``       a dict of ``MixedPrecision`` arguments; dtypes may be
                          names (``param_dtype='float16'``)
``param_init_fn``         like ``auto_wrap_policy``
``ignored_modules``       submodule names (``['head']``) as well as modules
========================  ====================================================

All steps run through the wrapper's forward, since the parameters of the
wrapped model are sharded::

    train_step: with optim_context: preprocess(training=True), self(mode='loss')
                parse_losses, update_params
    val_step / test_step: preprocess(training=False), self(mode='predict')

On a machine without an accelerator, torch's FSDP needs
``device_id=torch.device('cpu')`` (passed through ``**kwargs``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

import torch
import torch.nn as nn
from torch.distributed import ProcessGroup
from torch.distributed.fsdp import (
    BackwardPrefetch,
    CPUOffload,
    FullyShardedDataParallel,
    MixedPrecision,
    ShardingStrategy,
)

from engine.model.wrappers.distributed import _unpack_call
from engine.registry import FUNCTIONS, MODEL_WRAPPERS

if TYPE_CHECKING:
    from engine.optim import OptimWrapper

__all__ = ["MMFullyShardedDataParallel"]

_DTYPE_FIELDS = ("param_dtype", "reduce_dtype", "buffer_dtype")


class _UnknownNameError(KeyError, ValueError):
    """An enum member or ``FUNCTIONS`` entry named in the config is unknown.

    A :class:`KeyError` (what MMEngine raises for an unknown enum name) and
    a :class:`ValueError` (what it raises for an unregistered function).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@MODEL_WRAPPERS.register_module()
class MMFullyShardedDataParallel(FullyShardedDataParallel):
    """``FullyShardedDataParallel`` with steps and config-friendly arguments.

    Args:
        module: The model to shard (a :class:`~engine.model.BaseModel`).
        process_group: The process group to shard over. Defaults to None:
            the default group.
        sharding_strategy: A ``ShardingStrategy`` or its name. Defaults to
            None: FSDP's default (``FULL_SHARD``).
        cpu_offload: A ``CPUOffload`` or a bool for ``offload_params``.
            Defaults to None (no offload).
        auto_wrap_policy: A callable, a ``FUNCTIONS`` name or a dict with
            ``type`` and keyword arguments. Defaults to None.
        backward_prefetch: A ``BackwardPrefetch`` or its name. Defaults to
            None.
        mixed_precision: A ``MixedPrecision`` or a dict of its arguments.
            Defaults to None.
        param_init_fn: A callable, a ``FUNCTIONS`` name or a dict. Defaults to
            None.
        use_orig_params: Keep the original parameters visible (needed by
            optimizer wrapper constructors with per-parameter options).
            Defaults to True (torch's default is False).
        **kwargs: Passed to ``FullyShardedDataParallel`` (``device_id``,
            ``sync_module_states``, ``ignored_modules`` (modules or names),
            ...).

    Raises:
        KeyError: (also a ``ValueError``) if a name is neither a member of
            the enum nor registered in ``FUNCTIONS``, or names no submodule.

    Examples:
        >>> model_wrapper_cfg = dict(
        ...     type='MMFullyShardedDataParallel', cpu_offload=True,
        ...     sharding_strategy='SHARD_GRAD_OP')
        >>> wrapped = MMFullyShardedDataParallel(  # doctest: +SKIP
        ...     model, device_id=torch.device('cpu'))
    """

    def __init__(
        self,
        module: nn.Module,
        process_group: dict | ProcessGroup | None = None,
        sharding_strategy: str | ShardingStrategy = None,  # type: ignore[assignment]
        cpu_offload: bool | CPUOffload | None = None,
        auto_wrap_policy: str | Callable | None = None,
        backward_prefetch: str | BackwardPrefetch | None = None,
        mixed_precision: dict | MixedPrecision | None = None,
        param_init_fn: str | Callable[[nn.Module], None] = None,  # type: ignore[assignment]
        use_orig_params: bool = True,
        **kwargs: Any,
    ) -> None:
        if isinstance(cpu_offload, bool):
            cpu_offload = CPUOffload(offload_params=cpu_offload)
        if isinstance(mixed_precision, dict):
            mixed_precision = _mixed_precision(mixed_precision)
        if kwargs.get("ignored_modules") is not None:
            kwargs["ignored_modules"] = _ignored_modules(
                module, kwargs["ignored_modules"]
            )
        super().__init__(
            module=module,
            process_group=process_group,  # type: ignore[arg-type]
            sharding_strategy=_enum(
                ShardingStrategy, sharding_strategy, "sharding_strategy"
            ),
            cpu_offload=cpu_offload,
            auto_wrap_policy=_function(auto_wrap_policy, "auto_wrap_policy"),
            backward_prefetch=_enum(
                BackwardPrefetch, backward_prefetch, "backward_prefetch"
            ),
            mixed_precision=mixed_precision,
            param_init_fn=_function(param_init_fn, "param_init_fn"),
            use_orig_params=use_orig_params,
            **kwargs,
        )

    def train_step(
        self, data: dict, optim_wrapper: OptimWrapper
    ) -> dict[str, torch.Tensor]:
        """Preprocess, compute the loss through the wrapper, update.

        Args:
            data: A batch from the dataloader.
            optim_wrapper: Runs backward and the optimizer step.

        Returns:
            The ``log_vars`` of ``module.parse_losses``.
        """
        model: Any = self.module
        with optim_wrapper.optim_context(self):
            data = model.data_preprocessor(data, training=True)
            losses = self._run_forward(data, mode="loss")
        parsed_loss, log_vars = model.parse_losses(losses)
        optim_wrapper.update_params(parsed_loss)
        return log_vars

    def val_step(self, data: dict) -> list:
        """Predict through the wrapper (``mode='predict'``)."""
        model: Any = self.module
        data = model.data_preprocessor(data, training=False)
        return self._run_forward(data, mode="predict")

    def test_step(self, data: dict) -> list:
        """Predict through the wrapper (``mode='predict'``)."""
        model: Any = self.module
        data = model.data_preprocessor(data, training=False)
        return self._run_forward(data, mode="predict")

    def _run_forward(self, data: dict | tuple | list, mode: str) -> Any:
        """Call the wrapper with ``data`` unpacked and ``mode``."""
        return _unpack_call(self, data, mode)


def _enum(enum: Any, value: Any, arg: str) -> Any:
    """``enum[value]`` for a name, ``value`` itself otherwise."""
    if not isinstance(value, str):
        return value
    try:
        return enum[value]
    except KeyError as e:
        names = ", ".join(enum.__members__)
        raise _UnknownNameError(
            f"{arg}={value!r} is not a {enum.__name__}; choose one of {names}"
        ) from e


def _function(value: Any, arg: str) -> Any:
    """A callable from a ``FUNCTIONS`` name or a ``dict(type=name, **kwargs)``."""
    if isinstance(value, str):
        return _registered(value, arg)
    if isinstance(value, dict):
        kwargs = dict(value)
        kind = kwargs.pop("type", None)
        function = _registered(kind, arg) if isinstance(kind, str) else kind
        if not callable(function):
            raise _UnknownNameError(
                f"{arg}: a dict needs a 'type' naming a FUNCTIONS entry or "
                f"holding a callable, but got {value!r}"
            )
        return partial(function, **kwargs)
    return value


def _registered(name: str, arg: str) -> Callable:
    function = FUNCTIONS.get(name)
    if function is None:
        raise _UnknownNameError(
            f"`{arg}` is not registered: {name!r} is not in the FUNCTIONS "
            "registry (register it with FUNCTIONS.register_module())"
        )
    return function


def _mixed_precision(cfg: dict) -> MixedPrecision:
    """``MixedPrecision(**cfg)`` with dtype names turned into dtypes."""
    cfg = dict(cfg)
    for field in _DTYPE_FIELDS:
        if isinstance(cfg.get(field), str):
            dtype = getattr(torch, cfg[field], None)
            if not isinstance(dtype, torch.dtype):
                raise _UnknownNameError(
                    f"mixed_precision.{field}={cfg[field]!r} is not a torch dtype "
                    "name (e.g. 'float16', 'bfloat16')"
                )
            cfg[field] = dtype
    return MixedPrecision(**cfg)


def _ignored_modules(module: nn.Module, ignored: Iterable[Any]) -> list[nn.Module]:
    """The submodules named in ``ignored`` (modules are kept as they are)."""
    resolved = []
    for item in ignored:
        if isinstance(item, str):
            try:
                item = module.get_submodule(item)
            except AttributeError as e:
                owner = type(module).__name__
                raise _UnknownNameError(
                    f"ignored_modules: {owner} has no submodule {item!r}"
                ) from e
        resolved.append(item)
    return resolved
