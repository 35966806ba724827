"""Atomic writes: a failed write never replaces or truncates the old file."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO, Any

import pytest

from engine.fileio import BaseFileHandler, dump, load, put, put_text, register_handler
from engine.fileio.atomic import atomic_open, atomic_write_bytes


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


class Unserializable:
    """json, yaml and pickle all fail on it (pickle via __reduce__)."""

    def __reduce__(self) -> Any:
        raise RuntimeError("boom while serializing")


@pytest.mark.parametrize(
    ("ext", "error"),
    [("json", TypeError), ("yaml", RuntimeError), ("pkl", RuntimeError)],
)
def test_dump_that_fails_keeps_the_old_file(
    tmp_path: Path, ext: str, error: type[Exception]
) -> None:
    path = tmp_path / f"data.{ext}"
    dump({"old": True}, path)
    before = path.read_bytes()
    with pytest.raises(error):
        dump({"new": [1, Unserializable()]}, path)
    assert path.read_bytes() == before
    assert load(path) == {"old": True}
    assert _leftovers(tmp_path) == []


class HalfWriter(BaseFileHandler):
    """Writes part of its output, then crashes."""

    def load_from_fileobj(self, file: IO[Any], **kwargs: Any) -> Any:
        return file.read()

    def dump_to_fileobj(self, obj: Any, file: IO[Any], **kwargs: Any) -> None:
        file.write("partial")
        file.flush()
        raise RuntimeError("crash mid-write")

    def dump_to_str(self, obj: Any, **kwargs: Any) -> str:
        raise RuntimeError("crash mid-write")


def test_handler_dump_to_path_crash_mid_write(tmp_path: Path) -> None:
    path = tmp_path / "a.half"
    path.write_text("complete old content")
    with pytest.raises(RuntimeError, match="crash mid-write"):
        HalfWriter().dump_to_path("x", path)
    assert path.read_text() == "complete old content"
    assert _leftovers(tmp_path) == []


def test_dump_crash_mid_write(tmp_path: Path) -> None:
    register_handler("half")(HalfWriter)
    path = tmp_path / "a.half"
    path.write_text("complete old content")
    with pytest.raises(RuntimeError, match="crash mid-write"):
        dump("x", path)
    assert path.read_text() == "complete old content"
    assert _leftovers(tmp_path) == []


def test_put_crash_during_os_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"old")

    def failing_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        put(b"new content", path)
    assert path.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_put_text_wrong_type_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        put_text(b"bytes", tmp_path / "a.txt")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        put("text", tmp_path / "b.bin")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_put_replaces_content(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    put_text("first, longer content", path)
    put_text("second", path)
    assert path.read_text() == "second"
    assert _leftovers(tmp_path) == []


def test_write_through_symlink(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    put_text("new", link)
    assert link.is_symlink()
    assert target.read_text() == "new"


def test_permissions_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("old")
    path.chmod(0o640)
    put_text("new", path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_new_file_permissions_follow_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_bytes(b"x", tmp_path / "a.bin")
        open(tmp_path / "b.bin", "wb").close()
    finally:
        os.umask(old)
    mode_a = stat.S_IMODE((tmp_path / "a.bin").stat().st_mode)
    assert mode_a == stat.S_IMODE((tmp_path / "b.bin").stat().st_mode)


@pytest.mark.parametrize("mode", ["r", "a", "wx", "rb"])
def test_atomic_open_rejects_non_write_modes(tmp_path: Path, mode: str) -> None:
    with pytest.raises(ValueError, match="'w' mode"):
        with atomic_open(tmp_path / "a", mode):
            pass


def test_atomic_open_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_bytes(b"x", tmp_path / "no" / "a.bin")
