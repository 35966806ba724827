"""Fixtures of the ``engine.analysis`` unit tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from engine.logging import MMLogger
from engine.utils import _reset_manager_instances


@pytest.fixture(autouse=True)
def _plain_console(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No MMLogger left behind; rich tables drawn 80 columns wide."""
    _reset_manager_instances()
    monkeypatch.setenv("COLUMNS", "80")
    yield
    _reset_manager_instances()


@pytest.fixture
def warnings_logged() -> Iterator[list[str]]:
    """WARNING messages logged through the current logger (every one: the
    duplicate filter sits on MMLogger's own handlers, not on this one)."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger = MMLogger.get_instance("analysis-unit")
    handler = Collect(level=logging.WARNING)
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)
