"""LocalBackend and the storage functions on local paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine import fileio
from engine.fileio import HardDiskBackend, LocalBackend


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/{a.txt, b.bin, sub/{c.txt, deep/d.py}}."""
    (tmp_path / "sub" / "deep").mkdir(parents=True)
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.bin").write_bytes(b"b")
    (tmp_path / "sub" / "c.txt").write_text("c")
    (tmp_path / "sub" / "deep" / "d.py").write_text("d")
    return tmp_path


def test_get_put_text_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "new" / "x.txt"
    fileio.put_text("héllo", path)
    assert fileio.get(path) == "héllo".encode()
    assert fileio.get_text(str(path)) == "héllo"
    fileio.put(b"\x00\xff", path)
    assert fileio.get(path) == b"\x00\xff"


def test_get_text_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("é".encode("latin-1"))
    assert fileio.get_text(path, encoding="latin-1") == "é"
    with pytest.raises(UnicodeDecodeError):
        fileio.get_text(path)


def test_backend_put_text_encoding(tmp_path: Path) -> None:
    LocalBackend().put_text("é", tmp_path / "a.txt", encoding="latin-1")
    assert (tmp_path / "a.txt").read_bytes() == b"\xe9"


def test_get_missing_and_directory(tree: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.bin"):
        fileio.get(tree / "nope.bin")
    with pytest.raises(IsADirectoryError):
        fileio.get(tree / "sub")


def test_predicates(tree: Path) -> None:
    assert fileio.exists(tree / "sub") and not fileio.exists(tree / "nope")
    assert fileio.isdir(tree / "sub") and not fileio.isdir(tree / "a.txt")
    assert fileio.isfile(tree / "a.txt") and not fileio.isfile(tree / "sub")


def test_join_path() -> None:
    assert fileio.join_path("a", "b", "c") == os.path.join("a", "b", "c")
    assert fileio.join_path(Path("a"), Path("b")) == os.path.join("a", "b")


def test_list_dir_or_file(tree: Path) -> None:
    assert list(fileio.list_dir_or_file(tree)) == ["a.txt", "b.bin", "sub"]
    assert list(fileio.list_dir_or_file(tree, list_dir=False)) == ["a.txt", "b.bin"]
    assert list(fileio.list_dir_or_file(tree, list_file=False, recursive=True)) == [
        "sub",
        "sub/deep",
    ]
    assert list(fileio.list_dir_or_file(tree, recursive=True)) == [
        "a.txt",
        "b.bin",
        "sub",
        "sub/c.txt",
        "sub/deep",
        "sub/deep/d.py",
    ]


def test_list_dir_or_file_suffix(tree: Path) -> None:
    files = fileio.list_dir_or_file(tree, list_dir=False, suffix=".txt", recursive=True)
    assert list(files) == ["a.txt", "sub/c.txt"]
    files = fileio.list_dir_or_file(
        tree, list_dir=False, suffix=(".py", ".bin"), recursive=True
    )
    assert list(files) == ["b.bin", "sub/deep/d.py"]


def test_list_dir_or_file_bad_arguments(tree: Path) -> None:
    with pytest.raises(TypeError, match="should be None when `list_dir` is True"):
        fileio.list_dir_or_file(tree, suffix=".txt")
    with pytest.raises(TypeError, match="string or tuple of strings"):
        fileio.list_dir_or_file(tree, list_dir=False, suffix=[".txt"])  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError, match="nope"):
        list(fileio.list_dir_or_file(tree / "nope"))


def test_copyfile(tree: Path) -> None:
    dst = fileio.copyfile(tree / "a.txt", tree / "copy.txt")
    assert dst == tree / "copy.txt" and (tree / "copy.txt").read_text() == "a"
    into = fileio.copyfile(str(tree / "a.txt"), str(tree / "sub"))
    assert into == os.path.join(tree, "sub", "a.txt")
    with pytest.raises(FileNotFoundError):
        fileio.copyfile(tree / "nope", tree / "x")


@pytest.mark.parametrize("name", ["copyfile_from_local", "copyfile_to_local"])
def test_copyfile_local_variants(tree: Path, name: str) -> None:
    dst = getattr(fileio, name)(str(tree / "a.txt"), str(tree / "x.txt"))
    assert dst == str(tree / "x.txt") and (tree / "x.txt").read_text() == "a"


@pytest.mark.parametrize(
    "name", ["copytree", "copytree_from_local", "copytree_to_local"]
)
def test_copytree_variants(tree: Path, name: str) -> None:
    dst = getattr(fileio, name)(tree / "sub", tree / "copy")
    assert dst == tree / "copy"
    assert (tree / "copy" / "deep" / "d.py").read_text() == "d"
    with pytest.raises(FileExistsError):
        getattr(fileio, name)(tree / "sub", tree / "copy")


def test_remove(tree: Path) -> None:
    fileio.remove(tree / "a.txt")
    assert not (tree / "a.txt").exists()
    with pytest.raises(FileNotFoundError, match="a.txt does not exist"):
        fileio.remove(tree / "a.txt")
    with pytest.raises(IsADirectoryError, match="sub should be a file"):
        fileio.remove(tree / "sub")


def test_rmtree(tree: Path) -> None:
    fileio.rmtree(tree / "sub")
    assert not (tree / "sub").exists()
    with pytest.raises(FileNotFoundError):
        fileio.rmtree(tree / "sub")
    with pytest.raises(NotADirectoryError):
        fileio.rmtree(tree / "a.txt")


def test_get_local_path_yields_str(tree: Path) -> None:
    with fileio.get_local_path(tree / "a.txt") as local:
        assert local == str(tree / "a.txt")


def test_copy_if_symlink_fails(tree: Path) -> None:
    assert fileio.copy_if_symlink_fails(tree / "a.txt", tree / "link.txt") is True
    assert (tree / "link.txt").is_symlink()


def test_copy_if_symlink_fails_copies(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_symlink(src: object, dst: object) -> None:
        raise OSError("symlinks not allowed")

    monkeypatch.setattr(os, "symlink", no_symlink)
    assert fileio.copy_if_symlink_fails(tree / "a.txt", tree / "f.txt") is False
    assert fileio.copy_if_symlink_fails(tree / "sub", tree / "d") is False
    assert (tree / "f.txt").read_text() == "a" and (tree / "d" / "c.txt").exists()


def test_generate_presigned_url_unsupported(tree: Path) -> None:
    with pytest.raises(NotImplementedError, match="LocalBackend.*a.txt"):
        fileio.generate_presigned_url(str(tree / "a.txt"))
    with pytest.raises(AttributeError):
        fileio.generate_presigned_url(str(tree / "a.txt"))


def test_names_and_symlink_flag() -> None:
    assert LocalBackend().name == "LocalBackend"
    with pytest.warns(DeprecationWarning):
        backend = HardDiskBackend()
    assert backend.name == "HardDiskBackend" and isinstance(backend, LocalBackend)
    with pytest.warns(DeprecationWarning):
        assert LocalBackend().allow_symlink is True
