"""logging: LogProcessor validation and test lines (LOG-02, LOG-28).

The doc's validation lines (L449-453) are of the older format (AMB-06); the
newer one pads the iteration to the width of the dataloader length and
separates the prefix from the values by four spaces. Values fed in are
multiples of 1/8 (see :mod:`conformance.logging_toys`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from conformance.harness.impl import Impl
from conformance.logging_toys import fields, make_runner, mean


def _validate(runner: Any, mode: str, steps: int, metric: float) -> None:
    """Feed ``steps`` evaluation iterations, then the metric of the epoch."""
    hub = runner.message_hub
    for i in range(steps):
        hub.update_scalar(f"{mode}/time", (i % 4) / 8)
        hub.update_scalar(f"{mode}/data_time", (i % 2) / 8)
    hub.update_scalar(f"{mode}/accuracy", metric)


@pytest.fixture
def processor_cls(impl: Impl) -> Any:
    return impl.attr("runner.LogProcessor")


@pytest.mark.spec("LOG-02", "LOG-28")
def test_validation_iteration_line(impl: Impl, processor_cls: Any) -> None:
    runner = make_runner(impl, val_len=313)
    runner.epoch, runner.iter = 1, 25
    _validate(runner, "val", 10, 35.7)
    runner.message_hub.update_info("eta", 3.5)
    tag, line = processor_cls().get_log_after_iter(runner, 9, "val")
    window = range(10)
    assert line.rstrip() == (
        "Epoch(val) [1][ 10/313]    eta: 0:00:03  "
        f"time: {mean([(i % 4) / 8 for i in window]):.4f}  "
        f"data_time: {mean([(i % 2) / 8 for i in window]):.4f}"
    )
    assert tag["epoch"] == 1


@pytest.mark.spec("LOG-02", "LOG-28")
def test_validation_summary_line(impl: Impl, processor_cls: Any) -> None:
    runner = make_runner(impl, val_len=20)
    runner.epoch, runner.iter = 1, 25
    _validate(runner, "val", 20, 35.7)
    tag, line = processor_cls().get_log_after_epoch(runner, 19, "val")
    epoch = range(20)  # the times are averaged over the whole epoch
    assert line == (
        "Epoch(val) [1][20/20]    accuracy: 35.7000  "
        f"time: {mean([(i % 4) / 8 for i in epoch]):.4f}  "
        f"data_time: {mean([(i % 2) / 8 for i in epoch]):.4f}"
    )
    assert float(tag["accuracy"]) == 35.7
    assert list(tag) == ["accuracy", "time", "data_time"]


@pytest.mark.spec("LOG-02")
def test_test_lines_have_no_epoch(impl: Impl, processor_cls: Any) -> None:
    runner = make_runner(impl, test_len=10)
    _validate(runner, "test", 10, 0.5)
    _, summary = processor_cls().get_log_after_epoch(runner, 9, "test")
    assert summary.startswith("Epoch(test) [10/10]    accuracy: 0.5000  time: ")
    _, step = processor_cls(by_epoch=False).get_log_after_iter(runner, 4, "test")
    assert step.startswith("Iter(test) [ 5/10]")


@pytest.mark.spec("LOG-02")
def test_non_scalar_metrics_in_the_summary(impl: Impl, processor_cls: Any) -> None:
    runner = make_runner(impl, val_len=10)
    runner.epoch = 1
    _validate(runner, "val", 10, 0.25)
    runner.message_hub.update_info("val/confusion", np.array([[1, 0], [0, 1]]))
    tag, line = processor_cls().get_log_after_epoch(runner, 9, "val")
    assert "confusion" not in tag
    assert "  confusion: \n[[1 0]\n [0 1]]\n  time: " in line
    tag, _ = processor_cls().get_log_after_epoch(runner, 9, "val", with_non_scalar=True)
    np.testing.assert_array_equal(tag["confusion"], [[1, 0], [0, 1]])


@pytest.mark.spec("LOG-02")
def test_hierarchy_keeps_the_mode_prefix_in_the_tag(
    impl: Impl, processor_cls: Any
) -> None:
    runner = make_runner(impl)
    runner.iter = 9
    for i in range(10):
        runner.message_hub.update_scalar("train/lr", 0.01)
        runner.message_hub.update_scalar("train/loss", i / 8)
    tag, line = processor_cls(log_with_hierarchy=True).get_log_after_iter(
        runner, 9, "train"
    )
    assert {"train/lr", "train/loss"} <= set(tag)
    assert fields(line)["loss"] == f"{mean([i / 8 for i in range(10)]):.4f}"
