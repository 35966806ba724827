"""Op handles: how many flops (or activations) one traced operator costs.

A handle is a function ``handle(inputs, outputs)`` that receives the input
and output values (``torch._C.Value``) of one node of a TorchScript trace
graph and returns a number, or a mapping ``{operator name: count}``. The
analysers (:class:`~engine.analysis.FlopAnalyzer`,
:class:`~engine.analysis.ActivationAnalyzer`) keep a table from operator
kind (``"aten::addmm"``) to handle; a number is booked under the operator's
short name (``"addmm"``).

Counting conventions (one multiply-accumulate is one flop):

========================  ===============================================
operator                  flops
========================  ===============================================
``addmm``, ``mm``         ``N * K * M`` for ``(N, K) @ (K, M)``
``linear``                ``numel(input) * out_features`` (bias free)
``bmm``                   ``B * N * K * M``
``matmul``                ``numel(a) * b.shape[-1]`` (``numel(a)`` if b is
                          1-D); broadcasting is not multiplied in
``einsum``                the two batched-matmul equations exactly, every
                          other equation from numpy's optimal contraction
                          path (half its reported FLOP count)
``_convolution``          ``N * numel(weight) * prod(spatial)`` with the
                          output's spatial size (the input's when
                          transposed); bias free
``batch_norm``            5 per input element in training (4 without
                          affine), 2 in eval (1 without affine)
``group_norm``,           5 per input element with affine parameters, 4
``layer_norm``,           without
``instance_norm``
elementwise ops           ``input_scale * numel(input) +
                          output_scale * numel(output)``
========================  ===============================================

An activation is an element of an output: :func:`generic_activation_jit`
counts ``numel(output)``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "Handle",
    "addmm_flop_jit",
    "batchnorm_flop_jit",
    "bmm_flop_jit",
    "conv_flop_count",
    "conv_flop_jit",
    "einsum_flop_jit",
    "elementwise_flop_counter",
    "generic_activation_jit",
    "get_shape",
    "linear_flop_jit",
    "matmul_flop_jit",
    "norm_flop_counter",
]

#: The type of an op handle: ``(inputs, outputs) -> count or Counter``.
Handle = Callable[[list[Any], list[Any]], "Counter[str] | int | float"]


def get_shape(val: Any) -> list[int] | None:
    """The shape of a traced value, or None if it is not a complete tensor.

    Args:
        val: A ``torch._C.Value`` of a trace graph.

    Returns:
        The sizes as a list of ints, or None for a non-tensor value (an int
        constant, ``None``) or a tensor of unknown shape.

    Examples:
        >>> import torch
        >>> from engine.analysis.jit_analysis import JitModelAnalysis
        >>> shapes = []
        >>> def handle(inputs, outputs):
        ...     shapes.append((get_shape(inputs[0]), get_shape(inputs[2])))
        ...     return 0
        >>> model = torch.nn.Linear(3, 2, bias=False)
        >>> analysis = JitModelAnalysis(model, torch.ones(4, 3))
        >>> analysis.set_op_handle('aten::linear', handle).total()
        0
        >>> shapes
        [([4, 3], None)]
    """
    if val.isCompleteTensor():
        return val.type().sizes()
    return None


def _shapes(values: list[Any]) -> list[Any]:
    return [get_shape(v) for v in values]


def generic_activation_jit(op_name: str | None = None) -> Handle:
    """A handle counting the elements of the first output.

    Args:
        op_name: Book the count under this name (the handle returns a
            ``Counter``); None books it under the operator's own short name
            (the handle returns an int). Defaults to None.

    Returns:
        The handle.

    Examples:
        >>> handle = generic_activation_jit('conv')
        >>> handle.__name__
        '_generic_activation_jit'
    """

    def _generic_activation_jit(inputs: list[Any], outputs: list[Any]) -> Any:
        count = math.prod(get_shape(outputs[0]))  # type: ignore[arg-type]
        return count if op_name is None else Counter({op_name: count})

    return _generic_activation_jit


def addmm_flop_jit(inputs: list[Any], outputs: list[Any]) -> Any:
    """Flops of ``aten::addmm(bias, mat1, mat2)``: ``N * K * M``.

    Examples:
        >>> import torch
        >>> from engine.analysis import FlopAnalyzer
        >>> class AddMM(torch.nn.Module):
        ...     def forward(self, b, x, w):
        ...         return torch.addmm(b, x, w)
        >>> inputs = (torch.ones(5), torch.ones(3, 4), torch.ones(4, 5))
        >>> FlopAnalyzer(AddMM(), inputs).total()
        60
    """
    mat1, mat2 = _shapes(inputs[1:3])
    assert len(mat1) == 2, mat1
    assert len(mat2) == 2, mat2
    rows, inner = mat1
    return rows * inner * mat2[1]


def linear_flop_jit(inputs: list[Any], outputs: list[Any]) -> Any:
    """Flops of ``aten::linear(input, weight, bias)``: ``numel(input) * out``.

    Examples:
        >>> import torch
        >>> from engine.analysis import FlopAnalyzer
        >>> FlopAnalyzer(torch.nn.Linear(4, 6), torch.ones(2, 3, 4)).total()
        144
    """
    x, weight = _shapes(inputs[0:2])
    assert x[-1] == weight[-1], (x, weight)
    return math.prod(x) * weight[0]


def bmm_flop_jit(inputs: list[Any], outputs: list[Any]) -> Any:
    """Flops of ``aten::bmm``: ``B * N * K * M`` for ``(B, N, K) @ (B, K, M)``.

    Examples:
        >>> import torch
        >>> from engine.analysis import FlopAnalyzer
        >>> class BMM(torch.nn.Module):
        ...     def forward(self, a, b):
        ...         return torch.bmm(a, b)
        >>> FlopAnalyzer(BMM(), (torch.ones(2, 3, 4), torch.ones(2, 4, 5))).total()
        120
    """
    assert len(inputs) == 2, len(inputs)
    a, b = _shapes(inputs)
    batch, rows, inner = a
    return batch * rows * inner * b[-1]


def matmul_flop_jit(inputs: list[Any], outputs: list[Any]) -> Any:
    """Flops of ``aten::matmul`` / ``aten::mm``: ``numel(a) * b.shape[-1]``.

    A 1-D ``b`` is a vector: ``numel(a)``. Broadcast batch dimensions of
    ``b`` are not multiplied in.

    Examples:
        >>> import torch
        >>> from engine.analysis import FlopAnalyzer
        >>> class MatMul(torch.nn.Module):
        ...     def forward(self, a, b):
        ...         return a @ b
        >>> FlopAnalyzer(MatMul(), (torch.ones(2, 3, 4), torch.ones(4, 5))).total()
        120
    """
    a, b = _shapes(inputs[0:2])
    if len(b) == 1:
        return math.prod(a)
    return math.prod(a) * b[-1]


def _normalize_equation(equation: str) -> str:
    """Drop spaces and rename letters ``a, b, c, ...`` by first appearance."""
    equation = equation.replace(" ", "")
    letters = dict.fromkeys(c for c in equation if c.isalpha())
    mapping = {ord(c): ord("a") + i for i, c in enumerate(letters)}
    return equation.translate(mapping)


def _einsum_path_flops(equation: str, shapes: list[list[int]]) -> float:
    """Half the FLOP count of numpy's optimal contraction path."""
    # Zero-strided views: numpy only reads the shapes, nothing is allocated.
    operands = [np.broadcast_to(np.zeros((), dtype=np.float64), s) for s in shapes]
    report = np.einsum_path(equation, *operands, optimize="optimal")[1]
    for line in report.split("\n"):
        if "optimized flop" in line.lower():
            return float(np.floor(float(line.split(":")[-1]) / 2))
    raise ValueError(f"numpy einsum_path reported no FLOP count for {equation!r}")


