"""Reports: number formats, the module table, the annotated repr, and
get_model_complexity_info."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from engine.analysis import (
    ActivationAnalyzer,
    FlopAnalyzer,
    get_model_complexity_info,
    parameter_count,
    parameter_count_table,
)
from engine.analysis._stats import format_size, remove_zero_statistics
from engine.analysis.print_helper import complexity_stats_str, complexity_stats_table

NOTE = (
    "N/A indicates a possibly missing statistic due to how the module was "
    "called. Missing values are still included in the parent's total.\n"
)


@pytest.mark.parametrize(
    "x, three, two",
    [
        (0, "0", "0"),
        (100, "100", "100"),
        (101, "0.101K", "0.1K"),
        (999, "0.999K", "1K"),
        (1000, "1K", "1K"),
        (1234, "1.234K", "1.23K"),
        (100000, "100K", "100K"),
        (100001, "0.1M", "0.1M"),
        (4144854528, "4.145G", "4.14G"),
        (10**11 + 1, "0.1T", "0.1T"),
        (1.5e15, "1.5P", "1.5P"),
        (10**20, "100000P", "100000P"),
        (-1000, "-1K", "-1K"),
        (-101, "-0.101K", "-0.1K"),
        (60.0, "60.0", "60.0"),  # str() below 100
        (0.5, "0.5", "0.5"),
    ],
)
def test_format_size(x: float, three: str, two: str) -> None:
    assert format_size(x) == three
    assert format_size(x, sig_figs=2) == two


def test_format_size_corners() -> None:
    assert format_size(0, hide_zero=True) == ""
    assert format_size(5, hide_zero=True) == "5"
    # zeros are stripped even without a decimal point
    assert (format_size(100000, sig_figs=0), format_size(101, sig_figs=0)) == (
        "1K",
        "K",
    )


@given(st.integers(-(10**16), 10**16))
def test_format_size_reads_back(x: int) -> None:
    text = format_size(x)
    units = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15}
    if text[-1] in units:
        assert abs(x) > 100
        assert math.isclose(float(text[:-1]) * units[text[-1]], x, rel_tol=0.006)
    else:
        assert text == str(x) and abs(x) <= 100


class Net(nn.Module):
    """A tree exercising the table's rules (batch of 2, 4 features)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Sequential(nn.Linear(4, 4)))  # collapses
        self.unused = nn.Linear(4, 4)  # never called
        self.relu = nn.ReLU()  # all zero: no row
        self.pool = nn.AdaptiveAvgPool2d(1)  # flops but no parameters
        self.w = nn.Parameter(torch.ones(4, 4))  # a parameter of the root
        self.empty = nn.Parameter(torch.ones(0))  # zero elements: no row

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.stem(x)) @ self.w
        return self.pool(x.view(2, 4, 1, 1))


X = torch.randn(2, 4)


@pytest.fixture
def analyzers() -> tuple[FlopAnalyzer, ActivationAnalyzer]:
    model = Net()
    return FlopAnalyzer(model, X), ActivationAnalyzer(model, X)


def test_table(analyzers: tuple) -> None:
    # The root's own parameter first (parameter order), the chain
    # stem -> stem.0 -> stem.0.0 collapsed into its last module, an
    # uncalled module with empty flops cells, pool (no parameters) last;
    # relu and the empty parameter are all zero: no rows.
    flops, acts = analyzers
    assert complexity_stats_table(flops, activations=acts) == (
        "+-------------------+----------------------+--------+--------------+\n"
        "| module            | #parameters or shape | #flops | #activations |\n"
        "+-------------------+----------------------+--------+--------------+\n"
        "| model             | 56                   | 72     | 16           |\n"
        "|  w                |  (4, 4)              |        |              |\n"
        "|  stem.0.0         |  20                  |  32    |  8           |\n"
        "|   stem.0.0.weight |   (4, 4)             |        |              |\n"
        "|   stem.0.0.bias   |   (4,)               |        |              |\n"
        "|  unused           |  20                  |        |              |\n"
        "|   unused.weight   |   (4, 4)             |        |              |\n"
        "|   unused.bias     |   (4,)               |        |              |\n"
        "|  pool             |                      |  8     |  0           |\n"
        "+-------------------+----------------------+--------+--------------+\n"
    )


