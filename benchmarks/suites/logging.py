"""Logging: HistoryBuffer updates, MessageHub updates, one train log line.

* ``HistoryBuffer.update``: ``N`` updates of one buffer (default
  ``max_length``) with a ``mean(10)`` every 10 updates, as a LoggerHook
  reads a scalar. N is 100,000 (smoke: 10,000): MMEngine 0.10.7 copies the
  whole history on every update, so its cost grows with the square of N
  (1,000,000 updates would take it the better part of an hour).
* ``MessageHub.update_scalar``: 100,000 (smoke: 10,000) updates of one key.
* ``train log line``: ``LogProcessor.get_log_after_iter`` on a hub of 20
  keys (lr, time, data_time, 9 losses, 8 other scalars) of 1,000 values
  each, 1,000 lines (smoke: 100) per measurement.
"""

from __future__ import annotations

import importlib
import itertools
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from benchmarks.suite import Case

NAME = "logging"

_KEYS = (
    ["lr", "time", "data_time", "loss"]
    + [f"loss_{i}" for i in range(8)]
    + [f"acc_{i}" for i in range(8)]
)


class _Loader:
    def __len__(self) -> int:
        return 1000


def _buffer_updates(buffer_cls: Any, count: int) -> Case:
    def case() -> None:
        buffer = buffer_cls()
        for i in range(count):
            buffer.update(i * 1e-3)
            if i % 10 == 0:
                buffer.mean(10)

    return case


def _hub_updates(hub_cls: Any, count: int) -> Case:
    names = (f"bench-hub-{n}" for n in itertools.count())

    def case() -> None:
        hub = hub_cls(next(names))
        for i in range(count):
            hub.update_scalar("train/loss", i * 1e-3)

    return case


def _train_lines(logging: Any, runner_mod: Any, lines: int) -> Case:
    hub = logging.MessageHub("bench-log-line")
    for i in range(1000):
        for key in _KEYS:
            hub.update_scalar(f"train/{key}", 0.5 + i * 1e-3)
    hub.update_info("eta", 3600)
    loop = SimpleNamespace(dataloader=_Loader())
    runner = SimpleNamespace(
        message_hub=hub,
        iter=999,
        epoch=0,
        max_iters=10_000,
        max_epochs=10,
        train_loop=loop,
        _train_loop=loop,
    )
    processor = runner_mod.LogProcessor()

    def case() -> None:
        for _ in range(lines):
            processor.get_log_after_iter(runner, 999, "train")

    return case


def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]:
    """The three logging cases for ``impl``."""
    logging = importlib.import_module(f"{impl}.logging")
    runner_mod = importlib.import_module(f"{impl}.runner")
    updates = 10_000 if smoke else 100_000
    lines = 100 if smoke else 1000
    return {
        f"HistoryBuffer.update x{updates}": _buffer_updates(
            logging.HistoryBuffer, updates
        ),
        f"MessageHub.update_scalar x{updates}": _hub_updates(
            logging.MessageHub, updates
        ),
        f"train log line (20 keys) x{lines}": _train_lines(logging, runner_mod, lines),
    }
