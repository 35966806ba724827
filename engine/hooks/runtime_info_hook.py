"""``RuntimeInfoHook``: keeps the run's state in ``runner.message_hub``.

Other hooks and the :class:`~engine.runner.LogProcessor` read what it writes:

* runtime info: ``cfg`` (the config text), ``seed``, ``experiment_name``
  and ``mmengine_version`` before the run; ``epoch``, ``iter``,
  ``max_epochs``, ``max_iters`` and ``dataset_meta`` (the train dataset's
  ``metainfo``, when it has one) before training; ``epoch`` before each
  epoch and ``iter`` before each iteration; ``loop_stage`` (``'train'``,
  ``'val'`` or ``'test'``) while a loop runs; validation and test metrics
  that are not scalars, as ``val/<name>`` or ``test/<name>``;
* scalars: ``train/<name>`` for each learning rate of
  ``runner.optim_wrapper.get_lr()`` (before each iteration) and for each
  value of the ``outputs`` of ``train_step`` (after it), ``val/<name>`` and
  ``test/<name>`` for scalar metrics.

A validation run inside training returns ``loop_stage`` to ``'train'``;
otherwise the end of a loop removes ``loop_stage``.
"""

from __future__ import annotations

import sys
from typing import Any

from engine.hooks.hook import DATA_BATCH, Hook
from engine.registry import HOOKS

__all__ = ["RuntimeInfoHook"]


def _is_scalar(value: Any) -> bool:
    """Whether a metric is a real number (a one-element array or tensor too)."""
    if isinstance(value, (int, float)):
        return True
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if isinstance(value, numpy.number):
            return not isinstance(value, numpy.complexfloating)
        if isinstance(value, numpy.ndarray):
            return value.size == 1 and not numpy.iscomplexobj(value)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        return value.numel() == 1 and not value.is_complex()
    return False


@HOOKS.register_module()
class RuntimeInfoHook(Hook):
    """Update the runtime information of ``runner.message_hub``.

    Its priority is ``VERY_HIGH`` so that every other hook sees the current
    epoch, iteration and learning rate.

    Examples:
        >>> from types import SimpleNamespace
        >>> from engine.logging import MessageHub
        >>> runner = SimpleNamespace(message_hub=MessageHub('doc'))
        >>> hook = RuntimeInfoHook()
        >>> hook.after_val_epoch(runner, metrics={'accuracy': 0.9})
        >>> runner.message_hub.get_scalar('val/accuracy').current()
        0.9
    """

    priority = "VERY_HIGH"

    def before_run(self, runner: Any) -> None:
        """Record the config text, seed, experiment name and version."""
        from engine._identity import COMPAT_MMENGINE_VERSION

        metainfo = dict(
            cfg=runner.cfg.pretty_text,
            seed=runner.seed,
            experiment_name=runner.experiment_name,
            mmengine_version=COMPAT_MMENGINE_VERSION,
        )
        runner.message_hub.update_info_dict(metainfo)

    def before_train(self, runner: Any) -> None:
        """Record the counters, their limits and the dataset's metainfo."""
        hub = runner.message_hub
        hub.update_info("loop_stage", "train")
        hub.update_info("epoch", runner.epoch)
        hub.update_info("iter", runner.iter)
        hub.update_info("max_epochs", runner.max_epochs)
        hub.update_info("max_iters", runner.max_iters)
        dataset: Any = getattr(runner.train_dataloader, "dataset", None)
        if hasattr(dataset, "metainfo"):
            hub.update_info("dataset_meta", dataset.metainfo)

    def after_train(self, runner: Any) -> None:
        """Leave the training stage."""
        runner.message_hub.pop_info("loop_stage")

    def before_train_epoch(self, runner: Any) -> None:
        """Record the epoch."""
        runner.message_hub.update_info("epoch", runner.epoch)

    def before_train_iter(
        self, runner: Any, batch_idx: int, data_batch: DATA_BATCH = None
    ) -> None:
        """Record the iteration and the learning rates (``train/<name>``)."""
        hub = runner.message_hub
        hub.update_info("iter", runner.iter)
        for name, lr in runner.optim_wrapper.get_lr().items():
            hub.update_scalar(f"train/{name}", lr[0])

    def after_train_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: dict | None = None,
    ) -> None:
        """Record each value of ``outputs`` as the scalar ``train/<name>``."""
        if outputs is not None:
            hub = runner.message_hub
            for key, value in outputs.items():
                hub.update_scalar(f"train/{key}", value)

    def before_val(self, runner: Any) -> None:
        """Enter the validation stage, remembering the stage it interrupts."""
        hub = runner.message_hub
        self.last_loop_stage = hub.get_info("loop_stage")
        hub.update_info("loop_stage", "val")

    def after_val_epoch(
        self, runner: Any, metrics: dict[str, float] | None = None
    ) -> None:
        """Record the validation metrics (``val/<name>``)."""
        self._record_metrics(runner, metrics, "val")

    def after_val(self, runner: Any) -> None:
        """Return to training if validation interrupted it, else leave."""
        hub = runner.message_hub
        if getattr(self, "last_loop_stage", None) == "train":
            hub.update_info("loop_stage", "train")
            self.last_loop_stage = None
        else:
            hub.pop_info("loop_stage")

    def before_test(self, runner: Any) -> None:
        """Enter the test stage."""
        runner.message_hub.update_info("loop_stage", "test")

    def after_test_epoch(
        self, runner: Any, metrics: dict[str, float] | None = None
    ) -> None:
        """Record the test metrics (``test/<name>``)."""
        self._record_metrics(runner, metrics, "test")

    def after_test(self, runner: Any) -> None:
        """Leave the test stage."""
        runner.message_hub.pop_info("loop_stage")

    @staticmethod
    def _record_metrics(runner: Any, metrics: dict | None, mode: str) -> None:
        """Scalars go to ``hub.log_scalars``, anything else to the runtime info."""
        if not metrics:
            return
        hub = runner.message_hub
        for key, value in metrics.items():
            if _is_scalar(value):
                hub.update_scalar(f"{mode}/{key}", value)
            else:
                hub.update_info(f"{mode}/{key}", value)
