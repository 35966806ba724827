"""REG-16: the DEBUG lines a registry writes when it builds (doc L7511-7515)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.harness import Impl


def _build_with_debug_log(impl: Impl, tmp_path: Path) -> list[str]:
    """Build one object through a root-scope registry; return the log lines."""
    logging_mod = impl.mod("logging")
    registry_mod = impl.mod("registry")
    log_dir = tmp_path / "reg16"
    log_dir.mkdir()
    logging_mod.MMLogger.get_instance(
        "reg16", log_file=str(log_dir / "reg16.log"), log_level="DEBUG"
    )
    things = registry_mod.Registry("vis_backend", scope=impl.scope)

    @things.register_module()
    class LocalThing:
        pass

    things.build(dict(type="LocalThing"))
    files = sorted(log_dir.rglob("*.log"))
    assert files, f"no log file under {log_dir}"
    text = files[0].read_text()
    return [re.sub(r"^.* - DEBUG - ", "", line) for line in text.splitlines()]


@pytest.mark.spec("REG-16", "LOG-08")
def test_build_logs_where_the_class_was_found(impl: Impl, tmp_path: Path) -> None:
    lines = _build_with_debug_log(impl, tmp_path)
    expected = f'Get class `LocalThing` from "vis_backend" registry in "{impl.scope}"'
    assert expected in lines


@pytest.mark.spec("REG-16", "LOG-08")
@pytest.mark.diverges(
    "mmengine",
    reason="the doc (L7515) prints 'its implementation can be found in'; "
    "mmengine 0.10.7 prints 'and its implementation can be found in'",
)
def test_build_logs_where_the_implementation_lives(impl: Impl, tmp_path: Path) -> None:
    lines = _build_with_debug_log(impl, tmp_path)
    module = __name__
    expected = (
        "An `LocalThing` instance is built from registry, "
        f"its implementation can be found in {module}"
    )
    assert expected in lines
