"""Fixtures of the fileio unit tests: registry isolation, HTTP, memory://."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.harness.http import serve_directory
from engine.fileio import dispatch
from engine.fileio.backends import backends, prefix_to_backends
from engine.fileio.file_client import FileClient
from engine.fileio.handlers import file_handlers


@pytest.fixture(autouse=True)
def _restore_registries() -> Iterator[None]:
    """Undo handler/backend registrations and cached backends of a test."""
    saved = [
        (table, dict(table))
        for table in (
            file_handlers,
            backends,
            prefix_to_backends,
            dispatch.backend_instances,
            FileClient._backends,
            FileClient._prefix_to_backends,
            FileClient._instances,
        )
    ]
    yield
    for table, content in saved:
        table.clear()
        table.update(content)


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback HTTP server over a temporary directory: (base URL, dir)."""
    root = tmp_path / "www"
    root.mkdir()
    with serve_directory(root) as url:
        yield url, root


@pytest.fixture
def mem_root() -> Iterator[str]:
    """A fresh ``memory://`` directory, removed afterwards."""
    fsspec = pytest.importorskip("fsspec")
    name = f"memory://test-{uuid.uuid4().hex}"
    yield name
    fs = fsspec.filesystem("memory")
    if fs.exists(name):
        fs.rm(name, recursive=True)
