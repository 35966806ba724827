"""Resuming an iteration-based run without loading the skipped batches.

MMEngine advances the dataloader by fetching every batch already trained
(loading and transforming the data, then dropping it). With the default
``BatchSampler`` over engine's ``InfiniteSampler`` or ``DefaultSampler``
the position is computed instead: the infinite stream drops the indices of
the skipped batches, and the per-epoch sampler moves to the right epoch and
leaves out the batches already seen in it. Other samplers take the slow
path.
"""

from __future__ import annotations

import itertools
from typing import Any

__all__ = ["fast_forward"]


def fast_forward(dataloader: Any, iters: int) -> int | None:
    """Advance ``dataloader``'s sampler past ``iters`` batches, loading nothing.

    Must run before an iterator of ``dataloader`` is created.

    Args:
        dataloader: The train dataloader.
        iters: Batches already trained.

    Returns:
        The epoch (number of restarts) the iteration continues in, or None
        when the sampler cannot be advanced this way.
    """
    from torch.utils.data import BatchSampler

    from engine.dataset.sampler import DefaultSampler, InfiniteSampler

    batch_sampler = getattr(dataloader, "batch_sampler", None)
    if type(batch_sampler) is not BatchSampler:
        return None
    sampler = batch_sampler.sampler
    size = batch_sampler.batch_size
    if type(sampler) is InfiniteSampler:
        next(itertools.islice(sampler.indices, iters * size, iters * size), None)
        return 0
    if type(sampler) is DefaultSampler and len(batch_sampler) > 0:
        epoch, rest = divmod(iters, len(batch_sampler))
        sampler.set_epoch(epoch)
        sampler._skip = rest * size
        return epoch
    return None
