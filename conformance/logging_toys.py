"""A stand-in runner for the LogProcessor conformance tests.

It has what a LogProcessor reads from a runner: ``message_hub``, ``iter``
and ``epoch`` (0-based), ``max_iters``, ``max_epochs``, the loops'
dataloaders and ``_train_loop``. :func:`train` plays the train loop's part:
it puts the scalars of each iteration into the hub and asks for a log line
every ``interval`` iterations, as the LoggerHook does.

Values fed in are multiples of 1/8, so every mean over 10 of them is a
multiple of 0.0125 and prints exactly with 4 decimals: expected strings are
computed here with plain Python arithmetic, without rounding ambiguity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from conformance.harness.impl import Impl


class Loader:
    """A dataloader of which only the length matters."""

    def __init__(self, length: int) -> None:
        self.length = length

    def __len__(self) -> int:
        return self.length


class FakeRunner:
    """The attributes of a runner that a LogProcessor reads."""

    def __init__(
        self,
        hub: Any,
        *,
        max_epochs: int = 1,
        train_len: int = 25,
        val_len: int = 10,
        test_len: int = 10,
        max_iters: int | None = None,
    ) -> None:
        self.message_hub = hub
        self.iter = 0
        self.epoch = 0
        self.max_epochs = max_epochs
        self.max_iters = max_iters if max_iters is not None else max_epochs * train_len
        self.train_loop = SimpleNamespace(dataloader=Loader(train_len))
        self._train_loop = self.train_loop
        self.val_loop = SimpleNamespace(dataloader=Loader(val_len))
        self.test_loop = SimpleNamespace(dataloader=Loader(test_len))


def make_runner(impl: Impl, name: str = "toy", **kwargs: Any) -> FakeRunner:
    """A fake runner with a fresh MessageHub of ``impl``."""
    hub = impl.attr("logging.MessageHub").get_instance(name)
    return FakeRunner(hub, **kwargs)


def train(
    runner: FakeRunner,
    processor: Any,
    scalars: dict[str, Callable[[int], float]],
    iterations: Iterable[int],
    interval: int = 10,
    eta: float = 0.0,
) -> list[str]:
    """Feed ``scalars[name](i)`` for each global iteration ``i``; log lines.

    Iterations are 0-based and global; the batch index restarts every epoch
    (``runner.train_loop.dataloader`` long). A line is produced after every
    ``interval``-th iteration of an epoch (or of training when the processor
    logs by iteration).
    """
    length = len(runner.train_loop.dataloader)
    lines = []
    for i in iterations:
        runner.iter, runner.epoch = i, i // length
        batch_idx = i % length
        for name, value in scalars.items():
            runner.message_hub.update_scalar(f"train/{name}", value(i))
        runner.message_hub.update_info("eta", eta)
        step = batch_idx + 1 if processor.by_epoch else i + 1
        if step % interval == 0:
            lines.append(processor.get_log_after_iter(runner, batch_idx, "train")[1])
    return lines


def mean(values: list[float]) -> float:
    """Plain arithmetic mean."""
    return sum(values) / len(values)


def fields(line: str) -> dict[str, str]:
    """``{'lr': '1.0000e-02', 'loss': '0.5000', ...}`` from a log line."""
    parts = line.split("  ")
    return dict(part.split(": ", 1) for part in parts if ": " in part)
