"""HTTPBackend against a loopback http.server."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.error import HTTPError, URLError

import pytest

from engine import fileio
from engine.fileio import HTTPBackend
from engine.fileio.errors import UnsupportedOperationError


@pytest.fixture
def site(http_root: tuple[str, Path]) -> str:
    url, root = http_root
    (root / "x.json").write_text('{"a": [1, 2]}')
    (root / "a.txt").write_text("a\nb\nc\n")
    (root / "b.txt").write_text("1 cat\n2 dog cow\n")
    (root / "m.pkl").write_bytes(fileio.dump({"k": (1, 2)}, file_format="pkl"))
    return url


def test_get_and_get_text(site: str) -> None:
    assert fileio.get(f"{site}/x.json") == b'{"a": [1, 2]}'
    assert fileio.get_text(f"{site}/a.txt") == "a\nb\nc\n"
    assert HTTPBackend().get_text(f"{site}/a.txt", encoding="ascii") == "a\nb\nc\n"


def test_load_and_parse(site: str) -> None:
    assert fileio.load(f"{site}/x.json") == {"a": [1, 2]}
    assert fileio.load(f"{site}/m.pkl") == {"k": (1, 2)}
    assert fileio.list_from_file(f"{site}/a.txt", offset=1) == ["b", "c"]
    assert fileio.dict_from_file(f"{site}/b.txt", key_type=int) == {
        1: "cat",
        2: ["dog", "cow"],
    }


def test_missing_url_names_it(site: str) -> None:
    with pytest.raises(HTTPError, match=r"404.*nope\.json") as e:
        fileio.load(f"{site}/nope.json")
    assert e.value.code == 404


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_host_names_the_url() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/x.json"
    with pytest.raises(URLError, match=r"127\.0\.0\.1.*x\.json"):
        fileio.get(url)


def test_get_local_path_downloads_and_cleans_up(site: str) -> None:
    with fileio.get_local_path(f"{site}/x.json") as local:
        assert str(local).endswith(".json")
        assert Path(local).read_text() == '{"a": [1, 2]}'
    assert not os.path.exists(local)


def test_copyfile_to_local(site: str, tmp_path: Path) -> None:
    dst = fileio.copyfile_to_local(f"{site}/x.json", tmp_path)
    assert dst == os.path.join(tmp_path, "x.json")
    assert Path(dst).read_text() == '{"a": [1, 2]}'


@pytest.mark.parametrize(
    ("name", "args"),
    [("put", (b"x",)), ("put_text", ("x",)), ("remove", ()), ("rmtree", ())],
)
def test_writes_are_refused(site: str, name: str, args: tuple) -> None:
    url = f"{site}/x.json"
    with pytest.raises(NotImplementedError, match=f"read-only.*{name}.*x.json"):
        getattr(fileio, name)(*args, url)


def test_dump_to_http_is_refused(site: str) -> None:
    with pytest.raises(UnsupportedOperationError, match="read-only"):
        fileio.dump({"a": 1}, f"{site}/new.json")


@pytest.mark.parametrize("name", ["exists", "isdir", "isfile", "list_dir_or_file"])
def test_unsupported_queries(site: str, name: str) -> None:
    with pytest.raises(UnsupportedOperationError, match=f"HTTPBackend.*{name}"):
        getattr(fileio, name)(f"{site}/x.json")


def test_https_prefix_uses_http_backend() -> None:
    assert fileio.get_file_backend("https://example.com/a").name == "HTTPBackend"
