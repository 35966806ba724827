"""Fixtures of the ``engine.optim`` wrapper unit tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from engine.logging import MMLogger
from engine.utils import _reset_manager_instances


@pytest.fixture(autouse=True)
def _forget_manager_instances() -> Iterator[None]:
    """Every test starts and ends with no MessageHub or MMLogger instance."""
    _reset_manager_instances()
    yield
    _reset_manager_instances()


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Messages logged through the current logger (``'current'``)."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger = MMLogger.get_instance("optim-unit")
    handler = Collect(level=logging.DEBUG)
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)
