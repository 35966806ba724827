"""File IO (doc L7560-7805): load/dump, handlers, text parsing, backends.

FIO-02/07 (s3://) use a substitute: an in-memory backend registered for the
``s3`` prefix with ``register_backend``. FIO-08 (checkpoints) is tested in
``conformance/test_checkpoint.py``.
"""

from __future__ import annotations

import collections
import datetime
import io
import json
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.harness.http import serve_directory

DATA = {"name": "engine", "n": 3, "ratio": 0.5, "tags": ["a", "b"], "none": None}


@pytest.fixture
def fio(impl: Any) -> Any:
    """The implementation's ``fileio`` module."""
    return impl.mod("fileio")


@pytest.fixture
def registries(impl: Any) -> Iterator[None]:
    """Restore the handler and backend tables (public in both) after a test."""
    backends = impl.mod("fileio.backends")
    tables = [
        impl.mod("fileio.handlers").file_handlers,
        backends.backends,
        backends.prefix_to_backends,
    ]
    saved = [dict(table) for table in tables]
    yield
    for table, content in zip(tables, saved, strict=True):
        table.clear()
        table.update(content)


def make_store_backend(base: type) -> tuple[type, dict[str, bytes]]:
    """A backend class keeping files in a dict, built on ``base``."""
    store: dict[str, bytes] = {}

    class StoreBackend(base):  # type: ignore[misc, valid-type]
        def get(self, filepath: Any) -> bytes:
            return store[str(filepath)]

        def get_text(self, filepath: Any, encoding: str = "utf-8") -> str:
            return self.get(filepath).decode(encoding)

        def put(self, obj: bytes, filepath: Any) -> None:
            store[str(filepath)] = bytes(obj)

        def put_text(self, obj: str, filepath: Any, encoding: str = "utf-8") -> None:
            self.put(obj.encode(encoding), filepath)

    return StoreBackend, store


