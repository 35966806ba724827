"""The comparison helpers of engine.testing."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from engine.testing import (
    assert_allclose,
    assert_attrs_equal,
    assert_dict_contains_subset,
    assert_dict_has_keys,
    assert_is_norm_layer,
    assert_keys_equal,
    assert_params_all_zeros,
    check_python_script,
)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (1.0, 1.0),
        (torch.tensor([1.0, 2.0]), [1.0, 2.00001]),  # float32: rtol 1e-4
        (np.array([1.0]), torch.tensor([1.0])),
        (torch.tensor([1]), torch.tensor([1.0])),  # dtypes may differ
        (float("nan"), float("nan")),
        (
            torch.tensor([1.0], dtype=torch.float16),
            torch.tensor([1.0009], dtype=torch.float64),
        ),
    ],
)
def test_assert_allclose_accepts(actual: object, expected: object) -> None:
    assert_allclose(actual, expected)


@pytest.mark.parametrize(
    ("actual", "expected", "kwargs"),
    [
        (torch.tensor([1.0]), torch.tensor([1.00005]), {"rtol": 0, "atol": 0}),
        (
            torch.tensor([1.0], dtype=torch.float64),
            torch.tensor([1.00005], dtype=torch.float64),
            {},
        ),
        (torch.tensor([1]), torch.tensor([2]), {}),  # integers compare exactly
        (float("nan"), float("nan"), {"equal_nan": False}),
        (torch.ones(2), torch.ones(3), {}),
        (torch.ones(2), 1.0, {}),  # no broadcasting
    ],
)
def test_assert_allclose_rejects(
    actual: object, expected: object, kwargs: dict
) -> None:
    with pytest.raises(AssertionError):
        assert_allclose(actual, expected, **kwargs)


def test_assert_allclose_messages() -> None:
    with pytest.raises(AssertionError, match="^custom$"):
        assert_allclose(1.0, 2.0, msg="custom")
    with pytest.raises(AssertionError, match="^wrapped: Scalars are not close"):
        assert_allclose(1.0, 2.0, msg=lambda default: "wrapped: " + default)
    with pytest.raises(ValueError, match="atol"):
        assert_allclose(1.0, 1.05, rtol=0.1)
    assert_allclose(1.0, 1.05, rtol=0.1, atol=0)


def test_dict_and_attribute_comparisons() -> None:
    data = {"a": np.array([1, 2]), "b": [1, torch.tensor([1.0])], "c": {"d": (1, "x")}}
    assert assert_dict_contains_subset(
        data, {"a": np.array([1, 2]), "c": {"d": (1, "x")}}
    )
    assert assert_dict_contains_subset(data, {"b": [1, torch.tensor([1.0])]})
    assert assert_dict_contains_subset(data, {"a": [1, 2]})  # array vs list: by value
    assert not assert_dict_contains_subset(data, {"a": np.array([1, 2, 3])})
    assert not assert_dict_contains_subset(
        data, {"c": {"d": [1, "x"]}}
    )  # tuple vs list
    assert not assert_dict_contains_subset(data, {"a": torch.tensor([1, 2])})
    assert not assert_dict_contains_subset(data, {"missing": 1})
    assert not assert_dict_contains_subset(
        {"n": np.array([np.nan])}, {"n": np.array([np.nan])}
    )
    obj = SimpleNamespace(lr=0.1, weight=torch.ones(2))
    assert assert_attrs_equal(obj, {"lr": 0.1, "weight": torch.ones(2)})
    assert not assert_attrs_equal(obj, {"weight": torch.zeros(2)})
    assert not assert_attrs_equal(obj, {"momentum": 0.9})


def test_key_checks() -> None:
    assert assert_dict_has_keys({"a": 1, "b": 2}, ["a"])
    assert not assert_dict_has_keys({"a": 1}, ["a", "c"])
    assert assert_keys_equal(["a", "b"], ["b", "a", "a"])
    assert not assert_keys_equal(["a", "b"], ["b"])


@pytest.mark.parametrize(
    ("module", "is_norm"),
    [
        (nn.BatchNorm2d(2), True),
        (nn.SyncBatchNorm(2), True),
        (nn.InstanceNorm1d(2), True),
        (nn.GroupNorm(1, 2), True),
        (nn.LayerNorm(2), True),
        (nn.LocalResponseNorm(2), False),
        (nn.Linear(2, 2), False),
    ],
)
def test_assert_is_norm_layer(module: nn.Module, is_norm: bool) -> None:
    assert assert_is_norm_layer(module) is is_norm


def test_assert_params_all_zeros() -> None:
    layer = nn.Linear(2, 2)
    assert not assert_params_all_zeros(layer)
    nn.init.zeros_(layer.weight)
    assert not assert_params_all_zeros(layer)
    nn.init.zeros_(layer.bias)
    assert assert_params_all_zeros(layer)
    no_bias = nn.Conv2d(1, 1, 1, bias=False)
    nn.init.zeros_(no_bias.weight)
    assert assert_params_all_zeros(no_bias)
    with pytest.raises(AttributeError):
        assert_params_all_zeros(nn.ReLU())


def test_check_python_script_runs_as_main(tmp_path: Path) -> None:
    out = tmp_path / "argv.txt"
    script = tmp_path / "tool.py"
    script.write_text(
        "import sys\n"
        f"open({str(out)!r}, 'w').write(repr((__name__, sys.argv)))\n"
        "if '--fail' in sys.argv:\n    raise SystemExit(3)\n"
    )
    argv = list(sys.argv)
    check_python_script(f'python {script} a "b c"')
    assert out.read_text() == repr(("__main__", [str(script), "a", "b c"]))
    assert sys.argv == argv
    with pytest.raises(SystemExit) as caught:
        check_python_script(f"{script} --fail")
    assert caught.value.code == 3
    with pytest.raises(ValueError, match="names no script"):
        check_python_script("python")


def test_importing_the_multiprocess_helpers_does_not_import_torch() -> None:
    import subprocess

    code = "import sys, engine.testing._internal; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
