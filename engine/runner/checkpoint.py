"""Save and load checkpoints, in a format interchangeable with MMEngine's.

A checkpoint is what :func:`torch.save` writes, usually a dict such as
``{'meta': ..., 'state_dict': ..., 'optimizer': ..., 'message_hub': ...,
'param_schedulers': ...}``.

Saving (:func:`save_checkpoint`) first makes the checkpoint readable by
``torch.load(weights_only=True)`` (:func:`make_weights_only_safe`: NumPy
values become Python numbers and lists, HistoryBuffers tagged dicts), then
writes a local file atomically: to a temporary file in the same folder,
flushed and fsynced, then renamed over ``filename``, so a failed save
leaves the previous file as it was. Other URIs go through the
:mod:`engine.fileio` backend of their prefix.

Loading (:class:`CheckpointLoader`, :func:`load_checkpoint`) picks a loader
by the path's scheme (local path, ``http(s)://``, ``torchvision://``,
``open-mmlab://``, ``s3://``...) and reads with ``weights_only=True`` plus an
allow-list of exactly what MMEngine's checkpoints hold besides tensors:
NumPy arrays and scalars and ``mmengine.logging.HistoryBuffer`` (read as
:class:`engine.logging.HistoryBuffer`). Any other pickled object needs the
explicit opt-in ``weights_only=False``, a keyword-only argument engine adds
to the loading functions.

:func:`load_state_dict` copies what fits into the model and reports the
rest (missing and unexpected keys, shape mismatches) instead of raising,
unless ``strict``.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections import OrderedDict
from typing import Any

from torch import nn

from engine.logging import print_log
from engine.runner._checkpoint.loaders import (
    CheckpointLoader,
    load_from_ceph,
    load_from_http,
    load_from_local,
    load_from_mmcls,
    load_from_openmmlab,
    load_from_pavi,
    load_from_torchvision,
)
from engine.runner._checkpoint.safe import convert, make_weights_only_safe
from engine.runner._checkpoint.state_dict import (
    _IncompatibleKeys,
    _save_to_state_dict,
    get_state_dict,
    load_state_dict,
    weights_to_cpu,
)
from engine.runner._checkpoint.zoo import (
    DEFAULT_CACHE_DIR,
    ENV_MMENGINE_HOME,
    ENV_XDG_CACHE_HOME,
    _get_mmengine_home,
    _process_mmcls_checkpoint,
    get_deprecated_model_names,
    get_external_models,
    get_mmcls_models,
    get_torchvision_models,
)

__all__ = [
    "DEFAULT_CACHE_DIR",
    "ENV_MMENGINE_HOME",
    "ENV_XDG_CACHE_HOME",
    "CheckpointLoader",
    "_IncompatibleKeys",
    "_get_mmengine_home",
    "_load_checkpoint",
    "_load_checkpoint_to_model",
    "_load_checkpoint_with_prefix",
    "_process_mmcls_checkpoint",
    "_save_to_state_dict",
    "find_latest_checkpoint",
    "get_deprecated_model_names",
    "get_external_models",
    "get_mmcls_models",
    "get_state_dict",
    "get_torchvision_models",
    "load_checkpoint",
    "load_from_ceph",
    "load_from_http",
    "load_from_local",
    "load_from_mmcls",
    "load_from_openmmlab",
    "load_from_pavi",
    "load_from_torchvision",
    "load_state_dict",
    "make_weights_only_safe",
    "save_checkpoint",
    "weights_to_cpu",
]

_DEFAULT_REVISE_KEYS = [(r"^module\.", "")]
_UNSAFE_SHOWN = 10


def _load_checkpoint(
    filename: str | os.PathLike,
    map_location: Any = None,
    logger: logging.Logger | str | None = None,
    *,
    weights_only: bool = True,
) -> Any:
    """Read a checkpoint (see :meth:`CheckpointLoader.load_checkpoint`).

    Args:
        filename: A local path or a URI.
        map_location: As for :func:`torch.load`. Defaults to None.
        logger: Where the ``Loads checkpoint by ...`` message goes (None
            prints it). Defaults to None.
        weights_only: False unpickles any object (trusted files only).
            Keyword only. Defaults to True.

    Returns:
        The checkpoint.

    Examples:
        >>> import os, tempfile, torch
        >>> path = os.path.join(tempfile.mkdtemp(), 'a.pth')
        >>> save_checkpoint({'meta': {'epoch': 1}}, path)
        >>> _load_checkpoint(path, logger='silent')
        {'meta': {'epoch': 1}}
    """
    return CheckpointLoader.load_checkpoint(
        filename, map_location, logger, weights_only=weights_only
    )


def _load_checkpoint_with_prefix(
    prefix: str,
    filename: str | os.PathLike,
    map_location: Any = None,
    *,
    weights_only: bool = True,
) -> dict[str, Any]:
    """The entries of a checkpoint's state dict under ``prefix``, unprefixed.

    Args:
        prefix: E.g. ``'backbone.'`` (a missing final dot is added).
        filename: A local path or a URI.
        map_location: As for :func:`torch.load`. Defaults to None.
        weights_only: See :func:`_load_checkpoint`. Defaults to True.

    Raises:
        ValueError: if no key starts with ``prefix`` (also an
            AssertionError, as MMEngine raises).

    Examples:
        >>> import os, tempfile, torch
        >>> path = os.path.join(tempfile.mkdtemp(), 'a.pth')
        >>> torch.save({'state_dict': {'backbone.w': torch.ones(1)}}, path)
        >>> _load_checkpoint_with_prefix('backbone', path)  # doctest: +ELLIPSIS
        Loads checkpoint by local backend from path: ...
        {'w': tensor([1.])}
    """
    from engine.utils._errors import CompatValueError

    checkpoint = _load_checkpoint(
        filename, map_location=map_location, weights_only=weights_only
    )
    state_dict = checkpoint.get("state_dict", checkpoint)
    if not prefix.endswith("."):
        prefix += "."
    selected = {
        key[len(prefix) :]: value
        for key, value in state_dict.items()
        if key.startswith(prefix)
    }
    if not selected:
        raise CompatValueError(f"{prefix} is not in the pretrained model")
    return selected


def _load_checkpoint_to_model(
    model: nn.Module,
    checkpoint: Any,
    strict: bool = False,
    logger: logging.Logger | str | None = None,
    revise_keys: list[tuple[str, str]] = _DEFAULT_REVISE_KEYS,  # noqa: B006
) -> Any:
    """Load a checkpoint's state dict (or the checkpoint itself) into ``model``.

    Args:
        model: The module.
        checkpoint: A dict; its ``'state_dict'`` entry if there is one, else
            the dict itself, is the state dict.
        strict: See :func:`load_state_dict`. Defaults to False.
        logger: See :func:`load_state_dict`. Defaults to None.
        revise_keys: ``(pattern, replacement)`` pairs applied with
            :func:`re.sub` to every key (and ``_metadata`` key) in turn.
            Defaults to ``[(r'^module\\.', '')]``.

    Returns:
        ``checkpoint``.

    Examples:
        >>> import torch
        >>> model = torch.nn.Linear(1, 1)
        >>> ckpt = {'state_dict': {'module.weight': torch.ones(1, 1),
        ...                        'module.bias': torch.zeros(1)}}
        >>> _ = _load_checkpoint_to_model(model, ckpt, strict=True)
        >>> model.weight.item()
        1.0
    """
    if not isinstance(checkpoint, dict):
        raise RuntimeError(
            f"No state_dict found in checkpoint: got a {type(checkpoint).__name__}"
        )
    state_dict = checkpoint.get("state_dict", checkpoint)
    metadata = getattr(state_dict, "_metadata", OrderedDict())
    for pattern, replacement in revise_keys:
        state_dict = OrderedDict(
            (re.sub(pattern, replacement, key), value)
            for key, value in state_dict.items()
        )
        metadata = OrderedDict(
            (re.sub(pattern, replacement, key), value)
            for key, value in metadata.items()
        )
    state_dict = OrderedDict(state_dict)
    state_dict._metadata = metadata  # type: ignore[attr-defined]
    load_state_dict(model, state_dict, strict, logger)
    return checkpoint


def load_checkpoint(
    model: nn.Module,
    filename: str | os.PathLike,
    map_location: Any = None,
    strict: bool = False,
    logger: logging.Logger | str | None = None,
    revise_keys: list[tuple[str, str]] = _DEFAULT_REVISE_KEYS,  # noqa: B006
    *,
    weights_only: bool = True,
) -> Any:
    """Read a checkpoint and load its state dict into ``model``.

    Args:
        model: The module (a model wrapper is looked through).
        filename: A local path or a URI (``http(s)://``, ``torchvision://``,
            ``open-mmlab://``, ``s3://``...).
        map_location: As for :func:`torch.load`. Defaults to None.
        strict: Raise when keys or shapes do not match. Defaults to False.
        logger: Where the messages go (None prints them). Defaults to None.
        revise_keys: ``(pattern, replacement)`` pairs applied to the keys.
            Defaults to ``[(r'^module\\.', '')]``.
        weights_only: False unpickles any object (trusted files only).
            Keyword only. Defaults to True.

    Returns:
        The checkpoint.

    Raises:
        RuntimeError: if the checkpoint is not a dict, or with ``strict`` if
            it does not match the model.

    Examples:
        >>> import os, tempfile, torch
        >>> path = os.path.join(tempfile.mkdtemp(), 'a.pth')
        >>> save_checkpoint({'state_dict': {'weight': torch.ones(1, 1)}}, path)
        >>> model = torch.nn.Linear(1, 1)
        >>> ckpt = load_checkpoint(model, path, logger='silent')
        >>> model.weight.item()
        1.0
    """
    checkpoint = _load_checkpoint(
        filename, map_location, logger, weights_only=weights_only
    )
    if not isinstance(checkpoint, dict):
        raise RuntimeError(f"No state_dict found in checkpoint file {filename}")
    return _load_checkpoint_to_model(model, checkpoint, strict, logger, revise_keys)


def save_checkpoint(
    checkpoint: Any,
    filename: str | os.PathLike,
    file_client_args: dict | None = None,
    backend_args: dict | None = None,
) -> None:
    """Save ``checkpoint`` to a local file (atomically) or another backend.

    The checkpoint is first passed through :func:`make_weights_only_safe`;
    values that stay unreadable with ``weights_only=True`` are saved anyway
    and listed in a warning. Parent folders of a local file are created.

    Args:
        checkpoint: Usually a dict of ``meta``, ``state_dict``...
        filename: A local path or a URI of an :mod:`engine.fileio` backend.
        file_client_args: Deprecated form of ``backend_args``. Defaults to
            None.
        backend_args: Arguments of the storage backend. Defaults to None.

    Raises:
        ValueError: if both ``file_client_args`` and ``backend_args`` are
            given.

    Examples:
        >>> import os, tempfile, torch
        >>> path = os.path.join(tempfile.mkdtemp(), 'sub', 'a.pth')
        >>> save_checkpoint({'state_dict': {'w': torch.ones(1)}}, path)
        >>> os.path.isfile(path)
        True
    """
    if file_client_args is not None:
        if backend_args is not None:
            raise ValueError(
                '"file_client_args" and "backend_args" cannot be set at the same time.'
            )
        print_log(
            '"file_client_args" will be deprecated in future. Please use '
            '"backend_args" instead',
            logger="current",
            level=logging.WARNING,
        )
    filename = os.fspath(filename)
    checkpoint, unsafe = convert(checkpoint)
    if unsafe:
        _warn_unsafe(filename, unsafe)
    if filename.startswith("pavi://"):
        load_from_pavi(filename)  # raises: engine has no pavi client
    from engine.fileio import FileClient, get_file_backend

    if file_client_args is not None:
        backend: Any = FileClient.infer_client(file_client_args, filename)
    else:
        backend = get_file_backend(filename, backend_args=backend_args)
    if _is_local(backend):
        _save_local(checkpoint, filename)
    else:
        _save_remote(checkpoint, filename, backend)


def _is_local(backend: Any) -> bool:
    """Whether ``backend`` (or the backend of a FileClient) is the local one."""
    from engine.fileio import LocalBackend

    client = getattr(backend, "client", backend)
    return isinstance(client, LocalBackend)


def _save_local(checkpoint: Any, filename: str) -> None:
    import torch

    from engine.fileio.atomic import atomic_open

    folder = os.path.dirname(os.path.abspath(os.path.expanduser(filename)))
    os.makedirs(folder, exist_ok=True)
    with atomic_open(os.path.expanduser(filename), "wb") as file:
        torch.save(checkpoint, file)


def _save_remote(checkpoint: Any, filename: str, backend: Any) -> None:
    import torch

    with io.BytesIO() as buffer:
        torch.save(checkpoint, buffer)
        backend.put(buffer.getvalue(), filename)


def _warn_unsafe(filename: str, unsafe: list[str]) -> None:
    shown = ", ".join(unsafe[:_UNSAFE_SHOWN])
    more = len(unsafe) - _UNSAFE_SHOWN
    if more > 0:
        shown += f" and {more} more"
    print_log(
        f"{filename}: the checkpoint holds values that "
        "torch.load(weights_only=True) refuses, so loading it will need "
        f"weights_only=False: {shown}",
        logger="current",
        level=logging.WARNING,
    )


def find_latest_checkpoint(path: str | os.PathLike) -> str | None:
    """The checkpoint named in ``<path>/last_checkpoint``, if that file exists.

    A runner writes the path of each checkpoint it saves to this file.

    Args:
        path: The work folder (a local path or a URI).

    Returns:
        The file's content, stripped, or None (after printing ``Did not
        find last_checkpoint to be resumed.``) when there is no such file.

    Examples:
        >>> import tempfile
        >>> find_latest_checkpoint(tempfile.mkdtemp())
        Did not find last_checkpoint to be resumed.
    """
    from engine import fileio

    save_file = fileio.join_path(os.fspath(path), "last_checkpoint")
    if not fileio.exists(save_file):
        print_log("Did not find last_checkpoint to be resumed.")
        return None
    return fileio.get_text(save_file).strip()