def einsum_flop_jit(inputs: list[Any], outputs: list[Any]) -> Any:
    """Flops of ``aten::einsum(equation, operands, path)``.

    ``abc,abd->acd`` and ``abc,adc->adb`` (up to renaming the letters) are
    batched matrix products, counted exactly as ints; any other equation is
    counted from numpy's optimal contraction path as a float.

    Examples:
        >>> import torch
        >>> from engine.analysis import FlopAnalyzer
        >>> class Einsum(torch.nn.Module):
        ...     def forward(self, a, b):
        ...         return torch.einsum('ij,jk->ik', a, b)
        >>> FlopAnalyzer(Einsum(), (torch.ones(3, 4), torch.ones(4, 5))).total()
        60.0
    """
    equation = _normalize_equation(inputs[0].toIValue())
    shapes = _shapes(list(inputs[1].node().inputs()))
    if equation == "abc,abd->acd":
        batch, rows, inner = shapes[0]
        return batch * rows * inner * shapes[-1][-1]
    if equation == "abc,adc->adb":
        batch, rows, inner = shapes[0]
        return batch * rows * inner * shapes[-1][1]
    return _einsum_path_flops(equation, shapes)


def conv_flop_count(
    x_shape: list[int],
    w_shape: list[int],
    out_shape: list[int],
    transposed: bool = False,
) -> Any:
    """Flops of a convolution: ``N * numel(weight) * prod(spatial)``.

    Args:
        x_shape: Input shape ``(N, C_in, *spatial_in)``.
        w_shape: Weight shape ``(C_out, C_in / groups, *kernel)``
            (``(C_in, C_out / groups, *kernel)`` when transposed).
        out_shape: Output shape ``(N, C_out, *spatial_out)``.
        transposed: Whether the convolution is transposed; its spatial size
            is then the input's. Defaults to False.

    Returns:
        The flop count (bias not counted).

    Examples:
        >>> conv_flop_count([1, 3, 10, 10], [10, 3, 3, 3], [1, 10, 8, 8])
        17280
    """
    spatial = (x_shape if transposed else out_shape)[2:]
    return x_shape[0] * math.prod(w_shape) * math.prod(spatial)


