"""The deprecated FileClient front end."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.fileio import FileClient, HardDiskBackend, HTTPBackend, LocalBackend
from engine.fileio.errors import BackendNotAvailableError


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def test_warns_deprecated() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(DeprecationWarning, match="FileClient"):
            FileClient("disk")


def test_backends_by_name_and_prefix() -> None:
    assert isinstance(FileClient().client, HardDiskBackend)
    assert FileClient("disk").name == "HardDiskBackend"
    assert isinstance(FileClient(prefix="https").client, HTTPBackend)
    assert FileClient("disk", prefix="http").name == "HardDiskBackend"
    assert FileClient("disk") is FileClient("disk")


def test_unsupported_name_or_prefix() -> None:
    with pytest.raises(ValueError, match="Backend local is not supported"):
        FileClient("local")
    with pytest.raises(ValueError, match="prefix zz is not supported"):
        FileClient(prefix="zz")
    with pytest.raises(BackendNotAvailableError):
        FileClient(prefix="s3")


def test_infer_client_and_prefix() -> None:
    assert FileClient.infer_client(uri="/a").name == "HardDiskBackend"
    assert FileClient.infer_client(uri="http://a").name == "HTTPBackend"
    assert FileClient.infer_client({"backend": "disk"}).name == "HardDiskBackend"
    assert FileClient.parse_uri_prefix("s3://a") == "s3"
    assert FileClient.parse_uri_prefix("/a") is None
    with pytest.raises(TypeError):
        FileClient.parse_uri_prefix(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        FileClient.infer_client()


def test_delegates_to_the_backend(tmp_path: Path) -> None:
    client = FileClient("disk")
    path = str(tmp_path / "a.txt")
    client.put_text("hi", path)
    assert client.get(path) == b"hi" and client.get_text(path) == "hi"
    assert client.exists(path) and client.isfile(path) and client.isdir(str(tmp_path))
    assert client.join_path("a", "b") == "a/b"
    assert list(client.list_dir_or_file(str(tmp_path))) == ["a.txt"]
    with client.get_local_path(path) as local:
        assert local == path
    client.remove(path)
    assert not client.exists(path)
    assert client.allow_symlink is True
    with pytest.raises(AttributeError):
        client.copytree  # noqa: B018


def test_register_backend() -> None:
    class Mine(LocalBackend):
        pass

    FileClient.register_backend("mine", Mine, prefixes="mine")
    assert FileClient("mine").name == "Mine"
    assert FileClient(prefix="mine").name == "Mine"
    with pytest.raises(KeyError, match="already registered"):
        FileClient.register_backend("mine", Mine)
    FileClient.register_backend("mine2", prefixes="m2")(Mine)
    assert FileClient(prefix="m2").name == "Mine"
