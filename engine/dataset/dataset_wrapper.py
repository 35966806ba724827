"""Dataset wrappers: ``ConcatDataset``, ``RepeatDataset``, ``ClassBalancedDataset``.

Each wraps datasets given as :class:`~engine.dataset.BaseDataset`
instances or config dicts (built from ``DATASETS``), takes its
``metainfo`` from the (first) wrapped dataset, and honours ``lazy_init``:
the wrapped datasets are fully initialized and the index map built only by
``full_init()`` or the first access. None of them supports ``get_subset``:
take the subset of the wrapped dataset first.
"""

from __future__ import annotations

import bisect
import copy
import logging
import math
import operator
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from torch.utils.data import ConcatDataset as _TorchConcatDataset

from engine.dataset._full_init import force_full_init
from engine.dataset.base_dataset import BaseDataset
from engine.logging import print_log
from engine.registry import DATASETS

__all__ = ["ClassBalancedDataset", "ConcatDataset", "RepeatDataset"]


def _build_dataset(dataset: BaseDataset | dict) -> BaseDataset:
    """``dataset`` itself, or built from ``DATASETS`` when a config dict."""
    if isinstance(dataset, dict):
        return DATASETS.build(dataset)
    if isinstance(dataset, BaseDataset):
        return dataset
    raise TypeError(
        "elements in datasets sequence should be config or `BaseDataset` "
        f"instance, but got {type(dataset)}"
    )


def _check_index(idx: int, length: int, owner: str) -> int:
    """``idx`` as a position in ``range(length)`` (negative counts from the end)."""
    position = operator.index(idx)
    if not -length <= position < length:
        raise IndexError(f"{owner}: index {idx} is out of range for length {length}")
    return position % length


def _no_subset(owner: str) -> NotImplementedError:
    return NotImplementedError(
        f"`{owner}` does not support `get_subset` and `get_subset_` interfaces "
        "because this will lead to ambiguous implementation of some methods. "
        "If you want to use `get_subset` or `get_subset_` interfaces, please use "
        f"them in the wrapped dataset first and then use `{owner}`."
    )


def _warn_lazy(owner: str) -> None:
    print_log(
        f"{owner} is not fully initialized; indexing it runs full_init() now, "
        "call it beforehand to choose when",
        logger="current",
        level=logging.WARNING,
    )


def _same_value(a: Any, b: Any) -> bool:
    """``a == b``, also for numpy arrays (element-wise ``==`` is ambiguous)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(a, b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


class _WrapperMixin:
    """What the three wrappers share: metainfo, lazy getitem, no subsets."""

    _metainfo: dict
    _fully_initialized: bool

    @property
    def metainfo(self) -> dict:
        """A deep copy of the meta information of the (first) wrapped dataset."""
        return copy.deepcopy(self._metainfo)

    def full_init(self) -> None:
        """Fully initialize the wrapped datasets (each wrapper defines it)."""
        raise NotImplementedError

    def _item(self, idx: int) -> Any:
        """The wrapped dataset's item for index ``idx`` (each wrapper defines it)."""
        raise NotImplementedError

    def __getitem__(self, idx: int) -> Any:
        if not self._fully_initialized:
            _warn_lazy(type(self).__name__)
            self.full_init()
        return self._item(idx)

    def get_subset_(self, indices: list[int] | int) -> None:
        """Not supported: raises NotImplementedError."""
        raise _no_subset(type(self).__name__)

    def get_subset(self, indices: list[int] | int) -> BaseDataset:
        """Not supported: raises NotImplementedError."""
        raise _no_subset(type(self).__name__)