def test_table_depth_and_no_shapes(analyzers: tuple) -> None:
    assert complexity_stats_table(
        analyzers[0], max_depth=1, show_param_shapes=False
    ) == (
        "+-----------+-------------+--------+\n"
        "| module    | #parameters | #flops |\n"
        "+-----------+-------------+--------+\n"
        "| model     | 56          | 72     |\n"
        "|  stem.0.0 |  20         |  32    |\n"
        "|  unused   |  20         |        |\n"
        "|  pool     |             |  8     |\n"
        "+-----------+-------------+--------+\n"
    )


ARCH = """Net(
  #params: 56, #flops: 72, #acts: 16
  (stem): Sequential(
    #params: 20, #flops: 32, #acts: 8
    (0): Sequential(
      #params: 20, #flops: 32, #acts: 8
      (0): Linear(
        in_features=4, out_features=4, bias=True
        #params: 20, #flops: 32, #acts: 8
      )
    )
  )
  (unused): Linear(
    in_features=4, out_features=4, bias=True
    #params: 20, #flops: N/A, #acts: N/A
  )
  (relu): ReLU()
  (pool): AdaptiveAvgPool2d(
    output_size=1
    #params: 0, #flops: 8, #acts: 0
  )
)"""


def test_stats_str(analyzers: tuple, warnings_logged: list) -> None:
    flops, acts = analyzers
    assert complexity_stats_str(flops, acts) == NOTE + ARCH
    assert complexity_stats_str(flops) == NOTE + ARCH.replace(", #acts: 8", "").replace(
        ", #acts: N/A", ""
    ).replace(", #acts: 16", "").replace(", #acts: 0", "")
    assert warnings_logged == []  # the reports silence the analysers


def test_out_arch_has_no_note(warnings_logged: list) -> None:
    info = get_model_complexity_info(Net(), inputs=X)
    assert info["out_arch"] == "\n" + ARCH
    assert info["out_table"].startswith("\n+---")
    assert warnings_logged[0].endswith("\nunused")  # the analysis warns


class Wrapper(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 4))
        self.add_module("gone", None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) @ torch.ones(4, 4)


def _names(table: str) -> list[str]:
    """The module column of a table, right-stripped."""
    return [line.split("|")[1].rstrip() for line in table.splitlines()[3:-1]]


def test_collapse_needs_agreeing_cells() -> None:
    # the root costs 32 more flops than body: no collapse at the root;
    # body and body.0 agree: one row named body.0
    table = complexity_stats_table(FlopAnalyzer(Wrapper(), X))
    assert _names(table) == [" model", "  body.0", "   body.0.weight", "   body.0.bias"]


def test_collapsed_root_prefix_is_cut() -> None:
    model = nn.Sequential(nn.Linear(4, 4))
    table = complexity_stats_table(FlopAnalyzer(model, X))
    assert _names(table) == [" 0", "  weight", "  bias"]


def test_none_child_in_arch() -> None:
    text = complexity_stats_str(FlopAnalyzer(Wrapper(), X))
    assert "\n  (gone): None\n" in text


def test_root_kept_unless_something_was_uncalled() -> None:
    stats = {"": {"a": 0}, "x": {"a": 0}, "y": {"a": 1}}
    assert list(remove_zero_statistics(stats)) == ["", "y"]
    assert list(remove_zero_statistics(stats, force_keep={"x"})) == ["x", "y"]
    nested = {"": {"a": 0}, "p": {"a": 0}, "p.c": {"a": 1}}
    assert list(remove_zero_statistics(nested)) == ["", "p.c"]
    kept = remove_zero_statistics(nested, require_trivial_children=True)
    assert list(kept) == ["", "p", "p.c"]


