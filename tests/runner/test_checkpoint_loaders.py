"""CheckpointLoader: schemes, and the loaders of URLs and model names."""

from __future__ import annotations

import functools
import http.server
import json
import logging
import socket
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError

import pytest
import torch

from conformance.harness.distributed import run_on_ranks
from engine.logging import MMLogger
from engine.runner import checkpoint as ckpt
from engine.runner._checkpoint import download
from engine.utils import _reset_manager_instances

Loader = ckpt.CheckpointLoader


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


@pytest.fixture(autouse=True)
def records() -> Iterator[Records]:
    _reset_manager_instances()
    handler = Records()
    MMLogger.get_current_instance().addHandler(handler)
    yield handler
    _reset_manager_instances()


@pytest.fixture(autouse=True)
def schemes() -> Iterator[None]:
    saved = Loader._schemes.copy()
    yield
    Loader._schemes = saved


@pytest.fixture(autouse=True)
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Downloads cache under tmp_path/torch; the engine home is tmp_path/home."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("MMENGINE_HOME", str(tmp_path / "home"))
    return tmp_path


def load_a(filename: str, map_location: Any) -> str:
    return f"a:{filename}"


def load_b(filename: str, map_location: Any) -> str:
    return f"b:{filename}"


# -- schemes --------------------------------------------------------------------


def test_builtin_schemes_pick_their_loader() -> None:
    cases = {
        "/tmp/a.pth": "load_from_local",
        "http://h/a.pth": "load_from_http",
        "https://h/a.pth": "load_from_http",
        "torchvision://resnet50": "load_from_torchvision",
        "modelzoo://resnet50": "load_from_torchvision",
        "open-mmlab://r50": "load_from_openmmlab",
        "openmmlab://r50": "load_from_openmmlab",
        "mmcls://r50": "load_from_mmcls",
        "pavi://x/y": "load_from_pavi",
        "s3://b/a.pth": "load_from_ceph",
        "cluster1:s3://b/a.pth": "load_from_ceph",
        "petrel://b/a.pth": "load_from_ceph",
        "xs3://b/a.pth": "load_from_local",
    }
    found = {path: Loader._get_checkpoint_loader(path).__name__ for path in cases}
    assert found == cases


def test_schemes_are_kept_in_reverse_lexicographic_order() -> None:
    Loader.register_scheme(["ab://", "abc://", "zz://"], load_a)
    assert list(Loader._schemes) == sorted(Loader._schemes, reverse=True)
    assert list(Loader._schemes)[0] == "zz://"
    assert Loader._get_checkpoint_loader("abc://x") is load_a


def test_duplicate_scheme_is_a_key_error_and_registers_nothing() -> None:
    with pytest.raises(KeyError) as info:
        Loader.register_scheme(["new://", "http://"], load_a)
    assert info.value.args[0] == (
        'http:// is already registered as a loader backend, add "force=True" '
        "if you want to override it"
    )
    assert "new://" not in Loader._schemes


def test_force_replaces_a_loader(records: Records) -> None:
    assert Loader.register_scheme("http://", load_a, force=True) is None
    assert Loader.load_checkpoint("http://x/y") == "a:http://x/y"
    assert records.lines == ["INFO Loads checkpoint by  backend from path: http://x/y"]


def test_register_scheme_as_a_decorator() -> None:
    @Loader.register_scheme(prefixes=("t1://", "t2://"))
    def load_from_tee(filename: str, map_location: Any) -> str:
        return filename

    assert load_from_tee("x", None) == "x"
    assert Loader.load_checkpoint("t2://q", logger="silent") == "t2://q"


def test_prefixes_must_be_strings_or_a_sequence() -> None:
    with pytest.raises(TypeError, match="prefixes must be a str or a list/tuple"):
        Loader.register_scheme(3, load_b)  # type: ignore[call-overload]
    with pytest.raises(AssertionError):
        Loader.register_scheme({"a://"}, load_b)  # type: ignore[call-overload]


def test_loader_name_in_the_message(tmp_path: Path, capsys: Any) -> None:
    torch.save({"a": 1}, tmp_path / "a.pth")
    Loader.load_checkpoint(str(tmp_path / "a.pth"), logger=None)
    assert capsys.readouterr().out == (
        f"Loads checkpoint by local backend from path: {tmp_path / 'a.pth'}\n"
    )


