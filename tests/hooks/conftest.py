"""A fake runner for the hook unit tests.

:class:`FakeRunner` has the attributes MMEngine's hooks read (the list in
docs/api/hooks.md) and a ``save_checkpoint`` that records its calls and
writes a small tensor-free checkpoint. :meth:`FakeRunner.train` drives hooks
through an epoch-based run in the order the Runner calls them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any

import pytest
import torch

from engine.config import Config
from engine.logging import MessageHub
from engine.utils import _reset_manager_instances


@pytest.fixture(autouse=True)
def _forget_manager_instances() -> Iterator[None]:
    """Every test starts and ends with no MessageHub or MMLogger instance."""
    _reset_manager_instances()
    yield
    _reset_manager_instances()


class RecordingLogger:
    """``runner.logger``: keeps ``(level, message)`` pairs."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str]] = []

    def info(self, msg: str) -> None:
        self.records.append(("INFO", msg))

    def warning(self, msg: str) -> None:
        self.records.append(("WARNING", msg))

    @property
    def messages(self) -> list[str]:
        return [msg for _, msg in self.records]


class RecordingVisualizer:
    """``runner.visualizer``: keeps the ``add_scalars`` calls."""

    def __init__(self) -> None:
        self.scalars: list[tuple[dict, dict]] = []
        self.closed = 0

    def add_scalars(self, scalar_dict: dict, **kwargs: Any) -> None:
        self.scalars.append((scalar_dict, kwargs))

    def close(self) -> None:
        self.closed += 1


class StubLogProcessor:
    """``runner.log_processor``: returns ``(tag, line)`` and keeps the calls."""

    def __init__(self, tag: dict | None = None) -> None:
        self.tag = tag if tag is not None else {"loss": 1.0}
        self.calls: list[tuple] = []

    def get_log_after_iter(self, runner: Any, batch_idx: int, mode: str) -> tuple:
        self.calls.append(("iter", batch_idx, mode))
        return dict(self.tag), f"{mode} iter {batch_idx}"

    def get_log_after_epoch(
        self, runner: Any, batch_idx: int, mode: str, with_non_scalar: bool = False
    ) -> tuple:
        self.calls.append(("epoch", batch_idx, mode, with_non_scalar))
        return dict(self.tag), f"{mode} epoch {batch_idx}"


class FakeRunner:
    """The runner attributes the default hooks use, and nothing more."""

    def __init__(
        self,
        work_dir: str | os.PathLike,
        *,
        max_epochs: int = 3,
        epoch_len: int = 4,
        val_len: int = 3,
        test_len: int = 3,
    ) -> None:
        self.work_dir = str(work_dir)
        os.makedirs(self.work_dir, exist_ok=True)
        self.timestamp = "20240101_000000"
        self.log_dir = os.path.join(self.work_dir, self.timestamp)
        self._log_dir = self.log_dir
        os.makedirs(self.log_dir, exist_ok=True)
        self.experiment_name = f"exp_{self.timestamp}"
        self.seed = 42
        self.cfg = Config(dict(a=1))
        self.epoch = 0
        self.iter = 0
        self.max_epochs = max_epochs
        self.max_iters = max_epochs * epoch_len
        self.message_hub = MessageHub.get_instance(f"hooks-{id(self)}")
        self.logger = RecordingLogger()
        self.visualizer = RecordingVisualizer()
        self.log_processor = StubLogProcessor()
        self.train_dataloader: Sequence = list(range(epoch_len))
        self.val_dataloader: Sequence = list(range(val_len))
        self.test_dataloader: Sequence = list(range(test_len))
        self.train_loop = SimpleNamespace(
            dataloader=self.train_dataloader,
            max_epochs=max_epochs,
            max_iters=self.max_iters,
        )
        self._train_loop: Any = self.train_loop
        self.param_schedulers: Any = None
        self.optim_wrapper: Any = SimpleNamespace(get_lr=lambda: {"lr": [0.1]})
        self.saved: list[tuple[tuple, dict]] = []

    def save_checkpoint(self, *args: Any, **kwargs: Any) -> None:
        """Record the call; write ``out_dir/filename`` with a tensor-free dict."""
        self.saved.append((args, kwargs))
        out_dir = args[0]
        filename = args[1] if len(args) > 1 else kwargs["filename"]
        os.makedirs(out_dir, exist_ok=True)
        checkpoint = {
            "meta": dict(kwargs.get("meta") or {}),
            "state_dict": {"w": [float(self.iter)]},
            "optimizer": {"lr": 0.1},
            "message_hub": dict(self.message_hub.runtime_info),
        }
        torch.save(checkpoint, os.path.join(out_dir, filename))

    @property
    def saved_names(self) -> list[str]:
        """The file names of the recorded ``save_checkpoint`` calls."""
        return [args[1] if len(args) > 1 else kw["filename"] for args, kw in self.saved]

    def files(self, folder: str | None = None) -> list[str]:
        """The sorted file names in ``folder`` (``work_dir`` by default)."""
        return sorted(os.listdir(folder or self.work_dir))

    def call(self, hooks: Sequence[Any], stage: str, **kwargs: Any) -> None:
        for hook in hooks:
            getattr(hook, stage)(self, **kwargs)

    def train(
        self, hooks: Sequence[Any], metrics: Sequence[dict] | None = None
    ) -> None:
        """Run the mount points of an epoch-based training with validation.

        ``metrics[k]`` is what the validation after epoch ``k + 1`` returns;
        without ``metrics`` there is no validation.
        """
        self.call(hooks, "before_run")
        self.call(hooks, "before_train")
        while self.epoch < self.max_epochs:
            self.call(hooks, "before_train_epoch")
            for idx in range(len(self.train_dataloader)):
                self.call(hooks, "before_train_iter", batch_idx=idx, data_batch=None)
                self.call(
                    hooks, "after_train_iter", batch_idx=idx, outputs={"loss": 0.5}
                )
                self.iter += 1
            self.call(hooks, "after_train_epoch")
            self.epoch += 1
            if metrics is not None:
                self.validate(hooks, metrics[self.epoch - 1])
        self.call(hooks, "after_train")
        self.call(hooks, "after_run")

    def validate(self, hooks: Sequence[Any], metrics: dict) -> None:
        self.call(hooks, "before_val")
        self.call(hooks, "before_val_epoch")
        for idx in range(len(self.val_dataloader)):
            self.call(hooks, "before_val_iter", batch_idx=idx, data_batch=None)
            self.call(hooks, "after_val_iter", batch_idx=idx, outputs=[])
        self.call(hooks, "after_val_epoch", metrics=metrics)
        self.call(hooks, "after_val")


@pytest.fixture
def runner(tmp_path: Any) -> FakeRunner:
    """A fake runner whose ``work_dir`` is ``tmp_path/work``."""
    return FakeRunner(tmp_path / "work")
