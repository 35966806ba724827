"""Distributed communication that works the same with one process or many.

``engine.dist`` mirrors ``mmengine.dist``: :func:`init_dist` starts a job from
the environment of ``torchrun``, Slurm or MPI; the query functions
(:func:`get_rank`, :func:`get_world_size`, ...) answer for one process when
there is no process group; the collectives (:func:`all_reduce`,
:func:`collect_results`, ...) accept tensors on any device and picklable
objects, and do nothing in a single process. Everything runs on
``torch.distributed`` (gloo on CPU, NCCL on GPU).
"""

from engine.dist.dist import (
    all_gather,
    all_gather_object,
    all_reduce,
    all_reduce_dict,
    all_reduce_params,
    broadcast,
    broadcast_object_list,
    collect_results,
    collect_results_cpu,
    collect_results_gpu,
    gather,
    gather_object,
    sync_random_seed,
)
from engine.dist.utils import (
    barrier,
    cast_data_device,
    get_backend,
    get_comm_device,
    get_data_device,
    get_default_group,
    get_dist_info,
    get_local_group,
    get_local_rank,
    get_local_size,
    get_rank,
    get_world_size,
    infer_launcher,
    init_dist,
    init_local_group,
    is_distributed,
    is_main_process,
    master_only,
)

__all__ = [
    "all_gather_object",
    "all_reduce",
    "all_gather",
    "all_reduce_dict",
    "collect_results",
    "collect_results_cpu",
    "collect_results_gpu",
    "gather",
    "broadcast",
    "gather_object",
    "sync_random_seed",
    "broadcast_object_list",
    "get_dist_info",
    "init_dist",
    "init_local_group",
    "get_backend",
    "get_world_size",
    "get_rank",
    "get_local_size",
    "get_local_group",
    "get_local_rank",
    "is_main_process",
    "master_only",
    "barrier",
    "is_distributed",
    "get_default_group",
    "all_reduce_params",
    "get_data_device",
    "get_comm_device",
    "cast_data_device",
    "infer_launcher",
]
