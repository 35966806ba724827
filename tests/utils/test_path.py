"""engine.utils.path: files, directories, links, scanning."""

import os
from pathlib import Path

import pytest

from engine.utils.path import (
    check_file_exist,
    fopen,
    is_abs,
    is_filepath,
    mkdir_or_exist,
    scandir,
    symlink,
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel in ("x.TXT", "z.py", ".dotfile", "b/y.txt", ".hid/h.txt", "b/c/d.PY"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return tmp_path


def test_scandir_top_level_skips_dot_files(tree: Path) -> None:
    assert sorted(scandir(tree)) == ["x.TXT", "z.py"]
    assert sorted(scandir(str(tree))) == ["x.TXT", "z.py"]


def test_scandir_recursive_enters_hidden_directories(tree: Path) -> None:
    assert sorted(scandir(tree, recursive=True)) == [
        ".hid/h.txt",
        "b/c/d.PY",
        "b/y.txt",
        "x.TXT",
        "z.py",
    ]


def test_scandir_suffixes(tree: Path) -> None:
    assert sorted(scandir(tree, ".txt", recursive=True)) == [".hid/h.txt", "b/y.txt"]
    assert sorted(scandir(tree, (".txt", ".py"), recursive=True)) == [
        ".hid/h.txt",
        "b/y.txt",
        "z.py",
    ]
    assert sorted(scandir(tree, ".TXT", case_sensitive=False)) == ["x.TXT"]
    assert sorted(scandir(tree, (".py",), recursive=True, case_sensitive=False)) == [
        "b/c/d.PY",
        "z.py",
    ]


def test_scandir_type_errors(tree: Path) -> None:
    with pytest.raises(TypeError, match="suffix"):
        list(scandir(tree, [".txt"]))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dir_path"):
        list(scandir(3))  # type: ignore[arg-type]


def test_scandir_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(scandir(tmp_path / "missing"))


def test_mkdir_or_exist(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    mkdir_or_exist(target)
    mkdir_or_exist(str(target))  # exists: no error
    assert target.is_dir()
    mkdir_or_exist("")  # nothing to do


def test_check_file_exist(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("x")
    check_file_exist(path)
    with pytest.raises(FileNotFoundError, match=f'file "{tmp_path}" does not exist'):
        check_file_exist(tmp_path)  # a directory is not a file
    with pytest.raises(FileNotFoundError, match="^nope missing$"):
        check_file_exist("missing", "nope {}")


def test_symlink_overwrite(tmp_path: Path) -> None:
    link = tmp_path / "link"
    symlink("first", str(link))
    symlink("second", str(link))
    assert os.readlink(link) == "second"
    with pytest.raises(FileExistsError):
        symlink("third", str(link), overwrite=False)


def test_fopen_and_is_filepath(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("hello")
    with fopen(path) as f:
        assert f.read() == "hello"
    with fopen(str(path), "r") as f:
        assert f.read() == "hello"
    with pytest.raises(ValueError):
        fopen(3)  # type: ignore[arg-type]
    assert is_filepath("a") and is_filepath(Path("a")) and not is_filepath(1)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a", True),
        ("a", False),
        ("s3://b/k", True),
        ("http://h/x", True),
        ("~/x", False),
        (Path("/x"), True),
        ("a/../b", False),
    ],
)
def test_is_abs(path: str, expected: bool) -> None:
    assert is_abs(path) is expected
