"""Collective communication: the functions of ``mmengine.dist.dist``.

Tensor collectives (:func:`all_reduce`, :func:`all_gather`, :func:`gather`,
:func:`broadcast`, :func:`sync_random_seed`, :func:`all_reduce_dict`,
:func:`all_reduce_params`), object collectives
(:func:`broadcast_object_list`, :func:`all_gather_object`,
:func:`gather_object`) and result collection (:func:`collect_results` and
its two transports). All of them work unchanged in a single process.
"""

from engine.dist._collect import (
    collect_results,
    collect_results_cpu,
    collect_results_gpu,
)
from engine.dist._dict import all_reduce_dict
from engine.dist._errors import CollectiveError
from engine.dist._object import all_gather_object, broadcast_object_list, gather_object
from engine.dist._tensor import (
    all_gather,
    all_reduce,
    all_reduce_params,
    broadcast,
    gather,
    sync_random_seed,
)

__all__ = [
    "CollectiveError",
    "all_gather",
    "all_gather_object",
    "all_reduce",
    "all_reduce_dict",
    "all_reduce_params",
    "broadcast",
    "broadcast_object_list",
    "collect_results",
    "collect_results_cpu",
    "collect_results_gpu",
    "gather",
    "gather_object",
    "sync_random_seed",
]
