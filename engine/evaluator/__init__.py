"""Metrics and the evaluator that runs them.

:class:`BaseMetric` is the base of every metric (registered in ``METRICS``);
:class:`Evaluator` (registered in ``EVALUATOR``) feeds model outputs to one
or several metrics and merges their results; :class:`DumpResults` pickles
predictions; :func:`get_metric_value` reads one result by name.
"""

from engine.evaluator.evaluator import Evaluator
from engine.evaluator.metric import BaseMetric, DumpResults
from engine.evaluator.utils import get_metric_value

__all__ = ["BaseMetric", "Evaluator", "get_metric_value", "DumpResults"]
