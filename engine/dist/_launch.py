"""Start the distributed environment from what a launcher put in ``os.environ``.

Three launchers are known. Each describes the job in its own environment
variables; :func:`init_dist` translates them into ``torch.distributed``'s
``env://`` variables (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
``MASTER_ADDR``, ``MASTER_PORT``) and calls ``init_process_group``:

=========  ==================================================================
launcher   reads
=========  ==================================================================
pytorch    ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_*`` (torchrun)
slurm      ``SLURM_PROCID``, ``SLURM_NTASKS``, ``SLURM_NODELIST``,
           ``SLURM_LOCALID`` (srun); the port from ``port=``, ``MASTER_PORT``
           or 29500
mpi        ``OMPI_COMM_WORLD_{RANK,SIZE,LOCAL_RANK}`` (mpirun),
           ``MASTER_ADDR`` and ``MASTER_PORT`` (default 29500)
=========  ==================================================================
"""

from __future__ import annotations

import datetime
import multiprocessing as mp
import os
import re
import warnings
from collections.abc import Callable
from typing import Any

import torch
import torch.distributed as torch_dist

from engine.dist._query import init_local_group

_DEFAULT_PORT = "29500"
_INIT_BACKENDS = ("torch", "deepspeed", "colossalai")


class _DefaultBackend(str):
    """``'nccl'`` as the *default* of ``init_dist``: tells a default from a choice.

    A caller who leaves ``backend`` out gets gloo on a machine without CUDA;
    one who passes ``backend='nccl'`` gets NCCL or a clear error.
    """

    __slots__ = ()


_NCCL_DEFAULT = _DefaultBackend("nccl")


def infer_launcher() -> str:
    """The launcher that started this process, judged from ``os.environ``.

    Returns:
        ``'pytorch'`` if ``WORLD_SIZE`` is set, else ``'slurm'`` if
        ``SLURM_NTASKS`` is, else ``'mpi'`` if ``OMPI_COMM_WORLD_LOCAL_RANK``
        is, else ``'none'``.

    Examples:
        >>> from engine.dist import infer_launcher
        >>> infer_launcher()  # doctest: +SKIP
        'none'
    """
    if "WORLD_SIZE" in os.environ:
        return "pytorch"
    if "SLURM_NTASKS" in os.environ:
        return "slurm"
    if "OMPI_COMM_WORLD_LOCAL_RANK" in os.environ:
        return "mpi"
    return "none"


