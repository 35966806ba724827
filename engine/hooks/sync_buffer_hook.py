"""``SyncBuffersHook``: average the model's buffers across processes.

In distributed training each process updates its own buffers (BatchNorm's
``running_mean`` and ``running_var``); this hook all-reduces them to their
mean so that every process evaluates and saves the same model::

    __init__            distributed = (world size > 1)
    after_train_epoch   distributed? average the buffers; called_in_train = True
    before_val_epoch    distributed and not called_in_train? average the buffers
                        called_in_train = False

The second point covers iteration-based training and stand-alone
validation, where no train epoch ends before the validation. Integer
buffers (``num_batches_tracked``) get the truncated mean. Without a
process group of more than one process the hook does nothing.
"""

from __future__ import annotations

from typing import Any

from engine.hooks.hook import Hook
from engine.registry import HOOKS

__all__ = ["SyncBuffersHook"]


@HOOKS.register_module()
class SyncBuffersHook(Hook):
    """Synchronize the model buffers at the end of each train epoch.

    Examples:
        >>> # custom_hooks = [dict(type='SyncBuffersHook')]
        >>> SyncBuffersHook().distributed  # a single process
        False
    """

    priority = "NORMAL"

    def __init__(self) -> None:
        from engine.dist import is_distributed

        self.distributed = is_distributed()
        self.called_in_train = False

    def before_val_epoch(self, runner: Any) -> None:
        """Synchronize unless the last train epoch just did."""
        if self.distributed:
            if not self.called_in_train:
                _sync_buffers(runner.model)
            self.called_in_train = False

    def after_train_epoch(self, runner: Any) -> None:
        """Synchronize the buffers of every process."""
        if self.distributed:
            _sync_buffers(runner.model)
            self.called_in_train = True


def _sync_buffers(model: Any) -> None:
    from engine.dist import all_reduce_params

    all_reduce_params(model.buffers(recurse=True), op="mean")
