"""The Runner's state (properties) and its per-run components: logger,
message hub, visualizer, log processor and model."""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["RunnerComponents", "instance"]


def instance(cls: Any, name: str, **kwargs: Any) -> Any:
    """``cls.get_instance(name, **kwargs)``, or the existing one of that name.

    Two Runners of the same experiment (same name, same second) share the
    logger, message hub, visualizer and scope of the first, as in MMEngine.
    """
    if cls.check_instance_created(name):
        return cls.get_instance(name)
    return cls.get_instance(name, **kwargs)


class RunnerComponents:
    """Properties and component builders of :class:`~engine.runner.Runner`."""

    _work_dir: str
    _log_dir: str
    _timestamp: str
    _experiment_name: str
    _launcher: str
    _distributed: bool
    _rank: int
    _world_size: int
    _seed: int
    _deterministic: bool
    _train_loop: Any
    _val_loop: Any
    _test_loop: Any
    model: Any
    cfg: Any

    # --- identity and place ---------------------------------------------

    @property
    def experiment_name(self) -> str:
        """The experiment's name (with its timestamp)."""
        return self._experiment_name

    @property
    def work_dir(self) -> str:
        """The absolute work directory."""
        return self._work_dir

    @property
    def log_dir(self) -> str:
        """``<work_dir>/<timestamp>``: this run's logs."""
        return self._log_dir

    @property
    def timestamp(self) -> str:
        """The run's start time, ``YYYYmmdd_HHMMSS``."""
        return self._timestamp

    @property
    def launcher(self) -> str:
        """How the job was launched."""
        return self._launcher

    @property
    def distributed(self) -> bool:
        """Whether the job is distributed."""
        return self._distributed

    @property
    def rank(self) -> int:
        """This process's rank."""
        return self._rank

    @property
    def world_size(self) -> int:
        """Number of processes."""
        return self._world_size

    @property
    def seed(self) -> int:
        """The random seed."""
        return self._seed

    @property
    def deterministic(self) -> bool:
        """Whether deterministic algorithms were asked for."""
        return self._deterministic

    # --- loops and progress ---------------------------------------------

    @property
    def train_loop(self) -> Any:
        """The train loop (built on first access), or None."""
        if self._train_loop is not None and isinstance(self._train_loop, dict):
            self._train_loop = self.build_train_loop(self._train_loop)  # type: ignore[attr-defined]
        return self._train_loop

    @property
    def val_loop(self) -> Any:
        """The val loop (built on first access), or None."""
        if self._val_loop is not None and isinstance(self._val_loop, dict):
            self._val_loop = self.build_val_loop(self._val_loop)  # type: ignore[attr-defined]
        return self._val_loop

    @property
    def test_loop(self) -> Any:
        """The test loop (built on first access), or None."""
        if self._test_loop is not None and isinstance(self._test_loop, dict):
            self._test_loop = self.build_test_loop(self._test_loop)  # type: ignore[attr-defined]
        return self._test_loop

    @property
    def max_epochs(self) -> int:
        """Total epochs of the train loop."""
        return self.train_loop.max_epochs

    @property
    def max_iters(self) -> int:
        """Total iterations of the train loop."""
        return self.train_loop.max_iters

    @property
    def epoch(self) -> int:
        """Epochs finished."""
        return self.train_loop.epoch

    @property
    def iter(self) -> int:
        """Iterations finished."""
        return self.train_loop.iter

    @property
    def train_dataloader(self) -> Any:
        """The train loop's dataloader."""
        return self.train_loop.dataloader

    @property
    def val_dataloader(self) -> Any:
        """The val loop's dataloader."""
        return self.val_loop.dataloader

    @property
    def test_dataloader(self) -> Any:
        """The test loop's dataloader."""
        return self.test_loop.dataloader

    @property
    def val_evaluator(self) -> Any:
        """The val loop's evaluator."""
        return self.val_loop.evaluator

    @property
    def test_evaluator(self) -> Any:
        """The test loop's evaluator."""
        return self.test_loop.evaluator

    @property
    def val_interval(self) -> int:
        """Validation interval of the train loop."""
        return self.train_loop.val_interval

    @property
    def val_begin(self) -> int:
        """First epoch/iteration after which validation may run."""
        return self.train_loop.val_begin

    # --- components -----------------------------------------------------

    def build_logger(
        self, log_level: int | str = "INFO", log_file: str | None = None, **kwargs: Any
    ) -> Any:
        """The run's ``MMLogger`` (console + ``<log_dir>/<timestamp>.log``)."""
        import os.path as osp

        from engine.logging import MMLogger

        if log_file is None:
            log_file = osp.join(self._log_dir, f"{self._timestamp}.log")
        cfg = dict(log_level=log_level, log_file=log_file, **kwargs)
        return instance(MMLogger, cfg.pop("name", self._experiment_name), **cfg)

    def build_message_hub(self, message_hub: dict | None = None) -> Any:
        """The run's ``MessageHub``."""
        from engine.logging import MessageHub

        cfg = dict(message_hub or {})
        return instance(MessageHub, cfg.pop("name", self._experiment_name), **cfg)

    def build_visualizer(self, visualizer: Any = None) -> Any:
        """The run's ``Visualizer`` (by default a ``LocalVisBackend`` in log_dir)."""
        from engine.registry import VISUALIZERS
        from engine.visualization import Visualizer

        if visualizer is None:
            return instance(
                Visualizer,
                self._experiment_name,
                vis_backends=[dict(type="LocalVisBackend")],
                save_dir=self._log_dir,
            )
        if isinstance(visualizer, Visualizer):
            return visualizer
        if isinstance(visualizer, dict):
            cfg = copy.copy(visualizer)
            cfg.setdefault("name", self._experiment_name)
            cfg.setdefault("save_dir", self._log_dir)
            return VISUALIZERS.build(cfg)
        raise TypeError(
            "visualizer should be Visualizer object, a dict or None, "
            f"but got {visualizer}"
        )

    def build_log_processor(self, log_processor: Any) -> Any:
        """The ``LogProcessor`` from an object or a config."""
        from engine.registry import LOG_PROCESSORS
        from engine.runner.log_processor import LogProcessor

        if isinstance(log_processor, LogProcessor):
            return log_processor
        if not isinstance(log_processor, dict):
            raise TypeError(
                "log processor should be a LogProcessor object or a dict, but "
                f"got {log_processor}"
            )
        cfg = copy.deepcopy(log_processor)
        cfg.setdefault("type", "LogProcessor")
        return LOG_PROCESSORS.build(cfg)

    def build_model(self, model: Any) -> Any:
        """The model from a module or a ``MODELS`` config."""
        import torch.nn as nn

        from engine.registry import MODELS

        if isinstance(model, nn.Module):
            return model
        if isinstance(model, dict):
            return MODELS.build(model)
        raise TypeError(f"model should be a nn.Module object or dict, but got {model}")

    def wrap_model(self, model_wrapper_cfg: dict | None, model: Any) -> Any:
        """Move the model to the device; wrap it for distributed training."""
        import torch

        from engine.model import revert_sync_batchnorm
        from engine.model.wrappers.utils import is_model_wrapper
        from engine.registry import MODEL_WRAPPERS

        if is_model_wrapper(model):
            if model_wrapper_cfg is not None:
                raise TypeError(
                    'model has been wrapped and "model_wrapper_cfg" should be '
                    f"None, but got {model_wrapper_cfg}"
                )
            return model
        model = model.to("cuda" if torch.cuda.is_available() else "cpu")
        if not self._distributed:
            self.logger.info(  # type: ignore[attr-defined]
                "Distributed training is not used, all SyncBatchNorm (SyncBN) "
                "layers in the model will be automatically reverted to "
                "BatchNormXd layers if they are used."
            )
            return revert_sync_batchnorm(model)
        cfg = (
            copy.deepcopy(model_wrapper_cfg)
            if model_wrapper_cfg
            else dict(
                type="MMDistributedDataParallel",
                broadcast_buffers=False,
                find_unused_parameters=self.cfg.get("find_unused_parameters", False),
            )
        )
        if torch.cuda.is_available() and cfg.get("type") == "MMDistributedDataParallel":
            cfg.setdefault("device_ids", [torch.cuda.current_device()])
        return MODEL_WRAPPERS.build(cfg, default_args=dict(module=model))

    def _init_model_weights(self) -> None:
        """``init_weights()`` of the model, then broadcast from rank 0."""
        from engine.dist import broadcast

        model = getattr(self.model, "module", self.model)
        if hasattr(model, "init_weights"):
            model.init_weights()
            for value in model.state_dict().values():
                broadcast(value)
