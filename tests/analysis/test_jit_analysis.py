"""JitModelAnalysis: booking counts to modules, settings, warnings."""

from __future__ import annotations

import warnings
from collections import Counter
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from engine.analysis import ActivationAnalyzer, FlopAnalyzer
from engine.analysis.jit_analysis import _IGNORED_OPS, JitModelAnalysis, Statistics
from engine.analysis.jit_handles import linear_flop_jit

UNCALLED = (
    "The following submodules of the model were never called during the trace "
    "of the graph. They may be unused, or they were accessed by direct calls to "
    ".forward() or via other python methods. In the latter case they will have "
    "zeros for statistics, though their statistics will still contribute to "
    "their parent calling module.\n"
)


class Leafy(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x)


class Net(nn.Module):
    """Linear(4, 4) on a batch of 2 costs 32 flops and 8 activations."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(4, 4))
        self.shared = nn.Linear(4, 4)
        self.alias = self.shared
        self.unused = nn.Linear(4, 4)
        self.ident = nn.Identity()
        self.leafy = Leafy()
        self.ml = nn.ModuleList([nn.Linear(4, 4)])
        self.w = nn.Parameter(torch.randn(4, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.shared(self.stem(x))
        x = self.alias(x)  # the shared module, called twice
        x = self.leafy.forward(x)  # no hooks run for leafy itself
        x = self.ml[0](x)
        return (x @ self.w) * 2  # matmul: 32 flops; mul: unsupported


X = torch.randn(2, 4)
NAMES = ["", "stem", "stem.0", "shared", "unused", "ident", "leafy", "leafy.lin"]
NAMES += ["ml", "ml.0"]


@pytest.fixture
def flops() -> FlopAnalyzer:
    return FlopAnalyzer(Net(), X)


def test_by_module_owner_mode(flops: FlopAnalyzer) -> None:
    by_module = flops.by_module()
    assert list(by_module) == NAMES  # canonical names, named_modules order
    # five linear calls and a matmul, 32 flops each
    assert by_module == Counter(
        {"": 6 * 32, "stem": 32, "stem.0": 32, "shared": 64, "leafy": 32}
        | {"leafy.lin": 32, "ml": 32, "ml.0": 32, "unused": 0, "ident": 0}
    )
    assert flops.total() == 192
    assert flops.by_operator() == Counter({"linear": 160, "matmul": 32})
    assert list(flops.by_operator()) == ["linear", "matmul"]  # trace order
    assert flops.by_module_and_operator()["shared"] == Counter({"linear": 64})


def test_aliases(flops: FlopAnalyzer) -> None:
    assert flops.canonical_module_name("alias") == "shared"
    assert flops.total("alias") == flops.total("shared") == 64
    assert flops.by_operator("stem.0") == Counter({"linear": 32})
    with pytest.raises(KeyError, match="not among the descendants"):
        flops.total("nope")
    with pytest.raises(KeyError):
        flops.total("w")  # a parameter, not a module
    with pytest.raises(AssertionError, match="must be a string"):
        flops.canonical_module_name(3)  # type: ignore[arg-type]


def test_caller_mode() -> None:
    flops = FlopAnalyzer(Net(), X).ancestor_mode("caller")
    by_module = flops.by_module()
    # leafy and ml never ran their __call__: their children's ops are
    # booked to the root and the children only
    assert (by_module["leafy"], by_module["leafy.lin"]) == (0, 32)
    assert (by_module["ml"], by_module["ml.0"]) == (0, 32)
    assert {"leafy", "ml"} <= flops.uncalled_modules()


def test_ancestor_mode_keeps_computed_results(flops: FlopAnalyzer) -> None:
    assert flops.by_module()["leafy"] == 32
    assert flops.ancestor_mode("caller").by_module()["leafy"] == 32
    with pytest.raises(ValueError, match="Unrecognized ancestor mode: x"):
        flops.ancestor_mode("x")


def test_uncalled_modules_and_warnings(
    flops: FlopAnalyzer, warnings_logged: list
) -> None:
    assert flops.uncalled_modules() == {"unused", "ident"}
    # Identity (like ModuleList, ModuleDict, Module) is not expected to run
    assert warnings_logged == [
        "Unsupported operator aten::mul encountered 1 time(s)",
        UNCALLED + "unused",
    ]
    assert flops.unsupported_ops() == Counter({"aten::mul": 1})
    assert flops.unsupported_ops("stem") == Counter()


def test_uncalled_warning_lists_sorted_names(warnings_logged: list) -> None:
    class Silent(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.b = nn.ReLU()
            self.a = nn.Sequential()
            self.lst = nn.ModuleList([nn.ReLU()])

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x  # no node at all: even the root is uncalled

    flops = FlopAnalyzer(Silent(), X)
    assert flops.total() == 0
    assert flops.uncalled_modules() == {"", "a", "b", "lst", "lst.0"}
    assert warnings_logged == [UNCALLED + ", a, b, lst.0"]


def test_warnings_can_be_turned_off(warnings_logged: list) -> None:
    flops = FlopAnalyzer(Net(), X).unsupported_ops_warnings(False)
    flops.uncalled_modules_warnings(False).total()
    assert warnings_logged == []


def test_unsupported_ops_needs_an_analysis(flops: FlopAnalyzer) -> None:
    with pytest.raises(RuntimeError, match="should be computed before"):
        flops.unsupported_ops()


def test_analysis_is_computed_once(flops: FlopAnalyzer, warnings_logged: list) -> None:
    assert flops.by_module_and_operator() is flops.by_module_and_operator()
    assert flops.by_operator("stem") is flops.by_module_and_operator()["stem"]
    assert flops.by_module() == flops.by_module()
    assert len(warnings_logged) == 2  # one analysis


def test_set_op_handle(warnings_logged: list) -> None:
    flops = FlopAnalyzer(Net(), X).uncalled_modules_warnings(False)
    assert flops.set_op_handle("aten::mul", lambda i, o: 5) is flops
    assert flops.by_operator()["mul"] == 5
    flops.set_op_handle(**{"aten::linear": lambda i, o: {"x": 1, "y": 2}})
    assert flops.by_operator() == Counter({"x": 5, "y": 10, "matmul": 32, "mul": 5})
    with pytest.raises(TypeError, match="pairs of names"):
        flops.set_op_handle("aten::linear")
    assert warnings_logged == []


def test_none_ignores_an_op_until_cleared(warnings_logged: list) -> None:
    flops = FlopAnalyzer(Net(), X).uncalled_modules_warnings(False)
    flops.set_op_handle("aten::mul", None, "aten::linear", None)
    assert flops.total() == 192  # a handle still counts
    assert flops.unsupported_ops() == Counter()
    assert warnings_logged == []
    assert flops.clear_op_handles().total() == 0
    # clearing restores the default ignored set: mul is unsupported again
    expected = {"aten::linear": 5, "aten::matmul": 1, "aten::mul": 1}
    assert flops.unsupported_ops() == Counter(expected)
    assert warnings_logged == [
        "Unsupported operator aten::linear encountered 5 time(s)",
        "Unsupported operator aten::matmul encountered 1 time(s)",
        "Unsupported operator aten::mul encountered 1 time(s)",
    ]


def test_base_class_has_no_handles() -> None:
    analysis = JitModelAnalysis(nn.Linear(4, 4), X).unsupported_ops_warnings(False)
    assert analysis.total() == 0
    assert analysis.unsupported_ops() == Counter({"aten::linear": 1})
    assert analysis.set_op_handle("aten::linear", linear_flop_jit).total() == 32


@pytest.mark.parametrize(
    "value, expected",
    [
        (2.5, Counter({"linear": 7.5})),  # floats pass
        (np.int64(3), Counter({"linear": 9})),
        (True, Counter({"linear": 3})),
        (0, Counter()),  # non-positive counts vanish
        (-3, Counter()),
        ({"x": -1, "y": 2}, Counter({"y": 6})),
    ],
)
def test_handle_results(value: Any, expected: Counter) -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 4))
    flops = FlopAnalyzer(model, X).set_op_handle("aten::linear", lambda i, o: value)
    assert flops.by_operator() == expected


@pytest.mark.parametrize("value", [np.float32(1.5), Fraction(1, 2), {"x": "a"}])
def test_handle_results_of_other_types(value: Any) -> None:
    flops = FlopAnalyzer(nn.Linear(4, 4), X).set_op_handle(
        "aten::linear", lambda i, o: value
    )
    with pytest.raises(ValueError, match="Invalid type .* for the flop count"):
        flops.total()


def test_copy() -> None:
    flops = FlopAnalyzer(Net(), X).set_op_handle("aten::mul", lambda i, o: 1)
    flops.unsupported_ops_warnings(False).ancestor_mode("caller")
    flops.set_op_handle("aten::matmul", None)
    copy = flops.copy()
    assert type(copy) is JitModelAnalysis
    assert copy._op_handles == flops._op_handles
    assert not copy._warn_unsupported
    assert copy._ancestor == "owner"  # not copied
    assert "aten::matmul" not in copy._ignored_ops  # not copied
    bigger = flops.copy(new_inputs=(torch.randn(6, 4),))
    assert bigger.by_operator()["linear"] == 3 * copy.by_operator()["linear"]
    assert flops.copy(new_model=nn.Linear(4, 4)).total() == 32


class Chatty(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum() > -1e9:  # a TracerWarning: python bool of a tensor
            warnings.warn("from forward", UserWarning, stacklevel=1)
        return x


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("all", {"TracerWarning", "UserWarning"}),
        ("no_tracer_warning", {"UserWarning"}),
        ("none", set()),
    ],
)
def test_tracer_warnings(mode: str, expected: set) -> None:
    analysis = FlopAnalyzer(Chatty(), X).tracer_warnings(mode)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        analysis.uncalled_modules_warnings(False).total()
    assert {w.category.__name__ for w in caught} == expected
    with pytest.raises(ValueError, match="Unrecognized tracer warning mode x."):
        analysis.tracer_warnings("x")


class Twice(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        return x * 2

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return grad * 2


class WithFunction(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return Twice.apply(self.lin(x))


def test_python_op_names() -> None:
    model = WithFunction()
    flops = FlopAnalyzer(model, X).unsupported_ops_warnings(False)
    assert flops.total() == 32
    assert flops.unsupported_ops() == Counter({"prim::PythonOp.Twice": 1})
    flops.set_op_handle("prim::PythonOp.Twice", lambda i, o: 7)
    assert flops.by_operator() == Counter({"linear": 32, "PythonOp.Twice": 7})


def test_data_parallel_is_unwrapped() -> None:
    model = nn.DataParallel(nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2)))
    flops = FlopAnalyzer(model, X)
    assert flops.by_module() == Counter(
        {"": 48, "module": 48, "module.0": 32, "module.1": 16}
    )
    assert flops.uncalled_modules() == set()


def test_activation_analyzer() -> None:
    acts = ActivationAnalyzer(Net(), X).unsupported_ops_warnings(False)
    assert acts.by_operator() == Counter({"linear": 40, "matmul": 8})
    assert acts.by_module()["shared"] == 16


def test_statistics_and_ignored_ops() -> None:
    stats = FlopAnalyzer(nn.Linear(4, 4), X)._analyze()
    assert stats == Statistics({"": Counter({"linear": 32})}, {"": Counter()}, set())
    assert {"aten::relu", "aten::view", "aten::flatten", "aten::t"} <= _IGNORED_OPS
    assert "aten::add" not in _IGNORED_OPS and len(_IGNORED_OPS) == 58
