"""Fixtures of the ``engine.visualization`` unit tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import matplotlib
import numpy as np
import pytest

from engine.logging import MMLogger
from engine.utils import _reset_manager_instances

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _forget_manager_instances() -> Iterator[None]:
    """Every test starts and ends with no Visualizer (or other) instance."""
    _reset_manager_instances()
    yield
    _reset_manager_instances()


@pytest.fixture
def canvas() -> np.ndarray:
    """A black (60, 80, 3) uint8 image."""
    return np.zeros((60, 80, 3), np.uint8)


@pytest.fixture
def log_records() -> Iterator[list[logging.LogRecord]]:
    """Records logged through the current logger (``logger='current'``)."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = MMLogger.get_instance("visualization-unit")
    handler = Collect(level=logging.DEBUG)
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)
