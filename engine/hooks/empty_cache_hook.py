"""``EmptyCacheHook``: release the CUDA caching allocator's unused memory."""

from __future__ import annotations

from typing import Any

from engine.hooks.hook import Hook
from engine.registry import HOOKS

__all__ = ["EmptyCacheHook"]


@HOOKS.register_module()
class EmptyCacheHook(Hook):
    """Call ``torch.cuda.empty_cache()`` at the chosen points of each loop.

    Nothing happens when CUDA is not available.

    Args:
        before_epoch: Before every train/val/test epoch.
        after_epoch: After every epoch.
        after_iter: After every iteration.

    Examples:
        >>> # custom_hooks = [dict(type='EmptyCacheHook', after_epoch=True)]
    """

    priority = "NORMAL"

    def __init__(
        self,
        before_epoch: bool = False,
        after_epoch: bool = True,
        after_iter: bool = False,
    ) -> None:
        self._do_before_epoch = before_epoch
        self._do_after_epoch = after_epoch
        self._do_after_iter = after_iter

    def _after_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: Any = None,
        outputs: Any = None,
        mode: str = "train",
    ) -> None:
        if self._do_after_iter:
            _empty_cache()

    def _before_epoch(self, runner: Any, mode: str = "train") -> None:
        if self._do_before_epoch:
            _empty_cache()

    def _after_epoch(self, runner: Any, mode: str = "train") -> None:
        if self._do_after_epoch:
            _empty_cache()


def _empty_cache() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
