"""Distributed samplers: ``DefaultSampler`` (per epoch) and ``InfiniteSampler``.

Both read the rank and world size when built (``get_dist_info``) and give
each rank the positions ``rank, rank + world_size, rank + 2 * world_size,
...`` of one global order. The global order is the same on every rank: it
is ``range(len(dataset))`` or, when shuffling, ``torch.randperm`` drawn
from a generator seeded with ``seed`` (+ ``epoch`` for
:class:`DefaultSampler`). When ``seed`` is None it is drawn once and
synchronised across ranks (:func:`engine.dist.sync_random_seed`), so the
ranks' shards are disjoint and together cover the dataset.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sized

import torch
from torch.utils.data import Sampler

from engine.dist import get_dist_info, sync_random_seed
from engine.registry import DATA_SAMPLERS

__all__ = ["DefaultSampler", "InfiniteSampler"]


def _global_order(size: int, shuffle: bool, seed: int) -> list[int]:
    """``range(size)``, or its permutation drawn from a generator seeded ``seed``."""
    if not shuffle:
        return list(range(size))
    generator = torch.Generator()
    generator.manual_seed(seed)
    return torch.randperm(size, generator=generator).tolist()


@DATA_SAMPLERS.register_module()
class DefaultSampler(Sampler):
    """Each rank's share of one (shuffled) pass over the dataset.

    With ``round_up`` every rank gets ``ceil(len(dataset) / world_size)``
    indices, the global order being padded by repeating itself from the
    start (like ``drop_last=False``); without it, the ranks share exactly
    ``len(dataset)`` indices and the first ranks get one more.

    Args:
        dataset: The dataset (only its length is used).
        shuffle: Shuffle, differently each epoch. Defaults to True.
        seed: Seed of the shuffle, the same on every rank. Defaults to None
            (a random seed synchronised across ranks).
        round_up: Pad so that every rank gets the same number of indices.
            Defaults to True.

    Examples:
        >>> list(DefaultSampler(range(5), shuffle=False))
        [0, 1, 2, 3, 4]
        >>> sampler = DefaultSampler(range(5), seed=0)
        >>> sampler.set_epoch(1)
        >>> sorted(sampler)
        [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        dataset: Sized,
        shuffle: bool = True,
        seed: int | None = None,
        round_up: bool = True,
    ) -> None:
        rank, world_size = get_dist_info()
        self.rank = rank
        self.world_size = world_size
        self.dataset = dataset
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0
        # Indices the next ``__iter__`` leaves out (set by a resumed
        # iteration-based loop, see engine.runner._fast_forward).
        self._skip = 0
        self.round_up = round_up
        size = len(dataset)
        if round_up:
            self.num_samples = math.ceil(size / world_size)
            self.total_size = self.num_samples * world_size
        else:
            self.num_samples = math.ceil((size - rank) / world_size)
            self.total_size = size

    def __iter__(self) -> Iterator[int]:
        """This rank's indices for the current epoch."""
        order = _global_order(len(self.dataset), self.shuffle, self.seed + self.epoch)
        if self.round_up and order:
            repeats = self.total_size // len(order) + 1
            order = (order * repeats)[: self.total_size]
        indices = order[self.rank : self.total_size : self.world_size]
        skip, self._skip = getattr(self, "_skip", 0), 0
        return iter(indices[skip:])

    def __len__(self) -> int:
        """How many indices this rank gets per epoch."""
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the shuffle of ``epoch`` (the same on every rank).

        Args:
            epoch: The epoch number.
        """
        self.epoch = epoch


@DATA_SAMPLERS.register_module()
class InfiniteSampler(Sampler):
    """Each rank's share of an endless stream of (shuffled) passes.

    The global stream is pass after pass over the dataset, each pass a new
    permutation from one generator seeded with ``seed``; rank ``r`` takes
    the stream positions ``r, r + world_size, ...``. Every ``iter()`` of
    the sampler continues the same stream.

    Args:
        dataset: The dataset (only its length is used).
        shuffle: Shuffle each pass. Defaults to True.
        seed: Seed of the shuffle, the same on every rank. Defaults to None
            (a random seed synchronised across ranks).

    Examples:
        >>> import itertools
        >>> sampler = InfiniteSampler(range(3), shuffle=False)
        >>> list(itertools.islice(sampler, 7))
        [0, 1, 2, 0, 1, 2, 0]
    """

    def __init__(
        self, dataset: Sized, shuffle: bool = True, seed: int | None = None
    ) -> None:
        rank, world_size = get_dist_info()
        self.rank = rank
        self.world_size = world_size
        self.dataset = dataset
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.size = len(dataset)
        self.indices = self._indices_of_rank()

    def _infinite_indices(self) -> Iterator[int]:
        """The global stream: pass after pass over the dataset."""
        generator = torch.Generator()
        generator.manual_seed(self.seed)
        while True:
            if self.shuffle:
                yield from torch.randperm(self.size, generator=generator).tolist()
            else:
                yield from range(self.size)

    def _indices_of_rank(self) -> Iterator[int]:
        """This rank's positions of the global stream."""
        if self.size == 0:
            return iter(())
        return itertools.islice(
            self._infinite_indices(), self.rank, None, self.world_size
        )

    def __iter__(self) -> Iterator[int]:
        """The stream of this rank, continuing where the last ``iter()`` stopped."""
        return self._continue()

    def _continue(self) -> Iterator[int]:
        # A for loop, not ``yield from``: closing an abandoned iterator must
        # not close the shared stream.
        for index in self.indices:  # noqa: UP028
            yield index

    def __len__(self) -> int:
        """The dataset length (the sampler itself never ends)."""
        return self.size

    def set_epoch(self, epoch: int) -> None:
        """Do nothing: the stream does not restart per epoch.

        Args:
            epoch: Ignored.
        """
