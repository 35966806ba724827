"""The train, val and test loops the Runner drives.

The train loops call the hooks around every epoch and iteration and run the
validation loop on its cadence: after epoch/iteration ``n`` when
``n >= val_begin`` and ``n % val_interval == 0``, and always after the last
one (when a validation loop exists). ``dynamic_intervals`` changes the
interval from given milestones on.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from typing import Any

import torch

from engine.logging import HistoryBuffer, print_log
from engine.registry import LOOPS
from engine.runner._fast_forward import fast_forward
from engine.runner._losses import parse_losses, update_losses
from engine.runner.amp import autocast
from engine.runner.base_loop import BaseLoop
from engine.runner.utils import calc_dynamic_intervals

__all__ = ["EpochBasedTrainLoop", "IterBasedTrainLoop", "TestLoop", "ValLoop"]


class _TrainLoop(BaseLoop):
    """Counters, validation cadence and dataset metainfo of a train loop."""

    def __init__(
        self,
        runner: Any,
        dataloader: Any,
        val_begin: int,
        val_interval: int,
        dynamic_intervals: Sequence[tuple[int, int]] | None,
    ) -> None:
        super().__init__(runner, dataloader)
        self._epoch = 0
        self._iter = 0
        self._max_epochs = 0
        self._max_iters = 0
        self.val_begin = val_begin
        self.val_interval = val_interval
        self.stop_training = False
        self.dynamic_milestones, self.dynamic_intervals = calc_dynamic_intervals(
            val_interval, dynamic_intervals
        )
        _share_metainfo(runner, self.dataloader)

    @property
    def max_epochs(self) -> int:
        """Total training epochs."""
        return self._max_epochs

    @property
    def max_iters(self) -> int:
        """Total training iterations."""
        return self._max_iters

    @property
    def epoch(self) -> int:
        """Epochs finished."""
        return self._epoch

    @property
    def iter(self) -> int:
        """Iterations finished."""
        return self._iter

    def _decide_current_val_interval(self, progress: int) -> None:
        step = bisect.bisect(self.dynamic_milestones, progress + 1)
        self.val_interval = self.dynamic_intervals[step - 1]

    def _should_validate(self, done: int, last: int) -> bool:
        return (
            self.runner.val_loop is not None
            and done >= self.val_begin
            and (done % self.val_interval == 0 or done == last)
        )

    def run_iter(self, idx: int, data_batch: Any) -> None:
        """One training iteration (``idx``: its index for the hooks)."""
        runner = self.runner
        runner.call_hook("before_train_iter", batch_idx=idx, data_batch=data_batch)
        outputs = runner.model.train_step(
            data_batch, optim_wrapper=runner.optim_wrapper
        )
        runner.call_hook(
            "after_train_iter", batch_idx=idx, data_batch=data_batch, outputs=outputs
        )
        self._iter += 1


def _whole(name: str, value: Any) -> int:
    """``value`` as an int; a ``ValueError`` naming ``name`` if it is not whole."""
    if int(value) != value:
        raise ValueError(f"{name} should be an integer, but got {value!r}")
    return int(value)


def _share_metainfo(runner: Any, dataloader: Any) -> None:
    """Give the visualizer the dataset's metainfo (or warn it has none)."""
    dataset = getattr(dataloader, "dataset", None)
    metainfo = getattr(dataset, "metainfo", None)
    if metainfo is not None:
        runner.visualizer.dataset_meta = metainfo
    else:
        print_log(
            f"Dataset {type(dataset).__name__} has no metainfo. "
            "``dataset_meta`` in visualizer will be None.",
            logger="current",
            level=logging.WARNING,
        )


