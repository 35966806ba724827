"""``Evaluator``: runs several metrics over the same predictions.

The validation and test loops drive it as::

    for data_batch in dataloader:
        outputs = model.val_step(data_batch)
        evaluator.process(data_samples=outputs, data_batch=data_batch)
    metrics = evaluator.evaluate(len(dataloader.dataset))

Every call is forwarded to each metric; :meth:`Evaluator.evaluate` merges
their (prefixed) results into one dict, in metric order, and refuses two
metrics producing the same key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.dataset.utils import pseudo_collate
from engine.evaluator.metric import BaseMetric
from engine.registry import EVALUATOR, METRICS
from engine.structures import BaseDataElement
from engine.utils._errors import CompatValueError

__all__ = ["Evaluator"]


@EVALUATOR.register_module()
class Evaluator:
    """Wrap one or several metrics.

    Args:
        metrics: A metric, its config dict (built with ``METRICS``), or a
            sequence of metrics and configs.

    Raises:
        TypeError: If an item is neither a config dict nor a metric (an
            object with ``process`` and ``evaluate``).

    Examples:
        >>> from engine.evaluator import BaseMetric, Evaluator
        >>> class Count(BaseMetric):
        ...     default_prefix = 'count'
        ...
        ...     def process(self, data_batch, data_samples):
        ...         self.results.extend(data_samples)
        ...
        ...     def compute_metrics(self, results):
        ...         return dict(n=len(results))
        >>> evaluator = Evaluator([Count(), Count(prefix='again')])
        >>> evaluator.process(data_samples=[dict(a=1), dict(a=2)])
        >>> evaluator.evaluate(size=2)
        {'count/n': 2, 'again/n': 2}
    """

    def __init__(self, metrics: dict | BaseMetric | Sequence) -> None:
        self._dataset_meta: dict | None = None
        if isinstance(metrics, (dict, BaseMetric, str)) or not isinstance(
            metrics, Sequence
        ):
            metrics = [metrics]
        self.metrics: list[BaseMetric] = [_build_metric(item) for item in metrics]

    @property
    def dataset_meta(self) -> dict | None:
        """The dataset's meta information; setting it sets every metric's."""
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict | None) -> None:
        self._dataset_meta = dataset_meta
        for metric in self.metrics:
            metric.dataset_meta = dataset_meta

    def process(
        self, data_samples: Sequence[BaseDataElement], data_batch: Any | None = None
    ) -> None:
        """Feed one batch of model outputs to every metric.

        Data elements among ``data_samples`` are converted with
        :meth:`BaseDataElement.to_dict` first; other items pass unchanged.

        Args:
            data_samples: The model's outputs for the batch.
            data_batch: The batch from the dataloader. Defaults to None.
        """
        samples = [
            sample.to_dict() if isinstance(sample, BaseDataElement) else sample
            for sample in data_samples
        ]
        for metric in self.metrics:
            metric.process(data_batch, samples)

    def evaluate(self, size: int) -> dict:
        """Evaluate every metric and merge their results.

        Args:
            size: The number of samples in the whole dataset.

        Returns:
            The results of all metrics, in metric order.

        Raises:
            ValueError: If two metrics produce the same key.
        """
        merged: dict = {}
        for metric in self.metrics:
            for name, value in metric.evaluate(size).items():
                if name in merged:
                    raise ValueError(
                        "There are multiple evaluation results with the same "
                        f"metric name {name}. Please make sure all metrics "
                        "have different prefixes."
                    )
                merged[name] = value
        return merged

    def offline_evaluate(
        self, data_samples: Sequence, data: Sequence | None = None, chunk_size: int = 1
    ) -> dict:
        """Evaluate saved predictions without running a model.

        The samples (and the matching ``data``, collated with
        :func:`~engine.dataset.utils.pseudo_collate`) are processed in chunks
        of ``chunk_size``, then evaluated.

        Args:
            data_samples: All predictions.
            data: The inputs matching ``data_samples``, one per sample.
                Defaults to None.
            chunk_size: How many samples :meth:`process` receives at once.
                Defaults to 1.

        Returns:
            The merged results, as :meth:`evaluate`.

        Raises:
            ValueError: If ``data`` and ``data_samples`` differ in length or
                ``chunk_size`` is below 1.

        Examples:
            >>> from engine.evaluator import BaseMetric, Evaluator
            >>> class Total(BaseMetric):
            ...     default_prefix = 'total'
            ...
            ...     def process(self, data_batch, data_samples):
            ...         self.results.extend(s['v'] for s in data_samples)
            ...
            ...     def compute_metrics(self, results):
            ...         return dict(sum=sum(results))
            >>> samples = [dict(v=1), dict(v=2)]
            >>> Evaluator(Total()).offline_evaluate(samples, chunk_size=2)
            {'total/sum': 3}
        """
        if data is not None and len(data_samples) != len(data):
            raise CompatValueError(
                "data_samples and data should have the same length, but got "
                f"data_samples length: {len(data_samples)} data length: {len(data)}"
            )
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, but got {chunk_size}")
        for start in range(0, len(data_samples), chunk_size):
            stop = start + chunk_size
            batch = None if data is None else pseudo_collate(list(data[start:stop]))
            self.process(data_samples=list(data_samples[start:stop]), data_batch=batch)
        return self.evaluate(len(data_samples))


def _build_metric(metric: Any) -> BaseMetric:
    if isinstance(metric, dict):
        return METRICS.build(metric)
    if callable(getattr(metric, "process", None)) and callable(
        getattr(metric, "evaluate", None)
    ):
        return metric
    raise TypeError(
        "metrics should be config dicts or metric objects (BaseMetric), but "
        f"got {metric!r} of type {type(metric)}"
    )
