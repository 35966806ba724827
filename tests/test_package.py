"""The top-level package: version and import cost."""

import re
import subprocess
import sys

import engine


def test_version_is_pep440() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]\d+|rc\d+)?", engine.__version__)
    assert engine.version_info == tuple(int(p) for p in engine.__version__.split("."))


def test_import_engine_does_not_import_torch() -> None:
    code = "import sys, engine; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False", out.stderr