def conv_flop_jit(inputs: list[Any], outputs: list[Any]) -> Counter[str]:
    """Flops of ``aten::_convolution``, booked under ``"conv"``.

    Examples:
        >>> import torch
        >>> from engine.analysis import FlopAnalyzer
        >>> conv = torch.nn.Conv2d(3, 10, kernel_size=3)
        >>> FlopAnalyzer(conv, torch.ones(1, 3, 10, 10)).by_operator()
        Counter({'conv': 17280})
    """
    x, weight = _shapes(inputs[0:2])
    transposed = inputs[6].toIValue()
    out = get_shape(outputs[0])
    return Counter({"conv": conv_flop_count(x, weight, out, transposed)})  # type: ignore[arg-type]


def norm_flop_counter(affine_arg_index: int) -> Handle:
    """A handle for a normalisation op: 5 flops per input element.

    4 per element when the op has no affine parameters.

    Args:
        affine_arg_index: Position of the weight among the op's inputs
            (2 for ``aten::group_norm`` / ``aten::layer_norm``, 1 for
            ``aten::instance_norm`` / ``aten::batch_norm``).

    Returns:
        The handle.

    Examples:
        >>> import torch
        >>> from engine.analysis import FlopAnalyzer
        >>> FlopAnalyzer(torch.nn.LayerNorm(4), torch.ones(2, 3, 4)).total()
        120
    """

    def norm_flop_jit(inputs: list[Any], outputs: list[Any]) -> Any:
        numel = math.prod(get_shape(inputs[0]))  # type: ignore[arg-type]
        has_affine = get_shape(inputs[affine_arg_index]) is not None
        return numel * (5 if has_affine else 4)

    return norm_flop_jit


def batchnorm_flop_jit(inputs: list[Any], outputs: list[Any]) -> Any:
    """Flops of ``aten::batch_norm``.

    Training (batch statistics, ``inputs[5]``): 5 per input element, 4
    without affine parameters; eval: 2 per element, 1 without affine.

    Examples:
        >>> import torch
        >>> from engine.analysis import FlopAnalyzer
        >>> bn, x = torch.nn.BatchNorm2d(3), torch.ones(2, 3, 4, 4)
        >>> # training updates num_batches_tracked: an unsupported aten::add_
        >>> FlopAnalyzer(bn, x).unsupported_ops_warnings(False).total()
        480
        >>> FlopAnalyzer(bn.eval(), x).total()
        192
    """
    if inputs[5].toIValue():
        return norm_flop_counter(1)(inputs, outputs)
    numel = math.prod(get_shape(inputs[0]))  # type: ignore[arg-type]
    has_affine = get_shape(inputs[1]) is not None
    return numel * (2 if has_affine else 1)


def elementwise_flop_counter(input_scale: float = 1, output_scale: float = 0) -> Handle:
    """A handle counting ``input_scale`` flops per input element plus
    ``output_scale`` per output element.

    Args:
        input_scale: Flops per element of the first input. Defaults to 1.
        output_scale: Flops per element of the first output. Defaults to 0.

    Returns:
        The handle.

    Examples:
        >>> import torch
        >>> from engine.analysis import FlopAnalyzer
        >>> pool = torch.nn.AdaptiveAvgPool2d(1)
        >>> FlopAnalyzer(pool, torch.ones(1, 3, 4, 6)).total()
        72
    """

    def elementwise_flop(inputs: list[Any], outputs: list[Any]) -> Any:
        count: Any = 0
        if input_scale != 0:
            count += input_scale * math.prod(get_shape(inputs[0]))  # type: ignore[arg-type]
        if output_scale != 0:
            count += output_scale * math.prod(get_shape(outputs[0]))  # type: ignore[arg-type]
        return count

    return elementwise_flop
