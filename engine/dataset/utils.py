"""Collate functions, registered in the ``FUNCTIONS`` registry.

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
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from torch.utils.data import default_collate as torch_default_collate

from engine.registry import FUNCTIONS

__all__ = ["COLLATE_FUNCTIONS", "default_collate", "pseudo_collate"]

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
