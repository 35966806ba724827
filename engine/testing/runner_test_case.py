"""``RunnerTestCase``: a ``unittest.TestCase`` with a ready-made toy job.

Downstream libraries test their hooks, loops and runners on it: ``setUp``
registers a toy model, dataset and metric, and makes ``epoch_based_cfg``
and ``iter_based_cfg``; ``build_runner`` builds a Runner from either;
``tearDown`` forgets every logger, message hub, visualizer and scope the
test created and removes its work directory.
"""

from __future__ import annotations

import copy
import logging
import os
import tempfile
import time
from typing import Any
from unittest import TestCase
from uuid import uuid4

import torch
import torch.nn as nn
from torch.utils.data import Dataset

from engine.config import Config
from engine.dist import is_distributed
from engine.evaluator import BaseMetric
from engine.logging import MMLogger
from engine.model import BaseModel
from engine.registry import DATASETS, METRICS, MODELS
from engine.utils.manager import _reset_manager_instances

__all__ = ["RunnerTestCase", "ToyDataset", "ToyMetric", "ToyModel"]


class ToyModel(BaseModel):
    """Two linear layers; the loss is ``(data_samples - outputs).sum()``."""

    def __init__(self, data_preprocessor: Any = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor)
        self.linear1 = nn.Linear(2, 2)
        self.linear2 = nn.Linear(2, 1)

    def forward(
        self, inputs: Any, data_samples: Any = None, mode: str = "tensor"
    ) -> Any:
        """``'tensor'``/``'predict'``: the outputs; ``'loss'``: a loss dict."""
        if isinstance(inputs, list):
            inputs = torch.stack(inputs)
        if isinstance(data_samples, list):
            data_samples = torch.stack(data_samples)
        outputs = self.linear2(self.linear1(inputs))
        if mode == "loss":
            return dict(loss=(data_samples - outputs).sum())
        return outputs


class ToyDataset(Dataset):
    """Twelve random 2-d inputs (fixed for the process) with label 1."""

    METAINFO: dict = dict()
    data = torch.randn(12, 2)
    label = torch.ones(12)

    @property
    def metainfo(self) -> dict:
        """Empty metainfo."""
        return self.METAINFO

    def __len__(self) -> int:
        return self.data.size(0)

    def __getitem__(self, index: int) -> dict:
        return dict(inputs=self.data[index], data_samples=self.label[index])


class ToyMetric(BaseMetric):
    """Reports ``dummy_metrics`` (default ``{'acc': 1}``) whatever it sees."""

    def __init__(
        self, collect_device: str = "cpu", dummy_metrics: dict | None = None
    ) -> None:
        super().__init__(collect_device=collect_device)
        self.dummy_metrics = dummy_metrics or dict(acc=1)

    def process(self, data_batch: Any, predictions: Any) -> None:
        """Record the dummy metrics."""
        self.results.append(self.dummy_metrics)

    def compute_metrics(self, results: list) -> dict:
        """Return the dummy metrics."""
        return dict(**self.dummy_metrics)


def _loader(shuffle: bool) -> dict:
    return dict(
        dataset=dict(type="ToyDataset"),
        sampler=dict(type="DefaultSampler", shuffle=shuffle),
        batch_size=3,
        num_workers=0,
    )


class RunnerTestCase(TestCase):
    """A test case with a toy job to build Runners from.

    Examples:
        >>> class TestMyHook(RunnerTestCase):
        ...     def test_hook(self):
        ...         cfg = copy.deepcopy(self.epoch_based_cfg)
        ...         cfg.custom_hooks = [dict(type='MyHook')]
        ...         self.build_runner(cfg).train()
    """

    dist_cfg = dict(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=29600,
        RANK="0",
        WORLD_SIZE="1",
        LOCAL_RANK="0",
    )

    def setUp(self) -> None:
        """Register the toys and make the two configs in a temporary dir."""
        self.temp_dir = tempfile.TemporaryDirectory()
        MODELS.register_module(module=ToyModel, force=True)
        METRICS.register_module(module=ToyMetric, force=True)
        DATASETS.register_module(module=ToyDataset, force=True)
        epoch_based_cfg = dict(
            work_dir=self.temp_dir.name,
            model=dict(type="ToyModel"),
            train_dataloader=_loader(shuffle=True),
            val_dataloader=_loader(shuffle=False),
            val_evaluator=[dict(type="ToyMetric")],
            test_dataloader=_loader(shuffle=False),
            test_evaluator=[dict(type="ToyMetric")],
            optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1)),
            train_cfg=dict(by_epoch=True, max_epochs=2, val_interval=1),
            val_cfg=dict(),
            test_cfg=dict(),
            default_hooks=dict(logger=dict(type="LoggerHook", interval=1)),
            custom_hooks=[],
            env_cfg=dict(dist_cfg=dict(backend="nccl")),
            experiment_name="test1",
        )
        self.epoch_based_cfg = Config(epoch_based_cfg)
        self.iter_based_cfg: Config = copy.deepcopy(self.epoch_based_cfg)
        self.iter_based_cfg.train_dataloader = dict(
            dataset=dict(type="ToyDataset"),
            sampler=dict(type="InfiniteSampler", shuffle=True),
            batch_size=3,
            num_workers=0,
        )
        self.iter_based_cfg.log_processor = dict(by_epoch=False)
        self.iter_based_cfg.train_cfg = dict(by_epoch=False, max_iters=12)
        self.iter_based_cfg.default_hooks = dict(
            logger=dict(type="LoggerHook", interval=1),
            checkpoint=dict(type="CheckpointHook", interval=12, by_epoch=False),
        )

    def tearDown(self) -> None:
        """Forget the global instances and toys; remove the work dir."""
        for logger in MMLogger._instance_dict.values():
            for handler in list(logger.handlers):
                if isinstance(handler, logging.FileHandler):
                    handler.close()
                    logger.removeHandler(handler)
        _reset_manager_instances()
        for registry, name in (
            (MODELS, "ToyModel"),
            (METRICS, "ToyMetric"),
            (DATASETS, "ToyDataset"),
        ):
            registry.module_dict.pop(name, None)
        self.clear_work_dir()
        self.temp_dir.cleanup()
        if is_distributed():
            torch.distributed.destroy_process_group()

    def build_runner(self, cfg: Config) -> Any:
        """A Runner from ``cfg`` with a unique experiment name."""
        from engine.runner import Runner

        cfg.experiment_name = self.experiment_name
        return Runner.from_cfg(cfg)

    @property
    def experiment_name(self) -> str:
        """A name no other test uses (method, time and a UUID)."""
        return f"{self._testMethodName}_{time.time()} + {uuid4()}"

    def setup_dist_env(self) -> None:
        """Set the torch.distributed variables of a 1-process job (new port)."""
        self.dist_cfg["MASTER_PORT"] += 1  # type: ignore[operator]
        os.environ["MASTER_PORT"] = str(self.dist_cfg["MASTER_PORT"])
        for key in ("MASTER_ADDR", "RANK", "WORLD_SIZE", "LOCAL_RANK"):
            os.environ[key] = str(self.dist_cfg[key])

    def clear_work_dir(self) -> None:
        """Empty the work directory (keep the directory)."""
        import shutil

        for entry in os.listdir(self.temp_dir.name):
            path = os.path.join(self.temp_dir.name, entry)
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.remove(path)
