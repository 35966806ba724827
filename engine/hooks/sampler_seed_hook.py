"""``DistSamplerSeedHook``: tells the training sampler which epoch starts.

Samplers such as :class:`~engine.dataset.DefaultSampler` and PyTorch's
``DistributedSampler`` shuffle with a seed that depends on the epoch passed
to ``set_epoch``; without it every epoch would see the same order. The hook
calls ``set_epoch(runner.epoch)`` on the sampler of
``runner.train_loop.dataloader``, or on the sampler inside its batch sampler
when only that one has ``set_epoch``.
"""

from __future__ import annotations

from typing import Any

from engine.hooks.hook import Hook
from engine.registry import HOOKS

__all__ = ["DistSamplerSeedHook"]


@HOOKS.register_module()
class DistSamplerSeedHook(Hook):
    """Call the training sampler's ``set_epoch`` before each epoch.

    Examples:
        >>> from types import SimpleNamespace
        >>> class Sampler:
        ...     def set_epoch(self, epoch):
        ...         self.epoch = epoch
        >>> loader = SimpleNamespace(sampler=Sampler(), batch_sampler=None)
        >>> runner = SimpleNamespace(
        ...     epoch=3, train_loop=SimpleNamespace(dataloader=loader))
        >>> DistSamplerSeedHook().before_train_epoch(runner)
        >>> loader.sampler.epoch
        3
    """

    priority = "NORMAL"

    def before_train_epoch(self, runner: Any) -> None:
        """Call ``set_epoch(runner.epoch)`` on the training sampler."""
        loader = runner.train_loop.dataloader
        sampler: Any = getattr(loader, "sampler", None)
        if not hasattr(sampler, "set_epoch"):
            # A batch sampler given to the DataLoader hides the real sampler.
            sampler = getattr(getattr(loader, "batch_sampler", None), "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(runner.epoch)
