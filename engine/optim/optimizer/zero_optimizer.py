"""``ZeroRedundancyOptimizer``: torch's ZeRO optimizer built from a config."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import torch

with warnings.catch_warnings():
    # torch.distributed.optim scripts its functional optimizers on import,
    # which warns that torch.jit.script is deprecated: torch's noise, not ours.
    warnings.simplefilter("ignore", DeprecationWarning)
    from torch.distributed.optim import ZeroRedundancyOptimizer as _TorchZero

from engine.registry import OPTIMIZERS

__all__ = ["ZeroRedundancyOptimizer"]


def _optimizer_class(optimizer_type: str) -> type[torch.optim.Optimizer]:
    """The ``torch.optim`` class named ``optimizer_type``."""
    cls = getattr(torch.optim, optimizer_type, None)
    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
        raise AttributeError(
            f"optimizer_type={optimizer_type!r} of ZeroRedundancyOptimizer is "
            f"not an optimizer of torch.optim (e.g. 'SGD', 'AdamW')"
        )
    return cls


@OPTIMIZERS.register_module()
class ZeroRedundancyOptimizer(_TorchZero):
    """Shard the optimizer state over the ranks (ZeRO stage 1).

    A thin layer over :class:`torch.distributed.optim.ZeroRedundancyOptimizer`
    that takes the wrapped optimizer by name, so that it can be written in a
    config: ``optimizer=dict(type='ZeroRedundancyOptimizer',
    optimizer_type='AdamW', lr=1e-3)``. It needs an initialised process
    group. :meth:`state_dict` gathers the shards on rank 0, which gets the
    whole state; the other ranks get ``{}``.

    Args:
        params: The parameters (or parameter groups) to optimize.
        optimizer_type: Name of the ``torch.optim`` optimizer to shard.
        **kwargs: Arguments of that optimizer (``lr``, ...) and of torch's
            ``ZeroRedundancyOptimizer``.

    Examples:
        >>> # in a process group of any size
        >>> # optim_wrapper = dict(optimizer=dict(
        >>> #     type='ZeroRedundancyOptimizer', optimizer_type='SGD', lr=0.1))
    """

    def __init__(
        self, params: Iterable[Any], optimizer_type: str, **kwargs: Any
    ) -> None:
        super().__init__(params, _optimizer_class(optimizer_type), **kwargs)

    def state_dict(self) -> dict[str, Any]:
        """The whole state on rank 0 (``{}`` on the other ranks)."""
        self.consolidate_state_dict()
        if self.rank != 0:
            return {}
        return super().state_dict()
