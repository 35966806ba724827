"""``CheckpointHook``: saves checkpoints on schedule, keeps the best, publishes.

Files, all in ``out_dir`` (``work_dir`` by default, else
``out_dir/<basename(work_dir)>``):

* ``epoch_N.pth`` (``iter_N.pth`` with ``by_epoch=False``; any
  ``filename_tmpl``) after epochs (iterations) ``save_begin + k * interval``
  and, with ``save_last``, after the last one; with ``max_keep_ckpts`` only
  the newest are kept. ``<work_dir>/last_checkpoint`` holds the path of the
  latest one (``resume=True`` reads it);
* ``best_<metric>_epoch_N.pth`` (``..._iter_N.pth``), weights and meta only,
  for each metric of ``save_best`` whenever a validation improves it; the
  previous best is deleted. When a validation improves a metric after a
  regular checkpoint has been saved, the checkpoint of the current epoch
  (iteration) is saved again so that it holds the new best score;
* ``<name>-<sha256[:8]>.pth`` after training, with ``published_keys``: the
  last (with ``save_last``) and the best checkpoints reduced to those keys.

``runner.message_hub`` keeps ``last_ckpt``, ``keep_ckpt_ids``,
``best_score``/``best_ckpt`` (``best_score_<metric>``/``best_ckpt_<metric>``
with several metrics), so a resumed run continues the retention and the
best tracking.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os.path as osp
import pickle
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.hooks._checkpoint_args import (
    DEFAULT_GREATER_KEYS,
    DEFAULT_LESS_KEYS,
    check_keys,
    infer_rule,
    normalize_published,
    normalize_save_best,
)
from engine.hooks.hook import DATA_BATCH, Hook
from engine.logging import print_log
from engine.registry import HOOKS

__all__ = ["CheckpointHook"]


@HOOKS.register_module()
class CheckpointHook(Hook):
    """Save checkpoints periodically, the best ones, and published copies.

    Args:
        interval: Save every ``interval`` epochs (iterations); -1 only
            saves the last one (with ``save_last``). Defaults to -1.
        by_epoch: Count epochs rather than iterations. Defaults to True.
        save_optimizer: Save the optimizer state. Defaults to True.
        save_param_scheduler: Save the schedulers' state. Defaults to True.
        out_dir: Where to save (a local path or a storage URI); None is
            ``runner.work_dir``, another value gets ``basename(work_dir)``
            appended. Defaults to None.
        max_keep_ckpts: Keep only this many regular checkpoints (-1: all).
            Defaults to -1.
        save_last: Save after the last epoch (iteration) too. Defaults to
            True.
        save_best: A metric name, a list of them, or ``'auto'`` (the first
            metric of the evaluator); None saves no best checkpoint.
            Defaults to None.
        rule: ``'greater'`` or ``'less'`` (or one per metric); None infers it
            from ``greater_keys``/``less_keys``. Defaults to None.
        greater_keys: Metric names that improve when they grow; None is
            ``['acc', 'top', 'AR@', 'auc', 'precision', 'mAP', 'mDice',
            'mIoU', 'mAcc', 'aAcc']``. Defaults to None.
        less_keys: Metric names that improve when they shrink; None is
            ``['loss']``. Defaults to None.
        file_client_args: Deprecated; use ``backend_args``. Defaults to None.
        filename_tmpl: The name of regular checkpoints, formatted with the
            epoch (iteration); None is ``'epoch_{}.pth'`` (``'iter_{}.pth'``).
            Defaults to None.
        backend_args: Arguments of the storage backend. Defaults to None.
        published_keys: Keys of the published checkpoints (e.g.
            ``['meta', 'state_dict']``); None publishes nothing. Defaults to
            None.
        save_begin: The first epoch (iteration) to save at. Defaults to 0.
        **kwargs: Kept in ``self.args``.

    Raises:
        TypeError: if ``save_best``, ``rule``, ``greater_keys``,
            ``less_keys`` or ``published_keys`` has a wrong type.
        ValueError: for several ``'auto'``, a ``rule`` list of a wrong
            length, a metric whose rule cannot be inferred, duplicate
            ``published_keys``, a negative ``save_begin``, or both
            ``file_client_args`` and ``backend_args``.
        KeyError: if a rule is not ``'greater'``, ``'less'`` or None.

    Examples:
        >>> hook = CheckpointHook(interval=5, max_keep_ckpts=2,
        ...                       save_best='accuracy')
        >>> hook.filename_tmpl, hook.rules
        ('epoch_{}.pth', ['greater'])
    """

    out_dir: Any
    priority = "VERY_LOW"
    rule_map = {"greater": lambda x, y: x > y, "less": lambda x, y: x < y}
    init_value_map = {"greater": -math.inf, "less": math.inf}
    _default_greater_keys = DEFAULT_GREATER_KEYS
    _default_less_keys = DEFAULT_LESS_KEYS

    def __init__(
        self,
        interval: int = -1,
        by_epoch: bool = True,
        save_optimizer: bool = True,
        save_param_scheduler: bool = True,
        out_dir: str | Path | None = None,
        max_keep_ckpts: int = -1,
        save_last: bool = True,
        save_best: str | list[str] | None = None,
        rule: str | list[str] | None = None,
        greater_keys: Sequence[str] | None = None,
        less_keys: Sequence[str] | None = None,
        file_client_args: dict | None = None,
        filename_tmpl: str | None = None,
        backend_args: dict | None = None,
        published_keys: str | list[str] | None = None,
        save_begin: int = 0,
        **kwargs: Any,
    ) -> None:
        self.interval = interval
        self.by_epoch = by_epoch
        self.save_optimizer = save_optimizer
        self.save_param_scheduler = save_param_scheduler
        self.out_dir = out_dir
        self.max_keep_ckpts = max_keep_ckpts
        self.save_last = save_last
        self.args = kwargs
        if file_client_args is not None:
            print_log(
                '"file_client_args" will be deprecated in future. Please use '
                '"backend_args" instead',
                logger="current",
                level=logging.WARNING,
            )
            if backend_args is not None:
                raise ValueError(
                    '"file_client_args" and "backend_args" cannot be set at the '
                    "same time."
                )
        self.file_client_args = file_client_args
        self.backend_args = backend_args
        if filename_tmpl is None:
            filename_tmpl = "epoch_{}.pth" if by_epoch else "iter_{}.pth"
        self.filename_tmpl = filename_tmpl
        self._init_best(save_best, rule, greater_keys, less_keys)
        self.published_keys = normalize_published(published_keys)
        self.last_ckpt: str | None = None
        if save_begin < 0:
            raise ValueError(
                f"save_begin should not be less than 0, but got {save_begin}"
            )
        self.save_begin = save_begin

    def _init_best(
        self, save_best: Any, rule: Any, greater_keys: Any, less_keys: Any
    ) -> None:
        self.save_best: list[str] | None = None
        self.greater_keys = check_keys(
            "greater_keys", greater_keys, self._default_greater_keys
        )
        self.less_keys = check_keys("less_keys", less_keys, self._default_less_keys)
        if save_best is None:
            return
        self.save_best, rules = normalize_save_best(save_best, rule)
        self.is_better_than: dict[str, Any] = {}
        self._init_rule(rules, self.save_best)
        if len(self.key_indicators) == 1:
            self.best_ckpt_path: str | None = None
        else:
            self.best_ckpt_path_dict: dict[str, str | None] = {}

    def _init_rule(self, rules: list, key_indicators: list[str]) -> None:
        """Decide the rule of each metric (``'auto'`` waits for the metrics)."""
        decided = []
        for rule, key in zip(rules, key_indicators):
            rule = infer_rule(rule, key, self.greater_keys, self.less_keys)
            if rule is not None:
                self.is_better_than[key] = self.rule_map[rule]
            decided.append(rule)
        self.rules = decided
        self.key_indicators = list(key_indicators)

    # --- mount points ---------------------------------------------------------

    def before_train(self, runner: Any) -> None:
        """Settle ``out_dir`` and restore the state a resumed run saved."""
        from engine.fileio import FileClient, get_file_backend

        if self.out_dir is None:
            self.out_dir = runner.work_dir
        self.file_client = FileClient.infer_client(self.file_client_args, self.out_dir)
        if self.file_client_args is None:
            self.file_backend = get_file_backend(
                self.out_dir, backend_args=self.backend_args
            )
        else:
            self.file_backend = self.file_client
        if self.out_dir != runner.work_dir:
            basename = osp.basename(str(runner.work_dir).rstrip(osp.sep))
            self.out_dir = self.file_backend.join_path(self.out_dir, basename)
        runner.logger.info(f"Checkpoints will be saved to {self.out_dir}.")
        hub = runner.message_hub
        if self.save_best is not None:
            if len(self.key_indicators) == 1:
                self.best_ckpt_path = hub.get_info("best_ckpt")
            else:
                for key in self.key_indicators:
                    self.best_ckpt_path_dict[key] = hub.get_info(f"best_ckpt_{key}")
        if self.max_keep_ckpts > 0:
            kept: list = []
            if "keep_ckpt_ids" in hub.runtime_info:  # resumed
                kept = list(hub.get_info("keep_ckpt_ids"))
                while len(kept) > self.max_keep_ckpts:
                    self._remove(self.filename_tmpl.format(kept.pop(0)))
                hub.update_info("keep_ckpt_ids", kept)
            self.keep_ckpt_ids: deque = deque(kept, self.max_keep_ckpts)

    def after_train_epoch(self, runner: Any) -> None:
        """Save after the epochs of the schedule and the last one."""
        if not self.by_epoch:
            return
        if self.every_n_epochs(runner, self.interval, self.save_begin) or (
            self.save_last and self.is_last_train_epoch(runner)
        ):
            runner.logger.info(f"Saving checkpoint at {runner.epoch + 1} epochs")
            self._save_checkpoint(runner)

    def after_train_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: dict | None = None,
    ) -> None:
        """Save after the iterations of the schedule and the last one."""
        if self.by_epoch:
            return
        if self.every_n_train_iters(runner, self.interval, self.save_begin) or (
            self.save_last and self.is_last_train_iter(runner)
        ):
            runner.logger.info(f"Saving checkpoint at {runner.iter + 1} iterations")
            self._save_checkpoint(runner)

    def after_val_epoch(
        self, runner: Any, metrics: dict[str, float] | None = None
    ) -> None:
        """Save the best checkpoints that ``metrics`` improve."""
        if not metrics:
            runner.logger.warning(
                "Since `metrics` is an empty dict, the behavior to save the best "
                "checkpoint will be skipped in this evaluation."
            )
            return
        self._save_best_checkpoint(runner, metrics)

    def after_train(self, runner: Any) -> None:
        """Publish the last and the best checkpoints (with ``published_keys``)."""
        if self.published_keys is None:
            return
        if self.save_last and self.last_ckpt is not None:
            self._publish_model(runner, self.last_ckpt)
        if getattr(self, "best_ckpt_path", None) is not None:
            self._publish_model(runner, str(self.best_ckpt_path))
        for path in getattr(self, "best_ckpt_path_dict", {}).values():
            if path is not None:
                self._publish_model(runner, path)

    # --- saving ---------------------------------------------------------------

    def _save_checkpoint(self, runner: Any) -> None:
        """Save the regular checkpoint of the finished epoch (iteration)."""
        if self.by_epoch:
            step = runner.epoch + 1
            meta = dict(epoch=step, iter=runner.iter)
        else:
            step = runner.iter + 1
            meta = dict(epoch=runner.epoch, iter=step)
        self._save_checkpoint_with_step(runner, step, meta=meta)

    def _save_checkpoint_with_step(self, runner: Any, step: int, meta: dict) -> None:
        """Save ``filename_tmpl.format(step)``, dropping the oldest beyond the limit."""
        hub = runner.message_hub
        if self.max_keep_ckpts > 0 and step not in self.keep_ckpt_ids:
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                self._remove(self.filename_tmpl.format(self.keep_ckpt_ids.popleft()))
            self.keep_ckpt_ids.append(step)
            hub.update_info("keep_ckpt_ids", list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        hub.update_info("last_ckpt", self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
        )
        if _is_main_process():
            with open(osp.join(runner.work_dir, "last_checkpoint"), "w") as f:
                f.write(self.last_ckpt)

    def _remove(self, filename: str) -> None:
        """Delete ``out_dir/filename`` (on the main process) if it exists."""
        if not _is_main_process():
            return
        path = self.file_backend.join_path(self.out_dir, filename)
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):  # e.g. a sharded checkpoint
            self.file_backend.rmtree(path)

    def _save_best_checkpoint(self, runner: Any, metrics: dict) -> None:
        """Save a best checkpoint for each metric ``metrics`` improves."""
        if not self.save_best:
            return
        if self.key_indicators == ["auto"]:
            self._init_rule(self.rules, [next(iter(metrics))])
        improved = False
        for key, rule in zip(self.key_indicators, self.rules):
            assert rule is not None  # decided: given, inferred or from 'auto'
            improved |= self._save_best_of(runner, metrics, key, rule)
        if improved and self.last_ckpt is not None:
            # Refresh the current checkpoint so that it holds the new best.
            step = runner.epoch if self.by_epoch else runner.iter
            meta = dict(epoch=runner.epoch, iter=runner.iter)
            self._save_checkpoint_with_step(runner, step, meta)

    def _save_best_of(self, runner: Any, metrics: dict, key: str, rule: str) -> bool:
        """Save the best checkpoint of metric ``key`` if it improved."""
        if key not in metrics:
            raise KeyError(
                f"save_best metric {key!r} is not among the validation metrics "
                f"{list(metrics)}"
            )
        single = len(self.key_indicators) == 1
        score_key = "best_score" if single else f"best_score_{key}"
        ckpt_key = "best_ckpt" if single else f"best_ckpt_{key}"
        hub = runner.message_hub
        score = metrics[key]
        if not self.is_better_than[key](
            score, hub.get_info(score_key, self.init_value_map[rule])
        ):
            return False
        previous = self.best_ckpt_path if single else self.best_ckpt_path_dict[key]
        if previous and _is_main_process() and self.file_backend.isfile(previous):
            self.file_backend.remove(previous)
            runner.logger.info(f"The previous best checkpoint {previous} is removed")
        unit, count = (
            ("epoch", runner.epoch) if self.by_epoch else ("iter", runner.iter)
        )
        name = f"best_{key.replace('/', '_')}_{unit}_{count}.pth"
        path = self.file_backend.join_path(self.out_dir, name)
        if single:
            self.best_ckpt_path = path
        else:
            self.best_ckpt_path_dict[key] = path
        hub.update_info(score_key, score)
        hub.update_info(ckpt_key, path)
        runner.save_checkpoint(
            self.out_dir,
            filename=name,
            file_client_args=self.file_client_args,
            save_optimizer=False,
            save_param_scheduler=False,
            meta=dict(epoch=runner.epoch, iter=runner.iter),
            by_epoch=False,
            backend_args=self.backend_args,
        )
        runner.logger.info(
            f"The best checkpoint with {score:0.4f} {key} at {count} {unit} "
            f"is saved to {name}."
        )
        return True

    def _publish_model(self, runner: Any, ckpt_path: str) -> None:
        """Save ``ckpt_path`` reduced to ``published_keys`` as ``<name>-<sha>.pth``."""
        from engine.runner.checkpoint import _load_checkpoint, save_checkpoint

        assert self.published_keys is not None
        checkpoint = _load_checkpoint(ckpt_path)
        removed = [key for key in checkpoint if key not in self.published_keys]
        if removed:
            runner.logger.info(
                f"Key {removed} will be removed because they are not found in "
                f"published_keys. If you want to keep them, please set `{removed}` "
                "in published_keys"
            )
        published = {k: v for k, v in checkpoint.items() if k in self.published_keys}
        sha = hashlib.sha256(pickle.dumps(published)).hexdigest()
        final_path = f"{osp.splitext(ckpt_path)[0]}-{sha[:8]}.pth"
        save_checkpoint(published, final_path)
        runner.logger.info(
            f"The checkpoint ({ckpt_path}) is published to {final_path}."
        )


def _is_main_process() -> bool:
    from engine.dist import is_main_process

    return bool(is_main_process())
