"""``Hook``: the base class of everything the Runner calls at its mount points.

A hook overrides some of the 22 mount points listed in :attr:`Hook.stages`;
the others stay no-ops. Every mount point receives the ``runner``; the
iteration points also get ``batch_idx`` and ``data_batch`` (and, after the
iteration, the step's ``outputs``), the validation and test epoch ends get
the evaluator's ``metrics``, and the checkpoint points get the checkpoint
dict.

The per-mode epoch and iteration points forward to four generic methods, so
a hook that acts the same way in training, validation and testing overrides
only those::

    before_{train,val,test}_epoch(runner)      -> _before_epoch(runner, mode=...)
    after_{train,val,test}_epoch(runner, ...)  -> _after_epoch(runner, mode=...)
    before_{train,val,test}_iter(runner, batch_idx, data_batch)
        -> _before_iter(runner, batch_idx=..., data_batch=..., mode=...)
    after_{train,val,test}_iter(runner, batch_idx, data_batch, outputs)
        -> _after_iter(runner, batch_idx=..., data_batch=..., outputs=..., mode=...)

The helpers read ``runner.epoch``, ``runner.iter`` (both counted from 0),
``runner.max_epochs`` and ``runner.max_iters``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.utils import is_method_overridden

__all__ = ["Hook"]

DATA_BATCH = dict | tuple | list | None

#: The generic methods and the mount points that forward to them.
_GENERIC = {
    "_before_epoch": ("before_train_epoch", "before_val_epoch", "before_test_epoch"),
    "_after_epoch": ("after_train_epoch", "after_val_epoch", "after_test_epoch"),
    "_before_iter": ("before_train_iter", "before_val_iter", "before_test_iter"),
    "_after_iter": ("after_train_iter", "after_val_iter", "after_test_iter"),
}


class Hook:
    """Base hook class; all hooks should inherit from it.

    The class attribute ``priority`` is the hook's default priority (a
    :class:`~engine.runner.priority.Priority` name, member or integer,
    ``'NORMAL'`` here); ``stages`` lists the 22 mount points in the order of
    a full run.

    Examples:
        >>> class PrintLossHook(Hook):
        ...     priority = 'ABOVE_NORMAL'
        ...     def after_train_iter(self, runner, batch_idx, data_batch=None,
        ...                          outputs=None):
        ...         if self.every_n_train_iters(runner, 50):
        ...             runner.logger.info(outputs['loss'])
        >>> sorted(PrintLossHook().get_triggered_stages())
        ['after_train_iter']
    """

    priority = "NORMAL"
    stages = (
        "before_run",
        "after_load_checkpoint",
        "before_train",
        "before_train_epoch",
        "before_train_iter",
        "after_train_iter",
        "after_train_epoch",
        "before_val",
        "before_val_epoch",
        "before_val_iter",
        "after_val_iter",
        "after_val_epoch",
        "after_val",
        "before_save_checkpoint",
        "after_train",
        "before_test",
        "before_test_epoch",
        "before_test_iter",
        "after_test_iter",
        "after_test_epoch",
        "after_test",
        "after_run",
    )

    # --- whole-run and whole-loop points ------------------------------------

    def before_run(self, runner: Any) -> None:
        """Called once, before anything else of ``runner.train/val/test``."""

    def after_run(self, runner: Any) -> None:
        """Called once, after everything else of the run."""

    def before_train(self, runner: Any) -> None:
        """Called before the training loop starts."""

    def after_train(self, runner: Any) -> None:
        """Called after the training loop ends."""

    def before_val(self, runner: Any) -> None:
        """Called before a validation loop."""

    def after_val(self, runner: Any) -> None:
        """Called after a validation loop."""

    def before_test(self, runner: Any) -> None:
        """Called before the test loop."""

    def after_test(self, runner: Any) -> None:
        """Called after the test loop."""

    def before_save_checkpoint(self, runner: Any, checkpoint: dict) -> None:
        """Called with the checkpoint dict just before it is written."""

    def after_load_checkpoint(self, runner: Any, checkpoint: dict) -> None:
        """Called with the checkpoint dict just after it is read."""

    # --- epoch points ---------------------------------------------------------

    def before_train_epoch(self, runner: Any) -> None:
        """Called before each training epoch."""
        self._before_epoch(runner, mode="train")

    def before_val_epoch(self, runner: Any) -> None:
        """Called before the validation epoch."""
        self._before_epoch(runner, mode="val")

    def before_test_epoch(self, runner: Any) -> None:
        """Called before the test epoch."""
        self._before_epoch(runner, mode="test")

    def after_train_epoch(self, runner: Any) -> None:
        """Called after each training epoch."""
        self._after_epoch(runner, mode="train")

    def after_val_epoch(
        self, runner: Any, metrics: dict[str, float] | None = None
    ) -> None:
        """Called after the validation epoch with the evaluator's metrics."""
        self._after_epoch(runner, mode="val")

    def after_test_epoch(
        self, runner: Any, metrics: dict[str, float] | None = None
    ) -> None:
        """Called after the test epoch with the evaluator's metrics."""
        self._after_epoch(runner, mode="test")

    # --- iteration points -----------------------------------------------------

    def before_train_iter(
        self, runner: Any, batch_idx: int, data_batch: DATA_BATCH = None
    ) -> None:
        """Called before each training iteration."""
        self._before_iter(
            runner, batch_idx=batch_idx, data_batch=data_batch, mode="train"
        )

    def before_val_iter(
        self, runner: Any, batch_idx: int, data_batch: DATA_BATCH = None
    ) -> None:
        """Called before each validation iteration."""
        self._before_iter(
            runner, batch_idx=batch_idx, data_batch=data_batch, mode="val"
        )

    def before_test_iter(
        self, runner: Any, batch_idx: int, data_batch: DATA_BATCH = None
    ) -> None:
        """Called before each test iteration."""
        self._before_iter(
            runner, batch_idx=batch_idx, data_batch=data_batch, mode="test"
        )

    def after_train_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: dict | None = None,
    ) -> None:
        """Called after each training iteration with ``train_step``'s outputs."""
        self._after_iter(
            runner,
            batch_idx=batch_idx,
            data_batch=data_batch,
            outputs=outputs,
            mode="train",
        )

    def after_val_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Sequence | None = None,
    ) -> None:
        """Called after each validation iteration with ``val_step``'s outputs."""
        self._after_iter(
            runner,
            batch_idx=batch_idx,
            data_batch=data_batch,
            outputs=outputs,
            mode="val",
        )

    def after_test_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Sequence | None = None,
    ) -> None:
        """Called after each test iteration with ``test_step``'s outputs."""
        self._after_iter(
            runner,
            batch_idx=batch_idx,
            data_batch=data_batch,
            outputs=outputs,
            mode="test",
        )

    # --- generic points the per-mode ones forward to --------------------------

    def _before_epoch(self, runner: Any, mode: str = "train") -> None:
        """Called before an epoch of any mode (``'train'``, ``'val'``, ``'test'``)."""

    def _after_epoch(self, runner: Any, mode: str = "train") -> None:
        """Called after an epoch of any mode."""

    def _before_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        mode: str = "train",
    ) -> None:
        """Called before an iteration of any mode."""

    def _after_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Sequence | dict | None = None,
        mode: str = "train",
    ) -> None:
        """Called after an iteration of any mode."""

    # --- helpers --------------------------------------------------------------

    def every_n_epochs(self, runner: Any, n: int, start: int = 0) -> bool:
        """Whether the current epoch ends a period of ``n`` epochs from ``start``.

        True for the epochs ``start, start + n, start + 2n, ...`` counted
        from 1 (with ``start=0``: ``n, 2n, ...``); always False when
        ``n <= 0``.

        Args:
            runner: The runner (reads ``runner.epoch``).
            n: The period.
            start: The first epoch (counted from 1) of the schedule.
                Defaults to 0.

        Returns:
            bool: Whether the current epoch is on the schedule.
        """
        done = runner.epoch + 1
        return n > 0 and done >= start and (done - start) % n == 0

    def every_n_inner_iters(self, batch_idx: int, n: int) -> bool:
        """Whether iteration ``batch_idx`` of the epoch ends a period of ``n``.

        Args:
            batch_idx: The iteration's index in the epoch, from 0.
            n: The period; always False when ``n <= 0``.

        Returns:
            bool: ``(batch_idx + 1) % n == 0``.
        """
        return n > 0 and (batch_idx + 1) % n == 0

    def every_n_train_iters(self, runner: Any, n: int, start: int = 0) -> bool:
        """Whether the current training iteration ends a period of ``n``.

        As :meth:`every_n_epochs`, counting ``runner.iter + 1``.

        Args:
            runner: The runner (reads ``runner.iter``).
            n: The period; always False when ``n <= 0``.
            start: The first iteration (counted from 1) of the schedule.
                Defaults to 0.

        Returns:
            bool: Whether the current iteration is on the schedule.
        """
        done = runner.iter + 1
        return n > 0 and done >= start and (done - start) % n == 0

    def end_of_epoch(self, dataloader: Any, batch_idx: int) -> bool:
        """Whether ``batch_idx`` is the last iteration of ``dataloader``.

        Args:
            dataloader: Anything with a length.
            batch_idx: The iteration's index in the epoch, from 0.

        Returns:
            bool: ``batch_idx + 1 == len(dataloader)``.
        """
        return batch_idx + 1 == len(dataloader)

    def is_last_train_epoch(self, runner: Any) -> bool:
        """Whether the current epoch is the last training epoch.

        Args:
            runner: The runner (reads ``runner.epoch`` and ``runner.max_epochs``).

        Returns:
            bool: ``runner.epoch + 1 == runner.max_epochs``.
        """
        return runner.epoch + 1 == runner.max_epochs

    def is_last_train_iter(self, runner: Any) -> bool:
        """Whether the current iteration is the last training iteration.

        Args:
            runner: The runner (reads ``runner.iter`` and ``runner.max_iters``).

        Returns:
            bool: ``runner.iter + 1 == runner.max_iters``.
        """
        return runner.iter + 1 == runner.max_iters

    def get_triggered_stages(self) -> list:
        """The mount points this hook's class overrides.

        Overriding one of the generic methods (``_before_epoch``,
        ``_after_epoch``, ``_before_iter``, ``_after_iter``) counts as
        overriding the three per-mode points that forward to it.

        Returns:
            list: Names from :attr:`stages`, in that order.
        """
        triggered = {
            stage for stage in self.stages if is_method_overridden(stage, Hook, self)
        }
        for method, stages in _GENERIC.items():
            if is_method_overridden(method, Hook, self):
                triggered.update(stages)
        return [stage for stage in self.stages if stage in triggered]
