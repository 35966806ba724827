"""DefaultSampler and InfiniteSampler on simulated ranks."""

from __future__ import annotations

import itertools
import math
from unittest import mock

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.dataset import DefaultSampler, InfiniteSampler, sampler
from engine.registry import DATA_SAMPLERS


def _on_rank(rank: int, world_size: int) -> mock._patch:
    return mock.patch.object(sampler, "get_dist_info", return_value=(rank, world_size))


def test_registered() -> None:
    assert DATA_SAMPLERS.get("DefaultSampler") is DefaultSampler
    assert DATA_SAMPLERS.get("InfiniteSampler") is InfiniteSampler


def test_seed_none_is_synchronised() -> None:
    with mock.patch.object(sampler, "sync_random_seed", return_value=1234) as sync:
        assert DefaultSampler(range(3)).seed == 1234
        assert InfiniteSampler(range(3)).seed == 1234
    assert sync.call_count == 2
    with mock.patch.object(sampler, "sync_random_seed") as sync:
        DefaultSampler(range(3), seed=0)
    sync.assert_not_called()


def test_empty_dataset_yields_nothing() -> None:
    for rank in range(3):
        with _on_rank(rank, 3):
            assert list(DefaultSampler([], seed=0)) == []
            assert len(DefaultSampler([], seed=0)) == 0
            assert list(InfiniteSampler([], seed=0)) == []


def test_more_ranks_than_samples() -> None:
    shards = []
    for rank in range(8):
        with _on_rank(rank, 8):
            shards.append(list(DefaultSampler(range(3), shuffle=False)))
            assert list(DefaultSampler(range(3), shuffle=False, round_up=False)) == (
                [rank] if rank < 3 else []
            )
    assert shards == [[0], [1], [2], [0], [1], [2], [0], [1]]


def test_infinite_iterations_continue_one_stream() -> None:
    infinite = InfiniteSampler(range(4), shuffle=False)
    first = list(itertools.islice(iter(infinite), 3))  # the iterator is dropped
    second = list(itertools.islice(iter(infinite), 3))
    assert first + second == [0, 1, 2, 3, 0, 1]
    infinite.set_epoch(7)  # no effect
    assert list(itertools.islice(iter(infinite), 2)) == [2, 3]


@settings(max_examples=80, deadline=None)
@given(
    size=st.integers(0, 70),
    world_size=st.integers(1, 8),
    seed=st.integers(0, 2**31 - 100),
    epoch=st.integers(0, 99),
    shuffle=st.booleans(),
    round_up=st.booleans(),
)
def test_default_sampler_partitions(
    size: int, world_size: int, seed: int, epoch: int, shuffle: bool, round_up: bool
) -> None:
    shards = []
    for rank in range(world_size):
        with _on_rank(rank, world_size):
            s = DefaultSampler(
                range(size), shuffle=shuffle, seed=seed, round_up=round_up
            )
        s.set_epoch(epoch)
        shards.append(list(s))
        assert len(shards[-1]) == len(s)
    order = list(range(size))
    if shuffle:
        generator = torch.Generator().manual_seed(seed + epoch)
        order = torch.randperm(size, generator=generator).tolist()
    interleaved = [
        i for group in itertools.zip_longest(*shards) for i in group if i is not None
    ]
    if round_up:
        per_rank = math.ceil(size / world_size)
        assert [len(shard) for shard in shards] == [per_rank] * world_size
        # the global order, padded by repeating it from its start
        assert interleaved == [order[i % size] for i in range(per_rank * world_size)]
    else:
        assert interleaved == order  # disjoint, covering, one order for all ranks
