"""Fixtures of the Runner unit tests: a tiny model and job arguments."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from engine.logging import MMLogger
from engine.model import BaseModel
from engine.utils import _reset_manager_instances


class Pairs(torch.utils.data.Dataset):
    """``n`` samples ``dict(inputs=[x, x], labels=[x])``."""

    def __init__(self, n: int = 8) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> dict:
        x = float(index) / self.n
        return dict(inputs=torch.tensor([x, x]), labels=torch.tensor([x]))


class Tiny(BaseModel):
    """One linear layer; squared error."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs: Any, labels: Any, mode: str = "tensor") -> Any:
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        y = torch.stack(labels) if isinstance(labels, list) else labels
        out = self.linear(x)
        if mode == "loss":
            return dict(loss=((out - y) ** 2).mean())
        return [dict(pred=o) for o in out]


def _forget_instances() -> None:
    for logger in MMLogger._instance_dict.values():
        for handler in list(logger.handlers):
            if isinstance(handler, logging.FileHandler):
                handler.close()
                logger.removeHandler(handler)
    _reset_manager_instances()


@pytest.fixture(autouse=True)
def _fresh_instances() -> Iterator[None]:
    """No logger, message hub, visualizer or scope leaks between tests."""
    _forget_instances()
    yield
    _forget_instances()


@pytest.fixture
def job(tmp_path: Path) -> dict:
    """Arguments of a 2-epoch job over 8 samples, batch 2, no validation."""
    return dict(
        model=Tiny(),
        work_dir=str(tmp_path / "work"),
        train_dataloader=dict(
            dataset=Pairs(8),
            batch_size=2,
            sampler=dict(type="DefaultSampler", shuffle=True),
        ),
        train_cfg=dict(by_epoch=True, max_epochs=2),
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1, momentum=0.9)),
        randomness=dict(seed=0),
        experiment_name=f"unit-{uuid.uuid4().hex[:8]}",
    )