@DATASETS.register_module()
class ConcatDataset(_WrapperMixin, _TorchConcatDataset):
    """Datasets one after another, with the metainfo of the first.

    Args:
        datasets: Datasets or config dicts; their metainfo must agree on
            every key but ``ignore_keys``.
        lazy_init: Defer the full initialization. Defaults to False.
        ignore_keys: Metainfo keys allowed to differ (or be missing).
            Defaults to None.

    Raises:
        ValueError: the metainfo of two datasets differs on a key.

    Examples:
        >>> from engine.dataset import BaseDataset
        >>> class Range(BaseDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...         super().__init__(data_prefix=dict())
        ...     def load_data_list(self):
        ...         return [dict(x=i) for i in range(self.n)]
        >>> both = ConcatDataset([Range(2), Range(3)])
        >>> len(both), both[2]
        (5, {'x': 0, 'sample_idx': 0})
    """

    def __init__(
        self,
        datasets: Sequence[BaseDataset | dict],
        lazy_init: bool = False,
        ignore_keys: str | list[str] | None = None,
    ):
        self.datasets: list[BaseDataset] = [  # type: ignore[assignment]
            _build_dataset(d) for d in datasets
        ]
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be empty")
        if ignore_keys is None:
            self.ignore_keys: list[str] = []
        elif isinstance(ignore_keys, str):
            self.ignore_keys = [ignore_keys]
        elif isinstance(ignore_keys, list):
            self.ignore_keys = ignore_keys
        else:
            raise TypeError(
                f"ignore_keys should be a list or str, but got {type(ignore_keys)}"
            )
        self._metainfo = self.datasets[0].metainfo
        for position, dataset in enumerate(self.datasets[1:], start=1):
            self._check_metainfo(position, dataset.metainfo)
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    def _check_metainfo(self, position: int, metainfo: dict) -> None:
        """Raise ValueError if ``metainfo`` disagrees with the first dataset's."""
        first = self._metainfo
        for key in sorted(set(first) | set(metainfo), key=str):
            if key in self.ignore_keys:
                continue
            if key not in first or key not in metainfo:
                lacking, having = (0, position) if key not in first else (position, 0)
                raise ValueError(
                    f"ConcatDataset: metainfo key {key!r} is in dataset {having} "
                    f"but not in dataset {lacking}; pass ignore_keys=[{key!r}] "
                    "to allow it"
                )
            if not _same_value(first[key], metainfo[key]):
                raise ValueError(
                    f"ConcatDataset: the meta information of dataset {position} "
                    f"does not match that of dataset 0 at key {key!r}: "
                    f"{metainfo[key]!r:.200} != {first[key]!r:.200}; pass "
                    f"ignore_keys=[{key!r}] to allow it"
                )

    def full_init(self) -> None:
        """Fully initialize every dataset and compute the cumulative sizes."""
        if self._fully_initialized:
            return
        for dataset in self.datasets:
            dataset.full_init()
        self.cumulative_sizes = self.cumsum(self.datasets)
        self._fully_initialized = True

    @force_full_init
    def _get_ori_dataset_idx(self, idx: int) -> tuple[int, int]:
        """``(dataset index, sample index in it)`` of global index ``idx``."""
        position = _check_index(idx, self.cumulative_sizes[-1], "ConcatDataset")
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, position)
        start = self.cumulative_sizes[dataset_idx - 1] if dataset_idx else 0
        return dataset_idx, position - start

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """The data info of global index ``idx``."""
        dataset_idx, sample_idx = self._get_ori_dataset_idx(idx)
        return self.datasets[dataset_idx].get_data_info(sample_idx)

    @force_full_init
    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def _item(self, idx: int) -> Any:
        dataset_idx, sample_idx = self._get_ori_dataset_idx(idx)
        return self.datasets[dataset_idx][sample_idx]


@DATASETS.register_module()
class RepeatDataset(_WrapperMixin):
    """A dataset repeated ``times`` times: index ``i`` is ``i % len(dataset)``.

    Args:
        dataset: The dataset or its config dict.
        times: How many times it is repeated (>= 0).
        lazy_init: Defer the full initialization. Defaults to False.

    Examples:
        >>> from engine.dataset import BaseDataset
        >>> class Two(BaseDataset):
        ...     def load_data_list(self):
        ...         return [dict(x=0), dict(x=1)]
        >>> repeated = RepeatDataset(Two(data_prefix=dict()), times=3)
        >>> len(repeated), repeated[5]['x']
        (6, 1)
    """

    def __init__(
        self, dataset: BaseDataset | dict, times: int, lazy_init: bool = False
    ):
        self.dataset = _build_dataset(dataset)
        if not isinstance(times, int) or times < 0:
            raise ValueError(
                f"RepeatDataset: times should be a non-negative int, got {times!r}"
            )
        self.times = times
        self._metainfo = self.dataset.metainfo
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    def full_init(self) -> None:
        """Fully initialize the wrapped dataset and record its length."""
        if self._fully_initialized:
            return
        self.dataset.full_init()
        self._ori_len = len(self.dataset)
        self._fully_initialized = True

    @force_full_init
    def _get_ori_dataset_idx(self, idx: int) -> int:
        """The index in the wrapped dataset of index ``idx``."""
        return _check_index(idx, len(self), "RepeatDataset") % self._ori_len

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """The data info of index ``idx``."""
        return self.dataset.get_data_info(self._get_ori_dataset_idx(idx))

    def _item(self, idx: int) -> Any:
        return self.dataset[self._get_ori_dataset_idx(idx)]

    @force_full_init
    def __len__(self) -> int:
        return self.times * self._ori_len


