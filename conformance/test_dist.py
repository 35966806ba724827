"""dist: initialisation, queries and collectives (DIST-01..04).

The doc lists the functions of ``dist`` (L7051-7161) with their behaviour
when not distributed. The distributed behaviour is checked on real processes:
2 gloo processes on 127.0.0.1 (``run_on_ranks``), and ``torchrun`` for the
``pytorch`` launcher. Expected values are computed here from the ranks'
inputs. See docs/conformance/dist.md for the substitutes (no CUDA, no Slurm,
no MPI on the test machine).
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.harness.distributed import free_port, run_on_ranks
from conformance.harness.impl import Impl

_SPAWN_TIMEOUT_S = 90.0
_SAMPLES = 5  # a 5-sample dataset dealt to 2 ranks: rank r gets i % 2 == r


def _no_cuda_device_calls() -> None:
    """Substitute for a GPU node: binding a process to its GPU does nothing."""
    import torch

    torch.cuda.set_device = lambda *args, **kwargs: None  # type: ignore[assignment]
    torch.cuda.device_count = lambda: 2  # a node with 2 GPUs, one per rank


# ---------------------------------------------------------------- one process


@pytest.mark.spec("DIST-02")
def test_queries_answer_for_one_process(impl: Impl) -> None:
    dist = impl.mod("dist")
    assert dist.get_world_size() == 1
    assert dist.get_rank() == 0
    assert dist.get_backend() is None
    assert dist.get_local_rank() == 0
    assert dist.get_local_size() == 1
    assert dist.get_dist_info() == (0, 1)  # (rank, world_size): AMB-65
    assert dist.is_main_process() is True
    assert dist.is_distributed() is False
    assert dist.barrier() is None


@pytest.mark.spec("DIST-02")
def test_master_only_runs_in_a_single_process(impl: Impl) -> None:
    calls = []

    @impl.attr("dist.master_only")
    def save(path: str) -> str:
        calls.append(path)
        return f"saved {path}"

    assert save("epoch_1.pth") == "saved epoch_1.pth"
    assert calls == ["epoch_1.pth"]
    assert save.__name__ == "save"


@pytest.mark.spec("DIST-03")
def test_tensor_collectives_are_identities_in_one_process(impl: Impl) -> None:
    import torch

    dist = impl.mod("dist")
    data = torch.tensor([1.0, 2.0])
    for op in ("sum", "mean", "max", "min", "product"):
        assert dist.all_reduce(data, op=op) is None
        assert data.tolist() == [1.0, 2.0]
    assert dist.broadcast(data) is None and data.tolist() == [1.0, 2.0]
    gathered = dist.all_gather(data)
    assert len(gathered) == 1 and gathered[0] is data
    gathered = dist.gather(data)
    assert len(gathered) == 1 and gathered[0] is data
    loss = {"loss": torch.tensor(0.5), "acc": torch.tensor([1.0, 0.0])}
    assert dist.all_reduce_dict(loss) is None
    assert loss["loss"].item() == 0.5 and loss["acc"].tolist() == [1.0, 0.0]
    assert isinstance(dist.sync_random_seed(), int)


@pytest.mark.spec("DIST-03")
def test_object_collectives_are_identities_in_one_process(impl: Impl) -> None:
    dist = impl.mod("dist")
    obj = {"a": [1, 2], "b": ("x", None)}
    assert dist.all_gather_object(obj) == [obj]
    assert dist.gather_object(obj) == [obj]
    items = ["foo", 12, {1: 2}]
    assert dist.broadcast_object_list(items) is None
    assert items == ["foo", 12, {1: 2}]
    results = [{"id": i} for i in range(4)]
    assert dist.collect_results(results, 3) == results[:3]
    assert dist.collect_results(results, 3, device="gpu") == results[:3]
    assert dist.collect_results(results, 10) == results


@pytest.mark.spec("DIST-03")
def test_collect_results_rejects_an_unknown_device(impl: Impl) -> None:
    with pytest.raises(NotImplementedError, match="foo"):
        impl.attr("dist.collect_results")([1], 1, device="foo")


# ------------------------------------------------------- two gloo processes


def _observe(impl_name: str, tmpdir: str) -> dict[str, Any]:
    """What every documented function gives on this rank of 2 gloo processes."""
    import torch

    dist = importlib.import_module(f"{impl_name}.dist")
    rank = dist.get_rank()
    seen: dict[str, Any] = {
        "world_size": dist.get_world_size(),
        "rank": rank,
        "backend": dist.get_backend(),
        "dist_info": dist.get_dist_info(),
        "is_main_process": dist.is_main_process(),
        "is_distributed": dist.is_distributed(),
    }
    dist.init_local_group(0, 2)  # both ranks on one node
    seen["local"] = (dist.get_local_rank(), dist.get_local_size())
    seen["master_only"] = dist.master_only(lambda: f"ran on {rank}")()
    seen["barrier"] = dist.barrier()
    for op in ("sum", "mean", "max", "min", "product"):
        data = torch.tensor([rank + 1.0, 2.0 * (rank + 1)])
        dist.all_reduce(data, op=op)
        seen[f"all_reduce_{op}"] = data.tolist()
    seen["all_gather"] = [t.tolist() for t in dist.all_gather(torch.tensor([rank, 7]))]
    seen["gather"] = [t.tolist() for t in dist.gather(torch.tensor([rank * 3]))]
    data = torch.tensor([10.0 * rank])
    dist.broadcast(data, src=1)
    seen["broadcast"] = data.tolist()
    seen["seed"] = dist.sync_random_seed()
    items: list[Any] = [{"sender": rank}, [rank] * (rank + 1), None]
    dist.broadcast_object_list(items)
    seen["broadcast_object_list"] = items
    metrics = {"loss": torch.tensor(float(rank)), "acc": torch.tensor([1.0, rank])}
    dist.all_reduce_dict(metrics, op="mean")
    seen["all_reduce_dict"] = {key: value.tolist() for key, value in metrics.items()}
    obj = {"rank": rank, "nested": [rank, {"deep": (rank, "x" * rank)}]}
    seen["all_gather_object"] = dist.all_gather_object(obj)
    seen["gather_object"] = dist.gather_object(obj)
    mine = [f"sample {i}" for i in range(_SAMPLES) if i % 2 == rank]  # 3 vs 2
    seen["collect_cpu"] = dist.collect_results(mine, _SAMPLES)
    parts_dir = os.path.join(tmpdir, "parts")
    seen["collect_tmpdir"] = dist.collect_results(mine, _SAMPLES, tmpdir=parts_dir)
    seen["collect_gpu"] = dist.collect_results(mine, _SAMPLES, device="gpu")
    seen["collect_cut"] = dist.collect_results(mine, 3)
    seen.update(_master_saves_and_metrics_gathered(dist, rank, tmpdir))
    return seen


def _master_saves_and_metrics_gathered(dist: Any, rank: int, tmpdir: str) -> dict:
    """DIST-04 with the dist primitives a runner uses: save on rank 0 only,
    gather every rank's predictions before computing the metric."""

    @dist.master_only
    def save_checkpoint(name: str) -> str:
        path = os.path.join(tmpdir, name)
        Path(path).write_text(f"written by rank {rank}")
        return path

    save_checkpoint(f"epoch_1_rank{rank}.pth")
    labels = [0, 1, 1, 0, 1, 1, 0]
    predictions = [0, 1, 0, 0, 1, 1, 1]
    mine = [
        {"index": i, "correct": predictions[i] == labels[i]}
        for i in range(len(labels))
        if i % 2 == rank
    ]
    gathered = dist.collect_results(mine, len(labels))
    metric: list[Any] = [None]
    if gathered is not None:
        metric[0] = {
            "indices": [result["index"] for result in gathered],
            "accuracy": sum(result["correct"] for result in gathered) / len(gathered),
        }
    dist.broadcast_object_list(metric)
    return {"metric": metric[0], "gathered_on_this_rank": gathered is not None}


