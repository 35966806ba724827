"""``BaseMetric``, the base of every metric, and ``DumpResults``.

A metric is fed batch by batch through :meth:`BaseMetric.process`, which
appends whatever it needs to ``self.results``. :meth:`BaseMetric.evaluate`
then, on every rank::

    results = collect_results(self.results, size, ...)  # rank 0: all ranks'
                                                        # results, in order,
                                                        # cut to ``size``
    if rank == 0:
        metrics = compute_metrics(to_cpu(results))      # prefixed keys
    broadcast metrics from rank 0 to every rank
    self.results.clear()
    return metrics
"""

from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from collections.abc import Sequence
from typing import Any

import torch

from engine.dist import broadcast_object_list, collect_results, is_main_process
from engine.fileio import dump
from engine.logging import print_log
from engine.registry import METRICS
from engine.structures import BaseDataElement

__all__ = ["BaseMetric", "DumpResults"]


class BaseMetric(metaclass=ABCMeta):
    """Base class of metrics: subclasses implement ``process`` and
    ``compute_metrics``.

    Args:
        collect_device: How results are gathered across ranks: ``'cpu'``
            (through files in a shared directory) or ``'gpu'`` (through the
            communication backend). Defaults to ``'cpu'``.
        prefix: Prefix of the result keys (``'<prefix>/<name>'``). Defaults
            to None, meaning :attr:`default_prefix`; with neither, keys are
            not prefixed (and a warning is logged).
        collect_dir: The directory, shared by all ranks, for
            ``collect_device='cpu'``. Defaults to None (a temporary one).

    Raises:
        ValueError: If ``collect_dir`` is given with a device other than
            ``'cpu'``.

    Examples:
        >>> from engine.evaluator import BaseMetric
        >>> class Accuracy(BaseMetric):
        ...     default_prefix = 'cls'
        ...
        ...     def process(self, data_batch, data_samples):
        ...         for pred, gt in data_samples:
        ...             self.results.append(pred == gt)
        ...
        ...     def compute_metrics(self, results):
        ...         return dict(accuracy=100 * sum(results) / len(results))
        >>> metric = Accuracy()
        >>> metric.process(None, [(1, 1), (0, 1)])
        >>> metric.process(None, [(2, 2)])
        >>> metric.evaluate(size=3)
        {'cls/accuracy': 66.66666666666667}
        >>> metric.results
        []
    """

    #: The prefix used when ``prefix`` is not given; subclasses set it.
    default_prefix: str | None = None

    def __init__(
        self,
        collect_device: str = "cpu",
        prefix: str | None = None,
        collect_dir: str | None = None,
    ) -> None:
        if collect_dir is not None and collect_device != "cpu":
            raise ValueError(
                "`collect_dir` could only be configured when "
                f"`collect_device='cpu'`, but got collect_device={collect_device!r}"
            )
        self._dataset_meta: dict | None = None
        self.collect_device = collect_device
        self.results: list[Any] = []
        self.prefix = prefix or self.default_prefix
        self.collect_dir = collect_dir
        if self.prefix is None:
            print_log(
                f"The prefix is not set in metric class {type(self).__name__}.",
                logger="current",
                level=logging.WARNING,
            )

    @property
    def dataset_meta(self) -> dict | None:
        """The meta information of the dataset (set by the runner)."""
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict | None) -> None:
        self._dataset_meta = dataset_meta

    @abstractmethod
    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Add what the metric needs from one batch to ``self.results``.

        Args:
            data_batch: The batch from the dataloader.
            data_samples: The model's outputs for the batch (data elements
                already converted to dicts by :class:`Evaluator`).
        """

    @abstractmethod
    def compute_metrics(self, results: list) -> dict:
        """Compute the metrics from the results of every rank.

        Args:
            results: The collected ``self.results`` of all ranks.

        Returns:
            The metrics by name (before prefixing).
        """

    def evaluate(self, size: int) -> dict:
        """Gather the results of every rank and compute the metrics.

        Args:
            size: The number of samples in the whole dataset; results padded
                by a distributed sampler past it are dropped.

        Returns:
            The metrics (keys prefixed with :attr:`prefix`), on every rank.
        """
        if len(self.results) == 0:
            print_log(
                f"{type(self).__name__} got empty `self.results`. Please ensure "
                "that the processed results are properly added into "
                "`self.results` in `process` method.",
                logger="current",
                level=logging.WARNING,
            )
        if self.collect_device == "cpu":
            results = collect_results(
                self.results, size, self.collect_device, tmpdir=self.collect_dir
            )
        else:
            results = collect_results(self.results, size, self.collect_device)
        metrics: list[dict | None] = [None]
        if is_main_process():
            computed = self.compute_metrics(_to_cpu(results))
            if self.prefix:
                computed = {f"{self.prefix}/{key}": v for key, v in computed.items()}
            metrics = [computed]
        broadcast_object_list(metrics)
        self.results.clear()
        return metrics[0]  # type: ignore[return-value]


@METRICS.register_module()
class DumpResults(BaseMetric):
    """A "metric" that pickles the collected predictions to a file.

    Args:
        out_file_path: The output file; must end with ``.pkl`` or
            ``.pickle``.
        collect_device: See :class:`BaseMetric`. Defaults to ``'cpu'``.
        collect_dir: See :class:`BaseMetric`. Defaults to None.

    Raises:
        ValueError: If ``out_file_path`` is not a pickle file name.

    Examples:
        The file is written on rank 0 when the metric is evaluated (it also
        logs a warning that it has no prefix, and where it saved the file)::

            import pickle
            from engine.evaluator import DumpResults

            metric = DumpResults(out_file_path='work_dir/preds.pkl')
            metric.process(None, [dict(label=1), dict(label=0)])
            assert metric.evaluate(size=2) == {}
            with open('work_dir/preds.pkl', 'rb') as f:
                assert pickle.load(f) == [{'label': 1}, {'label': 0}]
    """

    def __init__(
        self,
        out_file_path: str,
        collect_device: str = "cpu",
        collect_dir: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, collect_dir=collect_dir)
        if not str(out_file_path).endswith((".pkl", ".pickle")):
            raise ValueError(
                f"The output file must be a pkl file, but got {out_file_path!r}."
            )
        self.out_file_path = out_file_path

    def process(self, data_batch: Any, predictions: Sequence[dict]) -> None:
        """Keep the predictions, moved to the CPU."""
        self.results.extend(_to_cpu(predictions))

    def compute_metrics(self, results: list) -> dict:
        """Pickle ``results`` to ``out_file_path``; there are no metrics."""
        dump(results, self.out_file_path)
        print_log(f"Results has been saved to {self.out_file_path}.", logger="current")
        return {}


def _to_cpu(data: Any) -> Any:
    """``data`` with every tensor and data element moved to the CPU."""
    if isinstance(data, (torch.Tensor, BaseDataElement)):
        return data.to("cpu")
    if isinstance(data, list):
        return [_to_cpu(item) for item in data]
    if isinstance(data, tuple):
        return tuple(_to_cpu(item) for item in data)
    if isinstance(data, dict):
        return {key: _to_cpu(value) for key, value in data.items()}
    return data
