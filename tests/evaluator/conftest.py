"""Fixtures of the ``engine.evaluator`` unit tests."""

from collections.abc import Iterator

import pytest

from engine.utils import _reset_manager_instances


@pytest.fixture(autouse=True)
def _forget_manager_instances() -> Iterator[None]:
    """Every test starts and ends with no MMLogger instance."""
    _reset_manager_instances()
    yield
    _reset_manager_instances()