def test_user_loaders_get_the_weights_only_choice(tmp_path: Path) -> None:
    path = tmp_path / "a.pth"
    torch.save({"f": slice(1)}, path)

    @Loader.register_scheme(prefixes="mine://")
    def load_from_mine(filename: str, map_location: Any) -> Any:
        return ckpt.load_from_local(str(path), map_location)

    with pytest.raises(Exception, match="weights_only=False"):
        Loader.load_checkpoint("mine://a", logger="silent")
    loaded = Loader.load_checkpoint("mine://a", logger="silent", weights_only=False)
    assert loaded == {"f": slice(1)}


# -- http(s) --------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path, http.server.HTTPServer]]:
    """A loopback HTTP server over tmp_path/www: (base URL, folder, server)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root, server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_http_download_is_cached(site: Any, homes: Path, capsys: Any) -> None:
    base, root, server = site
    torch.save({"w": torch.ones(2)}, root / "w.pth")
    loaded = Loader.load_checkpoint(f"{base}/w.pth", logger="silent")
    assert torch.equal(loaded["w"], torch.ones(2))
    cached = homes / "torch" / "hub" / "checkpoints" / "w.pth"
    assert cached.is_file()
    assert capsys.readouterr().err == f'Downloading: "{base}/w.pth" to {cached}\n'
    (root / "w.pth").unlink()  # the server no longer has it: the cache is read
    assert torch.equal(ckpt.load_from_http(f"{base}/w.pth")["w"], torch.ones(2))


def test_http_model_dir(site: Any, tmp_path: Path) -> None:
    base, root, _ = site
    torch.save([1], root / "w.pth")
    assert ckpt.load_from_http(f"{base}/w.pth", model_dir=str(tmp_path / "m")) == [1]
    assert (tmp_path / "m" / "w.pth").is_file()


def test_http_error_names_the_url(site: Any, homes: Path) -> None:
    base, _, _ = site
    with pytest.raises(HTTPError, match=f"downloading {base}/missing.pth"):
        ckpt.load_from_http(f"{base}/missing.pth")
    assert not (homes / "torch" / "hub" / "checkpoints" / "missing.pth").exists()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_host_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{closed_port()}/w.pth"
    with pytest.raises(URLError) as info:
        Loader.load_checkpoint(url, logger="silent")
    message = str(info.value)
    assert f"cannot download the checkpoint {url}" in message
    assert "offline" in message


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/w.pth"
    finally:
        listener.close()


def test_a_server_that_never_answers_times_out(
    silent_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download, "TIMEOUT_S", 0.2)
    with pytest.raises(
        URLError, match=f"cannot download the checkpoint {silent_server}"
    ):
        ckpt.load_from_http(silent_server)


def _download_on_two_ranks(base: str, cache: str) -> list[str]:
    results = []
    for name in ("w.pth", "no.pth"):
        try:
            results.append(str(ckpt.load_from_http(f"{base}/{name}", model_dir=cache)))
        except URLError as e:
            results.append(f"{type(e).__name__}: {e}")
    return results


def test_distributed_download(site: Any, tmp_path: Path) -> None:
    base, root, _ = site
    torch.save([7], root / "w.pth")
    ranks = run_on_ranks(_download_on_two_ranks, base, str(tmp_path / "shared"))
    assert [found for found, _ in ranks] == ["[7]", "[7]"]
    rank0, rank1 = (error for _, error in ranks)
    assert rank0.startswith("HTTPError") and f"{base}/no.pth" in rank0
    assert rank1.startswith(
        f"URLError: <urlopen error rank 0 could not download {base}"
    )


# -- model names ------------------------------------------------------------------


@pytest.fixture
def fake_torchvision(monkeypatch: pytest.MonkeyPatch, site: Any) -> str:
    """A torchvision whose resnet18 weights are on the loopback site."""
    base, root, _ = site
    torch.save({"conv.weight": torch.ones(1)}, root / "resnet18-abc.pth")
    weights = types.SimpleNamespace(
        IMAGENET1K_V1=types.SimpleNamespace(url=f"{base}/resnet18-abc.pth")
    )
    models = types.ModuleType("torchvision.models")
    models.list_models = lambda: ["resnet18", "nothing"]  # type: ignore[attr-defined]
    models.get_model_weights = lambda name: {"resnet18": weights}.get(  # type: ignore[attr-defined]
        name, types.SimpleNamespace()
    )
    package = types.ModuleType("torchvision")
    package.models = models  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "torchvision", package)
    monkeypatch.setitem(sys.modules, "torchvision.models", models)
    return base


def test_torchvision_scheme(fake_torchvision: str, records: Records) -> None:
    assert ckpt.get_torchvision_models() == {
        "resnet18": f"{fake_torchvision}/resnet18-abc.pth"
    }
    loaded = Loader.load_checkpoint("torchvision://resnet18", logger="silent")
    assert list(loaded) == ["conv.weight"]
    Loader.load_checkpoint("modelzoo://resnet18", logger="silent")
    assert any('"modelzoo://" is deprecated' in line for line in records.lines)
    with pytest.raises(KeyError, match="torchvision://nothing: unknown model name"):
        Loader.load_checkpoint("torchvision://nothing", logger="silent")


def test_torchvision_scheme_without_torchvision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "torchvision", None)
    with pytest.raises(ImportError, match="need torchvision: pip install torchvision"):
        Loader.load_checkpoint("torchvision://resnet18", logger="silent")


def write_table(homes: Path, name: str, table: dict[str, str]) -> None:
    (homes / "home").mkdir(exist_ok=True)
    (homes / "home" / name).write_text(json.dumps(table))


def test_openmmlab_names_from_the_home_table(
    site: Any, homes: Path, records: Records
) -> None:
    base, root, _ = site
    torch.save({"a": 1}, root / "r50.pth")
    write_table(
        homes, "open_mmlab.json", {"r50": f"{base}/r50.pth", "loc": "local.pth"}
    )
    write_table(homes, "deprecated.json", {"old_r50": "r50"})
    torch.save({"b": 2}, homes / "home" / "local.pth")
    assert Loader.load_checkpoint("open-mmlab://r50", logger="silent") == {"a": 1}
    assert Loader.load_checkpoint("openmmlab://loc", logger="silent") == {"b": 2}
    assert Loader.load_checkpoint("open-mmlab://old_r50", logger="silent") == {"a": 1}
    assert (
        "WARNING open-mmlab://old_r50 is deprecated in favor of open-mmlab://r50"
        in records.lines
    )


def test_unknown_openmmlab_name_says_where_to_add_it(homes: Path) -> None:
    with pytest.raises(KeyError) as info:
        Loader.load_checkpoint("open-mmlab://resnet50_v1c", logger="silent")
    message = info.value.args[0]
    assert message.startswith("open-mmlab://resnet50_v1c: unknown model name")
    assert str(homes / "home") in message


def test_mmcls_keeps_the_backbone(site: Any, homes: Path) -> None:
    base, root, _ = site
    state = {"backbone.w": torch.ones(1), "head.fc": torch.ones(1)}
    torch.save({"state_dict": state, "meta": {}}, root / "cls.pth")
    write_table(homes, "mmcls.json", {"resnet18": f"{base}/cls.pth"})
    loaded = Loader.load_checkpoint("mmcls://resnet18", logger="silent")
    assert list(loaded) == ["state_dict"] and list(loaded["state_dict"]) == ["w"]


def test_broken_table_names_the_file(homes: Path) -> None:
    (homes / "home").mkdir()
    (homes / "home" / "mmcls.json").write_text("{nope")
    with pytest.raises(ValueError, match="mmcls.json: not valid JSON"):
        ckpt.get_mmcls_models()


def test_home_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MMENGINE_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ckpt._get_mmengine_home() == str(tmp_path / "xdg" / "engine")
    assert (tmp_path / "xdg" / "engine").is_dir()


# -- other backends ---------------------------------------------------------------


def test_pavi_needs_pavi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pavi", None)
    with pytest.raises(ImportError, match=r"Please install pavi .*\(pavi://m/x\)"):
        Loader.load_checkpoint("pavi://m/x", logger="silent")
    with pytest.raises(ImportError, match="Please install pavi"):
        ckpt.save_checkpoint({}, "pavi://m/x")


def test_ceph_backend_must_be_petrel() -> None:
    with pytest.raises(KeyError, match="unknown backend 'ceph'"):
        ckpt.load_from_ceph("s3://b/a.pth", backend="ceph")


def test_s3_goes_through_fileio(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def fake_get(filepath: str, backend_args: Any = None) -> bytes:
        seen.append(filepath)
        raise FileNotFoundError(filepath)

    import engine.fileio

    monkeypatch.setattr(engine.fileio, "get", fake_get)
    with pytest.raises(FileNotFoundError):
        Loader.load_checkpoint("s3://bucket/a.pth", logger="silent")
    assert seen == ["s3://bucket/a.pth"]


def test_local_paths_expand_the_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    torch.save([3], tmp_path / "a.pth")
    assert ckpt.load_from_local("~/a.pth", None) == [3]
