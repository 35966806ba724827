"""Collate functions (registered in ``FUNCTIONS``) and ``worker_init_fn``.

Both walk a batch (a sequence of samples) by the type of its first sample:

* ``str``/``bytes``: the batch is returned as it is;
* a namedtuple: a namedtuple of the collated fields;
* another sequence: a list of the collated positions (samples must have
  equal lengths, else :class:`RuntimeError`);
* a mapping: a mapping of the same type, of the collated values per key.

They differ on the leaves: :func:`pseudo_collate` returns them as they are
(a list of tensors stays a list), :func:`default_collate` stacks tensors,
arrays and numbers into tensors with :func:`torch.utils.data.default_collate`
and leaves data elements (``BaseDataElement``) as a list.

:func:`worker_init_fn` seeds each dataloader worker differently on every
rank, so that random transforms do not repeat across workers or ranks.
"""

from __future__ import annotations

import gc
import random
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import default_collate as torch_default_collate
from torch.utils.data import get_worker_info

from engine.registry import FUNCTIONS

__all__ = [
    "COLLATE_FUNCTIONS",
    "default_collate",
    "pseudo_collate",
    "worker_init_fn",
]

#: Alias of ``FUNCTIONS``, the registry of collate functions.
COLLATE_FUNCTIONS = FUNCTIONS


def _is_data_element(obj: object) -> bool:
    """Whether ``obj`` is an ``engine.structures.BaseDataElement``."""
    structures = sys.modules.get("engine.structures")
    element_cls = getattr(structures, "BaseDataElement", None)
    return isinstance(element_cls, type) and isinstance(obj, element_cls)


def _collate(
    batch: Sequence, leaf: Callable[[Sequence], Any], recurse: Callable
) -> Any:
    """Collate by the structure of ``batch[0]``; ``leaf`` for the rest."""
    elem = batch[0]
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(recurse(samples) for samples in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError(
                "each data_item in list of batch should be of equal size, got "
                f"lengths {[len(sample) for sample in batch]}"
            )
        return [recurse(samples) for samples in zip(*batch)]
    if isinstance(elem, Mapping):
        collated = {key: recurse([d[key] for d in batch]) for key in elem}
        mapping_type: Any = type(elem)
        try:
            return mapping_type(collated)
        except TypeError:  # a mapping type that cannot be built from a dict
            return collated
    return leaf(batch)


@FUNCTIONS.register_module()
def pseudo_collate(data_batch: Sequence) -> Any:
    """Transpose a batch of samples without stacking anything.

    Args:
        data_batch: Samples from the dataset.

    Returns:
        The batch, transposed through sequences and mappings; the leaves
        are returned as they are.

    Examples:
        >>> pseudo_collate([dict(a=1, b='x'), dict(a=2, b='y')])
        {'a': [1, 2], 'b': ['x', 'y']}
        >>> pseudo_collate([(1, 'x'), (2, 'y')])
        [(1, 2), ('x', 'y')]
    """
    return _collate(data_batch, lambda batch: batch, pseudo_collate)


def _default_leaf(batch: Sequence) -> Any:
    if _is_data_element(batch[0]):
        return batch
    return torch_default_collate(list(batch))


@FUNCTIONS.register_module()
def default_collate(data_batch: Sequence) -> Any:
    """Transpose a batch of samples and stack tensors, arrays and numbers.

    Args:
        data_batch: Samples from the dataset.

    Returns:
        The batch, transposed as :func:`pseudo_collate` does, with the
        leaves stacked by :func:`torch.utils.data.default_collate`.

    Examples:
        >>> default_collate([dict(a=1, b='x'), dict(a=2, b='y')])
        {'a': tensor([1, 2]), 'b': ['x', 'y']}
        >>> import torch
        >>> default_collate([torch.zeros(2), torch.ones(2)]).shape
        torch.Size([2, 2])
    """
    return _collate(data_batch, _default_leaf, default_collate)


def worker_init_fn(
    worker_id: int,
    num_workers: int,
    rank: int,
    seed: int,
    disable_subprocess_warning: bool = False,
) -> None:
    """Seed ``random``, numpy and torch in a dataloader worker.

    The seed is ``num_workers * rank + worker_id + seed``: distinct for
    every worker of every rank. Bind the last three arguments with
    :func:`functools.partial` and pass the result as the ``DataLoader``'s
    ``worker_init_fn``.

    Inside a dataloader worker it also moves the objects inherited from the
    main process to the garbage collector's permanent generation
    (:func:`gc.freeze`): a collection in the worker would otherwise write to
    every one of them and un-share their memory pages.

    Args:
        worker_id: Id of the worker, ``0 <= worker_id < num_workers``.
        num_workers: Workers per rank.
        rank: Rank of the process.
        seed: The base seed.
        disable_subprocess_warning: Ignore all warnings in workers other
            than worker 0. Defaults to False.

    Examples:
        >>> import numpy as np
        >>> worker_init_fn(1, num_workers=4, rank=2, seed=10)
        >>> first = np.random.rand()
        >>> np.random.seed(4 * 2 + 1 + 10)
        >>> first == np.random.rand()
        True
    """
    worker_seed = num_workers * rank + worker_id + seed
    np.random.seed(worker_seed)
    random.seed(worker_seed)
    torch.manual_seed(worker_seed)
    if disable_subprocess_warning and worker_id != 0:
        warnings.simplefilter("ignore")
    if get_worker_info() is not None:
        gc.freeze()
