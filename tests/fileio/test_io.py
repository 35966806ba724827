"""load/dump: format choice, paths, file objects, strings and errors."""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path

import pytest
import yaml

from engine.fileio import dump, load
from engine.fileio.errors import (
    JSONFileDecodeError,
    PickleFileError,
    UnknownBackendError,
    UnsupportedFormatError,
)

DATA = {"a": 1, "b": [1.5, "x", None], "c": {"d": True}}


@pytest.mark.parametrize("ext", ["json", "yaml", "yml", "pkl", "pickle"])
def test_path_round_trip_by_extension(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"data.{ext}"
    assert dump(DATA, str(path)) is None
    assert load(str(path)) == DATA
    assert load(path) == DATA


def test_formats_on_disk_are_the_standard_ones(tmp_path: Path) -> None:
    dump(DATA, tmp_path / "a.json")
    dump(DATA, tmp_path / "a.yaml")
    dump(DATA, tmp_path / "a.pkl")
    assert json.loads((tmp_path / "a.json").read_text()) == DATA
    assert yaml.safe_load((tmp_path / "a.yaml").read_text()) == DATA
    assert pickle.loads((tmp_path / "a.pkl").read_bytes()) == DATA


def test_file_format_overrides_extension(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    dump(DATA, path, file_format="yaml")
    assert path.read_text().startswith("a: 1")
    assert load(path, file_format="yaml") == DATA


def test_dump_without_file_returns_str_or_bytes() -> None:
    assert dump(DATA, file_format="json") == json.dumps(DATA)
    assert yaml.safe_load(dump(DATA, file_format="yaml")) == DATA
    assert pickle.loads(dump(DATA, file_format="pkl")) == DATA


def test_file_objects() -> None:
    text = io.StringIO()
    assert dump(DATA, text, file_format="yaml") is None
    text.seek(0)
    assert load(text, file_format="yml") == DATA
    binary = io.BytesIO()
    dump(DATA, binary, file_format="pickle")
    binary.seek(0)
    assert load(binary, file_format="pkl") == DATA


def test_kwargs_reach_the_handler(tmp_path: Path) -> None:
    dump({"a": 1}, tmp_path / "a.json", indent=4)
    assert (tmp_path / "a.json").read_text() == '{\n    "a": 1\n}'


def test_dump_creates_parent_directories(tmp_path: Path) -> None:
    dump(DATA, tmp_path / "x" / "y" / "a.json")
    assert load(tmp_path / "x" / "y" / "a.json") == DATA


def test_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"txt \(file '.*a\.txt'\)"):
        load(str(tmp_path / "a.txt"))
    with pytest.raises(TypeError, match="Unsupported format: txt"):
        dump(DATA, str(tmp_path / "a.txt"))
    assert not (tmp_path / "a.txt").exists()


def test_extension_is_case_sensitive(tmp_path: Path) -> None:
    (tmp_path / "A.JSON").write_text("{}")
    with pytest.raises(TypeError, match="JSON"):
        load(tmp_path / "A.JSON")


def test_file_object_needs_a_format() -> None:
    with pytest.raises(TypeError, match="Unsupported format: None"):
        load(io.StringIO("{}"))
    with pytest.raises(ValueError, match="file_format must be specified"):
        dump(DATA)


def test_neither_path_nor_file_object() -> None:
    with pytest.raises(TypeError, match="file-object, got 123"):
        dump(DATA, 123, file_format="json")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="file-object, got 123"):
        load(123, file_format="json")  # type: ignore[arg-type]


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = str(tmp_path / "missing.json")
    with pytest.raises(FileNotFoundError, match="missing.json"):
        load(path)


def test_malformed_json_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"a": }')
    with pytest.raises(json.JSONDecodeError, match=r"bad\.json.*line 1 column 7") as e:
        load(path)
    assert isinstance(e.value, JSONFileDecodeError)
    assert isinstance(e.value.__cause__, json.JSONDecodeError)


def test_malformed_yaml_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\nb: :")
    with pytest.raises(yaml.YAMLError, match=r'in ".*bad\.yaml", line 1'):
        load(path)


def test_malformed_pickle_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.pkl"
    path.write_bytes(b"\x80\x02garbage")
    with pytest.raises(pickle.UnpicklingError, match=r"bad\.pkl") as e:
        load(path)
    assert isinstance(e.value, PickleFileError)


def test_other_parse_errors_get_a_note(tmp_path: Path) -> None:
    path = tmp_path / "empty.pkl"
    path.write_bytes(b"")
    with pytest.raises(EOFError) as e:
        load(path)
    assert any("empty.pkl" in note for note in getattr(e.value, "__notes__", []))


def test_unknown_scheme_names_the_uri() -> None:
    with pytest.raises(KeyError, match="nosuchscheme://b/a.json") as e:
        load("nosuchscheme://b/a.json")
    assert isinstance(e.value, UnknownBackendError)


def test_file_client_args(tmp_path: Path) -> None:
    path = str(tmp_path / "a.json")
    with pytest.warns(DeprecationWarning):
        dump(DATA, path, file_client_args={"backend": "disk"})
    with pytest.warns(DeprecationWarning):
        assert load(path, file_client_args={"backend": "disk"}) == DATA


def test_file_client_args_and_backend_args_are_exclusive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot be set at the same time"):
        load(
            str(tmp_path / "a.json"),
            file_client_args={"backend": "disk"},
            backend_args={"backend": "local"},
        )


def test_backend_args_name_the_backend(tmp_path: Path) -> None:
    path = str(tmp_path / "a.json")
    dump(DATA, path, backend_args={"backend": "local"})
    assert load(path, backend_args={"backend": "local"}) == DATA
    with pytest.raises(KeyError, match="'nope'.*registered backends: fsspec"):
        load(path, backend_args={"backend": "nope"})


def test_memory_uri(mem_root: str) -> None:
    dump(DATA, f"{mem_root}/a.yaml")
    assert load(f"{mem_root}/a.yaml") == DATA
    dump(DATA, f"{mem_root}/a.pkl")
    assert load(f"{mem_root}/a.pkl") == DATA


def test_memory_uri_missing_file(mem_root: str) -> None:
    with pytest.raises(FileNotFoundError, match=f"{mem_root}/nope.json"):
        load(f"{mem_root}/nope.json")
