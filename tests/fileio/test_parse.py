"""list_from_file and dict_from_file."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.fileio import dict_from_file, list_from_file
from engine.fileio.errors import MalformedLineError


@pytest.fixture
def a_txt(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text("a\nb\nc\nd\ne\n")
    return path


def test_list_from_file_doc_examples(a_txt: Path) -> None:
    assert list_from_file(a_txt) == ["a", "b", "c", "d", "e"]
    assert list_from_file(str(a_txt), offset=2) == ["c", "d", "e"]
    assert list_from_file(a_txt, max_num=2) == ["a", "b"]
    assert list_from_file(a_txt, prefix="/mnt/") == [f"/mnt/{c}" for c in "abcde"]


def test_list_from_file_combined_and_edge_arguments(a_txt: Path) -> None:
    assert list_from_file(a_txt, prefix="p", offset=1, max_num=2) == ["pb", "pc"]
    assert list_from_file(a_txt, offset=20) == []
    assert list_from_file(a_txt, offset=-1, max_num=-1) == list("abcde")


def test_list_from_file_keeps_whitespace_and_empty_lines(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_bytes(b"a\r\nb \n\n  c\nlast")
    assert list_from_file(path) == ["a", "b ", "", "  c", "last"]
    path.write_text("")
    assert list_from_file(path) == []


def test_list_from_file_encoding(tmp_path: Path) -> None:
    path = tmp_path / "l.txt"
    path.write_bytes("é\n".encode("latin-1"))
    assert list_from_file(path, encoding="latin-1") == ["é"]


def test_list_from_file_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        list_from_file(tmp_path / "missing.txt")


def test_dict_from_file_doc_examples(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text("1 cat\n2 dog cow\n3 panda\n")
    assert dict_from_file(path) == {"1": "cat", "2": ["dog", "cow"], "3": "panda"}
    assert dict_from_file(path, key_type=int) == {
        1: "cat",
        2: ["dog", "cow"],
        3: "panda",
    }


def test_dict_from_file_whitespace_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text(" 1\tcat  \n1 dog\n2 a\tb\n")
    assert dict_from_file(path) == {"1": "dog", "2": ["a", "b"]}


@pytest.mark.parametrize(("content", "line"), [("1 cat\n\n", 2), ("only\n", 1)])
def test_dict_from_file_short_line(tmp_path: Path, content: str, line: int) -> None:
    path = tmp_path / "b.txt"
    path.write_text(content)
    with pytest.raises(MalformedLineError, match=f"b.txt, line {line}") as e:
        dict_from_file(path)
    assert isinstance(e.value, AssertionError) and isinstance(e.value, ValueError)


def test_dict_from_file_bad_key(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text("1 a\nx cat\n")
    with pytest.raises(
        ValueError, match="b.txt, line 2: cannot convert key 'x' with int"
    ):
        dict_from_file(path, key_type=int)


def test_legacy_file_client_args(a_txt: Path) -> None:
    with pytest.warns(DeprecationWarning):
        assert list_from_file(a_txt, file_client_args={"backend": "disk"}) == list(
            "abcde"
        )
    with pytest.raises(ValueError, match="cannot be set at the same time"):
        list_from_file(a_txt, file_client_args={}, backend_args={})