@LOOPS.register_module()
class EpochBasedTrainLoop(_TrainLoop):
    """Train for ``max_epochs`` passes over the dataloader.

    Args:
        runner: The runner.
        dataloader: A ``DataLoader`` or its config.
        max_epochs: Number of epochs.
        val_begin: First epoch after which validation may run.
        val_interval: Validate every ``val_interval`` epochs.
        dynamic_intervals: ``(epoch, interval)`` pairs changing the interval.

    Examples:
        >>> # train_cfg = dict(by_epoch=True, max_epochs=12, val_interval=1)
    """

    def __init__(
        self,
        runner: Any,
        dataloader: Any,
        max_epochs: int,
        val_begin: int = 1,
        val_interval: int = 1,
        dynamic_intervals: list[tuple[int, int]] | None = None,
    ) -> None:
        super().__init__(runner, dataloader, val_begin, val_interval, dynamic_intervals)
        self._max_epochs = _whole("max_epochs", max_epochs)
        self._max_iters = self._max_epochs * len(self.dataloader)

    def run(self) -> torch.nn.Module:
        """Train epoch after epoch, validating on the cadence."""
        runner = self.runner
        runner.call_hook("before_train")
        while self._epoch < self._max_epochs and not self.stop_training:
            self.run_epoch()
            self._decide_current_val_interval(self._epoch)
            if self._should_validate(self._epoch, self._max_epochs):
                runner.val_loop.run()
        runner.call_hook("after_train")
        return runner.model

    def run_epoch(self) -> None:
        """One pass over the dataloader."""
        self.runner.call_hook("before_train_epoch")
        self.runner.model.train()
        for idx, data_batch in enumerate(self.dataloader):
            self.run_iter(idx, data_batch)
        self.runner.call_hook("after_train_epoch")
        self._epoch += 1


class _InfiniteDataloaderIterator:
    """Iterate a dataloader forever, starting a new epoch when exhausted."""

    def __init__(self, dataloader: Any) -> None:
        self._dataloader = dataloader
        self._iterator: Any = None  # created on first use (after a resume)
        self._epoch = 0

    def __iter__(self) -> _InfiniteDataloaderIterator:
        return self

    def __next__(self) -> Any:
        if self._iterator is None:
            self._iterator = iter(self._dataloader)
        try:
            return next(self._iterator)
        except StopIteration:
            print_log(
                "Reach the end of the dataloader, it will be restarted and "
                "continue to iterate. It is recommended to use "
                "`InfiniteSampler` to enable the dataloader to iterate "
                "infinitely.",
                logger="current",
                level=logging.WARNING,
            )
            self._epoch += 1
            sampler: Any = getattr(self._dataloader, "sampler", None)
            if hasattr(sampler, "set_epoch"):
                sampler.set_epoch(self._epoch)
            batch_sampler = getattr(self._dataloader, "batch_sampler", None)
            inner: Any = getattr(batch_sampler, "sampler", None)
            if inner is not sampler and hasattr(inner, "set_epoch"):
                inner.set_epoch(self._epoch)
            self._iterator = iter(self._dataloader)
            return next(self._iterator)


@LOOPS.register_module()
class IterBasedTrainLoop(_TrainLoop):
    """Train for ``max_iters`` iterations, restarting the dataloader as needed.

    Unlike MMEngine, which sleeps 2 s each time the dataloader is exhausted,
    the dataloader is restarted at once.

    Args:
        runner: The runner.
        dataloader: A ``DataLoader`` or its config.
        max_iters: Number of iterations.
        val_begin: First iteration after which validation may run.
        val_interval: Validate every ``val_interval`` iterations.
        dynamic_intervals: ``(iter, interval)`` pairs changing the interval.

    Examples:
        >>> # train_cfg = dict(by_epoch=False, max_iters=10000, val_interval=1000)
    """

    def __init__(
        self,
        runner: Any,
        dataloader: Any,
        max_iters: int,
        val_begin: int = 1,
        val_interval: int = 1000,
        dynamic_intervals: list[tuple[int, int]] | None = None,
    ) -> None:
        super().__init__(runner, dataloader, val_begin, val_interval, dynamic_intervals)
        self._max_iters = _whole("max_iters", max_iters)
        self._max_epochs = 1
        self.dataloader_iterator = _InfiniteDataloaderIterator(self.dataloader)

    def run(self) -> torch.nn.Module:
        """Train iteration after iteration, validating on the cadence."""
        runner = self.runner
        runner.call_hook("before_train")
        runner.call_hook("before_train_epoch")
        self._skip_trained_batches()
        while self._iter < self._max_iters and not self.stop_training:
            runner.model.train()
            data_batch = next(self.dataloader_iterator)
            self.run_iter(self._iter, data_batch)
            self._decide_current_val_interval(self._iter)
            if self._should_validate(self._iter, self._max_iters):
                runner.val_loop.run()
        runner.call_hook("after_train_epoch")
        runner.call_hook("after_train")
        return runner.model

    def _skip_trained_batches(self) -> None:
        if self._iter <= 0:
            return
        print_log(
            f"Advance dataloader {self._iter} steps to skip data that has "
            "already been trained",
            logger="current",
            level=logging.INFO,
        )
        iterator = self.dataloader_iterator
        epoch = None
        if iterator._iterator is None:
            epoch = fast_forward(self.dataloader, self._iter)
        if epoch is not None:
            iterator._epoch = epoch
            return
        for _ in range(self._iter):
            next(iterator)


