"""Fixtures of the ``engine.dist`` unit tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import torch.distributed as torch_dist

from engine.dist import _query


@pytest.fixture(autouse=True)
def _clean_dist_state() -> Iterator[None]:
    """No process group, local group or launcher variable leaks between tests."""
    saved = dict(os.environ)
    yield
    if torch_dist.is_initialized():
        torch_dist.destroy_process_group()
    _query._LOCAL = None
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def world_of_one() -> Iterator[None]:
    """A real gloo process group with this process as its only member."""
    torch_dist.init_process_group(
        "gloo", store=torch_dist.HashStore(), rank=0, world_size=1
    )
    yield
