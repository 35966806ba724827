"""Read a checkpoint from a path or URI: :class:`CheckpointLoader` and schemes.

A scheme is a regular expression matched (:func:`re.match`) at the start of
the path; the loader of the first scheme that matches, in reverse
lexicographic order of the schemes (so ``'https://'`` comes before
``'http://'`` and the empty scheme, which matches local paths, comes last),
reads the file. A loader is called as ``loader(filename, map_location)``.

Schemes registered here:

=============================================  ==============================
``torchvision://NAME``, ``modelzoo://NAME``    torchvision's weights of NAME
``open-mmlab://NAME``, ``openmmlab://NAME``    :func:`get_external_models`
``mmcls://NAME``                               :func:`get_mmcls_models`
``http://``, ``https://``                      cached download
``pavi://``                                    needs the ``pavi`` package
``s3://``, ``petrel://`` (``cluster:s3://``)   :mod:`engine.fileio` backends
anything else                                  a local file
=============================================  ==============================
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, overload

from engine.logging import print_log
from engine.runner._checkpoint import zoo
from engine.runner._checkpoint.download import download_once_per_node
from engine.runner._checkpoint.safe import (
    restore_history_buffers,
    torch_load,
    weights_only_scope,
)
from engine.utils._errors import CompatTypeError

__all__ = [
    "CheckpointLoader",
    "load_from_ceph",
    "load_from_http",
    "load_from_local",
    "load_from_mmcls",
    "load_from_openmmlab",
    "load_from_pavi",
    "load_from_torchvision",
]

Loader = Callable[..., Any]


class CheckpointLoader:
    """Pick a loader by the path's scheme and read the checkpoint.

    Examples:
        >>> @CheckpointLoader.register_scheme(prefixes='demo://')
        ... def load_from_demo(filename, map_location):
        ...     return {'state_dict': {}}
        >>> CheckpointLoader.load_checkpoint('demo://x', logger='silent')
        {'state_dict': {}}
    """

    _schemes: dict[str, Loader] = OrderedDict()

    @classmethod
    def _register_scheme(
        cls, prefixes: str | list[str] | tuple[str, ...], loader: Loader, force: bool
    ) -> None:
        if isinstance(prefixes, str):
            prefixes = [prefixes]
        elif not isinstance(prefixes, (list, tuple)):
            raise CompatTypeError(
                "CheckpointLoader.register_scheme: prefixes must be a str or a "
                f"list/tuple of str, got {prefixes!r}"
            )
        for prefix in prefixes:
            if prefix in cls._schemes and not force:
                raise KeyError(
                    f"{prefix} is already registered as a loader backend, "
                    'add "force=True" if you want to override it'
                )
        for prefix in prefixes:
            cls._schemes[prefix] = loader
        cls._schemes = OrderedDict(
            sorted(cls._schemes.items(), key=lambda item: item[0], reverse=True)
        )

    @overload
    @classmethod
    def register_scheme(
        cls,
        prefixes: str | list[str] | tuple[str, ...],
        loader: None = None,
        force: bool = False,
    ) -> Callable[[Loader], Loader]: ...

    @overload
    @classmethod
    def register_scheme(
        cls,
        prefixes: str | list[str] | tuple[str, ...],
        loader: Loader,
        force: bool = False,
    ) -> None: ...

    @classmethod
    def register_scheme(
        cls,
        prefixes: str | list[str] | tuple[str, ...],
        loader: Loader | None = None,
        force: bool = False,
    ) -> Callable[[Loader], Loader] | None:
        """Register ``loader`` for the schemes ``prefixes``.

        Usable as a decorator when ``loader`` is omitted.

        Args:
            prefixes: One scheme or several (regular expressions matched at
                the start of the path, e.g. ``'s3://'``).
            loader: ``loader(filename, map_location) -> checkpoint``.
                Defaults to None (return a decorator).
            force: Replace the loader of an already registered scheme.
                Defaults to False.

        Returns:
            The decorator when ``loader`` is None, else None.

        Raises:
            KeyError: if a scheme is already registered and not ``force``;
                nothing is registered then.
            TypeError: if ``prefixes`` is neither a str nor a list/tuple.

        Examples:
            >>> def load_from_mem(filename, map_location):
            ...     return {}
            >>> CheckpointLoader.register_scheme('mem://', load_from_mem)
        """
        if loader is not None:
            cls._register_scheme(prefixes, loader, force=force)
            return None

        def decorator(function: Loader) -> Loader:
            cls._register_scheme(prefixes, function, force=force)
            return function

        return decorator

    @classmethod
    def _get_checkpoint_loader(cls, path: str) -> Loader:
        """The loader of the first scheme matching ``path``."""
        for prefix, loader in cls._schemes.items():
            if re.match(prefix, path) is not None:
                return loader
        raise ValueError(f"{path}: no checkpoint loader matches this path")

    @classmethod
    def load_checkpoint(
        cls,
        filename: str | os.PathLike,
        map_location: Any = None,
        logger: logging.Logger | str | None = "current",
        *,
        weights_only: bool = True,
    ) -> Any:
        """Read the checkpoint at ``filename`` with its scheme's loader.

        Logs ``Loads checkpoint by <name> backend from path: <filename>``,
        where ``<name>`` is the loader's function name without its
        ``load_from_`` prefix.

        Args:
            filename: A local path or a URI.
            map_location: As for :func:`torch.load`. Defaults to None.
            logger: Where the message goes (see
                :func:`~engine.logging.print_log`). Defaults to ``'current'``.
            weights_only: Read with ``torch.load(weights_only=True)`` and the
                allow-list for MMEngine's checkpoints; False unpickles
                anything, so pass it only for files you trust. Keyword only.
                Defaults to True.

        Returns:
            The checkpoint, usually a dict.

        Examples:
            >>> import os, tempfile, torch
            >>> path = os.path.join(tempfile.mkdtemp(), 'a.pth')
            >>> torch.save({'w': torch.ones(1)}, path)
            >>> CheckpointLoader.load_checkpoint(path, logger='silent')
            {'w': tensor([1.])}
        """
        filename = os.fspath(filename)
        loader = cls._get_checkpoint_loader(filename)
        name = loader.__name__[10:]
        print_log(f"Loads checkpoint by {name} backend from path: {filename}", logger)
        with weights_only_scope(weights_only):
            checkpoint = loader(filename, map_location)
        return restore_history_buffers(checkpoint)


@CheckpointLoader.register_scheme(prefixes="")
def load_from_local(filename: str, map_location: Any) -> Any:
    """Read a checkpoint from the local file system (``~`` is expanded).

    Raises:
        FileNotFoundError: if there is no such file.
    """
    filename = os.path.expanduser(filename)
    if not os.path.isfile(filename):
        raise FileNotFoundError(f"{filename} can not be found.")
    return torch_load(filename, map_location, source=filename)


@CheckpointLoader.register_scheme(prefixes=("http://", "https://"))
def load_from_http(
    filename: str,
    map_location: Any = None,
    model_dir: str | None = None,
    progress: bool = False,
) -> Any:
    """Download (once) and read a checkpoint.

    Args:
        filename: The URL.
        map_location: As for :func:`torch.load`. Defaults to None.
        model_dir: The cache folder. Defaults to None
            (``<torch.hub.get_dir()>/checkpoints``).
        progress: Accepted for compatibility; no progress bar is shown.
            Defaults to False.

    Raises:
        urllib.error.URLError: if the download fails (offline, unknown host,
            HTTP error); the message names the URL.
    """
    path = download_once_per_node(filename, model_dir)
    return torch_load(path, map_location, source=filename)


@CheckpointLoader.register_scheme(prefixes="pavi://")
def load_from_pavi(filename: str, map_location: Any = None) -> Any:
    """``pavi://`` checkpoints (OpenMMLab's model cloud).

    Raises:
        ImportError: if the ``pavi`` package is not installed.
        NotImplementedError: otherwise: engine has no client for it.
    """
    if not filename.startswith("pavi://"):
        raise ValueError(f"expected a pavi:// path, got {filename!r}")
    try:
        import pavi  # noqa: F401
    except ImportError as e:
        raise ImportError(
            f"Please install pavi to load checkpoint from modelcloud. ({filename})"
        ) from e
    raise NotImplementedError(
        f"{filename}: engine cannot read from pavi's model cloud; download "
        "the checkpoint and load it from its local path"
    )


@CheckpointLoader.register_scheme(prefixes=[r"(\S+\:)?s3://", r"(\S+\:)?petrel://"])
def load_from_ceph(
    filename: str, map_location: Any = None, backend: str = "petrel"
) -> Any:
    """Read a checkpoint through the :mod:`engine.fileio` backend of its URI.

    ``s3://`` goes through fsspec (``pip install 'engine[fsspec]' s3fs``).

    Args:
        filename: The URI.
        map_location: As for :func:`torch.load`. Defaults to None.
        backend: Only ``'petrel'`` is accepted. Defaults to ``'petrel'``.

    Raises:
        KeyError: if ``backend`` is not ``'petrel'``.
    """
    if backend != "petrel":
        raise KeyError(f"load_from_ceph: unknown backend {backend!r} (known: 'petrel')")
    from engine import fileio

    data = fileio.get(filename)
    return torch_load(io.BytesIO(data), map_location, source=filename)


@CheckpointLoader.register_scheme(prefixes=("modelzoo://", "torchvision://"))
def load_from_torchvision(filename: str, map_location: Any = None) -> Any:
    """Download torchvision's pretrained weights of a model by name.

    ``torchvision://resnet50`` reads the URL of ``resnet50``'s weights from
    :func:`get_torchvision_models` (torchvision must be installed).
    ``modelzoo://`` is a deprecated alias.
    """
    urls = zoo.get_torchvision_models()
    if filename.startswith("modelzoo://"):
        print_log(
            'The URL scheme of "modelzoo://" is deprecated, please use '
            '"torchvision://" instead',
            logger="current",
            level=logging.WARNING,
        )
        name = filename[len("modelzoo://") :]
    else:
        name = filename[len("torchvision://") :]
    return load_from_http(zoo.lookup(urls, name, filename), map_location)


@CheckpointLoader.register_scheme(prefixes=("open-mmlab://", "openmmlab://"))
def load_from_openmmlab(filename: str, map_location: Any = None) -> Any:
    """A checkpoint named in the OpenMMLab model table.

    The name after the scheme is looked up in :func:`get_external_models`
    (renamed first if :func:`get_deprecated_model_names` lists it). A URL is
    downloaded; any other value is a path relative to the engine home
    folder.
    """
    prefix = "open-mmlab://" if filename.startswith("open-mmlab://") else "openmmlab://"
    name = filename[len(prefix) :]
    deprecated = zoo.get_deprecated_model_names()
    if name in deprecated:
        print_log(
            f"{prefix}{name} is deprecated in favor of {prefix}{deprecated[name]}",
            logger="current",
            level=logging.WARNING,
        )
        name = deprecated[name]
    url = zoo.lookup(zoo.get_external_models(), name, filename)
    if url.startswith(("http://", "https://")):
        return load_from_http(url, map_location)
    path = os.path.join(zoo._get_mmengine_home(), url)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} can not be found.")
    return torch_load(path, map_location, source=path)


@CheckpointLoader.register_scheme(prefixes="mmcls://")
def load_from_mmcls(filename: str, map_location: Any = None) -> Any:
    """An MMClassification backbone named in :func:`get_mmcls_models`.

    Only the ``backbone.`` entries of its state dict are kept, without that
    prefix (see :func:`_process_mmcls_checkpoint`).
    """
    name = filename[len("mmcls://") :]
    url = zoo.lookup(zoo.get_mmcls_models(), name, filename)
    return zoo._process_mmcls_checkpoint(load_from_http(url, map_location))
