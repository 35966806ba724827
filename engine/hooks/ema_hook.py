"""``EMAHook``: keep an averaged copy of the model and evaluate with it.

The hook builds an averaged model (:mod:`engine.model.averaged_model`,
looked up by ``ema_type`` in :data:`~engine.registry.MODELS`) from the bare
model before the run, and drives it::

    before_run                 build ema_model from runner.model (unwrapped)
    before_train               check begin_epoch <= max_epochs / begin_iter <= max_iters
    after_train_iter           started? ema_model.update_parameters(model)
                                        : copy the model into ema_model
    before_{val,test}_epoch    swap the averaged tensors into the model
    after_{val,test}_epoch     swap them back (training weights are untouched)
    before_save_checkpoint     ckpt['ema_state_dict'] = ema_model.state_dict(),
                               then swap: ckpt['state_dict'] holds the averaged
                               weights, ckpt['ema_state_dict'] the trained ones
    after_load_checkpoint      resuming with 'ema_state_dict': swap back and load
                               it into ema_model; otherwise copy ckpt['state_dict']
                               into the averaged model (warning when resuming)

Averaging "starts" once the iteration (or epoch) being run, counted from 1,
reaches ``begin_iter`` (or ``begin_epoch``); before that the averaged model
follows the model exactly.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from engine.hooks.hook import Hook
from engine.logging import print_log
from engine.registry import HOOKS, MODELS

__all__ = ["EMAHook"]

_PREFIX = "module."


@HOOKS.register_module()
class EMAHook(Hook):
    """Average the model's weights and validate, test and save with them.

    Args:
        ema_type: The averaged model's type in ``MODELS``
            (``'ExponentialMovingAverage'``, ``'MomentumAnnealingEMA'``,
            ``'StochasticWeightAverage'`` or a custom one). Defaults to
            ``'ExponentialMovingAverage'``.
        strict_load: Load checkpointed averaged weights strictly. Defaults
            to False.
        begin_iter: The (1-based) iteration from which to average; the
            averaged model copies the model before it. Defaults to 0.
        begin_epoch: The (1-based) epoch from which to average; at most one
            of ``begin_iter`` and ``begin_epoch`` may be set. Defaults to 0.
        **kwargs: Passed to the averaged model (``momentum``, ``interval``,
            ``update_buffers``...).

    Raises:
        AssertionError: If ``begin_iter`` or ``begin_epoch`` is negative or
            both are set.

    Examples:
        >>> # custom_hooks = [dict(type='EMAHook', momentum=0.001)]
        >>> hook = EMAHook(momentum=0.001, begin_epoch=2)
        >>> hook.ema_cfg
        {'type': 'ExponentialMovingAverage', 'momentum': 0.001}
    """

    priority = "NORMAL"

    def __init__(
        self,
        ema_type: str = "ExponentialMovingAverage",
        strict_load: bool = False,
        begin_iter: int = 0,
        begin_epoch: int = 0,
        **kwargs: Any,
    ) -> None:
        self.strict_load = strict_load
        self.ema_cfg = dict(type=ema_type, **kwargs)
        assert not (begin_iter != 0 and begin_epoch != 0), (
            "`begin_iter` and `begin_epoch` should not be both set."
        )
        assert begin_iter >= 0, (
            f"`begin_iter` must larger than or equal to 0, but got begin_iter: "
            f"{begin_iter}"
        )
        assert begin_epoch >= 0, (
            f"`begin_epoch` must larger than or equal to 0, but got begin_epoch: "
            f"{begin_epoch}"
        )
        self.begin_iter = begin_iter
        self.begin_epoch = begin_epoch
        self.enabled_by_epoch = self.begin_epoch > 0

    def before_run(self, runner: Any) -> None:
        """Build the averaged model from the bare ``runner.model``."""
        from engine.model import is_model_wrapper

        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        self.src_model = model
        self.ema_model = MODELS.build(dict(self.ema_cfg, model=self.src_model))

    def before_train(self, runner: Any) -> None:
        """Check that averaging can start before the training ends."""
        if self.enabled_by_epoch:
            assert self.begin_epoch <= runner.max_epochs, (
                "self.begin_epoch should be smaller than or equal to "
                f"runner.max_epochs: {runner.max_epochs}, but got begin_epoch: "
                f"{self.begin_epoch}"
            )
        else:
            assert self.begin_iter <= runner.max_iters, (
                "self.begin_iter should be smaller than or equal to "
                f"runner.max_iters: {runner.max_iters}, but got begin_iter: "
                f"{self.begin_iter}"
            )

    def after_train_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: Any = None,
        outputs: Any = None,
    ) -> None:
        """Update the averaged model, or copy the model before the start."""
        if self._ema_started(runner):
            self.ema_model.update_parameters(self.src_model)
            return
        source = self.src_model.state_dict()
        for name, tensor in self.ema_model.module.state_dict().items():
            tensor.copy_(source[name])

    def before_val_epoch(self, runner: Any) -> None:
        """Evaluate with the averaged weights."""
        self._swap_ema_parameters()

    def after_val_epoch(self, runner: Any, metrics: dict | None = None) -> None:
        """Put the training weights back."""
        self._swap_ema_parameters()

    def before_test_epoch(self, runner: Any) -> None:
        """Test with the averaged weights."""
        self._swap_ema_parameters()

    def after_test_epoch(self, runner: Any, metrics: dict | None = None) -> None:
        """Put the training weights back."""
        self._swap_ema_parameters()

    def before_save_checkpoint(self, runner: Any, checkpoint: dict) -> None:
        """Save the averaged weights as ``state_dict`` and the trained ones
        (with ``steps``) as ``ema_state_dict``."""
        checkpoint["ema_state_dict"] = self.ema_model.state_dict()
        self._swap_ema_state_dict(checkpoint)

    def after_load_checkpoint(self, runner: Any, checkpoint: dict) -> None:
        """Restore the averaged model from ``checkpoint``.

        When resuming from a checkpoint with ``ema_state_dict``, the two
        state dicts are swapped back (so the runner loads the trained
        weights) and the averaged model loads its own. Otherwise the averaged
        model starts as a copy of ``checkpoint['state_dict']``.
        """
        from engine.runner.checkpoint import load_state_dict

        if "ema_state_dict" in checkpoint and runner._resume:
            self._swap_ema_state_dict(checkpoint)
            self.ema_model.load_state_dict(
                checkpoint["ema_state_dict"], strict=self.strict_load
            )
            return
        if runner._resume:
            print_log(
                "There is no `ema_state_dict` in checkpoint. `EMAHook` will make "
                "a copy of `state_dict` as the initial `ema_state_dict`",
                logger="current",
                level=logging.WARNING,
            )
        load_state_dict(
            self.ema_model.module,
            copy.deepcopy(checkpoint["state_dict"]),
            strict=self.strict_load,
        )

    def _swap_ema_parameters(self) -> None:
        """Exchange the values of the averaged tensors and the model's."""
        source = self.src_model.state_dict(keep_vars=True)
        for name, averaged in self.ema_model.avg_parameters.items():
            model_tensor = source[name]
            saved = averaged.data.clone()
            averaged.data.copy_(model_tensor.data)
            model_tensor.data.copy_(saved)

    def _swap_ema_state_dict(self, checkpoint: dict) -> None:
        """Exchange ``ema_state_dict['module.<k>']`` and ``state_dict['<k>']``."""
        ema_state = checkpoint["ema_state_dict"]
        model_state = checkpoint["state_dict"]
        for key in list(ema_state):
            if not key.startswith(_PREFIX):
                continue
            name = key[len(_PREFIX) :]
            if name not in model_state:
                raise KeyError(
                    f"checkpoint['ema_state_dict'] has {key!r} but "
                    f"checkpoint['state_dict'] has no {name!r}"
                )
            ema_state[key], model_state[name] = model_state[name], ema_state[key]

    def _ema_started(self, runner: Any) -> bool:
        """Whether the iteration (epoch) being run, from 1, reached the start."""
        if self.enabled_by_epoch:
            return bool(runner.epoch + 1 >= self.begin_epoch)
        return bool(runner.iter + 1 >= self.begin_iter)
