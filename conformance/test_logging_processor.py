"""logging: LogProcessor train lines (LOG-01..07, LOG-19..23, LOG-28).

The doc's examples train a ToyModel; here a fake runner
(:mod:`conformance.logging_toys`) feeds chosen values into the hub the way
the train loop does, so every number in a line is computed independently
from the values fed in. The Runner's own end-to-end lines belong to the
runner tests.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import torch

from conformance.harness.impl import Impl
from conformance.logging_toys import fields, make_runner, mean, train

# The inventory's regex for LOG-01 (a line of the default LogProcessor).
_LOG01 = re.compile(
    r"^Epoch\(train\) \[1\]\[(10|20)/25\]  lr: \d\.\d{4}e[-+]\d\d  "
    r"eta: \d+:\d\d:\d\d  time: \d+\.\d{4}  data_time: \d+\.\d{4}  "
    r"loss1: \d+\.\d{4}  loss2: \d+\.\d{4}  loss: \d+\.\d{4}$"
)


def loss1(i: int) -> float:
    return (i % 7) / 8


def loss2(i: int) -> float:
    return (i % 5) / 4


def toy_scalars() -> dict[str, Any]:
    """The scalars a train iteration of the doc's ToyModel logs."""
    return {
        "lr": lambda i: 0.01,
        "time": lambda i: (i % 3) / 8,
        "data_time": lambda i: (i % 2) / 16,
        "loss1": loss1,
        "loss2": loss2,
        "loss": lambda i: loss1(i) + loss2(i),
    }


@pytest.fixture
def processor_cls(impl: Impl) -> Any:
    return impl.attr("runner.LogProcessor")


@pytest.mark.spec("LOG-01")
def test_default_log_processor_configuration(impl: Impl, processor_cls: Any) -> None:
    default = processor_cls()
    assert default.window_size == 10
    assert default.by_epoch is True
    assert not default.custom_cfg
    assert default.num_digits == 4
    built = impl.attr("registry.LOG_PROCESSORS").build(
        dict(type="LogProcessor", window_size=10, by_epoch=True, custom_cfg=None)
    )
    assert isinstance(built, processor_cls)


@pytest.mark.spec("LOG-01", "LOG-02", "LOG-20")
def test_default_train_lines(impl: Impl, processor_cls: Any) -> None:
    runner = make_runner(impl)
    lines = train(runner, processor_cls(), toy_scalars(), range(25))
    assert len(lines) == 2  # iterations 10 and 20 of 25
    for line, last in zip(lines, (10, 20), strict=True):
        assert _LOG01.match(line), line
        window = range(last - 10, last)
        got = fields(line)
        assert got["lr"] == f"{0.01:.4e}"
        assert got["eta"] == "0:00:00"
        assert got["time"] == f"{mean([(i % 3) / 8 for i in window]):.4f}"
        assert got["data_time"] == f"{mean([(i % 2) / 16 for i in window]):.4f}"
        expected1, expected2 = (
            mean([loss1(i) for i in window]),
            mean([loss2(i) for i in window]),
        )
        assert got["loss1"] == f"{expected1:.4f}"
        assert got["loss2"] == f"{expected2:.4f}"
        assert got["loss"] == f"{expected1 + expected2:.4f}"


@pytest.mark.spec("LOG-02")
def test_eta_is_shown_as_a_duration(impl: Impl, processor_cls: Any) -> None:
    runner = make_runner(impl)
    (line, _) = train(runner, processor_cls(), toy_scalars(), range(25), eta=3725.9)
    assert fields(line)["eta"] == str(datetime.timedelta(seconds=3725)) == "1:02:05"


@pytest.mark.spec("LOG-02")
def test_lr_is_the_latest_value(impl: Impl, processor_cls: Any) -> None:
    scalars = toy_scalars() | {"lr": lambda i: (i + 1) / 1000}
    runner = make_runner(impl)
    (line, _) = train(runner, processor_cls(), scalars, range(25))
    assert fields(line)["lr"] == "1.0000e-02"  # the 10th value, 10 / 1000


