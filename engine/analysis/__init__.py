"""Model complexity analysis: FLOPs, activations and parameters.

:func:`get_model_complexity_info` traces a model with TorchScript and
reports its flops (one multiply-accumulate is one flop), activations
(output elements of convolutions and matrix products) and parameters, in
total, as a table per module and as an annotated ``repr``.
:class:`FlopAnalyzer` and :class:`ActivationAnalyzer` give the counts per
module and per operator; their op handles can be replaced or extended with
``set_op_handle`` (see :mod:`engine.analysis.jit_handles`).

Importing this package imports torch (``import engine`` does not).

Examples:
    >>> import torch
    >>> from engine.analysis import get_model_complexity_info
    >>> conv = torch.nn.Conv2d(3, 10, kernel_size=3)
    >>> info = get_model_complexity_info(conv, inputs=torch.randn(1, 3, 10, 10))
    >>> info['flops'], info['activations'], info['params']
    (17280, 640, 280)
"""

from engine.analysis.complexity_analysis import (
    ActivationAnalyzer,
    FlopAnalyzer,
    activation_count,
    flop_count,
    parameter_count,
    parameter_count_table,
)
from engine.analysis.print_helper import get_model_complexity_info

__all__ = [
    "FlopAnalyzer",
    "ActivationAnalyzer",
    "flop_count",
    "activation_count",
    "parameter_count",
    "parameter_count_table",
    "get_model_complexity_info",
]
