"""Conformance of the model complexity analysis (ANA-01..08).

Docs: "Calculate the FLOPs and Parameters of Model" (L1411-2170) and "Model
Complexity Analysis" (L8161-8404). The printed tables and annotated reprs
are golden files extracted verbatim from the doc (conformance/golden/
analysis/README.md); totals are checked against closed forms computed with
forward hooks (:func:`conformance.analysis_toys.hook_counts`).

The doc cannot show where a printed text starts or ends: ``out_table`` and
``out_arch`` start with a newline, ``out_table`` ends with one and
``out_arch`` does not, as in the reference. Tables are drawn by rich, which
follows the console: the tests pin an 80-column, non-terminal console.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from conformance.analysis_toys import (
    TestNet,
    hook_counts,
    mm_resnet50,
    resnet50,
    torchvision_resnet50,
)
from conformance.harness.impl import Impl

GOLDEN = Path(__file__).parent / "golden" / "analysis"
KEYS = [
    "flops",
    "flops_str",
    "activations",
    "activations_str",
    "params",
    "params_str",
    "out_table",
    "out_arch",
]


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


@contextlib.contextmanager
def plain_console() -> Iterator[None]:
    """An 80-column console that is not a terminal (no ANSI styles)."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def analyse(impl: Impl, model: nn.Module, *args: Any, **kwargs: Any) -> dict:
    with plain_console():
        return impl.attr("analysis.get_model_complexity_info")(model, *args, **kwargs)


def fmt(x: float, sig: int) -> str:
    """The formatting rule derived in inventory §3.14."""
    for unit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if x > unit / 10:
            return f"{x / unit:.{sig}f}".rstrip("0").rstrip(".") + suffix
    return str(x)


# -- ResNet-50 (ANA-01..03) -------------------------------------------------


@pytest.fixture(scope="module", params=["rebuilt", "torchvision"])
def resnet_run(request: pytest.FixtureRequest, impl: Impl) -> tuple[dict, tuple]:
    """The documented run on MMResNet50, and the closed-form counts."""
    if request.param == "torchvision":
        backbone = torchvision_resnet50()
        if backbone is None:
            pytest.skip("torchvision is not installed")
    else:
        backbone = resnet50()
    model = mm_resnet50(impl, backbone)
    expected = hook_counts(backbone, torch.randn(1, 3, 224, 224))
    return analyse(impl, model, (3, 224, 224)), expected


@pytest.mark.spec("ANA-01")
def test_resnet50_table(resnet_run: tuple[dict, tuple]) -> None:
    assert resnet_run[0]["out_table"] == "\n" + golden("resnet50_table.txt")


def _arch_lines(text: str) -> list[str]:
    """Lines without indentation (the doc's is mangled) and without the
    ``bias=`` of BatchNorm reprs (added to them by torch 2.1)."""
    lines = [line.lstrip() for line in text.split("\n")]
    return [re.sub(r"(eps=.*), bias=True,", r"\1,", line) for line in lines]


@pytest.mark.spec("ANA-02")
@pytest.mark.diverges(
    "mmengine",
    reason="the reference puts a line explaining N/A before MMResNet50( "
    "(doc L1618-1620 starts with MMResNet50()",
)
def test_resnet50_arch(resnet_run: tuple[dict, tuple]) -> None:
    expected = "\n" + golden("resnet50_arch.txt").rstrip("\n")
    assert _arch_lines(resnet_run[0]["out_arch"]) == _arch_lines(expected)


@pytest.mark.spec("ANA-02")
def test_resnet50_arch_from_the_model_line(resnet_run: tuple[dict, tuple]) -> None:
    lines = _arch_lines(resnet_run[0]["out_arch"])
    expected = _arch_lines(golden("resnet50_arch.txt").rstrip("\n"))
    assert lines[lines.index("MMResNet50(") :] == expected


@pytest.mark.spec("ANA-03")
def test_resnet50_totals(resnet_run: tuple[dict, tuple]) -> None:
    results, (flops, acts, params) = resnet_run
    assert "Model Flops:{}".format(results["flops_str"]) == "Model Flops:4.145G"
    assert "Model Parameters:{}".format(results["params_str"]) == (
        "Model Parameters:25.557M"
    )
    assert results["activations_str"] == "11.115M"  # the table's root row
    assert (results["flops"], results["activations"], results["params"]) == (
        flops,
        acts,
        params,
    )


# -- the conv example (ANA-04) -----------------------------------------------


