"""Model complexity reports: :func:`get_model_complexity_info`,
:func:`complexity_stats_table` and :func:`complexity_stats_str`.

Both reports read the analysers' per-module totals and the parameter
counts, then:

* the table (``out_table``) drops the modules whose statistics are all
  zero and whose descendants are all dropped, formats numbers with three
  decimals (:func:`~engine.analysis._stats.format_size`), leaves the flops
  (activations) cell of an uncalled module empty, shows each parameter's
  shape in the parameter column, collapses a module into its only child
  when their cells agree, and lists the rows depth first in the order of
  the parameter counts (modules without parameters after those with);
* the annotated repr (``out_arch``) is ``repr(model)`` with a line of
  statistics (two decimals) in each module that has a non-zero one or was
  never called (``N/A``).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from engine.analysis._render import model_stats_str, render_table, stats_table
from engine.analysis._stats import (
    Stats,
    format_size,
    group_by_module,
    mark_uncalled,
    prettify,
    remove_zero_statistics,
)
from engine.analysis.complexity_analysis import (
    ActivationAnalyzer,
    FlopAnalyzer,
    parameter_count,
)
from engine.utils import is_tuple_of

__all__ = [
    "complexity_stats_str",
    "complexity_stats_table",
    "get_model_complexity_info",
]

_NA_NOTE = (
    "N/A indicates a possibly missing statistic due to how the module was "
    "called. Missing values are still included in the parent's total.\n"
)
_SHAPE_ERROR = (
    '"input_shape" should be either a `tuple of int` (to construct'
    "one input tensor) or a `tuple of tuple of int` (to construct"
    "multiple input tensors)."
)


def _silence(analyzer: Any) -> None:
    """Reports analyse quietly: the warnings were the analysis' to give."""
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    analyzer.tracer_warnings("none")


def _arch_body(
    flops: FlopAnalyzer, activations: ActivationAnalyzer | None
) -> tuple[str, bool]:
    """The annotated repr, and whether any module was uncalled."""
    model = flops._model
    columns: dict[str, Any] = {"#params": dict(parameter_count(model))}
    _silence(flops)
    columns["#flops"] = dict(flops.by_module())
    uncalled = set(flops.uncalled_modules())
    if activations is not None:
        _silence(activations)
        columns["#acts"] = dict(activations.by_module())
        uncalled |= activations.uncalled_modules()
    for name, _ in model.named_modules():
        for values in columns.values():
            values.setdefault(name, 0)
    stats = remove_zero_statistics(group_by_module(columns), force_keep=uncalled)
    stats = prettify(stats, sig_figs=2)
    mark_uncalled(stats, "#flops", flops.uncalled_modules())
    if activations is not None:
        mark_uncalled(stats, "#acts", activations.uncalled_modules())
    return model_stats_str(model, stats), bool(uncalled)


def complexity_stats_str(
    flops: FlopAnalyzer, activations: ActivationAnalyzer | None = None
) -> str:
    """``repr(model)`` annotated with each module's statistics.

    A module gets a line ``#params: 9.41K, #flops: 0.12G, #acts: 0.8M``
    (two decimals) unless all its statistics are zero; a module that was
    never called shows ``N/A`` and is always annotated. When some module
    was never called, a line explaining ``N/A`` comes first. The
    analysers' warnings are turned off.

    Args:
        flops: The flop analyser of the model.
        activations: Its activation analyser, for an ``#acts`` statistic.
            Defaults to None.

    Returns:
        The annotated repr.

    Examples:
        >>> import torch
        >>> model = torch.nn.Sequential(torch.nn.Linear(10, 10))
        >>> flops = FlopAnalyzer(model, torch.randn(1, 10))
        >>> print(complexity_stats_str(flops))
        Sequential(
          #params: 0.11K, #flops: 100
          (0): Linear(
            in_features=10, out_features=10, bias=True
            #params: 0.11K, #flops: 100
          )
        )
    """
    body, any_uncalled = _arch_body(flops, activations)
    return (_NA_NOTE if any_uncalled else "") + body


def _table_stats(
    flops: FlopAnalyzer,
    activations: ActivationAnalyzer | None,
    params_header: str,
) -> tuple[Stats, list[str]]:
    _silence(flops)
    columns: dict[str, Any] = {
        params_header: dict(parameter_count(flops._model)),
        "#flops": flops.by_module(),
    }
    if activations is not None:
        _silence(activations)
        columns["#activations"] = activations.by_module()
    stats = remove_zero_statistics(
        group_by_module(columns), require_trivial_children=True
    )
    stats = prettify(stats)
    mark_uncalled(stats, "#flops", flops.uncalled_modules() & stats.keys(), "")
    if activations is not None:
        uncalled = activations.uncalled_modules() & stats.keys()
        mark_uncalled(stats, "#activations", uncalled, "")
    return stats, list(columns)


