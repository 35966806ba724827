"""``build_dataloader``: a DataLoader from its config, as the Runner builds it."""

from __future__ import annotations

import copy
from functools import partial
from typing import Any

__all__ = ["build_dataloader"]


class DataloaderConfigError(KeyError):
    """A dataloader config misses a required key (a ``KeyError``, as in MMEngine)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _dataset(cfg: Any) -> Any:
    from engine.registry import DATASETS

    if not isinstance(cfg, dict):
        return cfg
    dataset = DATASETS.build(cfg)
    if hasattr(dataset, "full_init"):
        dataset.full_init()
    return dataset


def _sampler(cfg: Any, dataset: Any, seed: int | None) -> Any:
    from engine.registry import DATA_SAMPLERS

    if not isinstance(cfg, dict):
        return cfg
    return DATA_SAMPLERS.build(cfg, default_args=dict(dataset=dataset, seed=seed))


def _batch_sampler(cfg: Any, sampler: Any, loader_cfg: dict) -> Any:
    from engine.registry import DATA_SAMPLERS

    if not isinstance(cfg, dict):
        return cfg
    batch_size = loader_cfg.pop("batch_size", 1)
    return DATA_SAMPLERS.build(
        cfg, default_args=dict(sampler=sampler, batch_size=batch_size)
    )


def _function(cfg: Any, what: str) -> Any:
    from engine.registry import FUNCTIONS

    if callable(cfg) and not isinstance(cfg, dict):
        return cfg
    if not isinstance(cfg, dict) or "type" not in cfg:
        raise TypeError(
            f"{what} of a dataloader config must be a callable or a dict with "
            f"'type', but got {cfg!r}"
        )
    cfg = dict(cfg)
    func = cfg.pop("type")
    if isinstance(func, str):
        name = func
        func = FUNCTIONS.get(name)
        if func is None:
            raise KeyError(f"{what} type {name!r} is not in the FUNCTIONS registry")
    return partial(func, **cfg)


def _worker_init(cfg: dict, seed: int | None) -> Any:
    from engine.dataset.utils import worker_init_fn
    from engine.dist import get_rank

    if "worker_init_fn" in cfg:
        return _function(cfg.pop("worker_init_fn"), "worker_init_fn")
    quiet = cfg.pop("disable_subprocess_warning", False)
    if seed is None:
        return None
    return partial(
        worker_init_fn,
        num_workers=cfg.get("num_workers", 0),
        rank=get_rank(),
        seed=seed,
        disable_subprocess_warning=quiet,
    )


def build_dataloader(
    dataloader: Any, seed: int | None = None, diff_rank_seed: bool = False
) -> Any:
    """Build a ``DataLoader`` from a config dict (or return a built one).

    The dict holds ``DataLoader`` arguments plus ``dataset`` (a config built
    from ``DATASETS``, or an object), ``sampler`` (required: a config built
    from ``DATA_SAMPLERS`` with the dataset and ``seed``, or an object),
    optionally ``batch_sampler``, ``collate_fn`` (default
    ``dict(type='pseudo_collate')``) and ``worker_init_fn`` (default: seeded
    per worker and rank when ``seed`` is given). ``shuffle`` is refused: the
    sampler decides the order.

    Args:
        dataloader: A ``DataLoader`` or its config dict.
        seed: The seed of the sampler and the workers.
        diff_rank_seed: Ranks have different seeds (the sampler then draws
            its own).

    Returns:
        The ``DataLoader``.

    Examples:
        >>> import torch
        >>> loader = build_dataloader(dict(
        ...     dataset=torch.arange(4), batch_size=2,
        ...     sampler=dict(type='DefaultSampler', shuffle=False)))
        >>> [batch for batch in loader]
        [[tensor(0), tensor(1)], [tensor(2), tensor(3)]]
    """
    from torch.utils.data import DataLoader

    if isinstance(dataloader, DataLoader):
        return dataloader
    if not isinstance(dataloader, dict):
        raise TypeError(
            f"dataloader must be a DataLoader or a dict, but got {type(dataloader)}"
        )
    cfg = copy.deepcopy(dict(dataloader))
    for key in ("dataset", "sampler"):
        if key not in cfg:
            raise DataloaderConfigError(
                f"a dataloader config needs {key!r} (got keys {sorted(cfg)})"
            )
    if "shuffle" in cfg:
        raise ValueError(
            "'shuffle' is not allowed in a dataloader config: set it in the "
            "sampler instead, e.g. sampler=dict(type='DefaultSampler', shuffle=True)"
        )
    dataset = _dataset(cfg.pop("dataset"))
    sampler = _sampler(cfg.pop("sampler"), dataset, None if diff_rank_seed else seed)
    batch_sampler = _batch_sampler(cfg.pop("batch_sampler", None), sampler, cfg)
    init_fn = _worker_init(cfg, seed)
    collate = _function(
        cfg.pop("collate_fn", dict(type="pseudo_collate")), "collate_fn"
    )
    return DataLoader(
        dataset=dataset,
        sampler=sampler if batch_sampler is None else None,
        batch_sampler=batch_sampler,
        collate_fn=collate,
        worker_init_fn=init_fn,
        **cfg,
    )
