"""The inventory coverage report of the conformance suite."""

from pathlib import Path

from conformance import coverage
from conformance.waivers import WAIVERS


def test_inventory_ids_are_parsed(tmp_path: Path) -> None:
    inv = tmp_path / "inv.md"
    inv.write_text("**CFG-01** (L1): a\n* not **CFG-02**\n**FIO-03** (L2): b\n")
    assert coverage.inventory_ids(inv) == ["CFG-01", "FIO-03"]


def test_covered_ids_read_spec_marks(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(
        '@pytest.mark.spec("CFG-01", "CFG-02")\ndef test(): ...\n'
        "# CFG-09 in a comment is not a mark\n"
    )
    assert coverage.covered_ids(tmp_path) == {
        "CFG-01": ["test_x.py"],
        "CFG-02": ["test_x.py"],
    }


def test_report_groups_by_prefix() -> None:
    ids = ["AAA-01", "AAA-02", "BBB-01"]
    table = coverage.report(ids, {"AAA-01": ["t.py"]})
    assert table["AAA"] == {"covered": ["AAA-01"], "waived": [], "missing": ["AAA-02"]}
    assert table["BBB"]["missing"] == ["BBB-01"]


def test_waivers_have_reasons() -> None:
    for ident, reason in WAIVERS.items():
        assert len(reason.split()) >= 3, ident
    assert list(WAIVERS) == sorted(WAIVERS)


def test_no_conformance_test_imports_an_implementation() -> None:
    root = Path(coverage.ROOT)
    offenders = []
    for file in root.rglob("*.py"):
        for line in file.read_text().splitlines():
            stripped = line.strip()
            for pkg in ("engine", "mmengine"):
                if stripped.startswith((f"import {pkg}", f"from {pkg}")):
                    offenders.append(f"{file}: {stripped}")
    assert offenders == []
