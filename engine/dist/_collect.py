"""Collect per-rank result lists (e.g. evaluation outputs) on rank 0.

With a sampler that deals sample ``i`` to rank ``i % world_size``, rank
``r`` holds results ``r, r + n, r + 2n, ...``; rank 0 puts them back in
sample order by interleaving the parts (rank 0's first, rank 1's first,
..., rank 0's second, ...) and cuts the list to ``size``, dropping the
samples a sampler repeated to even out the ranks. Parts of different
lengths interleave while they last.

Two transports: through files in a directory all ranks can reach
(:func:`collect_results_cpu`) or through the backend
(:func:`collect_results_gpu`, on the GPU with NCCL).
"""

from __future__ import annotations

import itertools
import os
import pickle
import shutil
import tempfile
from collections.abc import Sequence
from typing import Any

import torch

from engine.dist._object import broadcast_object_list, gather_object
from engine.dist._query import get_dist_info
from engine.dist._tensor import all_gather

_MISSING = object()


def interleave(parts: Sequence[Sequence[Any]], size: int) -> list[Any]:
    """The items of ``parts`` taken round-robin, cut to ``size``.

    Args:
        parts: The result list of each rank, in rank order.
        size: The number of results to keep.

    Examples:
        >>> interleave([[0, 2, 4], [1, 3]], 4)
        [0, 1, 2, 3]
    """
    lengths = {len(part) for part in parts}
    if len(lengths) == 1:  # the usual case: slice assignment, no per-item loop
        ordered: list[Any] = [None] * (len(parts) * lengths.pop())
        for rank, part in enumerate(parts):
            ordered[rank :: len(parts)] = part
    else:
        rounds = itertools.zip_longest(*parts, fillvalue=_MISSING)
        ordered = [item for row in rounds for item in row if item is not _MISSING]
    return ordered[:size]


def collect_results(
    results: list, size: int, device: str = "cpu", tmpdir: str | None = None
) -> list | None:
    """Collect the result list of every rank on rank 0, in sample order.

    Args:
        results: This rank's results.
        size: The total number of results (the dataset length); the
            collected list is cut to it.
        device: ``'cpu'`` collects through files in ``tmpdir``
            (:func:`collect_results_cpu`); ``'gpu'`` (or ``'npu'``) through
            the backend (:func:`collect_results_gpu`). Defaults to ``'cpu'``.
        tmpdir: The directory for ``'cpu'``, reachable by every rank.
            Defaults to None (a new temporary directory).

    Returns:
        The ordered results on rank 0, ``None`` on the other ranks;
        ``results[:size]`` when not distributed.

    Raises:
        NotImplementedError: For another ``device``.

    Examples:
        >>> from engine.dist import collect_results
        >>> collect_results(['a', 'b', 'c'], size=2)
        ['a', 'b']
    """
    if device not in ("cpu", "gpu", "npu"):
        raise NotImplementedError(
            f"device must be 'cpu', 'gpu' or 'npu', but got {device!r}"
        )
    if device == "cpu":
        return collect_results_cpu(results, size, tmpdir)
    return collect_results_gpu(results, size)


def collect_results_gpu(result_part: list, size: int) -> list | None:
    """Collect results on rank 0 through the backend (GPU memory with NCCL).

    Args:
        result_part: This rank's results (picklable).
        size: The total number of results.

    Returns:
        The ordered results on rank 0, ``None`` on the other ranks.

    Examples:
        >>> from engine.dist import collect_results_gpu
        >>> collect_results_gpu([1, 2, 3], size=5)
        [1, 2, 3]
    """
    rank, world_size = get_dist_info()
    if world_size == 1:
        return list(result_part[:size])
    parts = gather_object(list(result_part), dst=0)
    if rank != 0 or parts is None:
        return None
    return interleave(parts, size)


def collect_results_cpu(
    result_part: list, size: int, tmpdir: str | None = None
) -> list | None:
    """Collect results on rank 0 through pickle files in a shared directory.

    Rank 0 chooses the directory (``tmpdir``, or a new temporary one) and
    tells the others; each other rank writes its part there; rank 0 reads
    them and adds its own. The
    directory is removed afterwards, also when a rank fails, if this call
    created it; a directory that existed before keeps everything but the
    parts.

    Args:
        result_part: This rank's results (picklable).
        size: The total number of results.
        tmpdir: A directory every rank can reach (shared storage across
            nodes). Defaults to None (``tempfile.mkdtemp()`` on rank 0).

    Returns:
        The ordered results on rank 0, ``None`` on the other ranks.

    Raises:
        RuntimeError: On every rank, if a rank could not write its part.

    Examples:
        >>> from engine.dist import collect_results_cpu
        >>> collect_results_cpu(['a', 'b'], size=5)
        ['a', 'b']
    """
    rank, world_size = get_dist_info()
    if world_size == 1:
        return list(result_part[:size])
    if rank != 0:
        _write_part(result_part, _shared_dir(None), rank, world_size)
        return None
    try:
        directory, created = _make_dir(tmpdir)
    except OSError:
        broadcast_object_list([None], src=0)  # the other ranks raise too
        raise
    try:
        _shared_dir(directory)
        _write_part(None, directory, rank, world_size)  # rank 0 keeps its own
        others = [_read_part(directory, peer) for peer in range(1, world_size)]
        return interleave([list(result_part), *others], size)
    finally:
        _remove(directory, created, world_size)


def _make_dir(tmpdir: str | None) -> tuple[str, bool]:
    if tmpdir is None:
        return tempfile.mkdtemp(prefix="collect_results_"), True
    directory = os.path.abspath(tmpdir)
    created = not os.path.isdir(directory)
    os.makedirs(directory, exist_ok=True)
    return directory, created


def _shared_dir(directory: str | None) -> str:
    """Rank 0 passes its ``directory`` (None: it has none); every rank gets it."""
    holder = [directory]
    broadcast_object_list(holder, src=0)
    if holder[0] is None:
        raise RuntimeError(
            "collect_results_cpu: rank 0 could not create the directory for "
            "the results (see its error)"
        )
    return str(holder[0])


def _part_path(directory: str, rank: int) -> str:
    return os.path.join(directory, f"part_{rank}.pkl")


def _write_part(part: Any, directory: str, rank: int, world_size: int) -> None:
    """Write this rank's part (None: nothing to write), then learn whether
    every rank could."""
    error: BaseException | None = None
    try:
        if part is not None:
            with open(_part_path(directory, rank), "wb") as file:
                pickle.dump(list(part), file, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:  # reported to all ranks below, then re-raised
        error = e
    written = all_gather(torch.tensor([error is None], dtype=torch.uint8))
    failed = [peer for peer, ok in enumerate(written) if not ok.item()]
    if failed:
        raise RuntimeError(
            f"collect_results_cpu: rank(s) {failed} of {world_size} could not "
            f"write their results to {directory}"
        ) from error


def _read_part(directory: str, rank: int) -> list:
    with open(_part_path(directory, rank), "rb") as file:
        return pickle.load(file)


def _remove(directory: str, created: bool, world_size: int) -> None:
    if created:
        shutil.rmtree(directory, ignore_errors=True)
        return
    for rank in range(world_size):
        try:
            os.remove(_part_path(directory, rank))
        except FileNotFoundError:
            pass
