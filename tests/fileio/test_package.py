"""engine.fileio as a package: public names, import cost."""

from __future__ import annotations

import subprocess
import sys

import engine.fileio


def test_all_names_exist() -> None:
    for name in engine.fileio.__all__:
        assert hasattr(engine.fileio, name), name
    assert sorted(engine.fileio.__all__) == engine.fileio.__all__


def test_all_covers_the_user_api() -> None:
    expected = {
        "load",
        "dump",
        "register_handler",
        "BaseFileHandler",
        "list_from_file",
        "dict_from_file",
        "register_backend",
        "get_file_backend",
        "FileClient",
        "LocalBackend",
        "HardDiskBackend",
        "HTTPBackend",
    }
    assert expected <= set(engine.fileio.__all__)


def test_import_is_light() -> None:
    # numpy is not checked: ``import engine.fileio`` runs ``engine/__init__``,
    # which (like MMEngine's top level) imports engine.logging and so numpy.
    code = (
        "import sys, engine.fileio; "
        "print(sorted(m for m in ('torch', 'yaml', 'fsspec', 'urllib.request')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stderr
