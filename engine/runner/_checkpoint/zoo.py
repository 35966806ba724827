"""Tables from model names to checkpoint URLs, for the ``*://NAME`` schemes.

``torchvision://NAME`` asks the installed torchvision for the URL of NAME's
ImageNet weights. For ``open-mmlab://``, ``mmcls://`` and the renamed
OpenMMLab models, engine ships no table of its own: the tables are read from
JSON files in the engine home folder (:func:`_get_mmengine_home`):
``open_mmlab.json``, ``mmcls.json`` and ``deprecated.json``, each an object
from name to URL (or to new name). A name missing from the table is a
KeyError that says where to add it.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from typing import Any

__all__ = [
    "DEFAULT_CACHE_DIR",
    "ENV_MMENGINE_HOME",
    "ENV_XDG_CACHE_HOME",
    "_get_mmengine_home",
    "_process_mmcls_checkpoint",
    "get_deprecated_model_names",
    "get_external_models",
    "get_mmcls_models",
    "get_torchvision_models",
    "lookup",
]

#: Environment variable naming the engine home folder.
ENV_MMENGINE_HOME = "MMENGINE_HOME"
#: Environment variable naming the cache folder the home folder is in.
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
#: The cache folder when ``XDG_CACHE_HOME`` is not set.
DEFAULT_CACHE_DIR = "~/.cache"
_HOME_NAME = "engine"


def _get_mmengine_home() -> str:
    """The engine home folder, created if missing.

    ``$MMENGINE_HOME`` if set, else ``$XDG_CACHE_HOME/engine`` (by default
    ``~/.cache/engine``).
    """
    cache = os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR)
    home = os.path.expanduser(
        os.getenv(ENV_MMENGINE_HOME, os.path.join(cache, _HOME_NAME))
    )
    os.makedirs(home, exist_ok=True)
    return home


def _read_table(name: str) -> dict[str, str]:
    path = os.path.join(_get_mmengine_home(), name)
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as file:
        try:
            table = json.load(file)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: not valid JSON ({e})") from e
    if not isinstance(table, dict):
        raise ValueError(f"{path}: expected a JSON object of name -> URL")
    return table


def get_external_models() -> dict[str, str]:
    """Name -> URL of ``open-mmlab://`` checkpoints (``open_mmlab.json``)."""
    return _read_table("open_mmlab.json")


def get_mmcls_models() -> dict[str, str]:
    """Name -> URL of ``mmcls://`` checkpoints (``mmcls.json``)."""
    return _read_table("mmcls.json")


def get_deprecated_model_names() -> dict[str, str]:
    """Old name -> new name of ``open-mmlab://`` models (``deprecated.json``)."""
    return _read_table("deprecated.json")


def get_torchvision_models() -> dict[str, str]:
    """Name -> URL of torchvision's pretrained weights.

    For each model torchvision lists, the URL of its ``IMAGENET1K_V1``
    weights, or of its default weights when there are no such.

    Raises:
        ImportError: if torchvision is not installed.
    """
    try:
        import torchvision.models as models
    except ImportError as e:
        raise ImportError(
            "torchvision:// checkpoints need torchvision: pip install torchvision"
        ) from e
    urls: dict[str, str] = {}
    for name in models.list_models():
        try:
            weights = models.get_model_weights(name)
        except (KeyError, ValueError):
            continue
        chosen = getattr(weights, "IMAGENET1K_V1", None) or getattr(
            weights, "DEFAULT", None
        )
        if chosen is not None:
            urls[name] = chosen.url
    return urls


def lookup(table: dict[str, str], name: str, filename: str) -> str:
    """``table[name]``; a KeyError naming ``filename`` and the table file."""
    try:
        return table[name]
    except KeyError:
        raise KeyError(
            f"{filename}: unknown model name {name!r}. engine ships no table of "
            "model URLs for this scheme; add the name to the JSON file in "
            f"{_get_mmengine_home()} (see engine.runner.checkpoint), or load "
            "the checkpoint from its URL or local path"
        ) from None


def _process_mmcls_checkpoint(checkpoint: Any) -> dict[str, Any]:
    """Keep the ``backbone.`` entries of an MMClassification checkpoint.

    Returns:
        ``{'state_dict': OrderedDict}`` of the backbone entries, without the
        ``backbone.`` prefix.

    Examples:
        >>> processed = _process_mmcls_checkpoint({'backbone.w': 1, 'head.b': 2})
        >>> list(processed), dict(processed['state_dict'])
        (['state_dict'], {'w': 1})
    """
    state = checkpoint.get("state_dict", checkpoint)
    backbone = OrderedDict(
        (key[len("backbone.") :], value)
        for key, value in state.items()
        if key.startswith("backbone.")
    )
    return {"state_dict": backbone}