def complexity_stats_table(
    flops: FlopAnalyzer,
    max_depth: int = 3,
    activations: ActivationAnalyzer | None = None,
    show_param_shapes: bool = True,
) -> str:
    """A table of the parameters, flops (and activations) of each module.

    Args:
        flops: The flop analyser of the model.
        max_depth: Deepest level of rows below the model row. Defaults
            to 3.
        activations: Its activation analyser, for an ``#activations``
            column. Defaults to None.
        show_param_shapes: Show parameters as rows with their shapes (the
            column is then ``#parameters or shape``). Defaults to True.

    Returns:
        The table, drawn with ``rich``, ending with a newline.

    Examples:
        >>> import torch
        >>> model = torch.nn.Sequential(torch.nn.Linear(10, 10), torch.nn.ReLU())
        >>> flops = FlopAnalyzer(model, torch.randn(1, 10))
        >>> print(complexity_stats_table(flops))
        +---------+----------------------+--------+
        | module  | #parameters or shape | #flops |
        +---------+----------------------+--------+
        | 0       | 0.11K                | 100    |
        |  weight |  (10, 10)            |        |
        |  bias   |  (10,)               |        |
        +---------+----------------------+--------+
        <BLANKLINE>

        The model collapsed into its only row with statistics, ``0``; the
        ``relu`` costs nothing and has no row.
    """
    params_header = "#parameters" + (" or shape" if show_param_shapes else "")
    stats, columns = _table_stats(flops, activations, params_header)
    for name, param in flops._model.named_parameters():
        if name in stats:
            if show_param_shapes:
                stats[name][params_header] = str(tuple(param.shape))
            else:
                del stats[name]
    rows = stats_table(stats, columns, max_depth)
    return render_table(["module", *columns], rows)


def _make_inputs(model: nn.Module, input_shape: Any) -> tuple[torch.Tensor, ...]:
    """Random float inputs of batch size 1, on the model's device."""
    if is_tuple_of(input_shape, int):
        shapes = [input_shape]
    elif is_tuple_of(input_shape, tuple) and all(
        is_tuple_of(shape, int) for shape in input_shape
    ):
        shapes = list(input_shape)
    else:
        raise ValueError(_SHAPE_ERROR)
    tensors = [*model.parameters(), *model.buffers()]
    device = tensors[0].device if tensors else torch.device("cpu")
    return tuple(torch.randn(1, *shape).to(device) for shape in shapes)


def get_model_complexity_info(
    model: nn.Module,
    input_shape: tuple[int, ...] | tuple[tuple[int, ...], ...] | None = None,
    inputs: torch.Tensor | tuple[Any, ...] | None = None,
    show_table: bool = True,
    show_arch: bool = True,
) -> dict[str, Any]:
    """Flops, activations and parameters of a model, with reports.

    The model is traced (run once) in its current mode: a model in
    training mode counts its batch norms at 5 flops per element.

    Args:
        model: The model.
        input_shape: The shape of one input without the batch dimension, or
            a tuple of such shapes for several inputs: random tensors of
            batch size 1 are made on the model's device. Defaults to None.
        inputs: The inputs themselves: a tensor, or a tuple of positional
            arguments; when given, ``input_shape`` is ignored. Defaults to
            None.
        show_table: Whether to make ``out_table``. Defaults to True.
        show_arch: Whether to make ``out_arch``. Defaults to True.

    Returns:
        ``flops``, ``activations`` and ``params`` (numbers), the same as
        ``flops_str``, ``activations_str`` and ``params_str`` (``4.145G``),
        ``out_table`` (:func:`complexity_stats_table`, after a newline) and
        ``out_arch`` (the annotated repr of :func:`complexity_stats_str`,
        after a newline, without the explanation of ``N/A``); a report not
        asked for is ``''``.

    Raises:
        ValueError: if neither ``input_shape`` nor ``inputs`` is given, or
            ``input_shape`` is not a tuple of ints or of tuples of ints.

    Examples:
        >>> import torch
        >>> conv = torch.nn.Conv2d(3, 10, kernel_size=3)
        >>> info = get_model_complexity_info(conv, inputs=torch.randn(1, 3, 10, 10))
        >>> info['flops'], info['activations'], info['params']
        (17280, 640, 280)
        >>> info['flops_str'], info['params_str']
        ('17.28K', '0.28K')
    """
    if inputs is None:
        if input_shape is None:
            raise ValueError('One of "input_shape" and "inputs" should be set.')
        inputs = _make_inputs(model, input_shape)
    flop_handler = FlopAnalyzer(model, inputs)
    activation_handler = ActivationAnalyzer(model, inputs)
    # One trace serves both analysers: the graph depends on the model and
    # the inputs only, and tracing (running the model) is most of the cost.
    graph = flop_handler._trace()
    flop_handler._analyze(graph)
    activation_handler._analyze(graph)
    flops = flop_handler.total()
    activations = activation_handler.total()
    params = parameter_count(model)[""]
    out_table = out_arch = ""
    if show_table:
        table = complexity_stats_table(flop_handler, activations=activation_handler)
        out_table = "\n" + table
    if show_arch:
        out_arch = "\n" + _arch_body(flop_handler, activation_handler)[0]
    return {
        "flops": flops,
        "flops_str": format_size(flops),
        "activations": activations,
        "activations_str": format_size(activations),
        "params": params,
        "params_str": format_size(params),
        "out_table": out_table,
        "out_arch": out_arch,
    }
