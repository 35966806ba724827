"""Helpers for the test suites of projects built on ``engine``.

Mirrors ``mmengine.testing``: comparison helpers (:mod:`engine.testing.compare`)
and, in :mod:`engine.testing._internal`, :class:`MultiProcessTestCase` for
tests that run in several processes. :class:`RunnerTestCase` (which imports
torch, so it is loaded on first use) gives downstream tests a toy job.
"""

from typing import Any

from engine.testing.compare import (
    assert_allclose,
    assert_attrs_equal,
    assert_dict_contains_subset,
    assert_dict_has_keys,
    assert_is_norm_layer,
    assert_keys_equal,
    assert_params_all_zeros,
    check_python_script,
)

__all__ = [
    "assert_allclose",
    "assert_dict_contains_subset",
    "assert_keys_equal",
    "assert_attrs_equal",
    "assert_dict_has_keys",
    "assert_is_norm_layer",
    "assert_params_all_zeros",
    "check_python_script",
    "RunnerTestCase",
]


def __getattr__(name: str) -> Any:
    if name == "RunnerTestCase":
        from engine.testing.runner_test_case import RunnerTestCase

        return RunnerTestCase
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
