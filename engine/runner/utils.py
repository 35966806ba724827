"""Helpers of the Runner: seeding, dynamic intervals, batch sizes."""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.logging import print_log

__all__ = ["calc_dynamic_intervals", "set_random_seed"]


def calc_dynamic_intervals(
    start_interval: int, dynamic_interval_list: Sequence[tuple[int, int]] | None = None
) -> tuple[list[int], list[int]]:
    """Milestones and intervals of a validation cadence that changes.

    Args:
        start_interval: The interval from the start.
        dynamic_interval_list: ``(milestone, interval)`` pairs: from each
            milestone (epoch or iteration) on, the interval becomes
            ``interval``. Milestones must increase.

    Returns:
        ``([0, m1, m2, ...], [start_interval, i1, i2, ...])``.

    Examples:
        >>> calc_dynamic_intervals(1, [(10, 5), (20, 10)])
        ([0, 10, 20], [1, 5, 10])
    """
    milestones, intervals = [0], [start_interval]
    for milestone, interval in dynamic_interval_list or []:
        if milestone <= milestones[-1] and len(milestones) > 1:
            raise ValueError(
                f"the milestones of dynamic_intervals must increase, but got "
                f"{list(dynamic_interval_list or [])}"
            )
        milestones.append(milestone)
        intervals.append(interval)
    return milestones, intervals


def set_random_seed(
    seed: int | None = None, deterministic: bool = False, diff_rank_seed: bool = False
) -> int:
    """Seed ``random``, numpy and torch (all devices); return the seed.

    Args:
        seed: The seed; ``None`` draws one, the same on every rank.
        deterministic: Make cuDNN deterministic and ask torch for
            deterministic algorithms (slower).
        diff_rank_seed: Add the rank to the seed so that ranks differ.

    Returns:
        The seed used (before the rank offset).

    Examples:
        >>> set_random_seed(42)
        42
    """
    import torch

    from engine.dist import get_rank, sync_random_seed

    if seed is None:
        seed = sync_random_seed()
    rank_seed = seed + get_rank() if diff_rank_seed else seed
    random.seed(rank_seed)
    np.random.seed(rank_seed % 2**32)
    torch.manual_seed(rank_seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(rank_seed)
    if deterministic:
        if torch.backends.cudnn.benchmark:
            print_log(
                "torch.backends.cudnn.benchmark is going to be set as `False` "
                "to cause cuDNN to deterministically select an algorithm",
                logger="current",
                level=logging.WARNING,
            )
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        torch.use_deterministic_algorithms(True)
    return seed


def _get_batch_size(dataloader: Any) -> int | None:
    """The batch size of a DataLoader or of its config dict."""
    if isinstance(dataloader, dict):
        return dataloader.get("batch_size")
    return getattr(dataloader, "batch_size", None)
