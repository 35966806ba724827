"""DistSamplerSeedHook: set_epoch on the sampler or the batch sampler's."""

from __future__ import annotations

from types import SimpleNamespace

import torch
from torch.utils.data import DataLoader

from engine.hooks import DistSamplerSeedHook
from engine.registry import HOOKS


class Sampler:
    def __init__(self) -> None:
        self.epochs: list[int] = []

    def set_epoch(self, epoch: int) -> None:
        self.epochs.append(epoch)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(range(4))

    def __len__(self) -> int:
        return 4


def _runner(loader: object, epoch: int = 3) -> SimpleNamespace:
    return SimpleNamespace(epoch=epoch, train_loop=SimpleNamespace(dataloader=loader))


def test_registered_with_priority_normal() -> None:
    assert HOOKS.get("DistSamplerSeedHook") is DistSamplerSeedHook
    assert DistSamplerSeedHook.priority == "NORMAL"


def test_calls_the_sampler() -> None:
    sampler = Sampler()
    loader = DataLoader(list(range(4)), sampler=sampler, batch_size=2)
    DistSamplerSeedHook().before_train_epoch(_runner(loader))
    assert sampler.epochs == [3]


def test_calls_the_sampler_of_the_batch_sampler() -> None:
    sampler = Sampler()
    batch_sampler = torch.utils.data.BatchSampler(sampler, 2, False)
    loader = DataLoader(list(range(4)), batch_sampler=batch_sampler)
    DistSamplerSeedHook().before_train_epoch(_runner(loader, epoch=5))
    assert sampler.epochs == [5]


def test_samplers_without_set_epoch_are_left_alone() -> None:
    DistSamplerSeedHook().before_train_epoch(_runner(DataLoader(list(range(4)))))
    loader = DataLoader(list(range(4)), batch_size=None)  # no batch sampler
    DistSamplerSeedHook().before_train_epoch(_runner(loader))
