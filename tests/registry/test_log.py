"""The registry logs through ``print_log`` on the current logger."""

from __future__ import annotations

import logging

import pytest

import engine.logging
from engine.registry import _log


def test_log_goes_to_print_log_current(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[object, object, int]] = []

    def record(msg: object, logger: object = None, level: int = logging.INFO) -> None:
        calls.append((msg, logger, level))

    monkeypatch.setattr(engine.logging, "print_log", record)
    _log.log("built X")
    _log.warn("scope missing")
    assert calls == [
        ("built X", "current", logging.DEBUG),
        ("scope missing", "current", logging.WARNING),
    ]