@pytest.fixture
def s3_store(fio: Any, registries: None) -> dict[str, bytes]:
    """Serve ``s3://`` from an in-memory backend (the FIO-02/07 substitute)."""
    backend, store = make_store_backend(fio.BaseStorageBackend)
    fio.register_backend("conformance_s3", backend, force=True, prefixes="s3")
    return store


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback HTTP server over a temporary directory: (base URL, dir)."""
    root = tmp_path / "www"
    root.mkdir()
    with serve_directory(root) as url:
        yield url, root


# --- FIO-01: load / dump -------------------------------------------------------

PARSERS: dict[str, Callable[[bytes], Any]] = {
    "json": lambda raw: json.loads(raw),
    "yaml": lambda raw: yaml.safe_load(raw),
    "pkl": lambda raw: pickle.loads(raw),
}


@pytest.mark.spec("FIO-01")
@pytest.mark.parametrize("ext", ["json", "yaml", "pkl"])
def test_load_dump_infer_format_from_extension(
    fio: Any, tmp_path: Path, ext: str
) -> None:
    path = tmp_path / f"test.{ext}"
    assert fio.dump(DATA, str(path)) is None
    assert PARSERS[ext](path.read_bytes()) == DATA
    assert fio.load(str(path)) == DATA


@pytest.mark.spec("FIO-01")
def test_load_from_file_object(fio: Any, tmp_path: Path) -> None:
    path = tmp_path / "test.json"
    path.write_text(json.dumps(DATA))
    with open(path) as f:
        assert fio.load(f, file_format="json") == DATA


@pytest.mark.spec("FIO-01")
def test_dump_to_str(fio: Any) -> None:
    json_str = fio.dump(DATA, file_format="json")
    assert isinstance(json_str, str)
    assert json_str == json.dumps(DATA)


@pytest.mark.spec("FIO-01")
def test_dump_to_file_object(fio: Any, tmp_path: Path) -> None:
    path = tmp_path / "test.yaml"
    with open(path, "w") as f:
        fio.dump(DATA, f, file_format="yaml")
    assert yaml.safe_load(path.read_text()) == DATA


@pytest.mark.spec("FIO-01")
def test_pickle_round_trips_arbitrary_objects(fio: Any, tmp_path: Path) -> None:
    obj = {
        "tuple": (1, "a"),
        "set": {1, 2},
        "bytes": b"\x00\xff",
        "complex": 1 + 2j,
        "ordered": collections.OrderedDict(b=1, a=2),
        "date": datetime.date(2024, 1, 31),
    }
    fio.dump(obj, str(tmp_path / "out.pkl"))
    assert fio.load(str(tmp_path / "out.pkl")) == obj


@pytest.mark.spec("FIO-01")
def test_unknown_format_is_a_type_error(fio: Any, tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        fio.dump(DATA, str(tmp_path / "out.unknownext"))
    with pytest.raises(TypeError):
        fio.dump(DATA, file_format="unknownext")
    (tmp_path / "in.unknownext").write_text("{}")
    with pytest.raises(TypeError):
        fio.load(str(tmp_path / "in.unknownext"))


@pytest.mark.spec("FIO-01")
def test_missing_and_malformed_files(fio: Any, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        fio.load(str(tmp_path / "missing.json"))
    (tmp_path / "bad.json").write_text('{"a": ')
    with pytest.raises(json.JSONDecodeError):
        fio.load(str(tmp_path / "bad.json"))
    (tmp_path / "bad.yaml").write_text("a: [1, 2\nb: :")
    with pytest.raises(yaml.YAMLError):
        fio.load(str(tmp_path / "bad.yaml"))


# --- FIO-02: the same API on s3:// (substitute backend) ------------------------


@pytest.mark.spec("FIO-02")
@pytest.mark.parametrize("ext", ["json", "yaml", "pkl"])
def test_load_from_other_backend(fio: Any, s3_store: dict, ext: str) -> None:
    uri = f"s3://bucket-name/test.{ext}"
    raw = fio.dump(DATA, file_format=ext)
    s3_store[uri] = raw if isinstance(raw, bytes) else raw.encode()
    assert fio.load(uri) == DATA


@pytest.mark.spec("FIO-02")
def test_dump_to_other_backend(fio: Any, s3_store: dict) -> None:
    fio.dump(DATA, "s3://bucket-name/out.pkl")
    assert pickle.loads(s3_store["s3://bucket-name/out.pkl"]) == DATA
    assert fio.load("s3://bucket-name/out.pkl") == DATA
    fio.dump(DATA, "s3://bucket-name/out.json")
    assert json.loads(s3_store["s3://bucket-name/out.json"]) == DATA


# --- FIO-03: custom handlers ------------------------------------------------------


def make_txt_handler(base: type) -> type:
    """``TxtHandler1`` of the doc (L7620-7632)."""

    class TxtHandler1(base):  # type: ignore[misc, valid-type]
        def load_from_fileobj(self, file: Any) -> Any:
            return file.read()

        def dump_to_fileobj(self, obj: Any, file: Any) -> None:
            file.write(str(obj))

        def dump_to_str(self, obj: Any, **kwargs: Any) -> str:
            return str(obj)

    return TxtHandler1


@pytest.mark.spec("FIO-03")
def test_register_handler_single_format(
    fio: Any, tmp_path: Path, registries: None
) -> None:
    handler = fio.register_handler("txt")(make_txt_handler(fio.BaseFileHandler))
    assert handler.__name__ == "TxtHandler1"
    fio.dump("abc", str(tmp_path / "x.txt"))
    assert (tmp_path / "x.txt").read_text() == "abc"
    assert fio.load(str(tmp_path / "x.txt")) == "abc"
    assert fio.dump([1, 2], file_format="txt") == "[1, 2]"


@pytest.mark.spec("FIO-03")
def test_register_handler_several_formats(
    fio: Any, tmp_path: Path, registries: None
) -> None:
    fio.register_handler(["txt", "log"])(make_txt_handler(fio.BaseFileHandler))
    fio.dump("line", str(tmp_path / "x.log"))
    assert fio.load(str(tmp_path / "x.log")) == "line"
    assert fio.dump(3, file_format="log") == fio.dump(3, file_format="txt") == "3"


# --- FIO-04: PickleHandler and the load_from_path/dump_to_path hooks -------------


def make_doc_pickle_handler(base: type) -> type:
    """The doc's ``PickleHandler`` example (L7642-7662)."""

    class PickleHandler(base):  # type: ignore[misc, valid-type]
        def load_from_fileobj(self, file: Any, **kwargs: Any) -> Any:
            return pickle.load(file, **kwargs)

        def load_from_path(self, filepath: Any, **kwargs: Any) -> Any:
            return super().load_from_path(filepath, mode="rb", **kwargs)

        def dump_to_str(self, obj: Any, **kwargs: Any) -> bytes:
            kwargs.setdefault("protocol", 2)
            return pickle.dumps(obj, **kwargs)

        def dump_to_fileobj(self, obj: Any, file: Any, **kwargs: Any) -> None:
            kwargs.setdefault("protocol", 2)
            pickle.dump(obj, file, **kwargs)

        def dump_to_path(self, obj: Any, filepath: Any, **kwargs: Any) -> None:
            super().dump_to_path(obj, filepath, mode="wb", **kwargs)

    return PickleHandler