@DATASETS.register_module()
class ClassBalancedDataset(_WrapperMixin):
    """Repeat the samples of rare categories (repeat factor sampling, LVIS).

    With ``f(c)`` the fraction of samples that contain category ``c``, a
    category's repeat factor is ``r(c) = max(1, sqrt(oversample_thr / f(c)))``;
    a sample's is the largest ``r(c)`` of its categories (1 without any),
    and the sample appears ``ceil(r)`` times in a row.

    Args:
        dataset: The dataset or its config dict; it must implement
            ``get_cat_ids(idx) -> list[int]``.
        oversample_thr: Categories rarer than this fraction are repeated.
        lazy_init: Defer the full initialization. Defaults to False.

    Examples:
        >>> from engine.dataset import BaseDataset
        >>> class Skewed(BaseDataset):
        ...     def load_data_list(self):
        ...         return [dict(cat=0)] * 9 + [dict(cat=1)]
        ...     def get_cat_ids(self, idx):
        ...         return [self.get_data_info(idx)['cat']]
        >>> balanced = ClassBalancedDataset(Skewed(data_prefix=dict()), 0.5)
        >>> len(balanced), balanced.repeat_indices[-3:]
        (12, [9, 9, 9])
    """

    def __init__(
        self,
        dataset: BaseDataset | dict,
        oversample_thr: float,
        lazy_init: bool = False,
    ):
        self.dataset = _build_dataset(dataset)
        if oversample_thr < 0:
            raise ValueError(
                "ClassBalancedDataset: oversample_thr should be >= 0, got "
                f"{oversample_thr!r}"
            )
        self.oversample_thr = oversample_thr
        self._metainfo = self.dataset.metainfo
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    def full_init(self) -> None:
        """Fully initialize the wrapped dataset and build the repeated indices."""
        if self._fully_initialized:
            return
        self.dataset.full_init()
        factors = self._get_repeat_factors(self.dataset, self.oversample_thr)
        self.repeat_indices = [
            idx for idx, factor in enumerate(factors) for _ in range(math.ceil(factor))
        ]
        self._fully_initialized = True

    def _get_repeat_factors(
        self, dataset: BaseDataset, repeat_thr: float
    ) -> list[float]:
        """The repeat factor of every sample of ``dataset``."""
        num_samples = len(dataset)
        cat_sets = [set(dataset.get_cat_ids(idx)) for idx in range(num_samples)]
        counts = Counter(cat for cats in cat_sets for cat in cats)
        cat_repeat = {
            cat: max(1.0, math.sqrt(repeat_thr / (count / num_samples)))
            for cat, count in counts.items()
        }
        return [max((cat_repeat[c] for c in cats), default=1.0) for cats in cat_sets]

    @force_full_init
    def _get_ori_dataset_idx(self, idx: int) -> int:
        """The index in the wrapped dataset of index ``idx``."""
        position = _check_index(idx, len(self.repeat_indices), "ClassBalancedDataset")
        return self.repeat_indices[position]

    @force_full_init
    def get_cat_ids(self, idx: int) -> list[int]:
        """The category ids of index ``idx``."""
        return self.dataset.get_cat_ids(self._get_ori_dataset_idx(idx))

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """The data info of index ``idx``."""
        return self.dataset.get_data_info(self._get_ori_dataset_idx(idx))

    def _item(self, idx: int) -> Any:
        return self.dataset[self._get_ori_dataset_idx(idx)]

    @force_full_init
    def __len__(self) -> int:
        return len(self.repeat_indices)
