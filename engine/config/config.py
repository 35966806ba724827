"""``Config``: a config read from a file (or built from a dict).

The class holds the values (a :class:`ConfigDict`), the file it came from,
the text of the files read, the environment variables used and where every
value was set. Reading, merging, formatting and provenance live in their own
modules; ``Config`` delegates to them:

* :mod:`engine.config.parsing` reads files and their ``_base_`` chains;
* :mod:`engine.config.merge` holds the inheritance rules;
* :mod:`engine.config.formatting` writes ``pretty_text`` and ``.py`` dumps;
* :mod:`engine.config.provenance` records where values were set.
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path
from typing import Any

from engine.config.config_dict import ConfigDict
from engine.config.merge import KeyPath, merge_dicts
from engine.config.provenance import (
    LazyProvenance,
    ProvenanceMap,
    ValueSource,
    format_path,
    leaf_paths,
    parse_path,
    resolve,
    take_snapshot,
    value_at,
)
from engine.config.utils import option_error, option_source, read_text

__all__ = ["RESERVED_KEYS", "Config"]

#: Keys a config may not define: they are attributes of :class:`Config`.
RESERVED_KEYS = ("filename", "text", "pretty_text", "env_variables")


class Config:
    """A config: a :class:`ConfigDict` of values plus where they came from.

    Values are read as attributes or items (``cfg.model.depth``,
    ``cfg['model']``); dicts set on a config become :class:`ConfigDict`.

    Args:
        cfg_dict: The values. Defaults to None (empty).
        cfg_text: The text of the files read. Defaults to None (read from
            ``filename`` if given, else empty).
        filename: The file the config was read from. Defaults to None.
        env_variables: Environment variables substituted while reading.
            Defaults to None.
        format_python_code: Kept for MMEngine compatibility; the text is
            always formatted. Defaults to True.

    Raises:
        TypeError: if ``cfg_dict`` is not a dict.
        KeyError: if it uses a reserved key (:data:`RESERVED_KEYS`).

    Examples:
        >>> cfg = Config(dict(a=1, b=dict(c=[1, 2])))
        >>> cfg.b.c
        [1, 2]
        >>> print(cfg)
        Config (path: None): {'a': 1, 'b': {'c': [1, 2]}}
    """

    def __init__(
        self,
        cfg_dict: dict | None = None,
        cfg_text: str | None = None,
        filename: str | Path | None = None,
        env_variables: dict | None = None,
        format_python_code: bool = True,
    ) -> None:
        if cfg_dict is None:
            cfg_dict = {}
        elif not isinstance(cfg_dict, dict):
            raise TypeError(f"cfg_dict must be a dict, but got {type(cfg_dict)}")
        for key in cfg_dict:
            if key in RESERVED_KEYS:
                raise KeyError(f"{key} is reserved for config file")
        if not isinstance(cfg_dict, ConfigDict):
            cfg_dict = ConfigDict(cfg_dict)
        filename = str(filename) if isinstance(filename, Path) else filename
        if cfg_text is None:
            cfg_text = read_text(filename) if filename else ""
        _set = object.__setattr__
        _set(self, "_cfg_dict", cfg_dict)
        _set(self, "_filename", filename)
        _set(self, "_text", cfg_text)
        _set(self, "_env_variables", dict(env_variables or {}))
        _set(self, "_format_python_code", format_python_code)
        _set(self, "_provenance", LazyProvenance(ProvenanceMap()))
        _set(self, "_snapshot", {})
        _set(self, "_default_source", ValueSource("dict"))

    # -- reading -------------------------------------------------------
    @staticmethod
    def fromfile(
        filename: str | Path,
        use_predefined_variables: bool = True,
        import_custom_modules: bool = True,
        use_environment_variables: bool = True,
        lazy_import: bool | None = None,
        format_python_code: bool = True,
    ) -> Config:
        """Read a ``.py``, ``.json`` or ``.yaml``/``.yml`` config file.

        The ``_base_`` files are read and merged first; predefined variables
        (``{{fileDirname}}``...) and environment variables
        (``{{$NAME:default}}``) are substituted before parsing; after reading,
        ``custom_imports`` are imported.

        Args:
            filename: The file (``~`` is expanded).
            use_predefined_variables: Substitute ``{{fileXxx}}`` variables.
                Defaults to True.
            import_custom_modules: Import the modules of ``custom_imports``.
                Defaults to True.
            use_environment_variables: Substitute ``{{$NAME:default}}``.
                Defaults to True.
            lazy_import: Whether the file is a pure-Python (lazy import)
                config; None detects it. Defaults to None.
            format_python_code: See :class:`Config`. Defaults to True.

        Returns:
            The config; its ``filename`` is ``filename`` as given.

        Raises:
            FileNotFoundError: if the file or one of its bases is missing.
            SyntaxError: for invalid Python, naming the file and line.
            KeyError: if two bases define the same key.
            RecursionError: if the ``_base_`` chain has a cycle.

        Examples:
            >>> cfg = Config.fromfile('configs/resnet50.py')  # doctest: +SKIP
            >>> cfg.provenance('optimizer.lr')  # doctest: +SKIP
            ValueSource(kind='file', file='/.../optimizer_cfg.py', line=1, ...)
        """
        from engine.config.reading import read_config

        return read_config(
            filename,
            use_predefined_variables=use_predefined_variables,
            import_custom_modules=import_custom_modules,
            use_environment_variables=use_environment_variables,
            lazy_import=lazy_import,
            format_python_code=format_python_code,
        )

    @staticmethod
    def fromstring(cfg_str: str, file_format: str) -> Config:
        """Read a config from its text, in the format ``'.py'``, ``'.json'``,
        ``'.yaml'`` or ``'.yml'``.

        The text is written to a temporary file which is read as by
        :meth:`fromfile` (so ``_base_`` paths are relative to the temporary
        directory) and then removed.

        Raises:
            OSError: for another format.

        Examples:
            >>> Config.fromstring('a = 1', '.py').a
            1
        """
        if file_format not in (".py", ".json", ".yaml", ".yml"):
            raise OSError("Only py/yml/yaml/json type are supported now!")
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", suffix=file_format, delete=False
        ) as f:
            f.write(cfg_str)
        try:
            return Config.fromfile(f.name)
        finally:
            os.remove(f.name)

    @staticmethod
    def auto_argparser(description: str | None = None) -> tuple[Any, Config]:
        """A parser with one ``--key`` option per config value.

        The config file is the first positional argument of the command line.

        Returns:
            ``(parser, cfg)``.
        """
        from engine.config.utils import config_argparser

        return config_argparser(description)

    # -- properties ----------------------------------------------------
    @property
    def filename(self) -> str | None:
        """The file the config was read from (as given), or None."""
        return self._filename

    @property
    def text(self) -> str:
        """The text of every file read: ``"<path>\\n<content>"``, bases first."""
        return self._text

    @property
    def env_variables(self) -> dict:
        """The environment variables substituted, with their values."""
        return self._env_variables

    @property
    def pretty_text(self) -> str:
        """The config as Python code (``key = value`` per top-level key).

        Examples:
            >>> print(Config(dict(a=1, b=dict(c=2))).pretty_text, end='')
            a = 1
            b = dict(c=2)
        """
        from engine.config.formatting import format_config

        return format_config(self.to_dict())

    # -- dumping and merging -------------------------------------------
    def dump(self, file: str | Path | None = None) -> str | None:
        """Write the config to ``file`` (``.py``, ``.json``, ``.yaml``/``.yml``).

        Args:
            file: The file; None returns the text instead, in the format of
                :attr:`filename` (Python when it is None). Defaults to None.

        Returns:
            The text when ``file`` is None, else None.

        Examples:
            >>> print(Config(dict(a=1, b=2)).dump(), end='')
            a = 1
            b = 2
        """
        from engine.config.utils import dump_config

        return dump_config(self, file)

    def merge_from_dict(self, options: dict, allow_list_keys: bool = True) -> None:
        """Merge dotted-key options (as from ``--cfg-options``) into the config.

        Args:
            options: ``{'model.backbone.depth': 101, ...}``; a dict value
                merges into the dict it replaces (``_delete_`` works).
            allow_list_keys: Whether digit parts index lists
                (``'pipeline.0.type'``). Defaults to True.

        Raises:
            TypeError: if a key is not a string, or a dotted key crosses a
                value that is neither a dict nor (with ``allow_list_keys``) a
                list.
            KeyError: if a list index is out of range.

        Examples:
            >>> cfg = Config(dict(model=dict(backbone=dict(type='ResNet'))))
            >>> cfg.merge_from_dict({'model.backbone.depth': 50})
            >>> cfg.model.backbone
            {'type': 'ResNet', 'depth': 50}
            >>> str(cfg.provenance('model.backbone.depth'))
            '--cfg-options model.backbone.depth=50'
        """
        from engine.config.utils import options_to_tree

        tree, sources = options_to_tree(options)
        provenance = self._provenance
        replaced: list[KeyPath] = []

        def on_replace(path: KeyPath) -> None:
            source = option_source(sources, path)
            if source is not None:
                provenance.set(path, source)
                replaced.append(path)

        try:
            merged = ConfigDict(
                merge_dicts(tree, self._cfg_dict, allow_list_keys, on_replace)
            )
        except (KeyError, TypeError) as e:
            raise option_error(e, options) from e
        object.__setattr__(self, "_cfg_dict", merged)
        for path in replaced:
            take_snapshot(value_at(merged, path), path, self._snapshot)

    def to_dict(self, keep_imported: bool = False) -> dict:
        """The values as plain dicts (imported names of a lazy config dropped
        unless ``keep_imported``)."""
        cfg_dict = self._cfg_dict.to_dict()
        imported = self.__dict__.get("_imported_names")
        if imported and not keep_imported:
            cfg_dict = {k: v for k, v in cfg_dict.items() if k not in imported}
        return cfg_dict

    def _to_lazy_dict(self, keep_imported: bool = False) -> dict:
        cfg_dict = self._cfg_dict._to_lazy_dict()
        imported = self.__dict__.get("_imported_names")
        if imported and not keep_imported:
            cfg_dict = {k: v for k, v in cfg_dict.items() if k not in imported}
        return cfg_dict

    # -- provenance ----------------------------------------------------
    def provenance(self, key: str | KeyPath) -> ValueSource:
        """Where the value at dotted ``key`` was set.

        Args:
            key: A dotted key, digits indexing lists (``'optimizer.lr'``,
                ``'train_pipeline.2.scale'``).

        Returns:
            The file and line of the assignment (through the ``_base_``
            chain), the ``--cfg-options`` entry or the environment variable
            that set it; kind ``'code'`` if it was changed after loading.

        Raises:
            KeyError: if the config has no such key.
        """
        return resolve(
            self._cfg_dict,
            self._provenance.get(),
            self._snapshot,
            parse_path(key),
            self._default_source,
        )

    def provenances(self) -> dict[str, ValueSource]:
        """:meth:`provenance` of every leaf value, by dotted key."""
        return {
            format_path(path): self.provenance(path)
            for path in leaf_paths(self._cfg_dict)
        }

    @staticmethod
    def diff(cfg1: str | Config, cfg2: str | Config) -> str:
        """A unified diff of the ``pretty_text`` of two configs (or files).

        The returned string also lists the changed keys with their sources:
        see :class:`~engine.config.diff.ConfigDiff`.

        Examples:
            >>> d = Config.diff(Config(dict(a=1, b=2)), Config(dict(a=1, b=3)))
            >>> d.changed
            ['b']
        """
        from engine.config.diff import config_diff

        return config_diff(cfg1, cfg2)

    # -- container protocol --------------------------------------------
    def __repr__(self) -> str:
        return f"Config (path: {self.filename}): {self._cfg_dict.__repr__()}"

    def __len__(self) -> int:
        return len(self._cfg_dict)

    def __iter__(self) -> Any:
        return iter(self._cfg_dict)

    def __contains__(self, key: object) -> bool:
        return key in self._cfg_dict

    def __getattr__(self, name: str) -> Any:
        cfg_dict = self.__dict__.get("_cfg_dict")
        if cfg_dict is None:
            raise AttributeError(name)
        return getattr(cfg_dict, name)

    def __getitem__(self, name: Any) -> Any:
        return self._cfg_dict.__getitem__(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, dict):
            value = ConfigDict(value)
        self._cfg_dict.__setattr__(name, value)

    def __setitem__(self, name: Any, value: Any) -> None:
        if isinstance(value, dict):
            value = ConfigDict(value)
        self._cfg_dict.__setitem__(name, value)

    def __delattr__(self, name: str) -> None:
        del self._cfg_dict[name]

    def __delitem__(self, name: Any) -> None:
        del self._cfg_dict[name]

    # -- copying and pickling ------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def __copy__(self) -> Config:
        new = Config.__new__(Config)
        state = dict(self.__dict__)
        state["_cfg_dict"] = self._cfg_dict.copy()
        state["_provenance"] = self._provenance.copy()
        state["_snapshot"] = dict(self._snapshot)
        new.__setstate__(state)
        return new

    copy = __copy__

    def __deepcopy__(self, memo: dict[int, Any]) -> Config:
        new = Config.__new__(Config)
        memo[id(self)] = new
        new.__setstate__(copy.deepcopy(self.__dict__, memo))
        return new
