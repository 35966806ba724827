"""``IterTimerHook``: times every iteration and estimates the time left.

For each mode (``train``, ``val``, ``test``) it records two scalars in
``runner.message_hub``:

* ``<mode>/data_time``: from the end of the previous iteration (or the start
  of the epoch) to the start of this one, i.e. the time spent loading data;
* ``<mode>/time``: from the same point to the end of this iteration.

After each iteration it writes the runtime info ``eta``, the seconds left:
the mean iteration time since ``before_train`` times the iterations left,
``runner.max_iters - runner.iter - 1`` in training and
``len(dataloader) - batch_idx - 1`` in validation and testing, whose time is
averaged per loop.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from engine.hooks.hook import DATA_BATCH, Hook
from engine.registry import HOOKS

__all__ = ["IterTimerHook"]


@HOOKS.register_module()
class IterTimerHook(Hook):
    """Record ``time``, ``data_time`` and ``eta`` of every iteration.

    Examples:
        >>> from types import SimpleNamespace
        >>> from engine.logging import MessageHub
        >>> runner = SimpleNamespace(message_hub=MessageHub('doc_timer'),
        ...                          iter=0, max_iters=10)
        >>> hook = IterTimerHook()
        >>> hook.before_train(runner)
        >>> hook.before_train_epoch(runner)
        >>> hook.before_train_iter(runner, 0)
        >>> hook.after_train_iter(runner, 0)
        >>> sorted(runner.message_hub.log_scalars)
        ['train/data_time', 'train/time']
    """

    priority = "NORMAL"

    def __init__(self) -> None:
        self.time_sec_tot = 0.0
        self.time_sec_test_val = 0.0
        self.start_iter = 0

    def before_train(self, runner: Any) -> None:
        """Remember the iteration training starts from (resumed runs)."""
        self.start_iter = runner.iter

    def _before_epoch(self, runner: Any, mode: str = "train") -> None:
        """Start the clock of the epoch's first iteration."""
        self.t = time.time()

    def _after_epoch(self, runner: Any, mode: str = "train") -> None:
        """Reset the time accumulated by a validation or test loop."""
        self.time_sec_test_val = 0.0

    def _before_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        mode: str = "train",
    ) -> None:
        """Record ``<mode>/data_time``."""
        runner.message_hub.update_scalar(f"{mode}/data_time", time.time() - self.t)

    def _after_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Sequence | dict | None = None,
        mode: str = "train",
    ) -> None:
        """Record ``<mode>/time`` and the ``eta``; restart the clock."""
        hub = runner.message_hub
        now = time.time()
        iter_time = now - self.t
        hub.update_scalar(f"{mode}/time", iter_time)
        self.t = now
        if mode == "train":
            self.time_sec_tot += iter_time
            done = runner.iter - self.start_iter + 1
            left = runner.max_iters - runner.iter - 1
            hub.update_info("eta", self.time_sec_tot / done * left)
        else:
            self.time_sec_test_val += iter_time
            dataloader = (
                runner.val_dataloader if mode == "val" else runner.test_dataloader
            )
            left = len(dataloader) - batch_idx - 1
            hub.update_info("eta", self.time_sec_test_val / (batch_idx + 1) * left)
