"""init_dist: environment translation per launcher, backend choice, errors."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import engine.dist as dist
from conformance.harness.distributed import free_port, run_on_ranks
from engine.dist import _launch
from engine.dist._launch import first_host

_LAUNCH_VARS = (
    "RANK",
    "WORLD_SIZE",
    "LOCAL_RANK",
    "LOCAL_WORLD_SIZE",
    "MASTER_ADDR",
    "MASTER_PORT",
)


@pytest.mark.parametrize(
    ("nodelist", "host"),
    [
        ("node1", "node1"),
        ("node[1-3]", "node1"),
        ("node[01-04,07],gpu2", "node01"),
        ("gpu2,node[1-3]", "gpu2"),
        ("rack[2-3]-n[007-009]", "rack2-n007"),
        ("a[5]", "a5"),
        ("10.0.0.[4-5]", "10.0.0.4"),
        (" host-a ", "host-a"),
    ],
)
def test_first_host_of_a_slurm_nodelist(nodelist: str, host: str) -> None:
    assert first_host(nodelist) == host


@pytest.mark.parametrize("nodelist", ["", ",node1", "node[1-2"])
def test_first_host_rejects_malformed_lists(nodelist: str) -> None:
    with pytest.raises(ValueError, match="SLURM_NODELIST"):
        first_host(nodelist)


_NAME = st.text("abcxyz-", min_size=1, max_size=5)
_RANGE = st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(1, 3))


@given(
    prefix=_NAME, ranges=st.lists(_RANGE, min_size=1, max_size=3), rest=st.booleans()
)
def test_first_host_takes_the_first_number_of_each_bracket(
    prefix: str, ranges: list[tuple[int, int, int]], rest: bool
) -> None:
    start, stop, width = ranges[0]
    numbers = ",".join(
        f"{a:0{w}d}-{b:0{w}d}" if a < b else f"{a:0{w}d}" for a, b, w in ranges
    )
    nodelist = f"{prefix}[{numbers}]" + (",other[1-2]" if rest else "")
    assert first_host(nodelist) == f"{prefix}{start:0{width}d}"


def test_infer_launcher_prefers_torchrun_then_slurm_then_mpi(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("WORLD_SIZE", "SLURM_NTASKS", "OMPI_COMM_WORLD_LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert dist.infer_launcher() == "none"
    monkeypatch.setenv("OMPI_COMM_WORLD_LOCAL_RANK", "0")
    assert dist.infer_launcher() == "mpi"
    monkeypatch.setenv("SLURM_NTASKS", "2")
    assert dist.infer_launcher() == "slurm"
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert dist.infer_launcher() == "pytorch"


def test_default_nccl_falls_back_to_gloo_without_cuda(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="'gloo'"):
        assert _launch._choose_backend(_launch._NCCL_DEFAULT) == "gloo"
    with pytest.raises(RuntimeError, match="backend='nccl' needs CUDA"):
        _launch._choose_backend("nccl")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _launch._choose_backend("gloo") == "gloo"


def test_nccl_is_kept_with_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert _launch._choose_backend(_launch._NCCL_DEFAULT) == "nccl"
    assert _launch._choose_backend("nccl") == "nccl"


def test_timeout_in_seconds_becomes_a_timedelta() -> None:
    assert _launch._as_timedelta(10800) == datetime.timedelta(hours=3)
    assert _launch._as_timedelta(1.5) == datetime.timedelta(seconds=1.5)
    delta = datetime.timedelta(minutes=1)
    assert _launch._as_timedelta(delta) is delta
    for bad in ("60", True, None):
        with pytest.raises(TypeError, match="timeout"):
            _launch._as_timedelta(bad)


@pytest.mark.parametrize(
    ("launcher", "kwargs", "error", "message"),
    [
        ("foo", {}, ValueError, "Invalid launcher type: 'foo'"),
        ("pytorch", {"init_backend": "jax"}, ValueError, "init_backend"),
        ("slurm", {}, KeyError, "SLURM_PROCID"),
        ("mpi", {}, KeyError, "OMPI_COMM_WORLD_LOCAL_RANK"),
        ("pytorch", {}, KeyError, "RANK"),
    ],
)
def test_init_dist_errors(
    launcher: str, kwargs: dict, error: type, message: str
) -> None:
    for name in _LAUNCH_VARS:
        os.environ.pop(name, None)
    for name in [n for n in os.environ if n.startswith(("SLURM_", "OMPI_"))]:
        del os.environ[name]
    with pytest.raises(error, match=message):
        dist.init_dist(launcher, backend="gloo", **kwargs)


def test_mpi_needs_a_master_address() -> None:
    os.environ.pop("MASTER_ADDR", None)
    os.environ.update(
        OMPI_COMM_WORLD_LOCAL_RANK="0",
        OMPI_COMM_WORLD_RANK="0",
        OMPI_COMM_WORLD_SIZE="1",
    )
    with pytest.raises(KeyError, match="MASTER_ADDR"):
        dist.init_dist("mpi", backend="gloo")


def test_missing_optional_init_backend_names_the_package() -> None:
    with pytest.raises(ImportError, match="pip install deepspeed"):
        _launch._start_deepspeed("gloo")
    with pytest.raises(ImportError, match="pip install colossalai"):
        _launch._start_colossalai("gloo")


def _clear() -> None:
    for name in list(os.environ):
        if name.startswith(("SLURM_", "OMPI_")) or name in _LAUNCH_VARS:
            del os.environ[name]


def _summary() -> dict[str, Any]:
    value = torch.tensor([dist.get_rank() + 1])
    dist.all_reduce(value)
    summary = {
        "info": dist.get_dist_info(),
        "local": (dist.get_local_rank(), dist.get_local_size()),
        "sum": int(value.item()),
        "env": {name: os.environ.get(name) for name in _LAUNCH_VARS[:5]},
    }
    torch.distributed.destroy_process_group()
    return summary


def _launch_each_way(ports: list[int]) -> dict[str, Any]:
    """Rank of 2 processes on one host; pretend to be started by each launcher."""
    rank = os.environ["RANK"]
    seen = {}
    os.environ["MASTER_PORT"] = str(ports[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dist.init_dist("pytorch", timeout=30)  # default backend: gloo without CUDA
    seen["warned"] = [str(w.message) for w in caught]
    seen["pytorch"] = _summary()
    _clear()  # two "nodes" of one task each, srun's own local ids
    os.environ.update(
        SLURM_PROCID=rank, SLURM_NTASKS="2", SLURM_NODELIST="127.0.0.[1-2]",
        SLURM_NTASKS_PER_NODE="1(x2)", SLURM_LOCALID="0", MASTER_PORT=str(ports[1]),
    )  # fmt: skip
    dist.init_dist("slurm", backend="gloo")
    seen["slurm"] = _summary()
    _clear()
    os.environ.update(
        OMPI_COMM_WORLD_RANK=rank, OMPI_COMM_WORLD_SIZE="2",
        OMPI_COMM_WORLD_LOCAL_RANK=rank, OMPI_COMM_WORLD_LOCAL_SIZE="2",
        MASTER_ADDR="127.0.0.1",
    )  # fmt: skip
    os.environ["MASTER_PORT"] = str(ports[2])
    dist.init_dist("mpi", backend="gloo")
    seen["mpi"] = _summary()
    return seen


def test_each_launcher_on_two_processes() -> None:
    ports = [free_port() for _ in range(3)]
    ranks = run_on_ranks(_launch_each_way, ports, init_process_group=False, timeout=90)
    for rank, seen in enumerate(ranks):
        assert any("'gloo'" in message for message in seen["warned"])
        assert seen["pytorch"]["info"] == (rank, 2)
        assert seen["pytorch"]["local"] == (rank, 2)
        assert seen["pytorch"]["sum"] == 3
        slurm = seen["slurm"]
        assert slurm["info"] == (rank, 2) and slurm["sum"] == 3
        assert slurm["local"] == (0, 1)  # one task per node
        assert slurm["env"] == {
            "RANK": str(rank),
            "WORLD_SIZE": "2",
            "LOCAL_RANK": "0",
            "LOCAL_WORLD_SIZE": None,
            "MASTER_ADDR": "127.0.0.1",
        }
        mpi = seen["mpi"]
        assert mpi["info"] == (rank, 2) and mpi["local"] == (rank, 2)
        assert mpi["env"]["LOCAL_RANK"] == str(rank) and mpi["sum"] == 3


_SCRIPT = """
import json, os, sys, warnings
warnings.simplefilter('ignore')
import torch
import engine.dist as dist
dist.init_dist('pytorch', timeout=60)
value = torch.tensor([dist.get_rank() + 1.0])
dist.all_reduce(value, op='mean')
local = (dist.get_local_rank(), dist.get_local_size())
collected = dist.collect_results([dist.get_rank()] * 2, 3)
result = dict(info=dist.get_dist_info(), local=local, backend=dist.get_backend(),
              mean=value.item(), collected=collected)
with open(os.path.join(sys.argv[1], f'rank{dist.get_rank()}.json'), 'w') as f:
    json.dump(result, f)
dist.barrier()
torch.distributed.destroy_process_group()
"""


def test_init_dist_under_torchrun(tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text(_SCRIPT)
    command = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
        "--master_addr=127.0.0.1", f"--master_port={free_port()}",
        str(script), str(tmp_path),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    for rank, result in enumerate(results):
        assert result["info"] == [rank, 2] and result["local"] == [rank, 2]
        assert result["backend"] == "gloo" and result["mean"] == 1.5
    assert results[0]["collected"] == [0, 1, 0] and results[1]["collected"] is None