class Shared(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(3, 4)
        self.b = self.a
        self.seq = nn.Sequential(nn.Conv2d(1, 2, 1), nn.BatchNorm2d(2))
        self.p = nn.Parameter(torch.zeros(7))


def test_parameter_count() -> None:
    counts = parameter_count(Shared())
    assert list(counts.items()) == [
        ("", 31),
        ("p", 7),
        ("a", 16),
        ("a.weight", 12),
        ("a.bias", 4),
        ("seq", 8),
        ("seq.0", 4),
        ("seq.0.weight", 2),
        ("seq.0.bias", 2),
        ("seq.1", 4),
        ("seq.1.weight", 2),
        ("seq.1.bias", 2),
    ]
    assert counts["missing"] == 0  # a defaultdict(int)


def test_parameter_count_table() -> None:
    assert parameter_count_table(Shared(), max_depth=2) == (
        "     parameter count of Shared     \n"
        "+------------+--------------------+\n"
        "| name       | #elements or shape |\n"
        "+------------+--------------------+\n"
        "| model      | 31                 |\n"
        "|  p         |  (7,)              |\n"
        "|  a         |  16                |\n"
        "|   a.weight |   (4, 3)           |\n"
        "|   a.bias   |   (4,)             |\n"
        "|  seq       |  8                 |\n"
        "|   seq.0    |   4                |\n"
        "|   seq.1    |   4                |\n"
        "+------------+--------------------+\n"
    )


@pytest.mark.parametrize(
    "n, text",
    [
        (100, "100"),
        (101, "0.1K"),
        (99_950, "100.0K"),
        (100_001, "0.1M"),
        (10**8 + 1, "0.1G"),
    ],
)
def test_parameter_count_table_units(n: int, text: str) -> None:
    model = nn.Module()
    model.w = nn.Parameter(torch.empty(n, device="meta"))
    assert f"| model | {text} " in parameter_count_table(model)


def test_parameter_count_table_needs_parameters() -> None:
    with pytest.raises(KeyError, match="no parameters"):
        parameter_count_table(nn.ReLU())


class Counting(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(3, 2)
        self.calls: list[tuple] = []

    def forward(self, x: torch.Tensor, y: Any = None) -> torch.Tensor:
        self.calls.append((tuple(int(s) for s in x.shape), y))
        return self.lin(x)


def test_one_forward_per_analysis() -> None:
    model = Counting()
    info = get_model_complexity_info(model, (3,), show_table=False)
    assert model.calls == [((1, 3), None)]  # batch of one, one trace
    assert (info["flops"], info["activations"], info["params"]) == (6, 2, 8)
    assert (info["out_table"], info["out_arch"][:10]) == ("", "\nCounting(")


def test_inputs_as_given() -> None:
    model = Counting()
    info = get_model_complexity_info(model, inputs=(torch.ones(5, 3), "extra"))
    assert model.calls == [((5, 3), "extra")]
    assert info["flops"] == 30
    info = get_model_complexity_info(model, input_shape=(9, 9), inputs=torch.ones(1, 3))
    assert info["flops"] == 6  # input_shape is ignored (doc L8398)


def test_model_without_parameters() -> None:
    info = get_model_complexity_info(nn.AdaptiveAvgPool2d(1), (2, 3, 3))
    assert (info["flops"], info["params"], info["params_str"]) == (18, 0, "0")
    assert info["out_arch"] == (
        "\nAdaptiveAvgPool2d(\n  output_size=1\n  #params: 0, #flops: 18, #acts: 0\n)"
    )


@pytest.mark.parametrize("shape", [[3], 3, "ab", ((3,), 5), ((3,), [5])])
def test_bad_input_shape(shape: Any) -> None:
    with pytest.raises(ValueError, match="tuple of tuple of int"):
        get_model_complexity_info(Counting(), shape)


def test_rich_is_needed_for_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "rich", None)
    with pytest.raises(ImportError, match="pip install rich"):
        parameter_count_table(nn.Linear(2, 2))
    info = get_model_complexity_info(nn.Linear(2, 2), (2,), show_table=False)
    assert info["params"] == 6


class DictInput(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(3, 2)

    def forward(self, data: dict, mode: str = "tensor") -> torch.Tensor:
        assert mode == "tensor"  # keyword arguments keep their defaults
        return self.lin(data["x"])


def test_dict_input() -> None:
    # a dict (like any non-tuple) is one positional argument
    info = get_model_complexity_info(DictInput(), inputs=({"x": torch.ones(4, 3)},))
    assert info["flops"] == 4 * 3 * 2
    info = get_model_complexity_info(DictInput(), inputs={"x": torch.ones(1, 3)})
    assert info["flops"] == 6
