"""Datasets and data loading.

* :class:`BaseDataset` reads OpenMMLab 2.0 annotation files, with lazy
  initialization and a serialized data list shared by dataloader workers;
* the wrappers :class:`ConcatDataset`, :class:`RepeatDataset` and
  :class:`ClassBalancedDataset` (in ``DATASETS``);
* the samplers :class:`DefaultSampler` and :class:`InfiniteSampler` (in
  ``DATA_SAMPLERS``);
* the collate functions :func:`pseudo_collate` and :func:`default_collate`
  (in ``FUNCTIONS``) and :func:`worker_init_fn`.
"""

from engine.dataset.base_dataset import BaseDataset, Compose, force_full_init
from engine.dataset.dataset_wrapper import (
    ClassBalancedDataset,
    ConcatDataset,
    RepeatDataset,
)
from engine.dataset.sampler import DefaultSampler, InfiniteSampler
from engine.dataset.utils import (
    COLLATE_FUNCTIONS,
    default_collate,
    pseudo_collate,
    worker_init_fn,
)

__all__ = [
    "BaseDataset",
    "Compose",
    "force_full_init",
    "ClassBalancedDataset",
    "ConcatDataset",
    "RepeatDataset",
    "DefaultSampler",
    "InfiniteSampler",
    "worker_init_fn",
    "pseudo_collate",
    "COLLATE_FUNCTIONS",
    "default_collate",
]
