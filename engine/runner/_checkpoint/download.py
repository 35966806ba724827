"""Cached downloads of ``http(s)://`` checkpoints.

A URL is downloaded once into ``model_dir`` (by default
``<torch hub dir>/checkpoints``, the cache torch and MMEngine use) under the
last component of its path, and read from there afterwards. Each socket
operation times out after :data:`TIMEOUT_S` seconds, so an unreachable host
fails instead of hanging; the error names the URL. The file appears only
once complete (written to a temporary sibling, then renamed).

In a distributed run, rank 0 downloads first and tells the other ranks
whether it succeeded; they then read the cached file (or download it
themselves when their cache is not shared), and all ranks raise if rank 0
failed.
"""

from __future__ import annotations

import http.client
import os
import posixpath
import shutil
import sys
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse

from engine.dist import broadcast_object_list, get_dist_info
from engine.fileio.atomic import atomic_open

__all__ = ["TIMEOUT_S", "cached_download", "download_once_per_node"]

#: Seconds a connection or read may take before the download fails.
TIMEOUT_S = 60.0

_CHUNK = 1 << 20


def cached_download(url: str, model_dir: str | None = None) -> str:
    """The local path of ``url``'s file, downloading it if not cached yet.

    Args:
        url: An ``http://`` or ``https://`` URL.
        model_dir: The cache folder. Defaults to None
            (``<torch.hub.get_dir()>/checkpoints``).

    Raises:
        urllib.error.URLError: if the file cannot be downloaded (an
            ``HTTPError`` for an HTTP error status); the message names the
            URL.
    """
    if model_dir is None:
        import torch.hub

        model_dir = os.path.join(torch.hub.get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    name = posixpath.basename(urlparse(url).path)
    if not name:
        raise URLError(f"{url}: the URL names no file to cache the checkpoint in")
    cached = os.path.join(model_dir, name)
    if not os.path.exists(cached):
        sys.stderr.write(f'Downloading: "{url}" to {cached}\n')
        _download(url, cached)
    return cached


def _download(url: str, destination: str) -> None:
    from urllib.request import urlopen

    try:
        with urlopen(url, timeout=TIMEOUT_S) as response:
            with atomic_open(destination, "wb") as file:
                shutil.copyfileobj(response, file, _CHUNK)
    except HTTPError as e:
        raise HTTPError(
            url, e.code, f"{e.reason} (downloading {url})", e.headers, None
        ) from e
    except (URLError, TimeoutError, http.client.HTTPException) as e:
        reason = getattr(e, "reason", None) or e
        raise URLError(
            f"cannot download the checkpoint {url}: {reason}. The machine may "
            "be offline or the URL wrong; fetch the file by other means and "
            "load it from its local path"
        ) from e


def download_once_per_node(url: str, model_dir: str | None = None) -> str:
    """:func:`cached_download` with rank 0 first (see the module docstring)."""
    rank, world_size = get_dist_info()
    if world_size == 1:
        return cached_download(url, model_dir)
    failure: list[str | None] = [None]
    error: Exception | None = None
    if rank == 0:
        try:
            cached_download(url, model_dir)
        except Exception as e:  # reported to every rank below
            error = e
            failure[0] = f"{type(e).__name__}: {e}"
    broadcast_object_list(failure, src=0)
    if error is not None:
        raise error
    if failure[0] is not None:
        raise URLError(f"rank 0 could not download {url}: {failure[0]}")
    return cached_download(url, model_dir)