@pytest.mark.spec("LOG-02")
def test_iteration_mode_lines(impl: Impl, processor_cls: Any) -> None:
    runner = make_runner(impl, train_len=20, max_iters=20)
    lines = train(runner, processor_cls(by_epoch=False), toy_scalars(), range(20))
    assert [line.split("  ")[0] for line in lines] == [
        "Iter(train) [10/20]",
        "Iter(train) [20/20]",
    ]
    assert all(line.split("  ")[1].startswith("lr: ") for line in lines)


@pytest.mark.spec("LOG-02")
def test_num_digits(impl: Impl, processor_cls: Any) -> None:
    runner = make_runner(impl)
    (line, _) = train(runner, processor_cls(num_digits=2), toy_scalars(), range(25))
    got = fields(line)
    assert got["lr"] == "1.00e-02"
    assert got["loss1"] == f"{mean([loss1(i) for i in range(10)]):.2f}"
    assert re.fullmatch(r"\d+\.\d\d", got["time"])


@pytest.mark.spec("LOG-02", "LOG-19")
def test_custom_scalars_show_their_latest_value(impl: Impl, processor_cls: Any) -> None:
    scalars = toy_scalars() | {
        "a": lambda i: 100,
        "b": lambda i: i / 8,
        "c": lambda i: 2,
    }
    runner = make_runner(impl)
    (line,) = train(runner, processor_cls(), scalars, range(10))
    got = fields(line)
    assert got["a"] == "100"  # an int is printed as-is
    assert got["b"] == f"{9 / 8:.4f}"  # the latest, not a mean
    assert got["c"] == "2"
    assert line.endswith("  a: 100  b: 1.1250  c: 2")


@pytest.mark.spec("LOG-03", "LOG-04")
def test_global_mean_overwrites_a_column(impl: Impl, processor_cls: Any) -> None:
    cfg = [dict(data_src="loss1", method_name="mean", window_size="global")]
    scalars = toy_scalars() | {"loss1": lambda i: float(i + 1)}
    runner = make_runner(impl)
    first, second = train(runner, processor_cls(custom_cfg=cfg), scalars, range(25))
    assert fields(first)["loss1"] == f"{mean(list(range(1, 11))):.4f}"
    assert fields(second)["loss1"] == "10.5000"  # all 20 values, not 15.5
    window = range(10, 20)
    expected = mean([loss1(i) + loss2(i) for i in window])
    assert fields(second)["loss"] == f"{expected:.4f}"  # still a window mean


@pytest.mark.spec("LOG-04")
@pytest.mark.parametrize(
    ("method", "expected"),
    [("mean", 35.5), ("min", 26.0), ("max", 45.0)],
)
def test_epoch_window_covers_this_epoch_only(
    impl: Impl, processor_cls: Any, method: str, expected: float
) -> None:
    """Iteration 20 of epoch 2: the 20 iterations 26..45 of that epoch."""
    cfg = [dict(data_src="acc", method_name=method, window_size="epoch")]
    scalars = toy_scalars() | {"acc": lambda i: float(i + 1)}
    runner = make_runner(impl, max_epochs=2)
    lines = train(runner, processor_cls(custom_cfg=cfg), scalars, range(45))
    assert lines[-1].startswith("Epoch(train) [2][20/25]")
    assert fields(lines[-1])["acc"] == f"{expected:.4f}"


@pytest.mark.spec("LOG-04")
def test_current_method(impl: Impl, processor_cls: Any) -> None:
    cfg = [dict(data_src="loss1", log_name="loss1_now", method_name="current")]
    scalars = toy_scalars() | {"loss1": lambda i: float(i)}
    runner = make_runner(impl)
    (line,) = train(runner, processor_cls(custom_cfg=cfg), scalars, range(10))
    assert fields(line)["loss1_now"] == "9.0000"