def init_dist(
    launcher: str,
    backend: str = _NCCL_DEFAULT,
    init_backend: str = "torch",
    **kwargs: Any,
) -> None:
    """Initialise the default process group from the launcher's environment.

    Sets the multiprocessing start method to ``spawn`` when none is set yet,
    binds this process to the GPU of its local rank when CUDA is available,
    initialises the default process group and creates the local (per-node)
    group that :func:`~engine.dist.get_local_rank` and
    :func:`~engine.dist.get_local_size` use.

    When CUDA is not available and ``backend`` was left at its default
    (``'nccl'``), gloo is used instead, with a warning. Passing
    ``backend='nccl'`` explicitly on such a machine is an error.

    Args:
        launcher: ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
        backend: The communication backend. Defaults to ``'nccl'``.
        init_backend: Who creates the process group: ``'torch'``,
            ``'deepspeed'`` or ``'colossalai'``. Defaults to ``'torch'``.
        **kwargs: Passed to ``torch.distributed.init_process_group``; a
            ``timeout`` given in seconds becomes a ``timedelta``. The slurm
            launcher also takes ``port``.

    Raises:
        ValueError: For an unknown launcher or init backend.
        KeyError: If a variable the launcher must set is missing.
        RuntimeError: If NCCL was asked for explicitly without CUDA.

    Examples:
        >>> from engine.dist import init_dist
        >>> init_dist('pytorch', backend='gloo', timeout=600)  # doctest: +SKIP
    """
    launchers = {"pytorch": _env_pytorch, "slurm": _env_slurm, "mpi": _env_mpi}
    if launcher not in launchers:
        raise ValueError(
            f"Invalid launcher type: {launcher!r} (expected one of {list(launchers)})"
        )
    if init_backend not in _INIT_BACKENDS:
        raise ValueError(
            f'supported "init_backend" is one of {list(_INIT_BACKENDS)}, '
            f"but got {init_backend!r}"
        )
    if mp.get_start_method(allow_none=True) is None:
        mp.set_start_method("spawn")
    port = kwargs.pop("port", None)
    local_rank, local_size = launchers[launcher](port)
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank % torch.cuda.device_count())
    backend = _choose_backend(backend)
    if "timeout" in kwargs:
        kwargs["timeout"] = _as_timedelta(kwargs["timeout"])
    _STARTERS[init_backend](backend, **kwargs)
    init_local_group(int(os.environ["RANK"]) // local_size, local_size)


def _choose_backend(backend: str) -> str:
    if backend != "nccl" or torch.cuda.is_available():
        return str(backend)
    if isinstance(backend, _DefaultBackend):
        warnings.warn(
            "init_dist: CUDA is not available, so the default backend 'nccl' "
            "is replaced by 'gloo'",
            stacklevel=3,
        )
        return "gloo"
    raise RuntimeError(
        "init_dist: backend='nccl' needs CUDA, which is not available here; "
        "pass backend='gloo' (or leave backend out) to run on CPU"
    )


def _as_timedelta(timeout: Any) -> datetime.timedelta:
    if isinstance(timeout, datetime.timedelta):
        return timeout
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return datetime.timedelta(seconds=timeout)
    raise TypeError(
        f"init_dist: timeout must be seconds (int or float) or a timedelta, "
        f"got {timeout!r}"
    )


def _require(name: str, launcher: str) -> str:
    try:
        return os.environ[name]
    except KeyError:
        raise KeyError(
            f"init_dist({launcher!r}): the environment variable {name} is not set"
        ) from None


def _env_pytorch(port: int | None) -> tuple[int, int]:
    """torchrun already set the ``env://`` variables."""
    for name in ("RANK", "WORLD_SIZE"):
        _require(name, "pytorch")
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    local_size = int(os.environ.get("LOCAL_WORLD_SIZE", os.environ["WORLD_SIZE"]))
    return local_rank, local_size


def _env_slurm(port: int | None) -> tuple[int, int]:
    rank = int(_require("SLURM_PROCID", "slurm"))
    world_size = int(_require("SLURM_NTASKS", "slurm"))
    nodes = _require("SLURM_NODELIST", "slurm")
    if port is not None:
        os.environ["MASTER_PORT"] = str(port)
    os.environ.setdefault("MASTER_PORT", _DEFAULT_PORT)
    os.environ.setdefault("MASTER_ADDR", first_host(nodes))
    local_size = _slurm_tasks_on_this_node(world_size)
    local_rank = int(os.environ.get("SLURM_LOCALID", rank % local_size))
    os.environ.update(
        RANK=str(rank), WORLD_SIZE=str(world_size), LOCAL_RANK=str(local_rank)
    )
    return local_rank, local_size


def _slurm_tasks_on_this_node(world_size: int) -> int:
    """``SLURM_NTASKS_PER_NODE``, else tasks spread evenly over the nodes."""
    per_node = os.environ.get("SLURM_NTASKS_PER_NODE", "")
    match = re.match(r"\d+", per_node)
    if match:
        return int(match.group())
    nodes = int(os.environ.get("SLURM_NNODES", "1"))
    return max(1, -(-world_size // nodes))


def _env_mpi(port: int | None) -> tuple[int, int]:
    local_rank = int(_require("OMPI_COMM_WORLD_LOCAL_RANK", "mpi"))
    rank = _require("OMPI_COMM_WORLD_RANK", "mpi")
    world_size = _require("OMPI_COMM_WORLD_SIZE", "mpi")
    local_size = int(os.environ.get("OMPI_COMM_WORLD_LOCAL_SIZE", world_size))
    os.environ.setdefault("MASTER_PORT", _DEFAULT_PORT)
    _require("MASTER_ADDR", "mpi")
    os.environ.update(RANK=rank, WORLD_SIZE=world_size, LOCAL_RANK=str(local_rank))
    return local_rank, local_size


def first_host(nodelist: str) -> str:
    """The first host of a Slurm host list such as ``'gpu[003-010,012],cpu1'``.

    Each bracket takes its first number (keeping its zero padding), so
    ``'rack[2-3]-n[07-09]'`` gives ``'rack2-n07'``.

    Args:
        nodelist: The value of ``SLURM_NODELIST``.

    Raises:
        ValueError: If the list is empty or its brackets are malformed.
    """
    text = nodelist.strip()
    first = re.match(r"(?:[^,\[\]]|\[[^\[\]]*\])+", text)
    if first is None:
        raise ValueError(f"SLURM_NODELIST {nodelist!r} names no host")
    host = first.group()
    if text[len(host) : len(host) + 1] not in ("", ","):
        raise ValueError(f"SLURM_NODELIST {nodelist!r} has unbalanced brackets")
    return re.sub(r"\[([^\],\-]+)[^\]]*\]", r"\1", host)


def _start_torch(backend: str, **kwargs: Any) -> None:
    torch_dist.init_process_group(backend=backend, **kwargs)


def _start_deepspeed(backend: str, **kwargs: Any) -> None:
    try:
        import deepspeed
    except ImportError as e:
        raise ImportError(
            "init_dist(init_backend='deepspeed') needs deepspeed: pip install deepspeed"
        ) from e
    deepspeed.init_distributed(dist_backend=backend, **kwargs)


def _start_colossalai(backend: str, **kwargs: Any) -> None:
    try:
        import colossalai
    except ImportError as e:
        raise ImportError(
            "init_dist(init_backend='colossalai') needs colossalai: "
            "pip install colossalai"
        ) from e
    colossalai.launch_from_torch(backend=backend, **kwargs)


_STARTERS: dict[str, Callable[..., None]] = {
    "torch": _start_torch,
    "deepspeed": _start_deepspeed,
    "colossalai": _start_colossalai,
}
