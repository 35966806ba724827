"""Assertions for the test suites of projects built on ``engine``.

The names and signatures are those of ``mmengine.testing``.
:func:`assert_allclose` raises on a mismatch; the ``assert_*`` predicates
return a bool for the caller to assert, so the failing expression shows in
the test report.
"""

from __future__ import annotations

import re
import runpy
import shlex
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import numpy as np

if TYPE_CHECKING:  # torch is imported when a helper runs, not with the package
    import torch
    from torch import nn

#: Default ``(rtol, atol)`` of :func:`assert_allclose` by dtype; other dtypes
#: compare exactly. Two dtypes take the looser of their tolerances.
_TOLERANCES = {
    "torch.float16": (1e-3, 1e-3),
    "torch.float32": (1e-4, 1e-5),
    "torch.float64": (1e-5, 1e-8),
}


def _default_tolerances(*dtypes: torch.dtype) -> tuple[float, float]:
    pairs = [_TOLERANCES.get(str(dtype), (0.0, 0.0)) for dtype in dtypes]
    return max(rtol for rtol, _ in pairs), max(atol for _, atol in pairs)


def assert_allclose(
    actual: Any,
    expected: Any,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = True,
    msg: str | Callable | None = "",
) -> None:
    """Assert that ``actual`` and ``expected`` are close, element by element.

    Non-tensors (numbers, lists, numpy arrays) become tensors; an
    ``expected`` that is not a tensor takes ``actual``'s dtype. Dtypes may
    differ; shapes and devices may not. Without ``rtol`` and ``atol`` the
    tolerances come from the dtypes: ``(1e-3, 1e-3)`` for float16,
    ``(1e-4, 1e-5)`` for float32, ``(1e-5, 1e-8)`` for float64 and exact
    equality otherwise.

    Args:
        actual: The value under test.
        expected: The reference value.
        rtol: Relative tolerance; give it with ``atol``. Defaults to None.
        atol: Absolute tolerance; give it with ``rtol``. Defaults to None.
        equal_nan: Whether two NaNs are equal. Defaults to True.
        msg: A message replacing the default one, or a callable that turns
            the default message into the one to show. Defaults to ``''``
            (the default message).

    Raises:
        AssertionError: If the values are not close.
        ValueError: If only one of ``rtol`` and ``atol`` is given.

    Examples:
        >>> import torch
        >>> from engine.testing import assert_allclose
        >>> assert_allclose(torch.tensor([1.0, 2.0]), [1.0, 2.00001])
    """
    import torch

    if not isinstance(actual, torch.Tensor):
        actual = torch.tensor(actual)
    if not isinstance(expected, torch.Tensor):
        expected = torch.tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = _default_tolerances(actual.dtype, expected.dtype)
    torch.testing.assert_close(
        actual,
        expected,
        rtol=rtol,
        atol=atol,
        equal_nan=equal_nan,
        check_device=True,
        check_dtype=False,
        check_stride=False,
        msg=msg or None,
    )


def _equal(first: Any, second: Any) -> bool:
    """Equality that also compares tensors and arrays (and nests of them)."""
    torch = sys.modules.get("torch")  # no tensor can exist before torch is loaded
    tensor = torch.Tensor if torch is not None else ()
    if isinstance(first, tensor) or isinstance(second, tensor):
        return (
            isinstance(first, tensor)
            and isinstance(second, tensor)
            and first.shape == second.shape
            and bool((first.cpu() == second.cpu()).all())
        )
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        try:
            return bool(np.array_equal(np.asarray(first), np.asarray(second)))
        except (TypeError, ValueError):  # e.g. a ragged list
            return False
    if isinstance(first, Mapping) and isinstance(second, Mapping):
        return first.keys() == second.keys() and all(
            _equal(first[key], second[key]) for key in first
        )
    for kind in (list, tuple):
        if isinstance(first, kind) and isinstance(second, kind):
            return len(first) == len(second) and all(map(_equal, first, second))
    try:
        return bool(first == second)
    except (TypeError, ValueError, RuntimeError):
        return False


def assert_dict_contains_subset(
    dict_obj: dict[Any, Any], expected_subset: dict[Any, Any]
) -> bool:
    """Whether ``dict_obj`` has every key of ``expected_subset``, with equal values.

    Values compare with ``==``; tensors and numpy arrays (also inside lists,
    tuples and dicts) compare element-wise and must have the same shape.

    Args:
        dict_obj: The dict under test.
        expected_subset: The expected items.

    Examples:
        >>> import numpy as np
        >>> from engine.testing import assert_dict_contains_subset
        >>> assert_dict_contains_subset({'a': np.ones(2), 'b': 1}, {'a': np.ones(2)})
        True
    """
    return all(
        key in dict_obj and _equal(dict_obj[key], value)
        for key, value in expected_subset.items()
    )


