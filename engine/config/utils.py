"""Small helpers shared by the config modules."""

from __future__ import annotations

import logging
import os.path as osp
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.config.merge import KeyPath
    from engine.config.provenance import ValueSource

__all__ = [
    "add_config_args",
    "config_argparser",
    "dump_config",
    "get_by_path",
    "log_info",
    "option_error",
    "option_source",
    "options_to_tree",
    "read_text",
    "walk_dicts",
]


def get_by_path(cfg: Any, key: str) -> Any:
    """The value at dotted ``key`` (digits index lists and tuples).

    Raises:
        KeyError: if a key is missing.
        IndexError: if an index is out of range.
        TypeError: if a step meets a value that is neither a dict nor a
            sequence.

    Examples:
        >>> get_by_path({'a': [{'b': 1}]}, 'a.0.b')
        1
    """
    value = cfg
    for part in key.split("."):
        if isinstance(value, dict):
            value = dict.__getitem__(value, part)
        elif isinstance(value, (list, tuple)) and part.isdigit():
            value = value[int(part)]
        else:
            raise TypeError(f"cannot look up {part!r} in {type(value).__name__}")
    return value


def walk_dicts(value: Any) -> Any:
    """Yield every dict in ``value``, depth first (inside lists and tuples).

    Examples:
        >>> [d['type'] for d in walk_dicts(dict(type='A', b=[dict(type='B')]))]
        ['A', 'B']
    """
    if isinstance(value, dict):
        yield value
        for item in dict.values(value):
            yield from walk_dicts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from walk_dicts(item)


def log_info(message: str) -> None:
    """Log ``message`` at INFO level on the current logger."""
    from engine.logging import print_log

    print_log(message, logger="current", level=logging.INFO)


def options_to_tree(options: dict) -> tuple[dict, dict[tuple[str, ...], Any]]:
    """Turn dotted-key options into a nested dict, with each one's source.

    Returns:
        ``(tree, sources)``: ``{'a.b': 1}`` gives ``{'a': {'b': 1}}`` and
        ``{('a', 'b'): ValueSource('cfg-options', detail='a.b=1')}``.

    Raises:
        TypeError: if a key is not a string.
    """
    from engine.config.config_dict import ConfigDict
    from engine.config.provenance import ValueSource

    tree: dict = {}
    sources: dict[tuple[str, ...], Any] = {}
    for full_key, value in options.items():
        if not isinstance(full_key, str):
            raise TypeError(
                f"--cfg-options keys must be strings like 'model.depth', got "
                f"{full_key!r}"
            )
        parts = full_key.split(".")
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, ConfigDict())
        node[parts[-1]] = value
        sources[tuple(parts)] = ValueSource(
            "cfg-options", detail=f"{full_key}={value!r}"
        )
    return tree, sources


def dump_config(cfg: Any, file: Any) -> str | None:
    """Implementation of :meth:`Config.dump`."""
    from pathlib import Path

    from engine.fileio import dump

    if isinstance(file, Path):
        file = str(file)
    if file is None:
        filename = cfg.filename
        if filename is None or filename.endswith(".py"):
            return str(cfg.pretty_text)
        return str(dump(cfg.to_dict(), file_format=filename.split(".")[-1]))
    if file.endswith(".py"):
        with open(file, "w", encoding="utf-8") as f:
            f.write(cfg.pretty_text)
    else:
        dump(cfg.to_dict(), file, file_format=file.split(".")[-1])
    return None


def config_argparser(description: str | None) -> tuple[Any, Any]:
    """Implementation of :meth:`Config.auto_argparser`."""
    import argparse

    from engine.config.config import Config

    partial = argparse.ArgumentParser(description=description)
    partial.add_argument("config", help="config file path")
    cfg = Config.fromfile(partial.parse_known_args()[0].config)
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("config", help="config file path")
    add_config_args(parser, cfg._cfg_dict)
    return parser, cfg


def add_config_args(parser: Any, cfg: dict, prefix: str = "") -> Any:
    """Add a ``--prefix.key`` option for every value of ``cfg``."""
    for key, value in cfg.items():
        name = f"--{prefix}{key}"
        if isinstance(value, str):
            parser.add_argument(name)
        elif isinstance(value, bool):
            parser.add_argument(name, action="store_true")
        elif isinstance(value, (int, float)):
            parser.add_argument(name, type=type(value))
        elif isinstance(value, dict):
            add_config_args(parser, value, f"{prefix}{key}.")
        elif isinstance(value, (list, tuple)) and value:
            kind = type(value[0])
            kind = kind if kind in (str, int, float, bool) else str
            parser.add_argument(name, type=kind, nargs="+")
        else:
            log_info(f"cannot parse key {prefix}{key} of type {type(value)}")
    return parser


def option_error(error: Exception, options: dict) -> Exception:
    """``error`` again, its message naming the option that caused it."""
    path = tuple(str(p) for p in getattr(error, "key_path", ()))
    culprits = [
        f"{key}={value!r}"
        for key, value in options.items()
        if tuple(key.split("."))[: len(path)] == path[: len(key.split("."))]
    ]
    message = error.args[0] if error.args else str(error)
    new = type(error)(f"--cfg-options {', '.join(culprits)}: {message}")
    new.key_path = getattr(error, "key_path", ())  # type: ignore[attr-defined]
    return new


def read_text(filename: str) -> str:
    with open(osp.expanduser(filename), encoding="utf-8") as f:
        return f.read()


def option_source(
    sources: dict[tuple[str, ...], ValueSource], path: KeyPath
) -> ValueSource | None:
    parts = tuple(str(p) for p in path)
    for depth in range(len(parts), 0, -1):
        source = sources.get(parts[:depth])
        if source is not None:
            return source
    return None
