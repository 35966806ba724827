"""logging: MMLogger and print_log (LOG-09, LOG-24..27).

Lines are matched after the timestamp, whose shape is checked by a regex
(the inventory's convention). The logger name is the implementation's
default logger name (``impl.logger_name``).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.harness.distributed import run_on_ranks
from conformance.harness.impl import Impl

_TERMINAL_TIME = r"\d\d/\d\d \d\d:\d\d:\d\d"
_FILE_TIME = r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d"


@pytest.fixture
def logger_cls(impl: Impl) -> Any:
    return impl.attr("logging.MMLogger")


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


@pytest.mark.spec("LOG-24")
def test_info_line_format(
    impl: Impl, logger_cls: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = logger_cls.get_instance("mmengine", log_level="INFO")
    logger.info("this is a test")
    name = re.escape(impl.logger_name)
    (line,) = _lines(capsys.readouterr().out)
    assert re.fullmatch(rf"{_TERMINAL_TIME} - {name} - INFO - this is a test", line)


@pytest.mark.spec("LOG-24")
def test_error_line_carries_path_function_and_line(
    impl: Impl, logger_cls: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = logger_cls.get_instance("mmengine", log_level="INFO")
    frame = inspect.currentframe()
    assert frame is not None
    lineno = frame.f_lineno + 1  # the line of the call below
    logger.error("division by zero")
    (line,) = _lines(capsys.readouterr().out)
    expected = (
        rf"{_TERMINAL_TIME} - {re.escape(impl.logger_name)} - ERROR - "
        rf"{re.escape(__file__)} - "
        r"test_error_line_carries_path_function_and_line - "
        rf"{lineno} - division by zero"
    )
    assert re.fullmatch(expected, line), line


@pytest.mark.spec("LOG-24")
def test_logger_name_and_level_arguments(
    logger_cls: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = logger_cls.get_instance("exp", logger_name="custom", log_level="WARNING")
    logger.info("hidden")
    logger.warning("shown")
    (line,) = _lines(capsys.readouterr().out)
    assert re.fullmatch(rf"{_TERMINAL_TIME} - custom - WARNING - shown", line)


@pytest.mark.spec("LOG-24")
def test_logger_is_a_logging_logger_reachable_as_current(logger_cls: Any) -> None:
    logger = logger_cls.get_instance("exp", log_level="INFO")
    assert isinstance(logger, logging.Logger)
    assert logger_cls.get_current_instance() is logger
    assert logger.instance_name == "exp"


@pytest.mark.spec("LOG-24")
def test_current_instance_exists_before_any_is_built(
    impl: Impl, logger_cls: Any
) -> None:
    logger = logger_cls.get_current_instance()
    assert isinstance(logger, logger_cls)
    assert logger.name == impl.logger_name


_COLOUR_PROBE = (
    "import importlib; "
    "importlib.import_module('{impl}.logging').MMLogger.get_instance('x')"
    ".error('red')"
)


def _probe_output(impl: Impl, on_terminal: bool) -> str:
    """stdout of a fresh interpreter logging an error, to a pty or a pipe."""
    env = {k: v for k, v in os.environ.items() if "COLOR" not in k}
    command = [sys.executable, "-c", _COLOUR_PROBE.format(impl=impl.name)]
    if not on_terminal:
        done = subprocess.run(command, env=env, capture_output=True, check=True)
        return done.stdout.decode()
    master, replica = os.openpty()
    try:
        subprocess.run(command, env=env, stdout=replica, check=True)
        return os.read(master, 65536).decode()
    finally:
        os.close(master)
        os.close(replica)


@pytest.mark.spec("LOG-24")
def test_colour_only_on_a_terminal(impl: Impl) -> None:
    coloured = _probe_output(impl, on_terminal=True)
    plain = _probe_output(impl, on_terminal=False)
    assert "\x1b[" in coloured and "red" in coloured
    assert " - ERROR - " in plain and plain.rstrip().endswith(" - red")
    assert "\x1b[" not in plain


@pytest.mark.spec("LOG-24")
def test_repeated_warnings_are_printed_once(
    logger_cls: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = logger_cls.get_instance("dup")
    for _ in range(3):
        logger.warning("careful")
        logger.info("progress")
    lines = _lines(capsys.readouterr().out)
    assert sum(line.endswith(" - careful") for line in lines) == 1
    assert sum(line.endswith(" - progress") for line in lines) == 3


@pytest.mark.spec("LOG-25")
@pytest.mark.diverges(
    "mmengine",
    reason="doc L9451: log_file='tmp.log' is written to tmp/tmp.log; MMEngine "
    "0.10.7 writes ./tmp.log",
)
def test_log_file_goes_into_a_directory_named_after_its_stem(
    logger_cls: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    logger = logger_cls.get_instance("mmengine", log_file="tmp.log", log_level="INFO")
    logger.info("this is a test")
    assert (tmp_path / "tmp" / "tmp.log").is_file()
    assert not (tmp_path / "tmp.log").exists()


@pytest.mark.spec("LOG-25")
def test_log_file_receives_the_terminal_lines(
    impl: Impl,
    logger_cls: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    logger = logger_cls.get_instance("mmengine", log_file="tmp.log", log_level="INFO")
    logger.info("this is a test")
    name = re.escape(impl.logger_name)
    (terminal,) = _lines(capsys.readouterr().out)
    assert re.fullmatch(rf"{_TERMINAL_TIME} - {name} - INFO - this is a test", terminal)
    (line,) = _lines((tmp_path / logger.log_file).read_text(encoding="utf-8"))
    assert re.fullmatch(rf"{_FILE_TIME} - {name} - INFO - this is a test", line)
    assert "\x1b[" not in line


def _write_logs(
    impl_name: str, directory: str, distributed: bool, level: str
) -> list[str]:
    """One rank: build a logger with ``log_file`` and log a line."""
    os.chdir(directory)
    logging_mod = importlib.import_module(f"{impl_name}.logging")
    logger = logging_mod.MMLogger.get_instance(
        "dist", log_file="tmp.log", distributed=distributed, log_level=level
    )
    logger.info("hello from a rank")
    for handler in logger.handlers:
        handler.flush()
    return [str(p.relative_to(directory)) for p in Path(directory).rglob("*.log")]


def _log_files(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*.log"))


@pytest.mark.spec("LOG-09", "LOG-26")
@pytest.mark.parametrize(
    ("distributed", "level"), [(True, "INFO"), (False, "DEBUG")], ids=["dist", "debug"]
)
def test_every_rank_writes_a_file_when_distributed_or_debug(
    impl: Impl, tmp_path: Path, distributed: bool, level: str
) -> None:
    run_on_ranks(_write_logs, impl.name, str(tmp_path), distributed, level)
    names = _log_files(tmp_path)
    assert len(names) == 2, names
    for rank, name in enumerate(names):
        assert re.fullmatch(rf"tmp_.+_device{rank}_rank{rank}\.log", name), name
    for path in tmp_path.rglob("*.log"):
        assert "hello from a rank" in path.read_text(encoding="utf-8")


@pytest.mark.spec("LOG-26")
def test_only_rank_zero_writes_a_file_otherwise(impl: Impl, tmp_path: Path) -> None:
    run_on_ranks(_write_logs, impl.name, str(tmp_path), False, "INFO")
    assert _log_files(tmp_path) == ["tmp.log"]


@pytest.mark.spec("LOG-27")
def test_print_log_to_the_current_logger(
    impl: Impl, capsys: pytest.CaptureFixture[str]
) -> None:
    impl.attr("logging.MMLogger").get_instance("exp")
    print_log = impl.attr("logging.print_log")
    print_log("layer.linear.weight : lr=0.0025", logger="current")
    (line,) = _lines(capsys.readouterr().out)
    assert re.fullmatch(
        rf"{_TERMINAL_TIME} - {re.escape(impl.logger_name)} - INFO - "
        r"layer\.linear\.weight : lr=0\.0025",
        line,
    )


@pytest.mark.spec("LOG-27")
def test_print_log_without_logger_prints(
    impl: Impl, capsys: pytest.CaptureFixture[str]
) -> None:
    impl.attr("logging.print_log")("plain message")
    assert capsys.readouterr().out == "plain message\n"


@pytest.mark.spec("LOG-27")
def test_print_log_silent_and_levels(
    impl: Impl, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = impl.attr("logging.MMLogger").get_instance("named", log_level="INFO")
    print_log = impl.attr("logging.print_log")
    print_log("nothing", logger="silent")
    print_log("too low", logger="named", level=logging.DEBUG)
    print_log("by name", logger="named", level=logging.WARNING)
    print_log("by object", logger=logger)
    lines = _lines(capsys.readouterr().out)
    assert [line.split(" - ", 2)[2] for line in lines] == [
        "WARNING - by name",
        "INFO - by object",
    ]


@pytest.mark.spec("LOG-27")
def test_print_log_rejects_unknown_loggers(impl: Impl) -> None:
    print_log = impl.attr("logging.print_log")
    with pytest.raises(ValueError, match="never-built"):
        print_log("x", logger="never-built")
    with pytest.raises(TypeError):
        print_log("x", logger=3)
