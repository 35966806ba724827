"""Helpers for reading evaluation results."""

from __future__ import annotations

from typing import Any


def get_metric_value(indicator: str, metrics: dict) -> Any:
    """Look up the value of ``indicator`` in an evaluation result dict.

    Result keys are usually ``'<prefix>/<name>'``. An ``indicator`` holding
    a ``'/'`` must equal a key exactly; one without names a metric by the
    part of the key after its last ``'/'`` (or the whole key), which must be
    unambiguous.

    Args:
        indicator: The metric's name, with or without its prefix.
        metrics: The evaluation results, as returned by
            :meth:`Evaluator.evaluate`.

    Returns:
        The value of the matched metric.

    Raises:
        ValueError: If ``indicator`` matches no metric, or several.

    Examples:
        >>> from engine.evaluator import get_metric_value
        >>> get_metric_value('acc', {'cls/acc': 0.9, 'cls/loss': 0.2})
        0.9
        >>> get_metric_value('cls/acc', {'cls/acc': 0.9})
        0.9
    """
    if "/" in indicator:
        if indicator in metrics:
            return metrics[indicator]
        raise ValueError(
            f'The indicator "{indicator}" can not match any metric in '
            f"{list(metrics.keys())}"
        )
    matched = [key for key in metrics if key.split("/")[-1] == indicator]
    if not matched:
        raise ValueError(
            f"The indicator {indicator} can not match any metric in "
            f"{list(metrics.keys())}"
        )
    if len(matched) > 1:
        raise ValueError(
            f'The indicator "{indicator}" matches multiple metrics {matched}'
        )
    return metrics[matched[0]]
