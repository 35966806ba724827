"""``BaseDataset``, the pipeline ``Compose`` and the ``force_full_init`` decorator.

A :class:`BaseDataset` is built in four steps:

1. **metainfo**: per key, the ``metainfo`` argument wins over the class
   attribute ``METAINFO``, which wins over the annotation file's
   ``metainfo`` (merged in step 4, when the file is read);
2. **paths**: ``ann_file`` and every value of ``data_prefix`` are joined
   onto ``data_root`` unless absolute;
3. **pipeline**: ``pipeline`` becomes a :class:`Compose`;
4. **full init** (:meth:`BaseDataset.full_init`, deferred by
   ``lazy_init=True``): :meth:`~BaseDataset.load_data_list` (which calls
   :meth:`~BaseDataset.parse_data_info` per raw item), then
   :meth:`~BaseDataset.filter_data`, then the ``indices`` subset, then
   serialization of the list into one byte buffer (``serialize_data``).
"""

from __future__ import annotations

import copy
import gc
import logging
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from torch.utils.data import Dataset

from engine.dataset import _serialize
from engine.dataset._annotations import as_info_list, check_annotations, read_meta_file
from engine.dataset._compose import Compose
from engine.dataset._full_init import force_full_init
from engine.fileio import join_path, load
from engine.logging import print_log
from engine.utils import is_abs

if TYPE_CHECKING:
    from engine.config import Config

__all__ = ["BaseDataset", "Compose", "force_full_init"]


