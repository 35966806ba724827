"""Queries and control: one process, a world of one, and their errors."""

from __future__ import annotations

import gc
import weakref

import pytest
import torch.distributed as torch_dist

import engine.dist as dist
from engine.dist import _query


def test_every_query_answers_for_a_single_process() -> None:
    assert dist.is_distributed() is False
    assert dist.get_default_group() is None
    assert dist.get_backend() is None
    assert (dist.get_world_size(), dist.get_rank()) == (1, 0)
    assert (dist.get_local_rank(), dist.get_local_size()) == (0, 1)
    assert dist.get_local_group() is None
    assert dist.get_dist_info() == (0, 1)
    assert dist.is_main_process() is True
    assert dist.barrier() is None


def test_utils_and_package_expose_the_same_functions() -> None:
    from engine.dist import dist as collectives
    from engine.dist import utils

    for name in dist.__all__:
        module = utils if hasattr(utils, name) else collectives
        assert getattr(module, name) is getattr(dist, name), name


def test_master_only_keeps_the_function_identity() -> None:
    @dist.master_only
    def save(path: str, *, tag: str = "") -> str:
        """Save."""
        return path + tag

    assert save("a", tag="b") == "ab"
    assert (save.__name__, save.__doc__) == ("save", "Save.")


@pytest.mark.usefixtures("world_of_one")
def test_queries_in_a_world_of_one() -> None:
    assert dist.is_distributed() is True
    assert dist.get_default_group() is torch_dist.group.WORLD
    assert dist.get_backend() == "gloo"
    assert dist.get_dist_info() == (0, 1)
    assert dist.barrier() is None


@pytest.mark.usefixtures("world_of_one")
def test_local_queries_need_a_local_group() -> None:
    with pytest.raises(RuntimeError, match="init_local_group"):
        dist.get_local_group()
    with pytest.raises(RuntimeError, match="init_local_group"):
        dist.get_local_rank()
    dist.init_local_group(0, 1)
    assert dist.get_local_group() is not None
    assert (dist.get_local_rank(), dist.get_local_size()) == (0, 1)


def test_a_local_group_does_not_outlive_its_world() -> None:
    torch_dist.init_process_group(
        "gloo", store=torch_dist.HashStore(), rank=0, world_size=1
    )
    dist.init_local_group(0, 1)
    torch_dist.destroy_process_group()
    torch_dist.init_process_group(
        "gloo", store=torch_dist.HashStore(), rank=0, world_size=1
    )
    with pytest.raises(RuntimeError, match="init_local_group"):
        dist.get_local_group()
    assert _query._LOCAL is not None  # stale, not reused


@pytest.mark.usefixtures("world_of_one")
@pytest.mark.parametrize(
    ("node_rank", "per_node", "message"),
    [(1, 1, "does not belong to node 1"), (0, 0, "must be >= 1")],
)
def test_init_local_group_rejects_a_wrong_layout(
    node_rank: int, per_node: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        dist.init_local_group(node_rank, per_node)


def test_destroyed_groups_are_not_kept_alive() -> None:
    """A group alive at interpreter exit can abort the process: hold none."""
    torch_dist.init_process_group(
        "gloo", store=torch_dist.HashStore(), rank=0, world_size=1
    )
    dist.init_local_group(0, 1)
    assert (dist.get_world_size(), dist.get_backend()) == (1, "gloo")  # cached
    world = weakref.ref(torch_dist.group.WORLD)
    local = weakref.ref(dist.get_local_group())
    torch_dist.destroy_process_group()
    gc.collect()
    assert world() is None and local() is None
