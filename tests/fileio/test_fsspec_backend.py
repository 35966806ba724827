"""FsspecBackend through memory:// and the fsspec fallback of dispatch."""

from __future__ import annotations

import builtins
import os
from pathlib import Path
from typing import Any

import pytest

from engine import fileio
from engine.fileio import FsspecBackend, get_file_backend
from engine.fileio.errors import MissingFsspecError, UnsupportedOperationError


def test_dispatch_to_fsspec(mem_root: str) -> None:
    assert isinstance(get_file_backend(f"{mem_root}/a"), FsspecBackend)
    named = get_file_backend(backend_args={"backend": "fsspec"})
    assert isinstance(named, FsspecBackend)


def test_get_put(mem_root: str) -> None:
    fileio.put(b"\x00\x01", f"{mem_root}/d/a.bin")
    assert fileio.get(f"{mem_root}/d/a.bin") == b"\x00\x01"
    fileio.put_text("héllo", f"{mem_root}/d/b.txt")
    assert fileio.get_text(f"{mem_root}/d/b.txt") == "héllo"
    with pytest.raises(TypeError):
        fileio.put("text", f"{mem_root}/c.bin")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fileio.put_text(b"bytes", f"{mem_root}/c.txt")  # type: ignore[arg-type]


def test_predicates_and_join(mem_root: str) -> None:
    fileio.put(b"x", f"{mem_root}/d/a.bin")
    assert fileio.exists(f"{mem_root}/d/a.bin") and not fileio.exists(f"{mem_root}/z")
    assert fileio.isdir(f"{mem_root}/d") and not fileio.isdir(f"{mem_root}/d/a.bin")
    assert fileio.isfile(f"{mem_root}/d/a.bin") and not fileio.isfile(f"{mem_root}/d")
    assert fileio.join_path(f"{mem_root}/", "/d", "a.bin") == f"{mem_root}/d/a.bin"


def test_list_dir_or_file(mem_root: str) -> None:
    for name in ["a.txt", "b.bin", "sub/c.txt", "sub/deep/d.py"]:
        fileio.put(b"x", f"{mem_root}/{name}")
    assert list(fileio.list_dir_or_file(mem_root)) == ["a.txt", "b.bin", "sub"]
    assert sorted(fileio.list_dir_or_file(mem_root, recursive=True)) == [
        "a.txt",
        "b.bin",
        "sub",
        "sub/c.txt",
        "sub/deep",
        "sub/deep/d.py",
    ]
    files = fileio.list_dir_or_file(
        mem_root, list_dir=False, suffix=".txt", recursive=True
    )
    assert sorted(files) == ["a.txt", "sub/c.txt"]
    with pytest.raises(FileNotFoundError, match="nope"):
        fileio.list_dir_or_file(f"{mem_root}/nope")


def test_copies_within_and_across(mem_root: str, tmp_path: Path) -> None:
    fileio.put_text("a", f"{mem_root}/src/a.txt")
    fileio.put_text("c", f"{mem_root}/src/sub/c.txt")
    assert fileio.copyfile(f"{mem_root}/src/a.txt", f"{mem_root}/b.txt") == (
        f"{mem_root}/b.txt"
    )
    assert fileio.get_text(f"{mem_root}/b.txt") == "a"
    assert fileio.copyfile(f"{mem_root}/src/a.txt", f"{mem_root}/src/sub") == (
        f"{mem_root}/src/sub/a.txt"
    )
    fileio.copytree(f"{mem_root}/src", f"{mem_root}/tree")
    assert fileio.get_text(f"{mem_root}/tree/sub/c.txt") == "c"
    with pytest.raises(FileExistsError):
        fileio.copytree(f"{mem_root}/src", f"{mem_root}/tree")
    fileio.copytree_to_local(f"{mem_root}/src", tmp_path / "local")
    assert (tmp_path / "local" / "sub" / "c.txt").read_text() == "c"
    fileio.copytree_from_local(tmp_path / "local", f"{mem_root}/back")
    assert fileio.get_text(f"{mem_root}/back/sub/c.txt") == "c"
    fileio.copyfile_from_local(tmp_path / "local" / "a.txt", f"{mem_root}/up.txt")
    assert fileio.get_text(f"{mem_root}/up.txt") == "a"
    dst = fileio.copyfile_to_local(f"{mem_root}/up.txt", tmp_path)
    assert Path(dst).read_text() == "a"


def test_remove_and_rmtree(mem_root: str) -> None:
    fileio.put_text("a", f"{mem_root}/d/a.txt")
    with pytest.raises(IsADirectoryError):
        fileio.remove(f"{mem_root}/d")
    fileio.remove(f"{mem_root}/d/a.txt")
    with pytest.raises(FileNotFoundError, match="a.txt"):
        fileio.remove(f"{mem_root}/d/a.txt")
    fileio.put_text("b", f"{mem_root}/e/b.txt")
    with pytest.raises(NotADirectoryError):
        fileio.rmtree(f"{mem_root}/e/b.txt")
    fileio.rmtree(f"{mem_root}/e")
    assert not fileio.exists(f"{mem_root}/e/b.txt")
    with pytest.raises(FileNotFoundError):
        fileio.rmtree(f"{mem_root}/e")


def test_get_local_path_downloads(mem_root: str) -> None:
    fileio.put_text("a", f"{mem_root}/a.txt")
    with fileio.get_local_path(f"{mem_root}/a.txt") as local:
        assert Path(local).read_text() == "a" and str(local).endswith("a.txt")
    assert not os.path.exists(local)


def test_get_local_path_of_file_uri(tmp_path: Path) -> None:
    pytest.importorskip("fsspec")
    (tmp_path / "a.txt").write_text("a")
    with fileio.get_local_path(f"file://{tmp_path}/a.txt") as local:
        assert local == f"{tmp_path}/a.txt"


def test_presigned_url_unsupported_on_memory(mem_root: str) -> None:
    with pytest.raises(UnsupportedOperationError, match="MemoryFileSystem"):
        fileio.generate_presigned_url(f"{mem_root}/a.txt")


def test_storage_options_reach_fsspec() -> None:
    pytest.importorskip("fsspec")
    backend = get_file_backend("memory://x", backend_args={"skip_instance_cache": True})
    assert backend._options == {"skip_instance_cache": True}


def _hide_fsspec(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "fsspec" or name.startswith("fsspec."):
            raise ImportError("No module named 'fsspec'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_without_fsspec_unknown_prefix_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _hide_fsspec(monkeypatch)
    with pytest.raises(ImportError, match=r"memory://a.*engine\[fsspec\]") as e:
        get_file_backend("memory://a")
    assert isinstance(e.value, MissingFsspecError) and isinstance(e.value, KeyError)
    assert fileio.get_file_backend("/tmp/x").name == "LocalBackend"


def test_without_fsspec_backend_cannot_be_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _hide_fsspec(monkeypatch)
    with pytest.raises(ImportError, match=r"engine\[fsspec\]"):
        FsspecBackend()
