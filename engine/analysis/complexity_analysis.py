"""FLOPs, activations and parameters: :class:`FlopAnalyzer`,
:class:`ActivationAnalyzer`, :func:`flop_count`, :func:`activation_count`,
:func:`parameter_count` and :func:`parameter_count_table`.

The two analysers are :class:`~engine.analysis.jit_analysis.JitModelAnalysis`
with a table of op handles (:mod:`engine.analysis.jit_handles`):

* flops: ``aten::addmm``, ``aten::bmm``, ``aten::_convolution``,
  ``aten::einsum``, ``aten::matmul``, ``aten::mm``, ``aten::linear``,
  ``aten::batch_norm``, ``aten::group_norm``, ``aten::layer_norm``,
  ``aten::instance_norm``, ``aten::upsample_nearest2d`` (1 per output
  element), ``aten::upsample_bilinear2d`` (4 per output element),
  ``aten::adaptive_avg_pool2d`` (1 per input element) and
  ``aten::grid_sampler`` (4 per output element); everything else, ReLU,
  pooling and additions included, costs nothing (and is reported as
  unsupported unless it is in the ignored set);
* activations: the output elements of ``aten::_convolution`` (booked as
  ``conv``), ``aten::addmm``, ``aten::bmm``, ``aten::einsum``,
  ``aten::matmul`` and ``aten::linear``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from torch import nn

from engine.analysis.jit_analysis import JitModelAnalysis
from engine.analysis.jit_handles import (
    Handle,
    addmm_flop_jit,
    batchnorm_flop_jit,
    bmm_flop_jit,
    conv_flop_jit,
    einsum_flop_jit,
    elementwise_flop_counter,
    generic_activation_jit,
    linear_flop_jit,
    matmul_flop_jit,
    norm_flop_counter,
)

__all__ = [
    "ActivationAnalyzer",
    "FlopAnalyzer",
    "activation_count",
    "flop_count",
    "parameter_count",
    "parameter_count_table",
]

_DEFAULT_SUPPORTED_FLOP_OPS: dict[str, Handle] = {
    "aten::addmm": addmm_flop_jit,
    "aten::bmm": bmm_flop_jit,
    "aten::_convolution": conv_flop_jit,
    "aten::einsum": einsum_flop_jit,
    "aten::matmul": matmul_flop_jit,
    "aten::mm": matmul_flop_jit,
    "aten::linear": linear_flop_jit,
    "aten::batch_norm": batchnorm_flop_jit,
    "aten::group_norm": norm_flop_counter(2),
    "aten::layer_norm": norm_flop_counter(2),
    "aten::instance_norm": norm_flop_counter(1),
    "aten::upsample_nearest2d": elementwise_flop_counter(0, 1),
    "aten::upsample_bilinear2d": elementwise_flop_counter(0, 4),
    "aten::adaptive_avg_pool2d": elementwise_flop_counter(1, 0),
    "aten::grid_sampler": elementwise_flop_counter(0, 4),
}

_DEFAULT_SUPPORTED_ACT_OPS: dict[str, Handle] = {
    "aten::_convolution": generic_activation_jit("conv"),
    "aten::addmm": generic_activation_jit(),
    "aten::bmm": generic_activation_jit(),
    "aten::einsum": generic_activation_jit(),
    "aten::matmul": generic_activation_jit(),
    "aten::linear": generic_activation_jit(),
}


class FlopAnalyzer(JitModelAnalysis):
    """Count the flops of a model, per module and per operator.

    One multiply-accumulate is one flop; the handles are listed in
    :mod:`engine.analysis.complexity_analysis`. The model is traced (and
    run once) on the first query.

    Args:
        model: The model to analyse.
        inputs: Its positional inputs: a tuple, or a single tensor.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> model = nn.Sequential(nn.Conv2d(3, 10, kernel_size=3))
        >>> flops = FlopAnalyzer(model, torch.randn(1, 3, 10, 10))
        >>> flops.total()
        17280
        >>> flops.by_operator()
        Counter({'conv': 17280})
        >>> flops.by_module()
        Counter({'': 17280, '0': 17280})
    """

    def __init__(self, model: nn.Module, inputs: Any) -> None:
        super().__init__(model=model, inputs=inputs)
        self.set_op_handle(**_DEFAULT_SUPPORTED_FLOP_OPS)


class ActivationAnalyzer(JitModelAnalysis):
    """Count the activations (output elements of convolutions and matrix
    products) of a model, per module and per operator.

    Args:
        model: The model to analyse.
        inputs: Its positional inputs: a tuple, or a single tensor.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> conv = nn.Conv2d(3, 10, kernel_size=3)
        >>> ActivationAnalyzer(conv, torch.randn(1, 3, 10, 10)).total()
        640
    """

    def __init__(self, model: nn.Module, inputs: Any) -> None:
        super().__init__(model=model, inputs=inputs)
        self.set_op_handle(**_DEFAULT_SUPPORTED_ACT_OPS)


def flop_count(
    model: nn.Module,
    inputs: tuple[Any, ...],
    supported_ops: dict[str, Handle] | None = None,
) -> tuple[defaultdict[str, float], Counter[str]]:
    """Giga-flops per operator, and the unsupported operators.

    Args:
        model: The model.
        inputs: Its positional inputs.
        supported_ops: Handles to add to (or replace in) the default table.
            Defaults to None.

    Returns:
        ``defaultdict(float)`` of operator -> GFLOPs, and the ``Counter`` of
        unsupported operator kinds.

    Examples:
        >>> import torch
        >>> gflops, unsupported = flop_count(torch.nn.Linear(10, 10),
        ...                                  (torch.randn(1, 10),))
        >>> dict(gflops), unsupported
        ({'linear': 1e-07}, Counter())
    """
    return _per_operator(FlopAnalyzer(model, inputs), supported_ops, 1e9)


def activation_count(
    model: nn.Module,
    inputs: tuple[Any, ...],
    supported_ops: dict[str, Handle] | None = None,
) -> tuple[defaultdict[str, float], Counter[str]]:
    """Mega-activations per operator, and the unsupported operators.

    Args:
        model: The model.
        inputs: Its positional inputs.
        supported_ops: Handles to add to (or replace in) the default table.
            Defaults to None.

    Returns:
        ``defaultdict(float)`` of operator -> millions of activations, and
        the ``Counter`` of unsupported operator kinds.

    Examples:
        >>> import torch
        >>> acts, _ = activation_count(torch.nn.Linear(10, 10),
        ...                            (torch.randn(1, 10),))
        >>> dict(acts)
        {'linear': 1e-05}
    """
    return _per_operator(ActivationAnalyzer(model, inputs), supported_ops, 1e6)


def _per_operator(
    analyzer: Any, supported_ops: dict[str, Handle] | None, unit: float
) -> tuple[defaultdict[str, float], Counter[str]]:
    """Counts per operator in ``unit`` and the unsupported operators."""
    analyzer.set_op_handle(**(supported_ops or {}))
    scaled: defaultdict[str, float] = defaultdict(float)
    for op, count in analyzer.by_operator().items():
        scaled[op] = count / unit
    return scaled, analyzer.unsupported_ops()


def parameter_count(model: nn.Module) -> defaultdict[str, int]:
    """The number of parameter elements of every module and parameter.

    A shared parameter counts once, under its first name.

    Args:
        model: The model.

    Returns:
        ``defaultdict(int)`` of name -> count: ``''`` (the model), then for
        each parameter in ``named_parameters`` order, every prefix of its
        name down to the parameter itself.

    Examples:
        >>> import torch
        >>> counts = parameter_count(torch.nn.Linear(3, 4))
        >>> dict(counts)
        {'': 16, 'weight': 12, 'bias': 4}
    """
    counts: defaultdict[str, int] = defaultdict(int)
    for name, param in model.named_parameters():
        size = param.numel()
        parts = name.split(".")
        for depth in range(len(parts) + 1):
            counts[".".join(parts[:depth])] += size
    return counts


def _param_size(x: int) -> str:
    for unit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if x > unit / 10:
            return f"{x / unit:.1f}{suffix}"
    return str(x)


def parameter_count_table(model: nn.Module, max_depth: int = 3) -> str:
    """A table of the parameter counts of the modules and parameters.

    Rows go ``max_depth`` levels deep; a parameter row shows its shape.
    Counts read ``0.1K``, ``25.6M``, ``1.0G`` (one decimal).

    Args:
        model: The model; it must have parameters.
        max_depth: Deepest level of rows (the model is level 0).
            Defaults to 3.

    Returns:
        The table, drawn with ``rich`` (titled ``parameter count of
        <class name>``).

    Raises:
        KeyError: if the model has no parameters.

    Examples:
        >>> print(parameter_count_table(torch.nn.Linear(2, 3)))  # doctest: +SKIP
           parameter count of Linear
        +---------+--------------------+
        | name    | #elements or shape |
        +---------+--------------------+
        | model   | 9                  |
        |  weight |  (3, 2)            |
        |  bias   |  (3,)              |
        +---------+--------------------+
    """
    from engine.analysis._render import render_table

    counts = dict(parameter_count(model))
    if "" not in counts:
        raise KeyError(f"'': {type(model).__name__} has no parameters to count")
    shapes = {name: tuple(p.shape) for name, p in model.named_parameters()}
    rows = [["model", _param_size(counts.pop(""))]]

    def fill(level: int, prefix: str) -> None:
        if level >= max_depth:
            return
        for name, count in counts.items():
            if name.count(".") == level and name.startswith(prefix):
                indent = " " * (level + 1)
                if name in shapes:
                    rows.append([indent + name, indent + str(shapes[name])])
                else:
                    rows.append([indent + name, indent + _param_size(count)])
                    fill(level + 1, name + ".")

    fill(0, "")
    title = f"parameter count of {type(model).__name__}"
    return render_table(["name", "#elements or shape"], rows, title=title)
