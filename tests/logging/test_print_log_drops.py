"""print_log skips records no handler of an MMLogger would take."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from engine.logging import MMLogger, print_log
from engine.logging.logger import _drops


def test_debug_is_dropped_when_every_handler_is_at_info(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logger = MMLogger.get_instance("drops_info", log_level="INFO")
    made: list[logging.LogRecord] = []
    original = logger.makeRecord

    def spy(*args: object, **kwargs: object) -> logging.LogRecord:
        record = original(*args, **kwargs)  # type: ignore[arg-type]
        made.append(record)
        return record

    monkeypatch.setattr(logger, "makeRecord", spy)
    print_log("hidden", logger="drops_info", level=logging.DEBUG)
    assert made == []
    print_log("shown", logger="drops_info", level=logging.INFO)
    assert [r.getMessage() for r in made] == ["shown"]


def test_debug_reaches_a_debug_log_file(tmp_path: Path) -> None:
    log_file = tmp_path / "d" / "d.log"
    log_file.parent.mkdir()
    MMLogger.get_instance("drops_debug", log_file=str(log_file), log_level="DEBUG")
    print_log("deep detail", logger="current", level=logging.DEBUG)
    text = "".join(p.read_text() for p in tmp_path.rglob("*.log"))
    assert "deep detail" in text


def test_a_logger_without_handlers_is_never_dropped() -> None:
    bare = logging.Logger("bare")
    assert not _drops(bare, logging.WARNING)
