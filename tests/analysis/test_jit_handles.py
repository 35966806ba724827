"""Op handles against hand-computed counts (one multiply-accumulate = 1)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from engine.analysis import ActivationAnalyzer, FlopAnalyzer
from engine.analysis import jit_handles as jh
from engine.analysis._tracing import module_aliases, scoped_trace_graph


class Fn(nn.Module):
    """``forward(*xs) = fn(self, *xs)``, with optional submodules."""

    def __init__(self, fn: Callable[..., Any], **children: nn.Module) -> None:
        super().__init__()
        self.fn = fn
        for name, child in children.items():
            self.add_module(name, child)

    def forward(self, *xs: torch.Tensor) -> Any:
        return self.fn(self, *xs)


def counts(model: nn.Module, *xs: torch.Tensor) -> tuple[dict, dict]:
    """Flops and activations per operator of one traced call."""
    flops = FlopAnalyzer(model, xs).uncalled_modules_warnings(False)
    acts = ActivationAnalyzer(model, xs).uncalled_modules_warnings(False)
    acts.unsupported_ops_warnings(False)
    return dict(flops.by_operator()), dict(acts.by_operator())


def r(*shape: int) -> torch.Tensor:
    return torch.randn(*shape)


def linear(cin: int, cout: int, bias: bool = True) -> nn.Module:
    return Fn(lambda s, x: s.op(x), op=nn.Linear(cin, cout, bias=bias))


def call(module: nn.Module) -> nn.Module:
    return Fn(lambda s, x: s.op(x), op=module)


# (model, inputs, flops by operator, activations by operator)
CASES: dict[str, tuple[nn.Module, tuple, dict, dict]] = {
    # (3, 4) @ (4, 5): 3 * 4 * 5
    "addmm": (
        Fn(lambda s, b, x, w: torch.addmm(b, x, w)),
        (r(5), r(3, 4), r(4, 5)),
        {"addmm": 60},
        {"addmm": 15},
    ),
    # numel(x) * out = 24 * 6, bias free
    "linear 3-D": (linear(4, 6), (r(2, 3, 4),), {"linear": 144}, {"linear": 36}),
    "linear no bias": (linear(4, 6, False), (r(3, 4),), {"linear": 72}, {"linear": 18}),
    "bmm": (
        Fn(lambda s, a, b: torch.bmm(a, b)),
        (r(2, 3, 4), r(2, 4, 5)),
        {"bmm": 120},
        {"bmm": 30},
    ),
    # aten::mm has a flop handle only
    "mm": (Fn(lambda s, a, b: torch.mm(a, b)), (r(3, 4), r(4, 5)), {"mm": 60}, {}),
    "matmul batched": (
        Fn(lambda s, a, b: a @ b),
        (r(2, 3, 4), r(4, 5)),
        {"matmul": 120},
        {"matmul": 30},
    ),
    # broadcast batch of b not multiplied in: numel(a) * 5 = 24 * 5
    "matmul broadcast": (
        Fn(lambda s, a, b: a @ b),
        (r(2, 1, 3, 4), r(1, 6, 4, 5)),
        {"matmul": 120},
        {"matmul": 180},
    ),
    # a vector b: numel(a)
    "matmul vector": (
        Fn(lambda s, a, b: a @ b),
        (r(3, 4), r(4)),
        {"matmul": 12},
        {"matmul": 3},
    ),
    "matmul dot": (
        Fn(lambda s, a, b: a @ b),
        (r(4), r(4)),
        {"matmul": 4},
        {"matmul": 1},
    ),
    # Conv1d(3, 4, 3) on (2, 3, 10) -> (2, 4, 8): 2 * 4 * 8 * 3 * 3
    "conv1d": (call(nn.Conv1d(3, 4, 3)), (r(2, 3, 10),), {"conv": 576}, {"conv": 64}),
    # groups 2, stride 2, pad 1: (2, 4, 9, 9) -> (2, 6, 5, 5): 2*6*25 * 2*9
    "conv2d groups": (
        call(nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)),
        (r(2, 4, 9, 9),),
        {"conv": 5400},
        {"conv": 300},
    ),
    "conv3d": (
        call(nn.Conv3d(2, 3, 2)),
        (r(1, 2, 4, 4, 4),),
        {"conv": 1296},
        {"conv": 81},
    ),
    # transposed: N * numel(w) * input spatial = 2 * (3*5*3*3) * 16
    "conv transposed": (
        call(nn.ConvTranspose2d(3, 5, 3, stride=2)),
        (r(2, 3, 4, 4),),
        {"conv": 4320},
        {"conv": 810},
    ),
    # 96 elements * 5 in training, * 4 without affine
    "batch norm train": (
        call(nn.BatchNorm2d(3)),
        (r(2, 3, 4, 4),),
        {"batch_norm": 480},
        {},
    ),
    "batch norm train no affine": (
        call(nn.BatchNorm2d(3, affine=False)),
        (r(2, 3, 4, 4),),
        {"batch_norm": 384},
        {},
    ),
    # eval: 2 per element, 1 without affine
    "batch norm eval": (
        call(nn.BatchNorm2d(3)).eval(),
        (r(2, 3, 4, 4),),
        {"batch_norm": 192},
        {},
    ),
    "batch norm eval no affine": (
        call(nn.BatchNorm2d(3, affine=False)).eval(),
        (r(2, 3, 4, 4),),
        {"batch_norm": 96},
        {},
    ),
    # eval without running stats normalises with batch statistics
    "batch norm eval batch stats": (
        call(nn.BatchNorm2d(3, track_running_stats=False)).eval(),
        (r(2, 3, 4, 4),),
        {"batch_norm": 480},
        {},
    ),
    "group norm": (call(nn.GroupNorm(2, 4)), (r(2, 4, 3, 3),), {"group_norm": 360}, {}),
    "group norm no affine": (
        call(nn.GroupNorm(2, 4, affine=False)),
        (r(2, 4, 3, 3),),
        {"group_norm": 288},
        {},
    ),
    "layer norm": (call(nn.LayerNorm(4)), (r(2, 3, 4),), {"layer_norm": 120}, {}),
    "layer norm no affine": (
        call(nn.LayerNorm(4, elementwise_affine=False)),
        (r(2, 3, 4),),
        {"layer_norm": 96},
        {},
    ),
    "instance norm": (
        call(nn.InstanceNorm2d(3)),
        (r(2, 3, 4, 4),),
        {"instance_norm": 384},
        {},
    ),
    "instance norm affine": (
        call(nn.InstanceNorm2d(3, affine=True)),
        (r(2, 3, 4, 4),),
        {"instance_norm": 480},
        {},
    ),
    # 1 per output element: (1, 2, 6, 6)
    "upsample nearest": (
        Fn(lambda s, x: F.interpolate(x, scale_factor=2, mode="nearest")),
        (r(1, 2, 3, 3),),
        {"upsample_nearest2d": 72},
        {},
    ),
    # 4 per output element
    "upsample bilinear": (
        Fn(lambda s, x: F.interpolate(x, scale_factor=2, mode="bilinear")),
        (r(1, 2, 3, 3),),
        {"upsample_bilinear2d": 288},
        {},
    ),
    # 1 per input element
    "adaptive avg pool": (
        call(nn.AdaptiveAvgPool2d(2)),
        (r(1, 3, 4, 6),),
        {"adaptive_avg_pool2d": 72},
        {},
    ),
    # 4 per output element: (1, 2, 3, 5)
    "grid sampler": (
        Fn(lambda s, x, g: F.grid_sample(x, g, align_corners=False)),
        (r(1, 2, 4, 4), r(1, 3, 5, 2)),
        {"grid_sampler": 120},
        {},
    ),
    # ignored (view, relu, t, contiguous) or unsupported (mul, sum, add): 0
    "elementwise": (
        Fn(lambda s, x: torch.relu(x.view(2, 6)).t().contiguous() * 2 + x.sum()),
        (r(3, 4),),
        {},
        {},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_handle_counts(name: str) -> None:
    model, inputs, flops, acts = CASES[name]
    assert counts(model, *inputs) == (flops, acts)


EINSUM = {
    # batched matmuls, exact ints, whatever the letters
    ("abc,abd->acd", (2, 3, 4), (2, 3, 5)): 2 * 3 * 4 * 5,
    ("ABC,ABD->ACD", (2, 3, 4), (2, 3, 5)): 2 * 3 * 4 * 5,
    ("nct,ncp->ntp", (2, 3, 4), (2, 3, 5)): 2 * 3 * 4 * 5,
    ("abc,adc->adb", (2, 3, 4), (2, 5, 4)): 2 * 3 * 4 * 5,
    # anything else: numpy's optimal path, as a float
    ("ij,jk->ik", (3, 4), (4, 5)): 60.0,
    ("i j , j k -> i k", (3, 4), (4, 5)): 60.0,
    ("ij,jk", (3, 4), (4, 5)): 60.0,
    ("i,j->ij", (3,), (4,)): 6.0,
    ("...ij,...jk->...ik", (2, 3, 4), (2, 4, 5)): 120.0,
}


@pytest.mark.parametrize("equation, a, b", list(EINSUM))
def test_einsum(equation: str, a: tuple, b: tuple) -> None:
    model = Fn(lambda s, x, y: torch.einsum(equation, x, y))
    flops = FlopAnalyzer(model, (r(*a), r(*b))).by_operator()
    expected = EINSUM[(equation, a, b)]
    assert flops == Counter({"einsum": expected})
    assert type(flops["einsum"]) is type(expected)


def test_einsum_three_operands() -> None:
    # best path: (3x4)(4x5) then (3x5)(5x6): 60 + 90
    model = Fn(lambda s, *xs: torch.einsum("ij,jk,kl->il", *xs))
    assert FlopAnalyzer(model, (r(3, 4), r(4, 5), r(5, 6))).total() == 150.0


def _node(model: nn.Module, kind: str, *xs: torch.Tensor) -> tuple[Any, list, list]:
    """The graph (keep it: its values die with it), and the inputs and
    outputs of its first ``kind`` node."""
    graph = scoped_trace_graph(model, xs, module_aliases(model), "none")
    node = next(n for n in graph.nodes() if n.kind() == kind)
    return graph, list(node.inputs()), list(node.outputs())


def test_handles_called_directly() -> None:
    matmul = Fn(lambda s, a, b: a @ b)
    _graph, inputs, outputs = _node(matmul, "aten::matmul", r(3, 4), r(4, 5))
    assert jh.get_shape(inputs[0]) == [3, 4]
    assert jh.matmul_flop_jit(inputs, outputs) == 60
    assert jh.generic_activation_jit()(inputs, outputs) == 15
    assert jh.generic_activation_jit("x")(inputs, outputs) == Counter({"x": 15})
    assert jh.elementwise_flop_counter()(inputs, outputs) == 12
    assert jh.elementwise_flop_counter(0.5, 2)(inputs, outputs) == 36.0
    assert jh.elementwise_flop_counter(0, 0)(inputs, outputs) == 0
    # inputs[1] is a tensor: counted as an affine weight
    assert jh.norm_flop_counter(1)(inputs, outputs) == 12 * 5


def test_get_shape_of_non_tensors() -> None:
    conv = call(nn.Conv2d(1, 1, 1, bias=False))
    _graph, inputs, _ = _node(conv, "aten::_convolution", r(1, 1, 2, 2))
    assert jh.get_shape(inputs[0]) == [1, 1, 2, 2]
    assert jh.get_shape(inputs[2]) is None  # bias None
    assert jh.get_shape(inputs[6]) is None  # transposed: a bool constant


def test_conv_flop_count() -> None:
    # 2 * numel(w) * output spatial; transposed: input spatial
    assert jh.conv_flop_count([2, 3, 8, 8], [4, 3, 3, 3], [2, 4, 6, 6]) == 2 * 108 * 36
    assert jh.conv_flop_count([2, 3, 8, 8], [3, 4, 3, 3], [2, 4, 10, 10], True) == (
        2 * 108 * 64
    )
    # the documented example (doc L8186): 10*8*8 * 3*3*3
    assert jh.conv_flop_count([1, 3, 10, 10], [10, 3, 3, 3], [1, 10, 8, 8]) == 17280


@settings(max_examples=30, deadline=None)
@given(
    batch=st.integers(1, 3),
    groups=st.sampled_from([1, 2]),
    cin=st.integers(1, 3),
    cout=st.integers(1, 3),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.integers(1, 2),
    padding=st.integers(0, 1),
    dilation=st.integers(1, 2),
    size=st.tuples(st.integers(5, 9), st.integers(5, 9)),
)
def test_conv2d_closed_form(
    batch: int,
    groups: int,
    cin: int,
    cout: int,
    kernel: tuple[int, int],
    stride: int,
    padding: int,
    dilation: int,
    size: tuple[int, int],
) -> None:
    cin, cout = cin * groups, cout * groups
    conv = nn.Conv2d(cin, cout, kernel, stride, padding, dilation, groups)
    out = [
        (s + 2 * padding - dilation * (k - 1) - 1) // stride + 1
        for s, k in zip(size, kernel, strict=True)
    ]
    outputs = batch * cout * math.prod(out)
    expected = outputs * (cin // groups) * math.prod(kernel)
    x = r(batch, cin, *size)
    assert counts(call(conv), x) == ({"conv": expected}, {"conv": outputs})


@settings(max_examples=30, deadline=None)
@given(
    lead=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    cin=st.integers(1, 64),
    cout=st.integers(1, 64),
    bias=st.booleans(),
)
def test_linear_closed_form(lead: list[int], cin: int, cout: int, bias: bool) -> None:
    x = r(*lead, cin)
    flops, acts = counts(linear(cin, cout, bias), x)
    assert flops == {"linear": math.prod(lead) * cin * cout}
    assert acts == {"linear": math.prod(lead) * cout}
