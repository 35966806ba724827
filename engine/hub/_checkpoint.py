"""Load pretrained weights into a model for :func:`engine.hub.get_model`.

Only local files can be read (a path or a ``file://`` URL); for a remote URL
the error names it, so the file can be fetched by other means. The file is
read by :func:`engine.runner.checkpoint._load_checkpoint`, hence with
``weights_only=True`` and the allow-list for MMEngine's checkpoints.
"""

from __future__ import annotations

import logging
import os.path as osp
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from engine.logging import print_log

if TYPE_CHECKING:
    import torch

__all__ = ["load_weights", "local_path"]

_PREFIX = re.compile(r"^module\.")


def local_path(url: str) -> str | None:
    """The file ``url`` names if it is local (a path or ``file://``), else None.

    Examples:
        >>> local_path('file:///tmp/w.pth')
        '/tmp/w.pth'
        >>> local_path('/tmp/w.pth')
        '/tmp/w.pth'
        >>> local_path('https://example.com/w.pth') is None
        True
    """
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    if parsed.scheme and len(parsed.scheme) > 1:  # not a Windows drive letter
        return None
    return url


def _state_dict(checkpoint: Any, path: str) -> dict[str, Any]:
    state = checkpoint
    if isinstance(checkpoint, dict) and "state_dict" in checkpoint:
        state = checkpoint["state_dict"]
    if not isinstance(state, dict):
        raise ValueError(f"{path}: no state dict in the checkpoint")
    return {_PREFIX.sub("", key): value for key, value in state.items()}


def load_weights(model: torch.nn.Module, url: str, cfg_path: str) -> None:
    """Load the weights at ``url`` into ``model`` (missing keys allowed).

    Raises:
        RuntimeError: if ``url`` is remote: nothing is downloaded.
        FileNotFoundError: if the local file does not exist.
    """
    from engine.runner.checkpoint import _load_checkpoint

    path = local_path(url)
    if path is None:
        raise RuntimeError(
            f"pretrained weights of {cfg_path!r} are at {url}, which is not a "
            "local file; engine does not download weights. Download the file "
            "and load it with load_checkpoint(model, <local path>)"
        )
    if not osp.isfile(path):
        raise FileNotFoundError(f"{path} (weights of {cfg_path!r}) can not be found.")
    checkpoint = _load_checkpoint(path, map_location="cpu", logger="current")
    result = model.load_state_dict(_state_dict(checkpoint, path), strict=False)
    if result.missing_keys or result.unexpected_keys:
        print_log(
            f"{path}: missing keys in the model: {result.missing_keys}; "
            f"unexpected keys in the checkpoint: {result.unexpected_keys}",
            "current",
            logging.WARNING,
        )
