"""Every collective on real gloo processes: tensors, objects, uneven sizes.

Each test spawns one group of processes that runs many checks and returns
what it saw, so the spawn cost is paid once per world size.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch

import engine.dist as dist
from conformance.harness.distributed import run_on_ranks
from engine.dist import _collect


@dataclass
class Box:
    """A picklable user object."""

    label: str
    values: list[int]


def _error(fn: Any, *args: Any, **kwargs: Any) -> str:
    try:
        fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the test reads the message
        return f"{type(e).__name__}: {e}"
    return "no error"


def _tensor_ops(rank: int) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    ints = torch.tensor([-2 - rank, 1 + rank])  # sums -5 and 3
    dist.all_reduce(ints, op="mean")
    seen["mean_int"] = (ints.tolist(), ints.dtype)
    bits = torch.tensor([0b1100 | rank])
    for op in ("band", "bor", "bxor"):
        data = bits.clone()
        dist.all_reduce(data, op=op)
        seen[op] = data.item()
    data = torch.tensor([1.0 + rank])
    dist.all_reduce(data, op="SUM")
    seen["upper_case_op"] = data.item()
    seen["unknown_op"] = _error(dist.all_reduce, torch.zeros(1), op="avg")
    strided = torch.arange(6.0).reshape(2, 3).t() * (rank + 1)
    dist.all_reduce(strided)
    seen["strided"] = strided.tolist()
    seen["gather_scalar"] = [t.item() for t in dist.all_gather(torch.tensor(rank))]
    seen["gather_dst1"] = [
        t.tolist() for t in dist.gather(torch.ones(2, 2) * rank, dst=1)
    ]
    data = torch.tensor([rank, rank])
    dist.broadcast(data, src=1)
    seen["broadcast_src1"] = data.tolist()
    np.random.seed(rank)
    seen["seed"] = dist.sync_random_seed()
    layer = torch.nn.Linear(3, 2)
    torch.nn.init.constant_(layer.weight, float(rank))
    torch.nn.init.constant_(layer.bias, 2.0 * rank)
    params = list(layer.parameters()) + [torch.full((2,), rank, dtype=torch.int64)]
    dist.all_reduce_params(params, op="mean")
    singles = [torch.tensor([1.0 + rank]), torch.tensor([2 * rank])]
    dist.all_reduce_params(singles, coalesce=False)
    seen["singles"] = [t.item() for t in singles]
    seen["params"] = [p.data.tolist() for p in params]
    return seen


def _dict_ops(rank: int) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    data = {"z": torch.tensor([rank]), "a": torch.tensor([[1.0, rank]])}
    dist.all_reduce_dict(data, op="max")
    seen["dict"] = {k: (v.tolist(), v.dtype) for k, v in data.items()}
    seen["dict_order"] = list(data)
    empty: dict = {}
    dist.all_reduce_dict(empty)
    seen["empty"] = empty
    wrong = {"a": torch.zeros(1)} if rank == 0 else {"b": torch.zeros(1)}
    seen["wrong_keys"] = _error(dist.all_reduce_dict, wrong)
    shapes = {"a": torch.zeros(1 + rank)}
    seen["wrong_shapes"] = _error(dist.all_reduce_dict, shapes)
    seen["not_tensor"] = _error(dist.all_reduce_dict, {"a": 1.0})
    return seen


def _object_ops(rank: int) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    items: list[Any] = [
        Box(f"from {rank}", [rank] * (3 * rank + 1)),
        {"t": torch.ones(rank + 1)},
    ]
    dist.broadcast_object_list(items, src=1)
    seen["broadcast_objects"] = (items[0], items[1]["t"].tolist())
    seen["all_gather_object"] = dist.all_gather_object(
        Box(str(rank), list(range(rank * 50)))
    )
    seen["gather_object_dst1"] = dist.gather_object({"rank": rank}, dst=1)
    seen["master_only"] = dist.master_only(lambda: rank)()
    return seen


def _collect_ops(rank: int, tmpdir: str) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    part = [None, {"sample": rank}, Box("x", [rank])][: 3 - rank]  # 3 vs 2 items
    seen["cpu"] = dist.collect_results(part, 4)
    seen["gpu"] = dist.collect_results(part, 10, device="gpu")
    made: list[str] = []
    mkdtemp = tempfile.mkdtemp
    _collect.tempfile.mkdtemp = lambda **kw: made.append(mkdtemp(**kw)) or made[-1]  # type: ignore[attr-defined]
    seen["default_dir"] = dist.collect_results_cpu(part, 5)
    seen["default_dir_left"] = [os.path.exists(path) for path in made]
    new_dir = os.path.join(tmpdir, "new", "parts")
    seen["new_dir"] = dist.collect_results(part, 5, tmpdir=new_dir)
    dist.barrier()
    seen["new_dir_left"] = os.path.exists(new_dir)
    kept = os.path.join(tmpdir, "kept")
    if rank == 0:
        os.makedirs(kept)
        open(os.path.join(kept, "mine.txt"), "w").close()
    dist.barrier()
    seen["kept_dir"] = dist.collect_results(part, 5, tmpdir=kept)
    dist.barrier()
    seen["kept_dir_left"] = sorted(os.listdir(kept))
    broken = [lambda: None] if rank == 1 else [1]  # rank 1 cannot pickle its part
    failing_dir = os.path.join(tmpdir, "failing")
    seen["unpicklable"] = _error(dist.collect_results, broken, 2, tmpdir=failing_dir)
    dist.barrier()
    seen["failing_dir_left"] = os.path.exists(failing_dir)
    return seen


def _two_ranks(tmpdir: str) -> dict[str, Any]:
    rank = dist.get_rank()
    return {
        **_tensor_ops(rank),
        **_dict_ops(rank),
        **_object_ops(rank),
        **_collect_ops(rank, tmpdir),
    }


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    tmpdir = tmp_path_factory.mktemp("collectives")
    return run_on_ranks(_two_ranks, str(tmpdir), timeout=90)


def test_reduce_ops(two: list[dict]) -> None:
    for seen in two:
        assert seen["mean_int"] == ([-2, 1], torch.int64)  # rounded towards zero
        assert (seen["band"], seen["bor"], seen["bxor"]) == (12, 13, 1)
        assert seen["upper_case_op"] == 3.0
        assert seen["unknown_op"].startswith("ValueError: reduce op should be one of")
        assert seen["strided"] == [[0.0, 9.0], [3.0, 12.0], [6.0, 15.0]]


def test_gather_broadcast_and_seed(two: list[dict]) -> None:
    first, second = two
    assert first["gather_scalar"] == second["gather_scalar"] == [0, 1]
    assert first["gather_dst1"] == []
    assert second["gather_dst1"] == [[[0.0, 0.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]]
    assert first["broadcast_src1"] == second["broadcast_src1"] == [1, 1]
    expected_seed = int(np.random.RandomState(0).randint(2**31))  # rank 0's draw
    assert first["seed"] == second["seed"] == expected_seed


def test_all_reduce_params_coalesces_by_dtype(two: list[dict]) -> None:
    for seen in two:
        weight, bias, counts = seen["params"]
        assert weight == [[0.5] * 3] * 2 and bias == [1.0, 1.0]
        assert counts == [0, 0]  # int64 mean of 0 and 1, rounded towards zero
        assert seen["singles"] == [3.0, 2]


def test_all_reduce_dict(two: list[dict]) -> None:
    for seen in two:
        assert seen["dict"] == {
            "z": ([1.0], torch.float32),  # promoted with the float tensor
            "a": ([[1.0, 1.0]], torch.float32),
        }
        assert seen["dict_order"] == ["z", "a"]
        assert seen["empty"] == {}
        assert (
            "ValueError: all_reduce_dict: the ranks hold different keys"
            in seen["wrong_keys"]
        )
        assert "rank 1: [('b', (1,), 'torch.float32')]" in seen["wrong_keys"]
        assert "rank 1: [('a', (2,), 'torch.float32')]" in seen["wrong_shapes"]
        assert seen["not_tensor"] == (
            "TypeError: all_reduce_dict: data['a'] should be a Tensor, but got float"
        )


def test_object_collectives(two: list[dict]) -> None:
    first, second = two
    sent = (Box("from 1", [1, 1, 1, 1]), [1.0, 1.0])
    assert first["broadcast_objects"] == second["broadcast_objects"] == sent
    boxes = [Box("0", []), Box("1", list(range(50)))]
    assert first["all_gather_object"] == second["all_gather_object"] == boxes
    assert first["gather_object_dst1"] is None
    assert second["gather_object_dst1"] == [{"rank": 0}, {"rank": 1}]
    assert (first["master_only"], second["master_only"]) == (0, None)


def test_collect_results_keeps_order_and_none_items(two: list[dict]) -> None:
    first, second = two
    in_order = [None, None, {"sample": 0}, {"sample": 1}, Box("x", [0])]
    assert first["cpu"] == in_order[:4]
    assert first["gpu"] == first["new_dir"] == first["kept_dir"] == in_order
    assert first["default_dir"] == in_order
    for key in ("cpu", "gpu", "default_dir", "new_dir", "kept_dir"):
        assert second[key] is None, key


def test_collect_results_cpu_cleans_up(two: list[dict]) -> None:
    first, second = two
    assert first["default_dir_left"] == [False] and second["default_dir_left"] == []
    assert first["new_dir_left"] is False
    assert first["kept_dir_left"] == ["mine.txt"]  # only the parts are removed
    for seen in two:
        assert seen["unpicklable"].startswith(
            "RuntimeError: collect_results_cpu: rank(s) [1] of 2 could not write"
        )
        assert seen["failing_dir_left"] is False


def _three_ranks() -> dict[str, Any]:
    rank = dist.get_rank()
    part = [f"{rank}-{i}" for i in range(rank + 1)]  # 1, 2 and 3 items
    data = torch.tensor([float(rank)])
    dist.all_reduce(data, op="mean")
    metrics = {"acc": torch.tensor(float(rank))}
    dist.all_reduce_dict(metrics, op="sum")
    return {
        "cpu": dist.collect_results(part, 6),
        "gpu": dist.collect_results(part, 5, device="gpu"),
        "gather_dst2": [t.item() for t in dist.gather(torch.tensor(rank * 2), dst=2)],
        "mean": data.item(),
        "acc": metrics["acc"].item(),
        "objects": dist.all_gather_object(part),
        "seed": dist.sync_random_seed(),
    }


def test_three_ranks_with_uneven_parts() -> None:
    ranks = run_on_ranks(_three_ranks, world_size=3, timeout=90)
    in_order = ["0-0", "1-0", "2-0", "1-1", "2-1", "2-2"]
    assert ranks[0]["cpu"] == in_order and ranks[0]["gpu"] == in_order[:5]
    assert [r["cpu"] for r in ranks[1:]] == [None, None]
    assert [r["gather_dst2"] for r in ranks] == [[], [], [0, 2, 4]]
    assert {r["mean"] for r in ranks} == {1.0} and {r["acc"] for r in ranks} == {3.0}
    assert all(
        r["objects"] == [["0-0"], ["1-0", "1-1"], ["2-0", "2-1", "2-2"]] for r in ranks
    )
    assert len({r["seed"] for r in ranks}) == 1


def _cuda_tensors_over_gloo() -> dict[str, Any]:
    """Tensors on the GPU travel through gloo's CPU buffers and come back."""
    rank = dist.get_rank()
    cuda = torch.device("cuda", 0)
    data = torch.tensor([rank + 1.0], device=cuda)
    dist.all_reduce(data)
    gathered = dist.all_gather(torch.tensor([rank], device=cuda))
    received = dist.gather(torch.tensor([rank], device=cuda))
    sent = torch.tensor([rank * 10.0], device=cuda)
    dist.broadcast(sent, src=1)
    metrics = {"acc": torch.tensor([rank + 0.0], device=cuda)}
    dist.all_reduce_dict(metrics, op="mean")
    return {
        "all_reduce": (data.item(), data.device.type),
        "all_gather": [(t.item(), t.device.type) for t in gathered],
        "gather": [(t.item(), t.device.type) for t in received],
        "broadcast": (sent.item(), sent.device.type),
        "dict": (metrics["acc"].item(), metrics["acc"].device.type),
        "comm_device": str(dist.get_comm_device()),
    }


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_tensors_over_gloo_come_back_to_the_gpu() -> None:
    first, second = run_on_ranks(_cuda_tensors_over_gloo, timeout=120)
    for seen in (first, second):
        assert seen["comm_device"] == "cpu"
        assert seen["all_reduce"] == (3.0, "cuda")
        assert seen["all_gather"] == [(0, "cuda"), (1, "cuda")]
        assert seen["broadcast"] == (10.0, "cuda")
        assert seen["dict"] == (0.5, "cuda")
    assert first["gather"] == [(0, "cuda"), (1, "cuda")] and second["gather"] == []
