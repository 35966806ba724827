"""``LoggerHook``: writes the training log and the logged scalars.

The lines come from ``runner.log_processor`` (a
:class:`~engine.runner.LogProcessor`), go to ``runner.logger`` and their
values to ``runner.visualizer.add_scalars`` (whose backends write
``vis_data/scalars.json``, TensorBoard...). When, in terms of the
``interval`` and of ``batch_idx`` (the iteration's index in its epoch):

* training: after the iterations with ``(batch_idx + 1) % interval == 0``
  and, unless ``ignore_last`` and the epoch is longer than ``interval``,
  after the last iteration of the epoch; the scalars' step is
  ``runner.iter + 1``. ``Exp name: <experiment_name>`` is logged every
  ``interval_exp_name`` iterations and at the end of each epoch;
* validation and test: a line after every ``interval`` iterations, and the
  epoch's metrics line after the loop. Validation metrics go to the
  visualizer at step ``runner.epoch`` (``runner.iter`` when
  ``log_metric_by_epoch=False``; 0 when no training runs); the test
  metrics, including non-scalar ones, are written to
  ``<log_dir>/<timestamp>.json``.

With ``out_dir``, the files of ``runner.log_dir`` whose names end with one
of ``out_suffix`` are copied to ``out_dir/<basename(work_dir)>/`` (any
storage backend) after the run, and deleted locally unless ``keep_local``.
"""

from __future__ import annotations

import logging
import os
import os.path as osp
import sys
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.hooks.hook import DATA_BATCH, Hook
from engine.logging import print_log
from engine.registry import HOOKS

__all__ = ["LoggerHook"]

SUFFIX_TYPE = Sequence[str] | str


def _check_int(name: str, value: Any) -> None:
    if not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, but got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than 0, but got {value}")


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a boolean, but got {type(value).__name__}")


def _check_suffix(out_suffix: Any) -> None:
    if isinstance(out_suffix, str):
        return
    if isinstance(out_suffix, Sequence) and all(isinstance(s, str) for s in out_suffix):
        return
    raise TypeError(
        "out_suffix should be a string or a sequence of string, "
        f"but got {type(out_suffix)}: {out_suffix!r}"
    )


def _jsonable(value: Any) -> Any:
    """``value`` with tensors and arrays as lists; None for other objects."""
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    torch = sys.modules.get("torch")
    numpy = sys.modules.get("numpy")
    if (torch is not None and isinstance(value, torch.Tensor)) or (
        numpy is not None and isinstance(value, numpy.ndarray)
    ):
        return value.tolist()
    return None