@pytest.mark.spec("FIO-04")
def test_doc_pickle_handler_paths(fio: Any, tmp_path: Path) -> None:
    handler = make_doc_pickle_handler(fio.BaseFileHandler)()
    path = str(tmp_path / "obj.pkl")
    handler.dump_to_path({"a": (1, 2)}, path)
    raw = Path(path).read_bytes()
    assert raw[:2] == b"\x80\x02"
    assert pickle.loads(raw) == {"a": (1, 2)}
    assert handler.load_from_path(path) == {"a": (1, 2)}


@pytest.mark.spec("FIO-04")
def test_base_handler_opens_with_mode(fio: Any, tmp_path: Path) -> None:
    class Raw(fio.BaseFileHandler):  # type: ignore[misc, name-defined]
        def load_from_fileobj(self, file: Any, **kwargs: Any) -> Any:
            return file.read()

        def dump_to_fileobj(self, obj: Any, file: Any, **kwargs: Any) -> None:
            file.write(obj)

        def dump_to_str(self, obj: Any, **kwargs: Any) -> Any:
            return obj

    path = str(tmp_path / "raw.bin")
    Raw().dump_to_path(b"\x00\x01", path, mode="wb")
    assert Raw().load_from_path(path, mode="rb") == b"\x00\x01"
    Raw().dump_to_path("text", path)
    assert Raw().load_from_path(path) == "text"


@pytest.mark.spec("FIO-04")
def test_pickle_protocol_defaults_to_2(fio: Any, tmp_path: Path) -> None:
    assert fio.PickleHandler().dump_to_str([1])[:2] == b"\x80\x02"
    assert fio.dump([1], file_format="pkl")[:2] == b"\x80\x02"
    fio.dump([1], str(tmp_path / "a.pkl"))
    assert (tmp_path / "a.pkl").read_bytes()[:2] == b"\x80\x02"
    assert fio.PickleHandler().dump_to_str([1], protocol=4)[:2] == b"\x80\x04"


# --- FIO-05/06/07: list_from_file and dict_from_file -----------------------------

A_TXT = "a\nb\nc\nd\ne\n"
B_TXT = "1 cat\n2 dog cow\n3 panda\n"


def check_list_from_file(fio: Any, filename: str) -> None:
    assert fio.list_from_file(filename) == ["a", "b", "c", "d", "e"]
    assert fio.list_from_file(filename, offset=2) == ["c", "d", "e"]
    assert fio.list_from_file(filename, max_num=2) == ["a", "b"]
    assert fio.list_from_file(filename, prefix="/mnt/") == [
        "/mnt/a",
        "/mnt/b",
        "/mnt/c",
        "/mnt/d",
        "/mnt/e",
    ]


