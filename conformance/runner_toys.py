"""Toy models, datasets, metrics and hooks for the Runner conformance tests.

Classes derive from the implementation under test, so they are made by
:func:`make_toys` for a given :class:`~conformance.harness.impl.Impl`.
"""

from __future__ import annotations

import glob
import os
import re
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
from torch import nn
from torch.utils.data import Dataset

#: The 22 mount points of a hook (HOOK-17; the doc's list corrected by AMB-47).
STAGES = (
    "before_run",
    "after_run",
    "before_train",
    "after_train",
    "before_train_epoch",
    "after_train_epoch",
    "before_train_iter",
    "after_train_iter",
    "before_val",
    "after_val",
    "before_val_epoch",
    "after_val_epoch",
    "before_val_iter",
    "after_val_iter",
    "before_test",
    "after_test",
    "before_test_epoch",
    "after_test_epoch",
    "before_test_iter",
    "after_test_iter",
    "before_save_checkpoint",
    "after_load_checkpoint",
)


class PairDataset(Dataset):
    """``n`` samples ``dict(inputs=[i, i], labels=[i])`` (i = index / n)."""

    def __init__(self, n: int = 8) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> dict:
        x = float(index) / self.n
        return dict(inputs=torch.tensor([x, x]), labels=torch.tensor([x]))


def _stack(value: Any) -> torch.Tensor:
    return torch.stack(value) if isinstance(value, (list, tuple)) else value


def make_toys(impl: Any) -> SimpleNamespace:
    """A toy model, metric and recording hook built on ``impl``'s classes."""
    base_model = impl.attr("model.BaseModel")
    base_metric = impl.attr("evaluator.BaseMetric")
    hook_base = impl.attr("hooks.Hook")

    class ToyModel(base_model):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(2, 1)

        def forward(
            self, inputs: Any, labels: Any, mode: str = "tensor", **meta: Any
        ) -> Any:
            out = self.linear(_stack(inputs))
            target = _stack(labels)
            if mode == "loss":
                return dict(loss=((out - target) ** 2).mean())
            if mode == "predict":
                return [dict(pred=o, gt=t) for o, t in zip(out, target)]
            return out

    class MaeMetric(base_metric):  # type: ignore[misc, valid-type]
        def process(self, data_batch: Any, data_samples: Any) -> None:
            for sample in data_samples:
                self.results.append(float((sample["pred"] - sample["gt"]).abs()))

        def compute_metrics(self, results: list) -> dict:
            return dict(mae=sum(results) / len(results))

    class Recorder(hook_base):  # type: ignore[misc, valid-type]
        """Records every mount point it sees, with the runner's counters."""

        def __init__(self) -> None:
            self.calls: list[tuple[str, int, int]] = []

    for stage in STAGES:

        def record(
            self: Any, runner: Any, *args: Any, _stage: str = stage, **kw: Any
        ) -> None:
            loop = runner._train_loop
            epoch = getattr(loop, "epoch", -1)
            it = getattr(loop, "iter", -1)
            self.calls.append((_stage, epoch, it))

        setattr(Recorder, stage, record)
    return SimpleNamespace(ToyModel=ToyModel, MaeMetric=MaeMetric, Recorder=Recorder)


def loader(n: int = 8, batch_size: int = 2, shuffle: bool = False, **kw: Any) -> dict:
    """A dataloader config over :class:`PairDataset`."""
    return dict(
        dataset=PairDataset(n),
        batch_size=batch_size,
        sampler=dict(type="DefaultSampler", shuffle=shuffle),
        **kw,
    )


def runner_args(impl: Any, tmp_path: Path, **overrides: Any) -> dict:
    """Arguments of a small epoch-based train + val job."""
    toys = make_toys(impl)
    args: dict[str, Any] = dict(
        model=toys.ToyModel(),
        work_dir=str(tmp_path / "work"),
        train_dataloader=loader(),
        val_dataloader=loader(),
        val_evaluator=dict(type=toys.MaeMetric),
        train_cfg=dict(by_epoch=True, max_epochs=2, val_interval=1),
        val_cfg=dict(),
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1)),
        default_hooks=dict(logger=dict(type="LoggerHook", interval=1)),
        randomness=dict(seed=0),
        experiment_name=f"conf-{uuid.uuid4().hex[:8]}",
    )
    args.update(overrides)
    return args


def build_runner(impl: Any, tmp_path: Path, **overrides: Any) -> Any:
    """A Runner of ``impl`` for :func:`runner_args`."""
    return impl.attr("runner.Runner")(**runner_args(impl, tmp_path, **overrides))


def log_text(runner: Any) -> str:
    """The text of the run's log file."""
    return Path(runner.log_dir, f"{runner.timestamp}.log").read_text()


def log_messages(runner: Any) -> list[str]:
    """The log lines with their ``<date> - <name> - <LEVEL> - `` prefix removed."""
    prefix = re.compile(r"^(\d{4}/)?\d\d/\d\d \d\d:\d\d:\d\d - \S+ - [A-Z]+ - ")
    return [prefix.sub("", line) for line in log_text(runner).splitlines()]


def checkpoints(work_dir: str | Path) -> list[str]:
    """The ``*.pth`` file names in ``work_dir``, sorted."""
    return sorted(
        os.path.basename(p) for p in glob.glob(os.path.join(work_dir, "*.pth"))
    )
