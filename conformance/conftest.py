"""Pytest wiring of the conformance suite.

``pytest conformance --impl engine`` (default) or ``--impl mmengine``.
Tests take the ``impl`` fixture and mark the inventory ids they check::

    @pytest.mark.spec("FIO-05")
    def test_list_from_file(impl, tmp_path): ...

A documented divergence of one implementation is marked with
``@pytest.mark.diverges("mmengine", reason="... (doc L7908)")`` and becomes a
strict xfail when the suite runs against that implementation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from conformance.harness.impl import IMPLEMENTATIONS, Impl
from conformance.harness.isolation import (
    clear_manager_instances,
    destroy_process_group,
    restore_environ,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--impl",
        default="engine",
        choices=IMPLEMENTATIONS,
        help="implementation the conformance suite runs against",
    )


def pytest_configure(config: pytest.Config) -> None:
    os.environ["CONFORMANCE_IMPL"] = config.getoption("--impl")
    # MMEngine's ``pkg::`` resolution runs ``pip install <pkg>`` when a
    # package is missing; tests never download, so pip gets no index.
    os.environ["PIP_NO_INDEX"] = "1"
    os.environ["PIP_CONFIG_FILE"] = os.devnull


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    name = config.getoption("--impl")
    for item in items:
        for mark in item.iter_markers("diverges"):
            if mark.args and mark.args[0] == name:
                reason = mark.kwargs.get("reason", "documented divergence")
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.fixture(scope="session")
def impl(request: pytest.FixtureRequest) -> Impl:
    """The implementation under test."""
    return Impl(request.config.getoption("--impl"))


@pytest.fixture(autouse=True)
def _isolate(impl: Impl) -> Iterator[None]:
    """Leave no global state behind: instances, scope, process group, env."""
    saved = dict(os.environ)
    cwd = os.getcwd()
    yield
    os.chdir(cwd)
    clear_manager_instances(impl.name)
    destroy_process_group()
    restore_environ(saved)