@pytest.mark.spec("LOG-05")
def test_log_name_adds_a_column_after_the_losses(
    impl: Impl, processor_cls: Any
) -> None:
    cfg = [
        dict(
            data_src="loss1",
            log_name="loss1_global",
            method_name="mean",
            window_size="global",
        )
    ]
    runner = make_runner(impl)
    first, second = train(
        runner, processor_cls(custom_cfg=cfg), toy_scalars(), range(25)
    )
    for line in (first, second):
        assert re.search(r"  loss: \S+  loss1_global: \S+$", line), line
    assert fields(first)["loss1_global"] == fields(first)["loss1"]
    assert (
        fields(second)["loss1_global"] == f"{mean([loss1(i) for i in range(20)]):.4f}"
    )
    assert fields(second)["loss1"] == f"{mean([loss1(i) for i in range(10, 20)]):.4f}"


@pytest.mark.spec("LOG-06")
def test_local_and_global_max(impl: Impl, processor_cls: Any) -> None:
    cfg = [
        dict(
            data_src="loss1",
            log_name="loss1_local_max",
            window_size=10,
            method_name="max",
        ),
        dict(
            data_src="loss1",
            log_name="loss1_global_max",
            method_name="max",
            window_size="global",
        ),
    ]
    scalars = toy_scalars() | {"loss1": lambda i: float(20 - i)}  # 20, 19, ..., 1
    runner = make_runner(impl)
    first, second = train(runner, processor_cls(custom_cfg=cfg), scalars, range(20))
    assert (
        fields(first)["loss1_local_max"]
        == fields(first)["loss1_global_max"]
        == "20.0000"
    )
    assert fields(second)["loss1_local_max"] == "10.0000"  # iterations 11..20
    assert fields(second)["loss1_global_max"] == "20.0000"
    assert second.endswith("  loss1_local_max: 10.0000  loss1_global_max: 20.0000")


@pytest.mark.spec("LOG-07")
def test_custom_scalar_from_the_model(impl: Impl, processor_cls: Any) -> None:
    """The model updates ``train/loss_tmp`` (a tensor) before the losses."""
    hub = impl.attr("logging.MessageHub").get_instance("model")

    def loss_tmp(i: int) -> Any:
        hub.update_scalar("train/loss_tmp", torch.tensor([i / 8]).sum())
        return i / 4

    scalars = {
        "lr": lambda i: 0.01,
        "time": lambda i: 0.5,
        "data_time": lambda i: 0.25,
        "loss": loss_tmp,
    }
    cfg = [dict(data_src="loss_tmp", window_size=10, method_name="mean")]
    runner = make_runner(impl, name="model")
    (line, _) = train(runner, processor_cls(custom_cfg=cfg), scalars, range(25))
    expected_tmp = mean([i / 8 for i in range(10)])
    expected_loss = mean([i / 4 for i in range(10)])
    assert line.endswith(
        f"data_time: 0.2500  loss_tmp: {expected_tmp:.4f}  loss: {expected_loss:.4f}"
    )


@pytest.mark.spec("LOG-07")
def test_custom_scalar_without_config(impl: Impl, processor_cls: Any) -> None:
    """Without custom_cfg a name matching the loss pattern is averaged, another
    name shows its latest value (decision: doc L7487 vs L9306, see
    docs/conformance/logging.md)."""
    scalars = toy_scalars() | {"loss_tmp": lambda i: i / 8, "tmp": lambda i: i / 8}
    runner = make_runner(impl)
    (line,) = train(runner, processor_cls(), scalars, range(10))
    assert fields(line)["loss_tmp"] == f"{mean([i / 8 for i in range(10)]):.4f}"
    assert fields(line)["tmp"] == f"{9 / 8:.4f}"


@pytest.mark.spec("LOG-21")
def test_registered_statistic_in_custom_cfg(impl: Impl, processor_cls: Any) -> None:
    buffer_cls = impl.attr("logging.HistoryBuffer")

    def last_sum(self: Any, window_size: int, scale: int) -> Any:
        return self._log_history[-window_size:].sum() * scale

    buffer_cls.register_statistics(last_sum)
    try:
        cfg = [
            dict(
                data_src="loss1",
                log_name="s",
                method_name="last_sum",
                window_size=2,
                scale=3,
            )
        ]
        runner = make_runner(impl)
        (line,) = train(runner, processor_cls(custom_cfg=cfg), toy_scalars(), range(10))
        assert fields(line)["s"] == f"{(loss1(8) + loss1(9)) * 3:.4f}"
    finally:
        buffer_cls._statistics_methods.pop("last_sum", None)


