"""Fixtures of the ``engine.hub`` unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.utils import _reset_manager_instances


@pytest.fixture(autouse=True)
def _no_manager_instances() -> Iterator[None]:
    """No default scope or logger instance leaks into or out of a test."""
    _reset_manager_instances()
    yield
    _reset_manager_instances()
