"""Loading a config file with its ``_base_`` chain.

:func:`load_file` reads a file once, substitutes predefined and environment
variables, loads the bases it names (relative to the file, ``~`` expanded,
``pkg::path`` from an installed package), checks that no two bases define
the same key, runs or parses the file against the merged bases and merges
its values into them (:mod:`engine.config.merge`), carrying the provenance
of every value along.
"""

from __future__ import annotations

import os.path as osp
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.config.merge import KeyPath, merge_dicts
from engine.config.package_path import is_package_path, resolve_package_config
from engine.config.parsing.compiled import parse_python, parse_python_tree
from engine.config.parsing.data_file import key_lines, parse_data, resolve_refs
from engine.config.parsing.python_file import as_config_dicts, execute
from engine.config.parsing.python_provenance import collect_records
from engine.config.parsing.substitute import (
    Substituted,
    substitute_env_variables,
    substitute_predefined_variables,
)
from engine.config.provenance import ProvenanceMap, ValueSource

__all__ = ["LoadOptions", "Loaded", "check_format", "load_file"]

FORMATS = {".py": "py", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
DEPRECATION_KEY = "_deprecation_"
MIXED_STYLES = (
    "The configuration file type in the inheritance chain must match the "
    'current configuration file type, either "lazy_import" or '
    'non-"lazy_import". You got this error since you use the syntax like '
    "`with read_base(): ...` or import non-builtin module in {}. See more "
    "information in https://mmengine.readthedocs.io/en/latest/"
    "advanced_tutorials/config.html"
)


@dataclass(frozen=True)
class LoadOptions:
    """What :func:`load_file` substitutes."""

    use_predefined_variables: bool = True
    use_environment_variables: bool = True


@dataclass
class Loaded:
    """A loaded config file with its bases merged in.

    Fields:

    * ``cfg``: The merged variables.
    * ``provenance``: Builds the map of where each value was set (on demand:
      most configs are never asked).
    * ``texts``: ``"<path>\\n<content>"`` of every file read, bases first.
    * ``env_variables``: The environment variables used, with their values.
    """

    cfg: dict
    provenance: Callable[[], ProvenanceMap]
    texts: list[str] = field(default_factory=list)
    env_variables: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The texts joined as MMEngine's ``Config.text`` shows them."""
        return "\n".join(self.texts)


def check_format(filename: str) -> str:
    """``'py'``, ``'json'`` or ``'yaml'`` from the extension.

    Raises:
        OSError: for any other extension.
    """
    file_format = FORMATS.get(osp.splitext(filename)[1])
    if file_format is None:
        raise OSError(
            f"Only py/yml/yaml/json type are supported now! (got {filename!r})"
        )
    return file_format


def load_file(
    filename: str, options: LoadOptions, chain: tuple[str, ...] = ()
) -> Loaded:
    """Load ``filename`` (an absolute path) and its bases.

    Args:
        filename: The absolute path of an existing config file.
        options: The substitutions to make.
        chain: The files that (transitively) include this one, outermost
            first; used to report cycles.

    Raises:
        RecursionError: if the ``_base_`` chain has a cycle.
        FileNotFoundError: if a base file does not exist.
        KeyError: if two bases define the same key.
        RuntimeError: if a base is a lazy-import (pure Python) config.
    """
    file_format = check_format(filename)
    with open(filename, encoding="utf-8") as f:
        original = f.read()
    if chain and file_format == "py" and is_lazy_text(original, filename):
        raise RuntimeError(MIXED_STYLES.format(filename))
    text = _substitute(original, filename, options)
    chain = (*chain, filename)
    if file_format == "py":
        return _load_python(filename, original, text, options, chain)
    return _load_data(filename, file_format, original, text, options, chain)


def _substitute(text: str, filename: str, options: LoadOptions) -> Substituted:
    if options.use_predefined_variables:
        text = substitute_predefined_variables(text, filename)
    if options.use_environment_variables:
        return substitute_env_variables(text, filename)
    return Substituted(text)


def _load_python(
    filename: str,
    original: str,
    text: Substituted,
    options: LoadOptions,
    chain: tuple[str, ...],
) -> Loaded:
    parsed = parse_python(text.text, filename)
    base = _load_bases(parsed.bases, filename, parsed.base_line, options, chain)
    if parsed.uses_base_var:
        base.cfg = as_config_dicts(base.cfg)
    child = execute(parsed, base.cfg)

    def records(base_map: ProvenanceMap) -> ProvenanceMap:
        tree = parse_python_tree(text.text, filename)
        return collect_records(tree, filename, base_map)

    return _finish(filename, original, text, child, records, base)


def _load_data(
    filename: str,
    file_format: str,
    original: str,
    text: Substituted,
    options: LoadOptions,
    chain: tuple[str, ...],
) -> Loaded:
    parsed = parse_data(text.text, filename, file_format)
    bases = parsed.data.pop("_base_", [])
    if isinstance(bases, str):
        bases = [bases]
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        raise TypeError(
            f"_base_ must be a string or a list of strings, got {bases!r} ({filename})"
        )
    base_line = _line_of(text.text, "_base_")
    base = _load_bases(bases, filename, base_line, options, chain)
    child = resolve_refs(parsed, base.cfg)

    def records(base_map: ProvenanceMap) -> ProvenanceMap:
        lines = key_lines(text.text, file_format)
        return ProvenanceMap(
            {
                path: ValueSource("file", filename, line)
                for path, line in lines.items()
                if path[0] != "_base_"
            }
        )

    return _finish(filename, original, text, child, records, base)


def _line_of(text: str, word: str) -> int:
    index = text.find(word)
    return 0 if index < 0 else text.count("\n", 0, index) + 1


Records = Callable[[ProvenanceMap], ProvenanceMap]


def _finish(
    filename: str,
    original: str,
    text: Substituted,
    child: dict,
    records: Records,
    base: Loaded,
) -> Loaded:
    _warn_deprecated(child, filename)
    replaced: list[KeyPath] = []
    if base.cfg:
        try:
            cfg = merge_dicts(child, base.cfg, on_replace=replaced.append)
        except (KeyError, TypeError) as e:
            raise _merge_error(e, filename, text.text) from e
    else:
        cfg = child
    base_provenance = base.provenance
    has_base = bool(base.cfg)

    def provenance() -> ProvenanceMap:
        base_map = base_provenance()
        own = records(base_map)
        _mark_env(own, text, filename)
        if not has_base:
            return own
        for path in replaced:
            base_map.graft(path, own, path)
        return base_map

    env = {**base.env_variables, **text.env_variables}
    return Loaded(cfg, provenance, [*base.texts, f"{filename}\n{original}"], env)


def _merge_error(error: Exception, filename: str, text: str) -> Exception:
    """``error`` again, its message naming the file and line of the key."""
    path = getattr(error, "key_path", ())
    line = 0
    if path:
        match = re.search(rf"^{re.escape(str(path[0]))}\s*[=:]", text, re.MULTILINE)
        line = text.count("\n", 0, match.start()) + 1 if match else 0
    message = error.args[0] if error.args else str(error)
    where = f"{filename}, line {line}" if line else filename
    new = type(error)(f"{message} ({where})")
    new.key_path = path  # type: ignore[attr-defined]
    return new


def _mark_env(records: ProvenanceMap, text: Substituted, filename: str) -> None:
    """Mark the records of lines that substituted a set environment variable."""
    env_lines = {use.line: use.name for use in text.env_uses if use.from_env}
    if not env_lines:
        return
    for path, source in list(records.items()):
        name = env_lines.get(source.line or 0)
        if name is not None and source.file == filename:
            records.replace(path, ValueSource("env", filename, source.line, name))


def _warn_deprecated(cfg: dict, filename: str) -> None:
    info = cfg.pop(DEPRECATION_KEY, None)
    if info is None:
        return
    message = f"The config file {filename} will be deprecated in the future."
    if isinstance(info, dict):
        if "expected" in info:
            message += f" Please use {info['expected']} instead."
        if "reference" in info:
            message += f" More information can be found at {info['reference']}"
    warnings.warn(message, DeprecationWarning, stacklevel=2)


def _load_bases(
    bases: list[str],
    filename: str,
    line: int,
    options: LoadOptions,
    chain: tuple[str, ...],
) -> Loaded:
    merged = Loaded({}, ProvenanceMap)
    owners: dict[str, str] = {}
    thunks = []
    for base in bases:
        path, scope = resolve_base(base, filename, line)
        if path in chain:
            cycle = " -> ".join((*chain[chain.index(path) :], path))
            raise RecursionError(
                f"cycle in the _base_ chain of config files: {cycle} "
                f"({filename}, line {line})"
            )
        loaded = load_file(path, options, chain)
        if scope is not None:
            inject_scope(loaded.cfg, scope)
        _check_duplicates(loaded.cfg, path, owners, filename, line)
        merged.cfg.update(loaded.cfg)
        thunks.append(loaded.provenance)
        merged.texts.extend(loaded.texts)
        merged.env_variables.update(loaded.env_variables)

    def provenance() -> ProvenanceMap:
        union = ProvenanceMap()
        for thunk in thunks:
            union.update(thunk())
        return union

    merged.provenance = provenance
    return merged


def _check_duplicates(
    cfg: dict, path: str, owners: dict[str, str], filename: str, line: int
) -> None:
    duplicates = [key for key in cfg if key in owners]
    if duplicates:
        where = "; ".join(f"{k!r} is set in {owners[k]} and {path}" for k in duplicates)
        raise KeyError(
            f"Duplicate key is not allowed among bases. Duplicate keys: "
            f"{set(duplicates)} ({where}; bases of {filename}, line {line})"
        )
    owners.update(dict.fromkeys(cfg, path))


def resolve_base(base: str, filename: str, line: int) -> tuple[str, str | None]:
    """Absolute path (and package scope) of a base named in ``filename``.

    Raises:
        FileNotFoundError: if the file does not exist.
    """
    scope = None
    if is_package_path(base):
        path, scope = resolve_package_config(base)
    else:
        path = osp.expanduser(base)
        if not osp.isabs(path):
            path = osp.join(osp.dirname(filename), path)
        path = osp.normpath(path)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f"base config {base!r} of {filename} (line {line}) does not exist: "
            f"no file {path!r}"
        )
    check_format(path)
    return path, scope


def is_lazy_text(text: str, path: str) -> bool:
    """Whether the Python config ``path`` (content ``text``) is a lazy one.

    A lazy config imports something, so a text without ``import`` is not.
    """
    if "import" not in text:
        return False
    from engine.config.lazy_parse import is_lazy_config

    return is_lazy_config(path)


def inject_scope(cfg: object, scope: str) -> None:
    """Give ``_scope_`` to every dict with a ``type`` that has none.

    The dicts nested in a dict that has a ``type`` are left alone: they are
    built inside that scope.

    Examples:
        >>> cfg = dict(a=dict(type='A', b=dict(type='B')), c=[dict(type='C')])
        >>> inject_scope(cfg, 'mmdet')
        >>> cfg
        {'a': {'type': 'A', 'b': {'type': 'B'}, '_scope_': 'mmdet'}, \
'c': [{'type': 'C', '_scope_': 'mmdet'}]}
    """
    if isinstance(cfg, dict):
        if "type" in cfg:
            if cfg.get("_scope_") is None:
                cfg["_scope_"] = scope
            return
        for value in cfg.values():
            inject_scope(value, scope)
    elif isinstance(cfg, (list, tuple)):
        for item in cfg:
            inject_scope(item, scope)
