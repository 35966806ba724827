"""``Config.fromfile``: read a config file into a :class:`Config`.

A Python file that uses the pure-Python ("lazy import") style is read by
:mod:`engine.config.lazy_parse`; every other file by
:func:`engine.config.parsing.loader.load_file`. After reading, the modules of
``custom_imports`` are imported (so their classes register themselves).
"""

from __future__ import annotations

import os.path as osp
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.config.parsing.loader import (
    LoadOptions,
    check_format,
    is_lazy_text,
    load_file,
)
from engine.config.provenance import LazyProvenance, ValueSource, take_snapshot

if TYPE_CHECKING:
    from engine.config.config import Config

__all__ = ["import_custom_modules_of", "read_config"]


def read_config(
    filename: str | Path,
    *,
    use_predefined_variables: bool = True,
    import_custom_modules: bool = True,
    use_environment_variables: bool = True,
    lazy_import: bool | None = None,
    format_python_code: bool = True,
) -> Config:
    """Implementation of :meth:`Config.fromfile` (same arguments)."""
    from engine.config.config import Config

    name = str(filename)
    path = osp.abspath(osp.expanduser(name))
    check_format(path)
    if not osp.isfile(path):
        raise FileNotFoundError(f'file "{name}" does not exist')
    if _is_lazy(path, lazy_import):
        return _read_lazy(path, name, format_python_code)
    options = LoadOptions(use_predefined_variables, use_environment_variables)
    loaded = load_file(path, options)
    cfg = Config(
        loaded.cfg,
        cfg_text=loaded.text,
        filename=name,
        env_variables=loaded.env_variables,
        format_python_code=format_python_code,
    )
    object.__setattr__(cfg, "_provenance", LazyProvenance(loaded.provenance))
    object.__setattr__(cfg, "_snapshot", take_snapshot(cfg._cfg_dict))
    object.__setattr__(cfg, "_default_source", ValueSource("code"))
    if import_custom_modules and cfg._cfg_dict.get("custom_imports"):
        import_custom_modules_of(cfg._cfg_dict["custom_imports"], name)
    return cfg


def _is_lazy(path: str, lazy_import: bool | None) -> bool:
    if lazy_import is not None:
        return lazy_import
    if not path.endswith(".py"):
        return False
    with open(path, encoding="utf-8") as f:
        return is_lazy_text(f.read(), path)


def _read_lazy(path: str, name: str, format_python_code: bool) -> Config:
    from engine.config.config import Config
    from engine.config.lazy_parse import parse_lazy_config

    with open(path, encoding="utf-8") as f:
        text = f.read()
    variables = parse_lazy_config(path)
    cfg = Config(
        variables,
        cfg_text=text,
        filename=name,
        format_python_code=format_python_code,
    )
    object.__setattr__(cfg, "_imported_names", _imported_names(variables))
    object.__setattr__(cfg, "_default_source", ValueSource("file", path))
    return cfg


def _imported_names(variables: dict) -> set[str]:
    """The names a lazy config bound by importing (not config fields).

    They are left out of ``to_dict()`` and ``pretty_text``: lazily imported
    objects, modules imported at once (builtin ones) and ``read_base``.
    """
    from engine.config.lazy import LazyObject

    return {
        key
        for key, value in variables.items()
        if isinstance(value, (LazyObject, types.ModuleType))
        or getattr(value, "__name__", None) == "read_base"
        and callable(value)
    }


def import_custom_modules_of(custom_imports: Any, filename: str) -> None:
    """Import the modules named by a config's ``custom_imports``.

    Args:
        custom_imports: ``dict(imports=[...], allow_failed_imports=False)``.
        filename: The config file, named in errors.

    Raises:
        ImportError: if a module fails to import and failures are not
            allowed; the message shows ``sys.path``.
        TypeError: if ``custom_imports`` is not such a dict.
    """
    from engine.utils import import_modules_from_strings

    if not isinstance(custom_imports, dict):
        raise TypeError(
            f"custom_imports of {filename} must be a dict like "
            f"dict(imports=['module'], allow_failed_imports=False), got "
            f"{custom_imports!r}"
        )
    try:
        import_modules_from_strings(**custom_imports)
    except ImportError as e:
        paths = "\n    ".join(sys.path)
        raise ImportError(
            f"Failed to import custom modules from {custom_imports} (config "
            f"{filename}), the current sys.path is: \n    {paths}\n    You "
            "should set `PYTHONPATH` to make `sys.path` include the directory "
            "which contains your custom module"
        ) from e