@HOOKS.register_module()
class LoggerHook(Hook):
    """Collect the logs of every component and write them.

    Args:
        interval: Log every ``interval`` iterations. Defaults to 10.
        ignore_last: Skip the last iterations of an epoch that do not fill
            an interval (logged anyway when the epoch is not longer than
            ``interval``). Defaults to True.
        interval_exp_name: Log the experiment name every
            ``interval_exp_name`` iterations (and at each epoch's end).
            Defaults to 1000.
        out_dir: Where to copy the logs after the run (a local path or a
            URI of a storage backend); None keeps them in ``work_dir``
            only. Defaults to None.
        out_suffix: The names (endings) of the files copied to ``out_dir``.
            Defaults to ``('.json', '.log', '.py', 'yaml')``.
        keep_local: Keep the local copies of the files copied to
            ``out_dir``. Defaults to True.
        file_client_args: Deprecated; use ``backend_args``. Defaults to None.
        log_metric_by_epoch: Log validation metrics at step
            ``runner.epoch`` rather than ``runner.iter``; keep it equal to
            the train loop's ``by_epoch``. Defaults to True.
        backend_args: Arguments of the ``out_dir`` storage backend.
            Defaults to None.

    Raises:
        TypeError: if ``interval``, ``interval_exp_name``, ``ignore_last``,
            ``keep_local``, ``out_dir`` or ``out_suffix`` has a wrong type.
        ValueError: if an interval is not positive, or
            ``file_client_args`` is given without ``out_dir`` or with
            ``backend_args``.

    Examples:
        >>> hook = LoggerHook(interval=20)
        >>> hook.interval, hook.ignore_last
        (20, True)
    """

    priority = "BELOW_NORMAL"

    def __init__(
        self,
        interval: int = 10,
        ignore_last: bool = True,
        interval_exp_name: int = 1000,
        out_dir: str | Path | None = None,
        out_suffix: SUFFIX_TYPE = (".json", ".log", ".py", "yaml"),
        keep_local: bool = True,
        file_client_args: dict | None = None,
        log_metric_by_epoch: bool = True,
        backend_args: dict | None = None,
    ) -> None:
        _check_int("interval", interval)
        _check_bool("ignore_last", ignore_last)
        _check_int("interval_exp_name", interval_exp_name)
        if out_dir is not None and not isinstance(out_dir, (str, Path)):
            raise TypeError(
                f"out_dir must be a str or Path object, but got {type(out_dir)}"
            )
        _check_suffix(out_suffix)
        _check_bool("keep_local", keep_local)
        if out_dir is None and file_client_args is not None:
            raise ValueError(
                'file_client_args should be "None" when `out_dir` is not specified.'
            )
        self.out_suffix = out_suffix
        self.out_dir = out_dir
        self.interval = interval
        self.ignore_last = ignore_last
        self.interval_exp_name = interval_exp_name
        self.keep_local = keep_local
        self.file_client_args = file_client_args
        self.json_log_path: str | None = None
        if out_dir is not None:
            self._init_backend(out_dir, file_client_args, backend_args)
        self.log_metric_by_epoch = log_metric_by_epoch

    def _init_backend(
        self,
        out_dir: str | Path,
        file_client_args: dict | None,
        backend_args: dict | None,
    ) -> None:
        from engine.fileio import FileClient, get_file_backend

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
            self.file_backend: Any = FileClient.infer_client(file_client_args, out_dir)
        else:
            self.file_client = FileClient.infer_client(file_client_args, out_dir)
            self.file_backend = get_file_backend(out_dir, backend_args=backend_args)

    def before_run(self, runner: Any) -> None:
        """Settle ``out_dir`` and the name of the test metrics' JSON file."""
        if self.out_dir is not None:
            basename = osp.basename(str(runner.work_dir).rstrip(osp.sep))
            self.out_dir = self.file_backend.join_path(self.out_dir, basename)
            runner.logger.info(
                f"Text logs will be saved to {self.out_dir} after the training process."
            )
        self.json_log_path = f"{runner.timestamp}.json"

    def after_train_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: dict | None = None,
    ) -> None:
        """Log the experiment name and the iteration's line on schedule."""
        last = self.end_of_epoch(runner.train_dataloader, batch_idx)
        if self.every_n_train_iters(runner, self.interval_exp_name) or last:
            runner.logger.info(f"Exp name: {runner.experiment_name}")
        on_interval = self.every_n_inner_iters(batch_idx, self.interval)
        short_epoch = len(runner.train_dataloader) <= self.interval
        if not (on_interval or (last and (not self.ignore_last or short_epoch))):
            return
        tag, log_str = runner.log_processor.get_log_after_iter(
            runner, batch_idx, "train"
        )
        runner.logger.info(log_str)
        runner.visualizer.add_scalars(
            tag, step=runner.iter + 1, file_path=self.json_log_path
        )

    def after_val_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Sequence | None = None,
    ) -> None:
        """Log the validation line every ``interval`` iterations."""
        if self.every_n_inner_iters(batch_idx, self.interval):
            _, log_str = runner.log_processor.get_log_after_iter(
                runner, batch_idx, "val"
            )
            runner.logger.info(log_str)

    def after_test_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Sequence | None = None,
    ) -> None:
        """Log the test line every ``interval`` iterations."""
        if self.every_n_inner_iters(batch_idx, self.interval):
            _, log_str = runner.log_processor.get_log_after_iter(
                runner, batch_idx, "test"
            )
            runner.logger.info(log_str)

    def after_val_epoch(
        self, runner: Any, metrics: dict[str, float] | None = None
    ) -> None:
        """Log the validation metrics and send them to the visualizer."""
        tag, log_str = runner.log_processor.get_log_after_epoch(
            runner, len(runner.val_dataloader), "val"
        )
        runner.logger.info(log_str)
        train_loop = runner._train_loop
        if train_loop is None or isinstance(train_loop, dict):
            step = 0  # validation without training
        elif self.log_metric_by_epoch:
            step = runner.epoch
        else:
            step = runner.iter
        runner.visualizer.add_scalars(tag, step=step, file_path=self.json_log_path)

    def after_test_epoch(
        self, runner: Any, metrics: dict[str, float] | None = None
    ) -> None:
        """Log the test metrics and write them to ``<log_dir>/<timestamp>.json``."""
        from engine.fileio import dump

        tag, log_str = runner.log_processor.get_log_after_epoch(
            runner, len(runner.test_dataloader), "test", with_non_scalar=True
        )
        runner.logger.info(log_str)
        dump(self._process_tags(tag), osp.join(runner.log_dir, str(self.json_log_path)))

    @staticmethod
    def _process_tags(tags: dict) -> OrderedDict:
        """Make ``tags`` JSON-serializable (tensors and arrays as lists)."""
        return OrderedDict((key, _jsonable(value)) for key, value in tags.items())

    def after_run(self, runner: Any) -> None:
        """Close the visualizer; copy the logs to ``out_dir``."""
        from engine.utils import scandir

        runner.visualizer.close()
        if self.out_dir is None:
            return
        suffix = (
            self.out_suffix
            if isinstance(self.out_suffix, str)
            else tuple(self.out_suffix)
        )
        log_dir = runner._log_dir
        for filename in scandir(log_dir, suffix, True):
            local_path = osp.join(log_dir, filename)
            out_path = self.file_backend.join_path(self.out_dir, filename)
            with open(local_path, encoding="utf-8") as f:
                self.file_backend.put_text(f.read(), out_path)
            runner.logger.info(
                f"The file {local_path} has been uploaded to {out_path}."
            )
            if not self.keep_local:
                os.remove(local_path)
                runner.logger.info(
                    f"{local_path} was removed due to the `self.keep_local=False`. "
                    f"You can check the running logs in {out_path}"
                )
