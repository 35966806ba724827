"""Fixtures of the ``engine.dataset`` unit tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from engine.dataset import BaseDataset
from engine.utils import _reset_manager_instances


@pytest.fixture(autouse=True)
def _forget_manager_instances() -> Iterator[None]:
    """The warnings logged through ``MMLogger`` leave no instance behind."""
    _reset_manager_instances()
    yield
    _reset_manager_instances()


class ListDataset(BaseDataset):
    """A dataset of the dicts given as ``items`` (module level: picklable)."""

    def __init__(self, items: Sequence[dict], **kwargs: Any) -> None:
        self.items = [dict(item) for item in items]
        kwargs.setdefault("data_prefix", dict())
        super().__init__(**kwargs)

    def load_data_list(self) -> list[dict]:
        return [dict(item) for item in self.items]

    def get_cat_ids(self, idx: int) -> list[int]:
        return list(self.get_data_info(idx).get("cats", []))


@pytest.fixture
def write_ann(tmp_path: Path) -> Callable[..., str]:
    """Write an annotation object as JSON; return the file name."""

    def write(obj: Any, name: str = "ann.json") -> str:
        path = tmp_path / name
        path.write_text(json.dumps(obj))
        return str(path)

    return write
