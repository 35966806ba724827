"""MMLogger, print_log, the formatter, the duplicate filter and file paths."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine._identity import LOGGER_NAME
from engine.logging import MMLogger, _dist_info, print_log
from engine.logging import logger as logger_module
from engine.logging._formatter import FilterDuplicateWarning, MMFormatter
from engine.logging.logger import log_file_path


def _record(level: int, msg: str = "message") -> logging.LogRecord:
    return logging.LogRecord("engine", level, "/src/a.py", 7, msg, None, None, "fn")


def test_import_does_not_import_torch() -> None:
    code = "import sys, engine.logging; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize(
    ("level", "label"),
    [
        (logging.DEBUG, "DEBUG"),
        (logging.INFO, "INFO"),
        (logging.WARNING, "WARNING"),
        (logging.CRITICAL, "CRITICAL"),
    ],
)
def test_plain_format(level: int, label: str) -> None:
    text = MMFormatter(color=False, datefmt="%H").format(_record(level))
    head, rest = text.split(" - ", 1)
    assert re.fullmatch(r"\d\d", head)
    if level >= logging.ERROR:
        assert rest == f"engine - {label} - /src/a.py - fn - 7 - message"
    else:
        assert rest == f"engine - {label} - message"


def test_colour_codes_wrap_the_level_name_only() -> None:
    text = MMFormatter(color=True, blink=True).format(_record(logging.ERROR))
    assert "\x1b[5m\x1b[4m\x1b[31mERROR\x1b[0m - /src/a.py" in text
    info = MMFormatter(color=True, blink=True).format(_record(logging.INFO))
    assert "\x1b[4m\x1b[97mINFO\x1b[0m - message" in info
    custom = MMFormatter(color=True).format(_record(25))
    assert "\x1b[4m\x1b[97mLevel 25\x1b[0m" in custom


def test_exceptions_are_appended() -> None:
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError:
        record = _record(logging.ERROR)
        record.exc_info = sys.exc_info()
    text = MMFormatter(color=False).format(record)
    assert text.splitlines()[0].endswith(" - message")
    assert "ZeroDivisionError: boom" in text


def test_duplicate_filter_only_concerns_warnings() -> None:
    only_once = FilterDuplicateWarning()
    warning = _record(logging.WARNING, "careful")
    assert only_once.filter(warning) and not only_once.filter(warning)
    error = _record(logging.ERROR, "careful")
    assert only_once.filter(error) and only_once.filter(error)
    assert only_once.filter(_record(logging.WARNING, "other"))


@pytest.mark.parametrize(
    ("log_file", "per_rank", "expected"),
    [
        ("tmp.log", False, os.path.join("tmp", "tmp.log")),
        ("work/tmp.log", False, os.path.join("work", "tmp", "tmp.log")),
        ("work/tmp/tmp.log", False, os.path.join("work", "tmp", "tmp.log")),
        ("/abs/run.txt", False, "/abs/run/run.txt"),
        ("tmp.log", True, os.path.join("tmp", "tmp_USER_device3_rank11.log")),
    ],
)
def test_log_file_path(
    log_file: str, per_rank: bool, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logger_module, "_user_at_host", lambda: "USER")
    assert log_file_path(log_file, per_rank, rank=11, device=3) == expected


def test_user_at_host_without_a_user(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_user() -> str:
        raise KeyError("no passwd entry")

    monkeypatch.setattr(logger_module.getpass, "getuser", no_user)
    assert logger_module._user_at_host().startswith("unknown@")


def test_default_logger(capsys: pytest.CaptureFixture[str]) -> None:
    logger = MMLogger.get_current_instance()
    assert logger.instance_name == LOGGER_NAME == logger.name
    assert logger.log_file is None
    assert logger.parent is None  # not registered with the logging module
    logger.debug("hidden")
    logger.info("shown")
    assert capsys.readouterr().out.endswith(f" - {LOGGER_NAME} - INFO - shown\n")


@pytest.mark.parametrize(("level", "number"), [("debug", 10), ("WARNING", 30), (5, 5)])
def test_levels(level: str | int, number: int) -> None:
    logger = MMLogger.get_instance("levels", log_level=level)
    assert logger.handlers[0].level == number


def test_bad_levels() -> None:
    with pytest.raises(ValueError, match="Unknown log_level 'LOUD'"):
        MMLogger.get_instance("bad", log_level="LOUD")
    with pytest.raises(TypeError, match="int or str"):
        MMLogger.get_instance("bad2", log_level=None)  # type: ignore[arg-type]


def test_set_level_takes_effect_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    logger = MMLogger.get_instance("set", log_level="DEBUG")
    logger.info("before")
    logger.setLevel("ERROR")
    logger.info("after")
    out = capsys.readouterr().out
    assert "before" in out and "after" not in out
    assert logger.handlers[0].level == logging.DEBUG


def test_log_file_lines_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    logger = MMLogger.get_instance("file", log_file=str(path), log_level="DEBUG")
    assert logger.log_file == str(tmp_path / "run" / "run.log")
    logger.debug("first")
    text = Path(logger.log_file).read_text(encoding="utf-8")
    assert re.fullmatch(
        rf"\d{{4}}/\d\d/\d\d \d\d:\d\d:\d\d - {LOGGER_NAME} - DEBUG - first\n", text
    )
    appended = MMLogger.get_instance("append", log_file=str(path), file_mode="a")
    appended.info("second")
    assert Path(logger.log_file).read_text(encoding="utf-8").count("\n") == 2


def test_file_handler_cfg(tmp_path: Path) -> None:
    logger = MMLogger.get_instance(
        "rotating",
        log_file=str(tmp_path / "r.log"),
        file_handler_cfg=dict(type="RotatingFileHandler", maxBytes=1000, backupCount=1),
    )
    handler = logger.handlers[1]
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes == 1000


@pytest.mark.parametrize("cfg", [dict(maxBytes=3), dict(type="NoSuchHandler")])
def test_bad_file_handler_cfg(tmp_path: Path, cfg: dict) -> None:
    with pytest.raises(ValueError, match="file_handler_cfg"):
        MMLogger.get_instance(
            "bad", log_file=str(tmp_path / "x.log"), file_handler_cfg=cfg
        )


def _fake_world(monkeypatch: pytest.MonkeyPatch, rank: int, world: int) -> None:
    monkeypatch.setattr(logger_module, "rank_and_world_size", lambda: (rank, world))
    monkeypatch.setattr(logger_module, "local_rank", lambda: rank % 2)
    monkeypatch.setattr(logger_module, "_user_at_host", lambda: "me@host")


def test_other_ranks_print_errors_only_and_write_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_world(monkeypatch, rank=1, world=2)
    logger = MMLogger.get_instance("r1", log_file=str(tmp_path / "t.log"))
    assert [h.level for h in logger.handlers] == [logging.ERROR]
    assert logger.log_file == str(tmp_path / "t" / "t.log")
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize(("distributed", "level"), [(True, "INFO"), (False, "DEBUG")])
def test_every_rank_writes_when_distributed_or_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, distributed: bool, level: str
) -> None:
    _fake_world(monkeypatch, rank=3, world=4)
    logger = MMLogger.get_instance(
        "r3", log_file=str(tmp_path / "t.log"), distributed=distributed, log_level=level
    )
    assert logger.log_file == str(tmp_path / "t" / "t_me@host_device1_rank3.log")
    assert Path(logger.log_file).is_file()


def test_a_single_process_never_suffixes(tmp_path: Path) -> None:
    logger = MMLogger.get_instance(
        "single", log_file=str(tmp_path / "t.log"), distributed=True, log_level="DEBUG"
    )
    assert logger.log_file == str(tmp_path / "t" / "t.log")


@pytest.mark.parametrize(
    ("env", "colour"),
    [
        ({}, False),
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ],
)
def test_colour_environment_variables(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], colour: bool
) -> None:
    for name in ("FORCE_COLOR", "NO_COLOR", "ANSI_COLORS_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    formatter = MMLogger.get_instance("colour").handlers[0].formatter
    assert isinstance(formatter, MMFormatter)
    assert formatter.color is colour


def test_print_log_points_errors_at_its_caller(
    capsys: pytest.CaptureFixture[str],
) -> None:
    MMLogger.get_instance("caller")
    print_log("bad news", logger="current", level=logging.ERROR)
    line = capsys.readouterr().out.strip()
    assert f" - {__file__} - test_print_log_points_errors_at_its_caller - " in line


def test_print_log_to_a_plain_logger(caplog: pytest.LogCaptureFixture) -> None:
    plain = logging.getLogger("engine-tests-plain")
    with caplog.at_level(logging.DEBUG, logger="engine-tests-plain"):
        print_log("to plain", logger=plain, level=logging.DEBUG)
    assert caplog.records[-1].getMessage() == "to plain"
    assert caplog.records[-1].funcName == "test_print_log_to_a_plain_logger"


def test_dist_info_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    assert _dist_info.rank_and_world_size() == (0, 1)


@pytest.mark.parametrize(("value", "expected"), [("3", 3), ("x", 0), (None, 0)])
def test_dist_info_local_rank(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: int
) -> None:
    if value is None:
        monkeypatch.delenv("LOCAL_RANK", raising=False)
    else:
        monkeypatch.setenv("LOCAL_RANK", value)
    assert _dist_info.local_rank() == expected


def test_dist_info_with_torch_and_no_process_group() -> None:
    import torch  # noqa: F401 - the branch taken once torch is imported

    assert _dist_info.rank_and_world_size() == (0, 1)
