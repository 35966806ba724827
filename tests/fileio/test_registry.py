"""register_backend, get_file_backend and URI prefix dispatch."""

from __future__ import annotations

from typing import Any

import pytest

from engine import fileio
from engine.fileio import (
    BaseStorageBackend,
    HTTPBackend,
    LmdbBackend,
    LocalBackend,
    MemcachedBackend,
    PetrelBackend,
    get_file_backend,
    register_backend,
)
from engine.fileio.backends import backends, prefix_to_backends
from engine.fileio.dispatch import parse_uri_prefix
from engine.fileio.errors import (
    BackendNotAvailableError,
    UnknownBackendError,
    UnsupportedOperationError,
)


class DictBackend(BaseStorageBackend):
    """Files in a class-level dict; records its constructor arguments."""

    store: dict[str, bytes] = {}

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs

    def get(self, filepath: Any) -> bytes:
        return self.store[str(filepath)]

    def get_text(self, filepath: Any, encoding: str = "utf-8") -> str:
        return self.get(filepath).decode(encoding)

    def put(self, obj: bytes, filepath: Any) -> None:
        self.store[str(filepath)] = obj

    def put_text(self, obj: str, filepath: Any, encoding: str = "utf-8") -> None:
        self.put(obj.encode(encoding), filepath)


@pytest.mark.parametrize(
    ("uri", "prefix"),
    [
        ("/a/b.json", ""),
        ("a.json", ""),
        ("C:/x", ""),
        ("foo:/a", ""),
        ("http://h/a", "http"),
        ("s3://b/k", "s3"),
        ("cluster:s3://b/k", "s3"),
        ("simplecache::s3://b/k", "simplecache"),
    ],
)
def test_parse_uri_prefix(uri: str, prefix: str) -> None:
    assert parse_uri_prefix(uri) == prefix


def test_default_tables() -> None:
    assert backends["local"] is LocalBackend and prefix_to_backends[""] is LocalBackend
    assert prefix_to_backends["http"] is prefix_to_backends["https"] is HTTPBackend
    assert backends["petrel"] is PetrelBackend
    assert backends["lmdb"] is LmdbBackend and backends["memcached"] is MemcachedBackend


def test_register_and_dispatch() -> None:
    register_backend("dict", DictBackend, prefixes=["dict", "dct"])
    fileio.dump({"a": 1}, "dict://b/x.json")
    assert DictBackend.store["dict://b/x.json"] == b'{"a": 1}'
    assert fileio.load("dict://b/x.json") == {"a": 1}
    DictBackend.store["dct://b/y.txt"] = b"1 a\n2 b c\n"
    assert fileio.list_from_file("dct://b/y.txt", prefix=">") == [">1 a", ">2 b c"]
    assert fileio.dict_from_file("dct://b/y.txt") == {"1": "a", "2": ["b", "c"]}


def test_backend_args_go_to_the_constructor() -> None:
    register_backend("dict", DictBackend, prefixes="dict")
    backend = get_file_backend("dict://x", backend_args={"token": 1})
    assert backend.kwargs == {"token": 1}
    backend = get_file_backend("/local", backend_args={"backend": "dict", "k": 2})
    assert isinstance(backend, DictBackend) and backend.kwargs == {"k": 2}


def test_decorator_form() -> None:
    decorated = register_backend("dict2", prefixes="d2")(DictBackend)
    assert decorated is DictBackend and prefix_to_backends["d2"] is DictBackend


def test_name_and_prefix_clashes() -> None:
    register_backend("dict", DictBackend, prefixes="dict")
    with pytest.raises(ValueError, match="name 'dict'.*force=True"):
        register_backend("dict", DictBackend)
    with pytest.raises(ValueError, match="prefix 'dict'"):
        register_backend("other", DictBackend, prefixes="dict")
    assert "other" not in backends
    register_backend("dict", LocalBackend, force=True, prefixes="dict")
    assert prefix_to_backends["dict"] is LocalBackend


@pytest.mark.parametrize(
    ("name", "backend", "prefixes", "match"),
    [
        (3, DictBackend, None, "name should be a string"),
        ("x", DictBackend(), None, "should be a class"),
        ("x", int, None, "not a subclass of BaseStorageBackend"),
        ("x", DictBackend, 3, "prefixes must be"),
        ("x", DictBackend, [3], "prefixes must be"),
    ],
)
def test_register_validates(name: Any, backend: Any, prefixes: Any, match: str) -> None:
    with pytest.raises(TypeError, match=match):
        register_backend(name, backend, prefixes=prefixes)
    assert "x" not in backends


def test_unknown_name_and_prefix() -> None:
    with pytest.raises(KeyError, match="'disk'.*registered backends") as e:
        get_file_backend(backend_args={"backend": "disk"})
    assert isinstance(e.value, UnknownBackendError)
    with pytest.raises(KeyError, match=r"'nosuch' of 'nosuch://a'.*register_backend"):
        get_file_backend("nosuch://a")


def test_uri_or_backend_required() -> None:
    with pytest.raises(ValueError, match="uri should not be None"):
        get_file_backend()


def test_singleton_cache() -> None:
    first = get_file_backend("/a", enable_singleton=True)
    assert get_file_backend("/b", enable_singleton=True) is first
    assert get_file_backend("/a") is not first
    other = get_file_backend("http://x", enable_singleton=True)
    assert other is not first and isinstance(other, HTTPBackend)


@pytest.mark.parametrize(
    "args",
    [
        {"backend": "petrel"},
        {"backend": "lmdb", "db_path": "/tmp/db"},
        {"backend": "memcached", "server_list_cfg": "a", "client_cfg": "b"},
    ],
)
def test_unavailable_backends(args: dict) -> None:
    with pytest.raises(ImportError, match="not available in engine") as e:
        get_file_backend(backend_args=args)
    assert isinstance(e.value, BackendNotAvailableError)


def test_petrel_prefix_is_unavailable() -> None:
    with pytest.raises(BackendNotAvailableError, match="PetrelBackend.*s3://"):
        fileio.load("petrel://bucket/a.json")


def test_missing_operation_names_backend_and_path() -> None:
    register_backend("dict", DictBackend, prefixes="dict")
    with pytest.raises(
        UnsupportedOperationError, match=r"DictBackend.*exists.*dict://a"
    ):
        fileio.exists("dict://a")
    with pytest.raises(AttributeError, match="DictBackend does not support rmtree"):
        DictBackend().rmtree("x")
    with pytest.raises(AttributeError, match="has no attribute 'other'"):
        DictBackend().other  # noqa: B018


def test_base_is_abstract() -> None:
    with pytest.raises(TypeError):
        BaseStorageBackend()  # type: ignore[abstract]
