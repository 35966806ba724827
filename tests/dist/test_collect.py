"""Result ordering of collect_results, and its single-process behaviour."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.dist import collect_results, collect_results_cpu, collect_results_gpu
from engine.dist._collect import interleave


def _round_robin(parts: list[list[object]], size: int) -> list[object]:
    """Take item i of every part in turn, for i = 0, 1, ..., skipping ended parts."""
    ordered = []
    for index in range(max(map(len, parts), default=0)):
        ordered.extend(part[index] for part in parts if index < len(part))
    return ordered[:size]


@given(
    parts=st.lists(
        st.lists(st.integers() | st.none(), max_size=6), min_size=1, max_size=4
    ),
    size=st.integers(0, 30),
)
def test_interleave_takes_the_parts_round_robin(parts: list, size: int) -> None:
    assert interleave(parts, size) == _round_robin(parts, size)


@given(
    samples=st.lists(st.text(max_size=3), max_size=40),
    world_size=st.integers(1, 5),
)
def test_dealt_samples_come_back_in_order(samples: list, world_size: int) -> None:
    """A sampler deals sample i to rank i % world_size; collecting undoes it."""
    parts = [samples[rank::world_size] for rank in range(world_size)]
    assert interleave(parts, len(samples)) == samples


def test_padding_is_cut_off() -> None:
    """Ranks padded to equal length by repeating samples: size drops the repeats."""
    samples = ["a", "b", "c", "d", "e"]
    padded = samples + samples[:1]
    parts = [padded[0::2], padded[1::2]]
    assert interleave(parts, len(samples)) == samples


@pytest.mark.parametrize("collect", [collect_results_cpu, collect_results_gpu])
def test_single_process_cuts_to_size(collect: object) -> None:
    results = ({"i": 0}, {"i": 1}, {"i": 2})
    assert collect(results, 2) == [{"i": 0}, {"i": 1}]  # type: ignore[operator]


def test_collect_results_dispatches_on_device(tmp_path: object) -> None:
    results = [1, 2, 3]
    for device in ("cpu", "gpu", "npu"):
        assert collect_results(results, 2, device=device) == [1, 2]
    with pytest.raises(NotImplementedError, match="'cuda'"):
        collect_results(results, 2, device="cuda")