class BaseDataset(Dataset):
    """A dataset read from an OpenMMLab 2.0 annotation file.

    The annotation file (json, yaml or pickle) holds a dict with
    ``metainfo`` (a dict) and ``data_list`` (a list of raw data-info
    dicts). Subclasses override :meth:`parse_data_info` to turn one raw
    item into one or several samples, or :meth:`load_data_list` for other
    formats.

    Args:
        ann_file: Annotation file, relative to ``data_root`` unless
            absolute. Defaults to ''.
        metainfo: Meta information overriding ``METAINFO`` and the file's
            per key; a string value naming a file is read as a list of
            lines. Defaults to None.
        data_root: Root joined onto ``ann_file`` and ``data_prefix``.
            Defaults to ''.
        data_prefix: Prefix per path key of the data infos, joined onto
            those keys by the default :meth:`parse_data_info`. Defaults to
            ``dict(img_path='')``.
        filter_cfg: Settings for :meth:`filter_data`. Defaults to None.
        indices: Keep the first ``n`` samples (an int) or exactly these
            samples (a sequence of ints). Defaults to None (all).
        serialize_data: Store the data list as one numpy byte buffer that
            dataloader workers share. Defaults to True.
        pipeline: Transforms applied by :meth:`__getitem__`. Defaults to [].
        test_mode: A pipeline returning None is an error rather than a
            reason to fetch another sample. Defaults to False.
        lazy_init: Defer step 4 (loading) to :meth:`full_init` or the first
            access. Defaults to False.
        max_refetch: How many other random samples :meth:`__getitem__`
            tries when the pipeline returns None. Defaults to 1000.

    Examples:
        >>> class Squares(BaseDataset):
        ...     def load_data_list(self):
        ...         return [dict(x=i * i) for i in range(4)]
        >>> ds = Squares(metainfo=dict(classes=('a', 'b')), indices=3)
        >>> len(ds), ds[2], ds.metainfo
        (3, {'x': 4, 'sample_idx': 2}, {'classes': ('a', 'b')})
    """

    METAINFO: dict = dict()
    _fully_initialized: bool = False

    def __init__(
        self,
        ann_file: str | None = "",
        metainfo: Mapping | Config | None = None,
        data_root: str | None = "",
        data_prefix: dict = dict(img_path=""),  # noqa: B006 (MMEngine's default)
        filter_cfg: dict | None = None,
        indices: int | Sequence[int] | None = None,
        serialize_data: bool = True,
        pipeline: list[dict | Callable] = [],  # noqa: B006 (MMEngine's default)
        test_mode: bool = False,
        lazy_init: bool = False,
        max_refetch: int = 1000,
    ):
        self.ann_file = ann_file
        self._metainfo = self._load_metainfo(copy.deepcopy(metainfo))
        self.data_root = data_root
        self.data_prefix = copy.copy(data_prefix)
        self.filter_cfg = copy.deepcopy(filter_cfg)
        self._indices = indices
        self.serialize_data = serialize_data
        self.test_mode = test_mode
        self.max_refetch = max_refetch
        self.data_list: list[dict] = []
        self.data_bytes: np.ndarray
        self.data_address: np.ndarray
        self._join_prefix()
        self.pipeline = Compose(pipeline)
        if not lazy_init:
            self.full_init()

    # ------------------------------------------------------------ steps 1-3
    @classmethod
    def _load_metainfo(cls, metainfo: Mapping | Config | None = None) -> dict:
        """``METAINFO`` updated with ``metainfo``; str values naming a file
        are read as a list of lines."""
        merged = copy.deepcopy(cls.METAINFO)
        if metainfo is None:
            return merged
        if not isinstance(metainfo, Mapping) and not hasattr(metainfo, "items"):
            raise TypeError(
                f"{cls.__name__}: metainfo should be a Mapping or Config, but "
                f"got {type(metainfo)}"
            )
        for key, value in metainfo.items():
            merged[key] = (
                read_meta_file(key, value) if isinstance(value, str) else value
            )
        return merged

    def _join_prefix(self) -> None:
        """Join ``ann_file`` and the ``data_prefix`` values onto ``data_root``."""
        owner = type(self).__name__
        if not isinstance(self.data_prefix, Mapping):
            raise TypeError(
                f"{owner}: data_prefix should be a dict of path prefixes, but got "
                f"{type(self.data_prefix)}"
            )
        if self.ann_file and self.data_root and not is_abs(self.ann_file):
            self.ann_file = str(join_path(self.data_root, self.ann_file))
        for key, prefix in self.data_prefix.items():
            if not isinstance(prefix, str):
                raise TypeError(
                    f"{owner}: data_prefix[{key!r}]: prefix should be a string, "
                    f"but got {type(prefix)}"
                )
            if self.data_root and not is_abs(prefix):
                self.data_prefix[key] = str(join_path(self.data_root, prefix))

    # ------------------------------------------------------------ step 4
    def full_init(self) -> None:
        """Load, filter, subset and serialize the data list (once)."""
        if self._fully_initialized:
            return
        self.data_list = self.load_data_list()
        self.data_list = self.filter_data()
        if self._indices is not None:
            self.data_list = self._get_unserialized_subset(self._indices)
        if self.serialize_data:
            self.data_bytes, self.data_address = self._serialize_data()
        self._fully_initialized = True

    def load_data_list(self) -> list[dict]:
        """Read ``ann_file`` and parse each raw item with :meth:`parse_data_info`.

        The file's ``metainfo`` fills the keys that neither the argument nor
        ``METAINFO`` set.

        Returns:
            The data infos, one dict per sample.
        """
        if not self.ann_file:
            raise TypeError(
                f"{type(self).__name__}: ann_file is empty; give the annotation "
                "file or override load_data_list()"
            )
        annotations = load(self.ann_file)
        raw_list = check_annotations(annotations, self.ann_file)
        for key, value in annotations["metainfo"].items():
            self._metainfo.setdefault(key, value)
        data_list: list[dict] = []
        for position, raw_data_info in enumerate(raw_list):
            data_info = self.parse_data_info(raw_data_info)
            data_list.extend(as_info_list(data_info, self.ann_file, position))
        return data_list

    def parse_data_info(self, raw_data_info: dict) -> dict | list[dict]:
        """Turn one raw item of ``data_list`` into one sample (or a list).

        By default, each ``data_prefix`` value is joined onto the item's
        value of the same key.

        Args:
            raw_data_info: An item of the annotation file's ``data_list``.

        Returns:
            The data info of one sample, or a list of them.
        """
        for key, prefix in self.data_prefix.items():
            if key not in raw_data_info:
                raise ValueError(
                    f"{self.ann_file}: raw data info {raw_data_info!r} has no key "
                    f"{key!r}, which data_prefix names; check data_prefix"
                )
            raw_data_info[key] = str(join_path(prefix, raw_data_info[key]))
        return raw_data_info

    def filter_data(self) -> list[dict]:
        """Filter ``self.data_list`` by ``self.filter_cfg``: none by default.

        Returns:
            The kept data infos.
        """
        return self.data_list

    def get_cat_ids(self, idx: int) -> list[int]:
        """Category ids of sample ``idx``, for :class:`ClassBalancedDataset`.

        Raises:
            NotImplementedError: subclasses implement it.
        """
        raise NotImplementedError(f"{type(self)} must implement `get_cat_ids` method")

    def _serialize_data(self) -> tuple[np.ndarray, np.ndarray]:
        """Serialize ``self.data_list`` (emptied) into ``(bytes, end offsets)``."""
        data_bytes, data_address = _serialize.serialize(self.data_list)
        self.data_list = []
        # Collect the released dicts now, so that the memory dataloader
        # workers inherit holds no garbage waiting for a collection.
        gc.collect()
        return data_bytes, data_address

    # ------------------------------------------------------------ access
    @property
    def metainfo(self) -> dict:
        """A deep copy of the meta information."""
        return copy.deepcopy(self._metainfo)

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """A fresh copy of the data info of sample ``idx``, with ``sample_idx``.

        Raises:
            IndexError: ``idx`` is out of range.
        """
        length = len(self)
        position = operator.index(idx)
        if not -length <= position < length:
            raise IndexError(
                f"{type(self).__name__}: index {idx} is out of range for "
                f"{length} data samples (ann_file {self.ann_file!r})"
            )
        position %= length
        if self.serialize_data:
            info = _serialize.serialized_item(
                self.data_bytes, self.data_address, position
            )
        else:
            info = copy.deepcopy(self.data_list[position])
        info["sample_idx"] = position
        return info

    def prepare_data(self, idx: int) -> Any:
        """The pipeline applied to :meth:`get_data_info` of ``idx``."""
        return self.pipeline(self.get_data_info(idx))

    def __getitem__(self, idx: int) -> dict:
        """The pipeline's output for sample ``idx``.

        Out of test mode, when the pipeline returns None another random
        sample is tried, up to ``max_refetch`` times.

        Raises:
            RuntimeError: in test mode, when the pipeline returns None; else
                when ``max_refetch`` other samples gave None too.
        """
        if not self._fully_initialized:
            print_log(
                f"{type(self).__name__} is not fully initialized; indexing it "
                "runs full_init() now, call it beforehand to choose when",
                logger="current",
                level=logging.WARNING,
            )
            self.full_init()
        if self.test_mode:
            data = self.prepare_data(idx)
            if data is None:
                raise RuntimeError(
                    f"{type(self).__name__}: the pipeline returned None for "
                    f"sample {idx} in test mode (ann_file {self.ann_file!r})"
                )
            return data
        first = idx
        for _ in range(self.max_refetch + 1):
            data = self.prepare_data(idx)
            if data is not None:
                return data
            idx = self._rand_another()
        raise RuntimeError(
            f"{type(self).__name__}: cannot find valid data after "
            f"{self.max_refetch} refetches: the pipeline returned None for "
            f"sample {first} and every random replacement; check the data paths "
            f"and the pipeline (ann_file {self.ann_file!r})"
        )

    def _rand_another(self) -> int:
        """A random index from numpy's global generator."""
        return int(np.random.randint(0, len(self)))

    @force_full_init
    def __len__(self) -> int:
        if self.serialize_data:
            return len(self.data_address)
        return len(self.data_list)

    # ------------------------------------------------------------ subsets
    @force_full_init
    def get_subset_(self, indices: Sequence[int] | int) -> None:
        """Keep only the samples given by ``indices``, in place.

        Args:
            indices: An int ``n`` keeps the first ``n`` (the last ``-n`` if
                negative); a sequence keeps exactly those samples.
        """
        if self.serialize_data:
            self.data_bytes, self.data_address = self._get_serialized_subset(indices)
        else:
            self.data_list = self._get_unserialized_subset(indices)

    @force_full_init
    def get_subset(self, indices: Sequence[int] | int) -> BaseDataset:
        """A copy of the dataset holding only the samples given by ``indices``.

        Args:
            indices: As in :meth:`get_subset_`.

        Returns:
            The new dataset; this one is unchanged.
        """
        sub = self._copy_without_annotation()
        if self.serialize_data:
            sub.data_bytes, sub.data_address = self._get_serialized_subset(indices)
        else:
            sub.data_list = self._get_unserialized_subset(indices)
        return sub

    def _subset_positions(self, indices: Sequence[int] | int, length: int) -> list[int]:
        owner = f"{type(self).__name__}(ann_file={self.ann_file!r})"
        return _serialize.normalize_indices(indices, length, owner)

    def _get_serialized_subset(
        self, indices: Sequence[int] | int
    ) -> tuple[np.ndarray, np.ndarray]:
        positions = self._subset_positions(indices, len(self.data_address))
        return _serialize.serialized_subset(
            self.data_bytes, self.data_address, positions
        )

    def _get_unserialized_subset(self, indices: Sequence[int] | int) -> list:
        positions = self._subset_positions(indices, len(self.data_list))
        return [self.data_list[position] for position in positions]

    def _copy_without_annotation(self, memo: dict | None = None) -> BaseDataset:
        """A deep copy of everything but the data (list and buffers)."""
        memo = {} if memo is None else memo
        other = type(self).__new__(type(self))
        memo[id(self)] = other
        skip = ("data_list", "data_bytes", "data_address")
        for key, value in self.__dict__.items():
            if key not in skip:
                setattr(other, key, copy.deepcopy(value, memo))
        other.data_list = []
        return other
