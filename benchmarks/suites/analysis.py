"""Model complexity analysis: ResNet-50 at 224x224.

* ``get_model_complexity_info``: the documented call (doc L1446) on
  ResNet-50 (torchvision's architecture, rebuilt in
  :mod:`conformance.analysis_toys`) with ``input_shape=(3, 224, 224)``:
  tracing, counting flops and activations, the table and the annotated
  repr;
* ``FlopAnalyzer.total``: a fresh flop analyser's total (one trace);
* ``fvcore FlopCountAnalysis``: the same with fvcore, only where fvcore is
  installed (it is the design both implementations follow).

Every call checks its totals against closed forms computed with forward
hooks (:func:`conformance.analysis_toys.hook_counts`): 4,144,854,528
flops, 11,114,984 activations and 25,557,032 parameters at 224x224, so
all implementations measured count the same. Smoke: 64x64 inputs. The
model is built and run once during setup; the first trace of a process
(TorchScript's warm-up) is paid there too. Warnings are not logged. Torch
runs on one thread: with other processes on the machine, multi-threaded
convolutions make timings erratic (both implementations run the same
model the same way; the difference is the analysis around it).
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from benchmarks.suite import Case

NAME = "analysis"


def _setup(impl: str, size: int) -> tuple[Any, Any, Any, tuple[int, int, int]]:
    import torch

    from conformance.analysis_toys import hook_counts, resnet50

    logging = importlib.import_module(f"{impl}.logging")
    # The current logger drops warnings: the analysers log unsupported ops.
    logging.MMLogger.get_instance("analysis-benchmark", log_level="ERROR")
    analysis = importlib.import_module(f"{impl}.analysis")
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = resnet50()
    x = torch.randn(1, 3, size, size)
    expected = hook_counts(model, x)
    analysis.FlopAnalyzer(model, x).total()  # TorchScript's first-trace cost
    return analysis, model, x, expected


def _complexity_info(analysis: Any, model: Any, size: int, expected: tuple) -> Case:
    def case() -> None:
        info = analysis.get_model_complexity_info(model, (3, size, size))
        totals = (info["flops"], info["activations"], info["params"])
        assert totals == expected, (totals, expected)

    return case


def _flop_analyzer(analysis: Any, model: Any, x: Any, flops: int) -> Case:
    def case() -> None:
        assert analysis.FlopAnalyzer(model, x).total() == flops

    return case


def _fvcore(model: Any, x: Any, flops: int) -> Case:
    from fvcore.nn import FlopCountAnalysis

    def case() -> None:
        analysis = FlopCountAnalysis(model, x).unsupported_ops_warnings(False)
        assert analysis.uncalled_modules_warnings(False).total() == flops

    return case


def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]:
    """The analysis cases for ``impl`` (and fvcore where installed)."""
    size = 64 if smoke else 224
    analysis, model, x, expected = _setup(impl, size)
    result = {
        f"get_model_complexity_info {size}": _complexity_info(
            analysis, model, size, expected
        ),
        f"FlopAnalyzer.total {size}": _flop_analyzer(analysis, model, x, expected[0]),
    }
    if importlib.util.find_spec("fvcore") is not None:
        result[f"fvcore FlopCountAnalysis {size}"] = _fvcore(model, x, expected[0])
    return result