@pytest.mark.spec("LOG-21")
@pytest.mark.parametrize(
    "cfg",
    [
        [
            dict(data_src="loss1", log_name="x", method_name="mean"),
            dict(data_src="loss2", log_name="x", method_name="mean"),
        ],
        [
            dict(data_src="loss1", method_name="mean"),
            dict(data_src="loss1", method_name="max"),
        ],
        [dict(method_name="mean")],
    ],
    ids=["same-log-name", "same-data-src", "no-data-src"],
)
def test_invalid_custom_cfg_is_rejected_when_built(
    processor_cls: Any, cfg: list[dict]
) -> None:
    with pytest.raises(AssertionError):
        processor_cls(custom_cfg=cfg)


@pytest.mark.spec("LOG-21")
def test_epoch_window_needs_by_epoch(processor_cls: Any) -> None:
    cfg = [dict(data_src="loss", method_name="mean", window_size="epoch")]
    with pytest.raises(AssertionError):
        processor_cls(by_epoch=False, custom_cfg=cfg)


@pytest.mark.spec("LOG-22")
def test_larger_window_for_the_loss(impl: Impl, processor_cls: Any) -> None:
    cfg = [dict(data_src="loss", method_name="mean", window_size=100)]
    scalars = toy_scalars() | {"loss": lambda i: float(i % 4)}
    runner = make_runner(impl, max_epochs=10, train_len=150)
    lines = train(
        runner, processor_cls(window_size=10, custom_cfg=cfg), scalars, range(150)
    )
    assert (
        fields(lines[-1])["loss"]
        == f"{mean([float(i % 4) for i in range(50, 150)]):.4f}"
    )
    assert (
        fields(lines[-1])["loss1"] == f"{mean([loss1(i) for i in range(140, 150)]):.4f}"
    )


@pytest.mark.spec("LOG-23")
def test_extra_min_column(impl: Impl, processor_cls: Any) -> None:
    cfg = [
        dict(data_src="loss", log_name="loss_min", method_name="min", window_size=100)
    ]
    scalars = toy_scalars() | {"loss": lambda i: float(200 - i)}
    runner = make_runner(impl, max_epochs=10, train_len=150)
    lines = train(runner, processor_cls(custom_cfg=cfg), scalars, range(150))
    got = fields(lines[-1])
    assert got["loss_min"] == "51.0000"  # min(200 - i for i in 50..149)
    assert got["loss"] == f"{mean([float(200 - i) for i in range(140, 150)]):.4f}"
    assert lines[-1].endswith(f"loss: {got['loss']}  loss_min: 51.0000")


@pytest.mark.spec("LOG-28")
@pytest.mark.parametrize(
    ("train_len", "prefix"),
    [(3125, "Epoch(train)   [1][ 100/3125]"), (313, "Epoch(train)   [1][100/313]")],
)
def test_epoch_and_iteration_padding(
    impl: Impl, processor_cls: Any, train_len: int, prefix: str
) -> None:
    """RUN-09's lines (AMB-06, the newer format): max_epochs=200."""
    runner = make_runner(impl, max_epochs=200, train_len=train_len)
    (line, *_) = train(runner, processor_cls(), toy_scalars(), range(100), interval=100)
    assert line.startswith(prefix + "  lr: 1.0000e-02  eta: 0:00:00  time: ")


@pytest.mark.spec("LOG-28")
def test_iteration_mode_padding(impl: Impl, processor_cls: Any) -> None:
    runner = make_runner(impl, train_len=100, max_iters=1000)
    (line,) = train(runner, processor_cls(by_epoch=False), toy_scalars(), range(10))
    assert line.startswith("Iter(train) [  10/1000]  lr: ")
