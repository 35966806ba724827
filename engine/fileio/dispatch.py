"""Choose the storage backend of a path or URI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.fileio.backends.base import BaseStorageBackend
from engine.fileio.backends.fsspec_backend import FSSPEC_HINT, FsspecBackend
from engine.fileio.backends.registry_utils import backends, prefix_to_backends
from engine.fileio.errors import MissingFsspecError, UnknownBackendError

#: Backends built with ``enable_singleton=True``, by prefix and arguments.
backend_instances: dict[str, BaseStorageBackend] = {}


def parse_uri_prefix(uri: str | Path) -> str:
    """The prefix (scheme) of ``uri``: ``'s3'`` for ``s3://b/k``, ``''`` if none.

    ``cluster:s3://b/k`` (Petrel's cluster syntax) gives ``'s3'``; a chained
    fsspec URL ``simplecache::s3://b/k`` gives its first protocol.

    Examples:
        >>> parse_uri_prefix('http://a/b'), parse_uri_prefix('/tmp/a.json')
        ('http', '')
    """
    uri = str(uri)
    if "://" not in uri:
        return ""
    head = uri.split("://", 1)[0]
    if "::" in head:
        return head.split("::", 1)[0]
    return head.rsplit(":", 1)[-1]


def _by_name(name: str) -> type[BaseStorageBackend]:
    try:
        return backends[name]
    except KeyError:
        raise UnknownBackendError(
            f"unknown storage backend {name!r} in backend_args; registered "
            f"backends: {', '.join(sorted(backends))}"
        ) from None


def _by_prefix(prefix: str, uri: Any) -> type[BaseStorageBackend]:
    if prefix in prefix_to_backends:
        return prefix_to_backends[prefix]
    known = ", ".join(repr(p) for p in sorted(prefix_to_backends))
    try:
        import fsspec
    except ImportError:
        raise MissingFsspecError(
            f"no storage backend is registered for prefix {prefix!r} of "
            f"{str(uri)!r} (registered prefixes: {known}); to reach other "
            f"protocols through fsspec, {FSSPEC_HINT}"
        ) from None
    if prefix not in fsspec.available_protocols():
        raise UnknownBackendError(
            f"no storage backend for prefix {prefix!r} of {str(uri)!r}: it is "
            f"neither registered (registered prefixes: {known}) nor an fsspec "
            "protocol; add one with register_backend(name, backend, prefixes=...)"
        )
    return FsspecBackend


def get_file_backend(
    uri: str | Path | None = None,
    *,
    backend_args: dict | None = None,
    enable_singleton: bool = False,
) -> Any:
    """Build the storage backend for ``uri`` (or the one ``backend_args`` names).

    ``backend_args['backend']``, when present, names the backend and wins over
    the prefix of ``uri``; the other keys are passed to the backend's
    constructor. Otherwise the URI prefix decides: registered prefixes first
    (``''`` local disk, ``http``/``https``, ...), then any protocol fsspec
    knows (``memory://``, ``s3://``, ...).

    Args:
        uri: a path or URI. Defaults to None (``backend_args`` must then name
            the backend).
        backend_args: backend name and constructor arguments. Defaults to
            None.
        enable_singleton: reuse the backend built earlier for the same prefix
            and arguments. Defaults to False.

    Returns:
        A :class:`~engine.fileio.BaseStorageBackend` instance.

    Raises:
        ValueError: if neither ``uri`` nor ``backend_args['backend']`` is given.
        UnknownBackendError: (a ``KeyError``) for an unknown name or prefix.
        MissingFsspecError: (an ``ImportError``) if the prefix needs fsspec
            and it is not installed.

    Examples:
        >>> get_file_backend('/tmp/a.json').name
        'LocalBackend'
        >>> get_file_backend(backend_args={'backend': 'http'}).name
        'HTTPBackend'
    """
    args = dict(backend_args or {})
    name = args.pop("backend", None)
    if name is None and uri is None:
        raise ValueError(
            'uri should not be None when "backend" does not exist in backend_args'
        )
    prefix = parse_uri_prefix(uri) if uri is not None else ""
    key = f"{prefix}:{name}:{sorted(args.items(), key=lambda kv: kv[0])!r}"
    if enable_singleton and key in backend_instances:
        return backend_instances[key]
    cls = _by_name(name) if name is not None else _by_prefix(prefix, uri)
    backend = cls(**args)
    if enable_singleton:
        backend_instances[key] = backend
    return backend


def resolve_backend(
    filepath: Any, file_client_args: dict | None, backend_args: dict | None
) -> Any:
    """The backend for the legacy ``file_client_args`` or ``backend_args``.

    Raises:
        ValueError: if both are given.
    """
    if file_client_args is not None and backend_args is not None:
        raise ValueError(
            '"file_client_args" and "backend_args" cannot be set at the same time.'
        )
    if file_client_args is not None:
        from engine.fileio.file_client import FileClient

        return FileClient.infer_client(file_client_args, filepath)
    return get_file_backend(filepath, backend_args=backend_args)
