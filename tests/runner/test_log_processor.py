"""LogProcessor: config validation, prefixes, memory, hierarchy, registry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from engine.logging import HistoryBuffer, MessageHub
from engine.logging._custom_stats import parse_custom_cfg
from engine.registry import LOG_PROCESSORS
from engine.runner import LogProcessor
from engine.utils import _reset_manager_instances


@pytest.fixture(autouse=True)
def _forget_manager_instances() -> Iterator[None]:
    _reset_manager_instances()
    yield
    _reset_manager_instances()


class _Loader:
    def __init__(self, length: int) -> None:
        self.length = length

    def __len__(self) -> int:
        return self.length


def _runner(
    *,
    iteration: int = 9,
    epoch: int = 0,
    max_epochs: int = 1,
    length: int = 25,
    built: bool = True,
) -> SimpleNamespace:
    runner = SimpleNamespace(
        message_hub=MessageHub.get_instance(f"hub{iteration}{epoch}{built}"),
        iter=iteration,
        epoch=epoch,
        max_epochs=max_epochs,
        max_iters=max_epochs * length,
    )
    for mode in ("train", "val", "test"):
        setattr(runner, f"{mode}_loop", SimpleNamespace(dataloader=_Loader(length)))
    runner._train_loop = (
        runner.train_loop if built else dict(type="EpochBasedTrainLoop")
    )
    return runner


def _feed(runner: SimpleNamespace, mode: str, steps: int, **series: Any) -> None:
    for i in range(steps):
        for name, value in series.items():
            runner.message_hub.update_scalar(f"{mode}/{name}", value(i))


def test_registered_in_log_processors() -> None:
    assert LOG_PROCESSORS.get("LogProcessor") is LogProcessor
    built = LOG_PROCESSORS.build(dict(type="LogProcessor", window_size=5))
    assert isinstance(built, LogProcessor) and built.window_size == 5


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(window_size=0), ValueError, "window_size must be an int >= 1"),
        (dict(window_size="global"), ValueError, "window_size"),
        (dict(num_digits=-1), ValueError, "num_digits"),
        (dict(mean_pattern=3), TypeError, "mean_pattern"),
        (dict(custom_cfg=dict(data_src="loss")), TypeError, "list of dicts"),
        (dict(custom_cfg=[1]), TypeError, r"custom_cfg\[0\] must be a dict"),
        (
            dict(custom_cfg=[dict(data_src="loss", method_name="median")]),
            ValueError,
            "'median' is not a registered statistic",
        ),
        (
            dict(custom_cfg=[dict(data_src="loss")]),
            ValueError,
            "must have a str 'method_name'",
        ),
        (
            dict(
                custom_cfg=[dict(data_src="loss", method_name="current", window_size=3)]
            ),
            ValueError,
            "'current' does not accept the arguments",
        ),
        (
            dict(
                custom_cfg=[dict(data_src="loss", method_name="mean", window_size=2.5)]
            ),
            ValueError,
            "positive int, 'epoch' or 'global'",
        ),
        (
            dict(
                by_epoch=False,
                custom_cfg=[
                    dict(data_src="loss", method_name="mean", window_size="epoch")
                ],
            ),
            ValueError,
            "cannot be epoch",
        ),
        (
            dict(
                custom_cfg=[
                    dict(data_src="loss1", log_name="loss2", method_name="mean"),
                    dict(data_src="loss2", method_name="max"),
                ]
            ),
            ValueError,
            r"custom_cfg\[1\] and log_processor.custom_cfg\[0\] both write the column "
            "'loss2'",
        ),
    ],
)
def test_invalid_configuration_fails_when_built(
    kwargs: dict, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        LogProcessor(**kwargs)


def test_custom_cfg_entries_are_parsed() -> None:
    (stat,) = parse_custom_cfg(
        [dict(data_src="acc", method_name="max", window_size="global")], by_epoch=False
    )
    assert (stat.data_src, stat.log_name, stat.method_name) == ("acc", "acc", "max")
    assert stat.window_size == "global" and stat.kwargs == {}
    assert parse_custom_cfg(None, True) == []


def test_by_iteration_custom_cfg_without_window_is_accepted() -> None:
    """MMEngine fails with KeyError here; the entry is valid."""
    processor = LogProcessor(
        by_epoch=False, custom_cfg=[dict(data_src="loss", method_name="max")]
    )
    runner = _runner()
    _feed(runner, "train", 10, loss=lambda i: float(i))
    tag, _ = processor.get_log_after_iter(runner, 9, "train")
    assert tag["loss"] == 9.0


def test_a_statistic_registered_later_is_unknown_when_built() -> None:
    with pytest.raises(ValueError, match="later_stat"):
        LogProcessor(custom_cfg=[dict(data_src="loss", method_name="later_stat")])


def test_unknown_modes_are_rejected() -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        LogProcessor().get_log_after_iter(_runner(), 0, "predict")
    with pytest.raises(ValueError, match="mode must be one of"):
        LogProcessor().get_log_after_epoch(_runner(), 0, "train")


def test_lines_without_a_built_train_loop() -> None:
    """A validation-only run: epoch 0, iteration 0, no padding (MMEngine)."""
    runner = _runner(iteration=41, epoch=3, max_epochs=100, length=10, built=False)
    _feed(runner, "val", 5, acc=lambda i: float(i))
    tag, line = LogProcessor().get_log_after_iter(runner, 4, "val")
    assert line.startswith("Epoch(val)[0][ 5/10]")
    assert (tag["epoch"], tag["iter"]) == (0, 0)
    _, summary = LogProcessor().get_log_after_epoch(runner, 9, "val")
    assert summary.startswith("Epoch(val) [0][10/10]    acc: 4.0000")


def test_global_window_without_training_covers_everything() -> None:
    runner = _runner(built=False)
    _feed(runner, "val", 30, acc=lambda i: float(i))
    cfg = [dict(data_src="acc", method_name="mean", window_size="global")]
    tag, _ = LogProcessor(custom_cfg=cfg).get_log_after_epoch(runner, 29, "val")
    assert tag["acc"] == np.arange(30).mean()


def test_epoch_padding_when_the_epoch_outgrows_max_epochs() -> None:
    runner = _runner(iteration=9, epoch=9, max_epochs=9)
    _feed(runner, "train", 10, loss=lambda i: 1.0)
    _, line = LogProcessor().get_log_after_iter(runner, 9, "train")
    assert line.startswith("Epoch(train)[10][10/25]")


def test_lines_without_lr_or_eta() -> None:
    runner = _runner()
    _feed(runner, "train", 10, loss=lambda i: 1.0, time=lambda i: 0.5)
    _, line = LogProcessor().get_log_after_iter(runner, 9, "train")
    assert line == "Epoch(train) [1][10/25]    loss: 1.0000  time: 0.5000"


def test_several_learning_rates() -> None:
    runner = _runner()
    _feed(runner, "train", 10, lr=lambda i: 0.1, **{"generator.lr": lambda i: 0.2})
    _, line = LogProcessor().get_log_after_iter(runner, 9, "train")
    assert line == "Epoch(train) [1][10/25]  lr: 1.0000e-01 generator.lr: 2.0000e-01  "


class _FakeCuda:
    def __init__(self) -> None:
        self.reset_calls: list[Any] = []

    def is_available(self) -> bool:
        return True

    def max_memory_allocated(self, device: Any = None) -> int:
        return 392 * 1024 * 1024 + 5

    def reset_peak_memory_stats(self, device: Any = None) -> None:
        self.reset_calls.append(device)


def test_memory_is_shown_on_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    cuda = _FakeCuda()
    fake_torch = SimpleNamespace(cuda=cuda, Tensor=type("Tensor", (), {}))
    monkeypatch.setitem(__import__("sys").modules, "torch", fake_torch)
    runner = _runner()
    runner.model = SimpleNamespace(output_device=3)
    runner.message_hub.update_info("eta", 1)
    _feed(
        runner,
        "train",
        10,
        lr=lambda i: 0.1,
        time=lambda i: 0.5,
        data_time=lambda i: 0.25,
        loss=lambda i: 1.0,
    )
    tag, line = LogProcessor().get_log_after_iter(runner, 9, "train")
    assert line.endswith("data_time: 0.2500  memory: 392  loss: 1.0000")
    assert tag["memory"] == 392
    assert cuda.reset_calls == [3]


def test_no_memory_without_cuda() -> None:
    runner = _runner()
    runner.message_hub.update_info("eta", 1)
    _feed(runner, "train", 10, time=lambda i: 0.5, data_time=lambda i: 0.25)
    tag, line = LogProcessor().get_log_after_iter(runner, 9, "train")
    assert "memory" not in tag and "memory" not in line


def test_custom_values_reach_registered_statistics() -> None:
    def scaled(self: HistoryBuffer, window_size: int, factor: float) -> Any:
        return self._log_history[-window_size:].sum() * factor

    HistoryBuffer.register_statistics(scaled)
    try:
        cfg = [
            dict(
                data_src="loss",
                log_name="s",
                method_name="scaled",
                window_size="epoch",
                factor=0.5,
            )
        ]
        runner = _runner(iteration=29, epoch=1)
        _feed(runner, "train", 30, loss=lambda i: float(i))
        tag, _ = LogProcessor(custom_cfg=cfg).get_log_after_iter(runner, 4, "train")
        assert tag["s"] == (25 + 26 + 27 + 28 + 29) * 0.5
    finally:
        HistoryBuffer._statistics_methods.pop("scaled", None)


def test_epoch_summary_times_use_the_epoch_unless_configured() -> None:
    runner = _runner(iteration=0, epoch=1, length=10)
    _feed(runner, "val", 30, time=lambda i: float(i), data_time=lambda i: float(i))
    tag, _ = LogProcessor(window_size=3).get_log_after_epoch(runner, 4, "val")
    assert tag["time"] == tag["data_time"] == np.arange(25, 30).mean()
    cfg = [dict(data_src="time", log_name="t_now", method_name="current")]
    tag, _ = LogProcessor(window_size=3, custom_cfg=cfg).get_log_after_epoch(
        runner, 4, "val"
    )
    assert tag["time"] == np.arange(27, 30).mean()  # the default window
    assert tag["data_time"] == np.arange(25, 30).mean()
    assert list(tag) == ["t_now", "time", "data_time"]


def test_hierarchy_in_summaries_keeps_prefixes_in_the_line() -> None:
    runner = _runner(length=10)
    _feed(runner, "val", 10, acc=lambda i: 1.0, time=lambda i: 0.5)
    tag, line = LogProcessor(log_with_hierarchy=True).get_log_after_epoch(
        runner, 9, "val"
    )
    assert list(tag) == ["val/acc", "val/time"]
    assert line.endswith("    val/acc: 1.0000  val/time: 0.5000")


def test_float_formatting_matches_numpy_formatting() -> None:
    values = np.random.default_rng(0).random(200) * 10.0 ** np.arange(-100, 100)
    processor = LogProcessor()
    for value in values:
        assert processor._fmt(np.float64(value)) == f"{np.float64(value):.4f}"


def test_settings_changed_after_construction_take_effect() -> None:
    runner = _runner()
    _feed(runner, "train", 10, loss=lambda i: float(i), acc=lambda i: float(i))
    processor = LogProcessor()
    _, line = processor.get_log_after_iter(runner, 9, "train")
    assert line.endswith("loss: 4.5000  acc: 9.0000")
    processor.num_digits = 1
    processor.mean_pattern = re.compile("acc")
    _, line = processor.get_log_after_iter(runner, 9, "train")
    assert line.endswith("loss: 9.0  acc: 4.5")