@pytest.fixture(scope="module")
def observed(impl: Impl, tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmpdir = tmp_path_factory.mktemp("dist")
    ranks = run_on_ranks(_observe, impl.name, str(tmpdir), timeout=_SPAWN_TIMEOUT_S)
    return {"ranks": ranks, "tmpdir": tmpdir}


@pytest.mark.spec("DIST-02")
def test_queries_with_two_processes(observed: dict) -> None:
    first, second = observed["ranks"]
    assert (first["world_size"], second["world_size"]) == (2, 2)
    assert (first["rank"], second["rank"]) == (0, 1)
    assert first["backend"] == second["backend"] == "gloo"
    assert (first["dist_info"], second["dist_info"]) == ((0, 2), (1, 2))
    assert (first["is_main_process"], second["is_main_process"]) == (True, False)
    assert first["is_distributed"] is second["is_distributed"] is True
    assert (first["local"], second["local"]) == ((0, 2), (1, 2))
    assert (first["master_only"], second["master_only"]) == ("ran on 0", None)
    assert first["barrier"] is second["barrier"] is None


@pytest.mark.spec("DIST-03")
def test_all_reduce_ops_with_two_processes(observed: dict) -> None:
    # rank 0 holds [1, 2], rank 1 holds [2, 4]
    expected = {
        "sum": [3.0, 6.0],
        "mean": [1.5, 3.0],
        "max": [2.0, 4.0],
        "min": [1.0, 2.0],
        "product": [2.0, 8.0],
    }
    for seen in observed["ranks"]:
        for op, values in expected.items():
            assert seen[f"all_reduce_{op}"] == values, op


@pytest.mark.spec("DIST-03")
def test_gather_and_broadcast_with_two_processes(observed: dict) -> None:
    first, second = observed["ranks"]
    assert first["all_gather"] == second["all_gather"] == [[0, 7], [1, 7]]
    assert (first["gather"], second["gather"]) == ([[0], [3]], [])
    assert first["broadcast"] == second["broadcast"] == [10.0]
    assert first["seed"] == second["seed"]
    assert isinstance(first["seed"], int)


@pytest.mark.spec("DIST-03")
def test_object_collectives_with_two_processes(observed: dict) -> None:
    first, second = observed["ranks"]
    sent = [{"sender": 0}, [0], None]
    assert first["broadcast_object_list"] == second["broadcast_object_list"] == sent
    objs = [
        {"rank": 0, "nested": [0, {"deep": (0, "")}]},
        {"rank": 1, "nested": [1, {"deep": (1, "x")}]},
    ]
    assert first["all_gather_object"] == second["all_gather_object"] == objs
    assert (first["gather_object"], second["gather_object"]) == (objs, None)


@pytest.mark.spec("DIST-03")
def test_all_reduce_dict_with_two_processes(observed: dict) -> None:
    for seen in observed["ranks"]:
        assert seen["all_reduce_dict"] == {"loss": 0.5, "acc": [1.0, 0.5]}


@pytest.mark.spec("DIST-03")
def test_collect_results_restores_sample_order(observed: dict) -> None:
    first, second = observed["ranks"]
    in_order = [f"sample {i}" for i in range(_SAMPLES)]
    for key in ("collect_cpu", "collect_tmpdir", "collect_gpu"):
        assert first[key] == in_order, key
        assert second[key] is None, key
    assert first["collect_cut"] == in_order[:3]


@pytest.mark.spec("DIST-04")
def test_only_the_master_saves(observed: dict) -> None:
    saved = sorted(path.name for path in observed["tmpdir"].glob("*.pth"))
    assert saved == ["epoch_1_rank0.pth"]


@pytest.mark.spec("DIST-04")
def test_metrics_see_every_rank_results(observed: dict) -> None:
    first, second = observed["ranks"]
    assert (first["gathered_on_this_rank"], second["gathered_on_this_rank"]) == (
        True,
        False,
    )
    # predictions vs labels: 5 of 7 correct, over the whole dataset
    expected = {"indices": list(range(7)), "accuracy": 5 / 7}
    assert first["metric"] == second["metric"] == expected


# ------------------------------------------------------------- init_dist


@pytest.mark.spec("DIST-01")
def test_init_dist_defaults_to_nccl(impl: Impl) -> None:
    parameters = inspect.signature(impl.attr("dist.init_dist")).parameters
    assert list(parameters)[:3] == ["launcher", "backend", "init_backend"]
    assert parameters["backend"].default == "nccl"
    assert parameters["init_backend"].default == "torch"


@pytest.mark.spec("DIST-01")
def test_init_dist_rejects_an_unknown_launcher(impl: Impl) -> None:
    start_method = multiprocessing.get_start_method(allow_none=True)
    try:
        with pytest.raises(ValueError, match="launcher"):
            impl.attr("dist.init_dist")("foo", backend="gloo")
    finally:  # MMEngine sets 'spawn' first; leave the session as it was
        multiprocessing.set_start_method(start_method, force=True)


def _clear_launch_env() -> None:
    for name in list(os.environ):
        if name.startswith(("SLURM_", "OMPI_")) or name in (
            "RANK",
            "WORLD_SIZE",
            "LOCAL_RANK",
            "LOCAL_WORLD_SIZE",
            "MASTER_ADDR",
            "MASTER_PORT",
        ):
            del os.environ[name]


def _init_and_check(dist: Any, launcher: str, **kwargs: Any) -> dict[str, Any]:
    import torch
    import torch.distributed as torch_dist

    calls: list[dict] = []
    original = torch_dist.init_process_group

    def spy(*args: Any, **init_kwargs: Any) -> None:
        calls.append(dict(init_kwargs, args=args))
        original(*args, **init_kwargs)

    torch_dist.init_process_group = spy  # type: ignore[assignment]
    try:
        inferred = dist.infer_launcher()
        dist.init_dist(launcher, **kwargs)
    finally:
        torch_dist.init_process_group = original
    total = torch.tensor([dist.get_rank() + 1])
    dist.all_reduce(total)
    env = {name: os.environ.get(name) for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR")}
    seen = {
        "inferred": inferred,
        "calls": calls,
        "dist_info": dist.get_dist_info(),
        "backend": dist.get_backend(),
        "total": int(total.item()),
        "env": env,
        "port": os.environ.get("MASTER_PORT"),
    }
    torch_dist.destroy_process_group()
    return seen


def _launch_three_ways(impl_name: str, ports: list[int], fake_bin: str) -> dict:
    """init_dist with the pytorch, slurm and mpi launchers, one after the other."""
    _no_cuda_device_calls()
    dist = importlib.import_module(f"{impl_name}.dist")
    rank = os.environ["RANK"]
    seen = {}
    os.environ["MASTER_PORT"] = str(ports[0])
    seen["pytorch"] = _init_and_check(
        dist, "pytorch", backend="gloo", timeout=10800
    )  # the doc's dist_cfg (L7075)
    _clear_launch_env()
    os.environ.update(SLURM_PROCID=rank, SLURM_NTASKS="2", SLURM_NODELIST="127.0.0.1")
    os.environ["PATH"] = fake_bin + os.pathsep + os.environ["PATH"]
    seen["slurm"] = _init_and_check(dist, "slurm", backend="gloo", port=ports[1])
    _clear_launch_env()
    os.environ.update(
        OMPI_COMM_WORLD_RANK=rank,
        OMPI_COMM_WORLD_SIZE="2",
        OMPI_COMM_WORLD_LOCAL_RANK=rank,
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(ports[2]),
    )
    seen["mpi"] = _init_and_check(dist, "mpi", backend="gloo")
    return seen


@pytest.fixture(scope="module")
def launched(impl: Impl, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    fake_bin = tmp_path_factory.mktemp("bin")
    scontrol = fake_bin / "scontrol"  # `scontrol show hostname 127.0.0.1`
    scontrol.write_text("#!/bin/sh\necho 127.0.0.1\n")
    scontrol.chmod(0o755)
    ports = [free_port() for _ in range(3)]
    return run_on_ranks(
        _launch_three_ways,
        impl.name,
        ports,
        str(fake_bin),
        init_process_group=False,
        timeout=_SPAWN_TIMEOUT_S,
    )


@pytest.mark.spec("DIST-01")
def test_pytorch_launcher_passes_dist_cfg_to_init_process_group(
    launched: list[dict],
) -> None:
    for rank, seen in enumerate(launched):
        pytorch = seen["pytorch"]
        assert pytorch["inferred"] == "pytorch"
        assert len(pytorch["calls"]) == 1
        call = pytorch["calls"][0]
        assert call["backend"] == "gloo"
        assert call["timeout"] == datetime.timedelta(seconds=10800)
        assert pytorch["dist_info"] == (rank, 2)
        assert pytorch["total"] == 3


@pytest.mark.spec("DIST-01")
def test_slurm_launcher_reads_the_slurm_environment(launched: list[dict]) -> None:
    port = launched[0]["slurm"]["port"]
    for rank, seen in enumerate(launched):
        slurm = seen["slurm"]
        assert slurm["inferred"] == "slurm"
        assert slurm["env"] == {
            "RANK": str(rank),
            "WORLD_SIZE": "2",
            "MASTER_ADDR": "127.0.0.1",
        }
        assert slurm["port"] == port
        assert (slurm["dist_info"], slurm["backend"], slurm["total"]) == (
            (rank, 2),
            "gloo",
            3,
        )


@pytest.mark.spec("DIST-01")
def test_mpi_launcher_reads_the_open_mpi_environment(launched: list[dict]) -> None:
    for rank, seen in enumerate(launched):
        mpi = seen["mpi"]
        assert mpi["inferred"] == "mpi"
        assert mpi["env"]["RANK"] == str(rank) and mpi["env"]["WORLD_SIZE"] == "2"
        assert (mpi["dist_info"], mpi["backend"], mpi["total"]) == (
            (rank, 2),
            "gloo",
            3,
        )


_TORCHRUN_SCRIPT = """
import json, os, sys
import torch
torch.cuda.set_device = lambda *args, **kwargs: None  # no GPU: nothing to bind
impl, out = sys.argv[1], sys.argv[2]
dist = __import__(impl + '.dist', fromlist=['dist'])
dist.init_dist('pytorch', backend='gloo', timeout=60)
value = torch.tensor([float(dist.get_rank() + 1)])
dist.all_reduce(value, op='mean')
result = dict(
    dist_info=dist.get_dist_info(),
    backend=dist.get_backend(),
    mean=value.item(),
    objects=dist.all_gather_object(os.environ['LOCAL_RANK']),
)
with open(os.path.join(out, f'rank{dist.get_rank()}.json'), 'w') as f:
    json.dump(result, f)
dist.barrier()
torch.distributed.destroy_process_group()
"""


@pytest.mark.spec("DIST-01")
def test_init_dist_under_torchrun(impl: Impl, tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(_TORCHRUN_SCRIPT)
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        "--master_addr=127.0.0.1",
        f"--master_port={free_port()}",
        str(script),
        impl.name,
        str(tmp_path),
    ]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=_SPAWN_TIMEOUT_S
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for rank in (0, 1):
        result = json.loads((tmp_path / f"rank{rank}.json").read_text())
        assert result["dist_info"] == [rank, 2]
        assert result["backend"] == "gloo"
        assert result["mean"] == 1.5
        assert result["objects"] == ["0", "1"]