@pytest.mark.spec("ANA-04")
def test_conv_worked_example(impl: Impl) -> None:
    conv = nn.Conv2d(in_channels=3, out_channels=10, kernel_size=3)
    results = analyse(impl, conv, inputs=torch.randn((1, 3, 10, 10)))
    assert results["flops"] == 17280 == 10 * 8 * 8 * 3 * 3 * 3
    assert results["activations"] == 640 == 10 * 8 * 8
    assert results["params"] == 280 == 3 * 10 * 3 * 3 + 10


# -- TestNet (ANA-05..08) ----------------------------------------------------


@pytest.fixture(scope="module")
def testnet_run(impl: Impl) -> dict:
    return analyse(impl, TestNet(), (1, 10))


@pytest.mark.spec("ANA-05")
def test_testnet_table(testnet_run: dict) -> None:
    assert testnet_run["out_table"] == "\n" + golden("testnet_table.txt")


@pytest.mark.spec("ANA-06")
def test_testnet_arch(testnet_run: dict) -> None:
    assert testnet_run["out_arch"] == "\n" + golden("testnet_arch.txt").rstrip("\n")


@pytest.mark.spec("ANA-07")
def test_testnet_strings(testnet_run: dict) -> None:
    assert "Model Flops:{}".format(testnet_run["flops_str"]) == "Model Flops:0.4K"
    assert "Model Parameters:{}".format(testnet_run["params_str"]) == (
        "Model Parameters:0.44K"
    )


@pytest.mark.spec("ANA-08")
def test_result_keys_and_numbers(testnet_run: dict) -> None:
    assert list(testnet_run) == KEYS
    numbers = (testnet_run["flops"], testnet_run["params"], testnet_run["activations"])
    assert numbers == (400, 440, 40)
    assert all(type(n) is int for n in numbers)
    assert testnet_run["activations_str"] == "40"


@pytest.mark.spec("ANA-08")
def test_inputs_instead_of_shape(impl: Impl, testnet_run: dict) -> None:
    results = analyse(impl, TestNet(), inputs=torch.randn(1, 10))
    for key in KEYS:
        assert results[key] == testnet_run[key], key


@pytest.mark.spec("ANA-08")
@pytest.mark.diverges(
    "mmengine",
    reason="the reference raises ValueError when both are given; the doc "
    "says input_shape is then ignored (doc L8398)",
)
def test_inputs_win_over_input_shape(impl: Impl) -> None:
    results = analyse(impl, TestNet(), input_shape=(7, 10), inputs=torch.randn(1, 10))
    assert results["flops"] == 400


@pytest.mark.spec("ANA-08")
def test_show_flags(impl: Impl) -> None:
    results = analyse(impl, TestNet(), (1, 10), show_table=False, show_arch=False)
    assert list(results) == KEYS
    assert results["out_table"] == results["out_arch"] == ""
    assert results["flops"] == 400


@pytest.mark.spec("ANA-08")
def test_neither_shape_nor_inputs(impl: Impl) -> None:
    with pytest.raises(ValueError, match="input_shape"):
        analyse(impl, TestNet())


class TwoInputs(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(3, 4)
        self.b = nn.Linear(5, 4)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.a(x) + self.b(y)


@pytest.mark.spec("ANA-08")
def test_several_input_shapes(impl: Impl) -> None:
    # A tuple of shapes makes one batch-1 tensor per positional argument.
    results = analyse(impl, TwoInputs(), ((3,), (5,)), show_table=False)
    assert results["flops"] == 3 * 4 + 5 * 4
    with pytest.raises(ValueError, match="tuple of int"):
        analyse(impl, TwoInputs(), [(3,), (5,)])


@pytest.mark.spec("ANA-01", "ANA-08")
@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3000), st.integers(1, 3000))
def test_number_formatting(impl: Impl, n_in: int, n_out: int) -> None:
    # One sample through Linear(n_in, n_out): n_in * n_out flops, n_out
    # activations, n_in * n_out + n_out parameters; 3 decimals in the
    # strings, 2 in out_arch.
    model = nn.Linear(n_in, n_out)
    results = analyse(impl, model, inputs=torch.randn(1, n_in), show_table=False)
    flops, acts, params = n_in * n_out, n_out, n_in * n_out + n_out
    assert results["flops_str"] == fmt(flops, 3)
    assert results["activations_str"] == fmt(acts, 3)
    assert results["params_str"] == fmt(params, 3)
    stats = f"#params: {fmt(params, 2)}, #flops: {fmt(flops, 2)}, #acts: {fmt(acts, 2)}"
    assert results["out_arch"].split("\n")[3] == "  " + stats
    assert math.isclose(results["flops"], flops)