def check_dict_from_file(fio: Any, filename: str) -> None:
    assert fio.dict_from_file(filename) == {
        "1": "cat",
        "2": ["dog", "cow"],
        "3": "panda",
    }
    assert fio.dict_from_file(filename, key_type=int) == {
        1: "cat",
        2: ["dog", "cow"],
        3: "panda",
    }


@pytest.mark.spec("FIO-05")
def test_list_from_file(fio: Any, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(A_TXT)
    check_list_from_file(fio, str(tmp_path / "a.txt"))


@pytest.mark.spec("FIO-06")
def test_dict_from_file(fio: Any, tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text(B_TXT)
    check_dict_from_file(fio, str(tmp_path / "b.txt"))


@pytest.mark.spec("FIO-07")
def test_list_and_dict_from_other_backend(fio: Any, s3_store: dict) -> None:
    s3_store["s3://bucket-name/a.txt"] = A_TXT.encode()
    s3_store["s3://bucket-name/b.txt"] = B_TXT.encode()
    check_list_from_file(fio, "s3://bucket-name/a.txt")
    check_dict_from_file(fio, "s3://bucket-name/b.txt")


# --- FIO-09: formats and backends --------------------------------------------------


@pytest.mark.spec("FIO-09")
@pytest.mark.parametrize("fmt", ["json", "yaml", "pickle"])
def test_supported_formats(fio: Any, fmt: str) -> None:
    dumped = fio.dump(DATA, file_format=fmt)
    stream = io.BytesIO(dumped) if isinstance(dumped, bytes) else io.StringIO(dumped)
    assert fio.load(stream, file_format=fmt) == DATA


@pytest.mark.spec("FIO-09")
def test_formats_are_extensible(fio: Any, registries: None) -> None:
    fio.register_handler("fio09")(make_txt_handler(fio.BaseFileHandler))
    assert fio.load(io.StringIO("content"), file_format="fio09") == "content"


@pytest.mark.spec("FIO-09")
def test_disk_backend(fio: Any, tmp_path: Path) -> None:
    path = str(tmp_path / "d" / "x.bin")
    backend = fio.get_file_backend(path)
    assert isinstance(backend, fio.BaseStorageBackend)
    fio.put(b"bytes", path)
    assert fio.get(path) == b"bytes"
    assert fio.exists(path) and fio.isfile(path)


@pytest.mark.spec("FIO-09")
def test_file_client_args_disk(fio: Any, tmp_path: Path) -> None:
    args = dict(backend="disk")
    path = str(tmp_path / "x.json")
    fio.dump(DATA, path, file_client_args=args)
    assert fio.load(path, file_client_args=args) == DATA
    (tmp_path / "a.txt").write_text(A_TXT)
    assert fio.list_from_file(str(tmp_path / "a.txt"), file_client_args=args) == list(
        "abcde"
    )


@pytest.mark.spec("FIO-09")
def test_http_backend(fio: Any, http_dir: tuple[str, Path]) -> None:
    url, root = http_dir
    (root / "x.json").write_text(json.dumps(DATA))
    (root / "a.txt").write_text(A_TXT)
    assert fio.get_file_backend(f"{url}/x.json").name == "HTTPBackend"
    assert fio.load(f"{url}/x.json") == DATA
    assert fio.get_text(f"{url}/a.txt") == A_TXT
    check_list_from_file(fio, f"{url}/a.txt")


@pytest.mark.spec("FIO-09")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    "args",
    [
        {"backend": "petrel"},
        {"backend": "memcached", "server_list_cfg": "servers", "client_cfg": "cfg"},
        {"backend": "lmdb", "db_path": "unused.lmdb"},
    ],
)
def test_other_backends_are_known_names(fio: Any, tmp_path: Path, args: dict) -> None:
    """Petrel, Memcached and LMDB need client libraries not installed here.

    The name must be known: building either works or raises ImportError,
    never KeyError (unknown backend).
    """
    args = {k: str(tmp_path / v) if k == "db_path" else v for k, v in args.items()}
    try:
        backend = fio.get_file_backend(backend_args=args)
    except ImportError:
        return
    assert isinstance(backend, fio.BaseStorageBackend)