class _EvalLoop(BaseLoop):
    """A pass over a dataloader feeding an evaluator (val and test)."""

    stage = "val"

    def __init__(
        self, runner: Any, dataloader: Any, evaluator: Any, fp16: bool = False
    ) -> None:
        super().__init__(runner, dataloader)
        if isinstance(evaluator, (dict, list)):
            self.evaluator = runner.build_evaluator(evaluator)
        else:
            self.evaluator = evaluator
        self._share_dataset_meta()
        self.fp16 = fp16
        self._losses: dict[str, HistoryBuffer] = {}

    def _share_dataset_meta(self) -> None:
        dataset = getattr(self.dataloader, "dataset", None)
        metainfo = getattr(dataset, "metainfo", None)
        if metainfo is not None:
            self.evaluator.dataset_meta = metainfo
            self.runner.visualizer.dataset_meta = metainfo
        else:
            print_log(
                f"Dataset {type(dataset).__name__} has no metainfo. "
                "``dataset_meta`` in evaluator, metric and visualizer will be None.",
                logger="current",
                level=logging.WARNING,
            )

    def run(self) -> dict:
        """Run the pass; return the metrics (and the averaged losses)."""
        stage, runner = self.stage, self.runner
        runner.call_hook(f"before_{stage}")
        runner.call_hook(f"before_{stage}_epoch")
        runner.model.eval()
        self._losses = {}
        for idx, data_batch in enumerate(self.dataloader):
            self.run_iter(idx, data_batch)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        if self._losses:
            metrics.update(parse_losses(self._losses, stage))
        runner.call_hook(f"after_{stage}_epoch", metrics=metrics)
        runner.call_hook(f"after_{stage}")
        return metrics

    @torch.no_grad()
    def run_iter(self, idx: int, data_batch: Any) -> None:
        """One evaluation iteration."""
        stage, runner = self.stage, self.runner
        runner.call_hook(f"before_{stage}_iter", batch_idx=idx, data_batch=data_batch)
        with autocast(enabled=self.fp16):
            outputs = getattr(runner.model, f"{stage}_step")(data_batch)
        outputs, self._losses = update_losses(outputs, self._losses)
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        runner.call_hook(
            f"after_{stage}_iter", batch_idx=idx, data_batch=data_batch, outputs=outputs
        )


@LOOPS.register_module()
class ValLoop(_EvalLoop):
    """One validation pass: ``val_step`` per batch, then ``evaluate``.

    Args:
        runner: The runner.
        dataloader: A ``DataLoader`` or its config.
        evaluator: An ``Evaluator``, or its config (a dict or a list).
        fp16: Run the forward under :func:`autocast`.

    Examples:
        >>> # val_cfg = dict(type='ValLoop')
    """

    stage = "val"


@LOOPS.register_module()
class TestLoop(_EvalLoop):
    """One test pass: ``test_step`` per batch, then ``evaluate``.

    Args:
        runner: The runner.
        dataloader: A ``DataLoader`` or its config.
        evaluator: An ``Evaluator``, or its config (a dict or a list).
        fp16: Run the forward under :func:`autocast`.

    Examples:
        >>> # test_cfg = dict(type='TestLoop')
    """

    stage = "test"