def assert_attrs_equal(obj: Any, expected_attrs: dict[str, Any]) -> bool:
    """Whether ``obj`` has every attribute of ``expected_attrs``, with equal values.

    Values compare as in :func:`assert_dict_contains_subset`.

    Args:
        obj: The object under test.
        expected_attrs: Expected values by attribute name.

    Examples:
        >>> from types import SimpleNamespace
        >>> from engine.testing import assert_attrs_equal
        >>> assert_attrs_equal(SimpleNamespace(lr=0.1), {'lr': 0.1})
        True
    """
    return all(
        hasattr(obj, name) and _equal(getattr(obj, name), value)
        for name, value in expected_attrs.items()
    )


def assert_dict_has_keys(obj: dict[str, Any], expected_keys: list[str]) -> bool:
    """Whether ``obj`` has every key of ``expected_keys``.

    Args:
        obj: The dict under test.
        expected_keys: The keys it must have.

    Examples:
        >>> from engine.testing import assert_dict_has_keys
        >>> assert_dict_has_keys({'img': 1, 'label': 2}, ['img'])
        True
    """
    return set(expected_keys).issubset(obj)


def assert_keys_equal(result_keys: list[str], target_keys: list[str]) -> bool:
    """Whether the two collections hold the same keys (order and repeats aside).

    Args:
        result_keys: The keys under test.
        target_keys: The expected keys.

    Examples:
        >>> from engine.testing import assert_keys_equal
        >>> assert_keys_equal(['a', 'b'], ['b', 'a'])
        True
    """
    return set(result_keys) == set(target_keys)


def assert_is_norm_layer(module: nn.Module) -> bool:
    """Whether ``module`` is a batch, instance, group or layer normalisation.

    Args:
        module: The module under test.

    Examples:
        >>> from torch import nn
        >>> from engine.testing import assert_is_norm_layer
        >>> assert_is_norm_layer(nn.BatchNorm2d(3)), assert_is_norm_layer(nn.ReLU())
        (True, False)
    """
    from torch import nn
    from torch.nn.modules.batchnorm import _BatchNorm
    from torch.nn.modules.instancenorm import _InstanceNorm

    norms = (_BatchNorm, _InstanceNorm, nn.GroupNorm, nn.LayerNorm)
    return isinstance(module, norms)


def assert_params_all_zeros(module: nn.Module) -> bool:
    """Whether ``module.weight`` and ``module.bias`` (if any) are all zeros.

    Args:
        module: A module with a ``weight``; ``bias`` may be absent or None.

    Raises:
        AttributeError: If the module has no ``weight``.

    Examples:
        >>> from torch import nn
        >>> from engine.testing import assert_params_all_zeros
        >>> layer = nn.Linear(2, 2)
        >>> _ = nn.init.zeros_(layer.weight), nn.init.zeros_(layer.bias)
        >>> assert_params_all_zeros(layer)
        True
    """
    import torch

    weight: torch.Tensor = module.weight  # type: ignore[assignment]
    bias: torch.Tensor | None = getattr(module, "bias", None)
    zero_weight = bool(torch.all(weight.detach() == 0))
    zero_bias = bias is None or bool(torch.all(bias.detach() == 0))
    return zero_weight and zero_bias


_PYTHON = re.compile(r"python(\d+(\.\d+)?)?")


def check_python_script(cmd: str) -> None:
    """Run a Python script in this process, as the command line ``cmd`` would.

    ``cmd`` is split like a shell would (quotes group words); a leading
    ``python`` is dropped; the script runs as ``__main__`` with ``sys.argv``
    set to the rest. Its exceptions (and ``SystemExit``) propagate.

    Args:
        cmd: E.g. ``'python tools/train.py configs/a.py --work-dir out'``.

    Examples:
        >>> from engine.testing import check_python_script
        >>> check_python_script('python tools/analyze.py --help')  # doctest: +SKIP
    """
    args = shlex.split(cmd)
    if args and _PYTHON.fullmatch(args[0]):
        args = args[1:]
    if not args:
        raise ValueError(f"check_python_script: {cmd!r} names no script")
    with patch.object(sys, "argv", args):
        runpy.run_path(args[0], run_name="__main__")
