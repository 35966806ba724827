"""Datasets and data loading: collate functions (in ``FUNCTIONS``)."""

from engine.dataset.utils import COLLATE_FUNCTIONS, default_collate, pseudo_collate

__all__ = ["COLLATE_FUNCTIONS", "default_collate", "pseudo_collate"]
