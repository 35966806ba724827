"""Where each value of a config was set.

Every :class:`~engine.config.Config` keeps a :class:`ProvenanceMap`: for a key
path (``('optimizer', 'lr')``) the :class:`ValueSource` of the assignment that
set it, a file and line of a config (through the ``_base_`` chain), a
``--cfg-options`` entry, or an environment variable substituted on that line.

Records are kept for the paths that assignments name; a value without its own
record was set as part of the nearest enclosing one (``model.depth`` inside
``model = dict(type='ResNet', depth=50)``). Merging follows the inheritance
rules: a child value that replaces the base value brings its own records, a
dict that merges keeps the base records of the keys it does not set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from engine.config.merge import KeyPath

__all__ = [
    "LazyProvenance",
    "ProvenanceMap",
    "Snapshot",
    "ValueSource",
    "format_path",
    "leaf_paths",
    "parse_path",
    "resolve",
    "take_snapshot",
    "value_at",
]

_NOT_RECORDED = object()

#: The values of a config by key path, when it was read.
Snapshot = dict[tuple[Any, ...], Any]


@dataclass(frozen=True)
class ValueSource:
    """The origin of one config value.

    Fields:

    * ``kind``: ``'file'`` (an assignment in a config file), ``'env'`` (an
      assignment whose line substituted a set environment variable),
      ``'cfg-options'`` (:meth:`Config.merge_from_dict`, the
      ``--cfg-options`` of a script), ``'dict'`` (the dict given to
      ``Config(...)``), ``'code'`` (changed after loading, through the
      config object; ``file`` and ``line`` are where it had been set).
    * ``file``: The config file, for ``'file'`` and ``'env'``.
    * ``line``: The 1-based line of the assignment in ``file``.
    * ``detail``: The environment variable (``'env'``), or the option as
      ``key=value`` (``'cfg-options'``).

    Examples:
        >>> src = ValueSource('file', '/cfgs/base.py', 3)
        >>> str(src)
        '/cfgs/base.py:3'
    """

    kind: str
    file: str | None = None
    line: int | None = None
    detail: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file else ""
        if self.kind == "env":
            return f"{where} (environment variable {self.detail})"
        if self.kind == "cfg-options":
            return f"--cfg-options {self.detail}"
        if self.kind == "dict":
            return "Config(dict)"
        if self.kind == "code":
            return f"set after loading{f' (was {where})' if where else ''}"
        return where


def parse_path(key: str | KeyPath) -> KeyPath:
    """``'a.0.b'`` → ``('a', 0, 'b')`` (digits become list indices).

    Examples:
        >>> parse_path('data.pipeline.0.type')
        ('data', 'pipeline', 0, 'type')
    """
    if isinstance(key, tuple):
        return key
    return tuple(int(part) if part.isdigit() else part for part in key.split("."))


def format_path(path: KeyPath) -> str:
    """``('a', 0, 'b')`` → ``'a.0.b'``."""
    return ".".join(str(part) for part in path)


class _Node:
    """A trie node: the record of one key path and the nodes below it."""

    __slots__ = ("children", "source")

    def __init__(self) -> None:
        self.source: ValueSource | None = None
        self.children: dict[Any, _Node] = {}

    def copy(self) -> _Node:
        new = _Node()
        new.source = self.source
        new.children = {key: child.copy() for key, child in self.children.items()}
        return new


class ProvenanceMap:
    """Key path → :class:`ValueSource` records of one config (a trie).

    Examples:
        >>> prov = ProvenanceMap()
        >>> prov.set(('model',), ValueSource('file', 'a.py', 1))
        >>> prov.set(('model', 'depth'), ValueSource('file', 'a.py', 2))
        >>> str(prov.lookup(('model', 'depth'))), str(prov.lookup(('model', 'x')))
        ('a.py:2', 'a.py:1')
    """

    def __init__(self, records: dict[KeyPath, ValueSource] | None = None) -> None:
        self._root = _Node()
        for path, source in (records or {}).items():
            self._node(path).source = source

    def _node(self, path: KeyPath) -> _Node:
        node = self._root
        for key in path:
            child = node.children.get(key)
            if child is None:
                child = node.children[key] = _Node()
            node = child
        return node

    def _find(self, path: KeyPath) -> _Node | None:
        node: _Node | None = self._root
        for key in path:
            assert node is not None
            node = node.children.get(key)
            if node is None:
                return None
        return node

    def __len__(self) -> int:
        return sum(1 for _ in self.items())

    def __iter__(self) -> Iterator[KeyPath]:
        return (path for path, _ in self.items())

    def items(self) -> Iterator[tuple[KeyPath, ValueSource]]:
        """The ``(path, source)`` records, parents before children."""
        stack: list[tuple[KeyPath, _Node]] = [((), self._root)]
        while stack:
            path, node = stack.pop()
            if node.source is not None:
                yield path, node.source
            stack.extend(
                ((*path, key), child) for key, child in reversed(node.children.items())
            )

    def copy(self) -> ProvenanceMap:
        """An independent copy."""
        new = ProvenanceMap()
        new._root = self._root.copy()
        return new

    def get(self, path: KeyPath) -> ValueSource | None:
        """The record of exactly ``path``, if any."""
        node = self._find(path)
        return None if node is None else node.source

    def set(
        self, path: KeyPath, source: ValueSource, value: Any = _NOT_RECORDED
    ) -> None:
        """Record ``source`` for ``path``, forgetting records below it."""
        node = self._node(path)
        node.source = source
        node.children = {}

    def replace(self, path: KeyPath, source: ValueSource) -> None:
        """Replace the record of exactly ``path`` (records below are kept)."""
        self._node(path).source = source

    def clear(self, path: KeyPath) -> None:
        """Forget the records of ``path`` and below."""
        if not path:
            self._root = _Node()
            return
        parent = self._find(path[:-1])
        if parent is not None:
            parent.children.pop(path[-1], None)

    def lookup(self, path: KeyPath) -> ValueSource | None:
        """The record of ``path`` or of its nearest recorded ancestor."""
        found = self._lookup_node(path)
        return None if found is None else found[1].source

    def lookup_with_path(self, path: KeyPath) -> tuple[KeyPath, ValueSource] | None:
        """Like :meth:`lookup`, also giving the path the record belongs to."""
        found = self._lookup_node(path)
        if found is None:
            return None
        depth, node = found
        assert node.source is not None
        return path[:depth], node.source

    def _lookup_node(self, path: KeyPath) -> tuple[int, _Node] | None:
        best: tuple[int, _Node] | None = None
        node = self._root
        for depth, key in enumerate(path, 1):
            child = node.children.get(key)
            if child is None:
                break
            node = child
            if node.source is not None:
                best = (depth, node)
        return best

    def graft(self, path: KeyPath, other: ProvenanceMap, other_path: KeyPath) -> None:
        """Replace the records below ``path`` by ``other``'s below ``other_path``.

        When ``other`` has no record of exactly ``other_path``, its nearest
        ancestor record stands for it.
        """
        source = other._find(other_path)
        node = source.copy() if source is not None else _Node()
        if node.source is None:
            node.source = other.lookup(other_path)
        if not path:
            self._root = node
            return
        self._node(path[:-1]).children[path[-1]] = node

    def update(self, other: ProvenanceMap) -> None:
        """Add ``other``'s records (for disjoint keys, as among bases)."""
        self._root.children.update(other._root.children)


class LazyProvenance:
    """A :class:`ProvenanceMap` built on first use, with records added later.

    Reading a config only remembers how to build its map (most configs are
    never asked where a value came from); :meth:`set` calls made before the
    map is built are replayed after building it.
    """

    def __init__(self, build: Callable[[], ProvenanceMap] | ProvenanceMap) -> None:
        self._built = build if isinstance(build, ProvenanceMap) else None
        self._build = None if isinstance(build, ProvenanceMap) else build
        self._pending: list[tuple[KeyPath, ValueSource]] = []

    def get(self) -> ProvenanceMap:
        """The map (built now if needed)."""
        if self._built is None:
            assert self._build is not None
            self._built = self._build()
            for path, source in self._pending:
                self._built.set(path, source)
            self._pending = []
        return self._built

    def set(self, path: KeyPath, source: ValueSource) -> None:
        """Record ``source`` for ``path`` (see :meth:`ProvenanceMap.set`)."""
        if self._built is None:
            self._pending.append((path, source))
        else:
            self._built.set(path, source)

    def copy(self) -> LazyProvenance:
        """An independent copy."""
        if self._built is not None:
            return LazyProvenance(self._built.copy())
        new = LazyProvenance(self._build)  # type: ignore[arg-type]
        new._pending = list(self._pending)
        return new

    def __deepcopy__(self, memo: dict[int, Any]) -> LazyProvenance:
        return self.copy()

    def __getstate__(self) -> dict[str, Any]:
        return {"_built": self.get(), "_build": None, "_pending": []}


def take_snapshot(
    value: Any, path: KeyPath = (), into: Snapshot | None = None
) -> Snapshot:
    """The value at every path of ``value`` (a dict: its set of keys).

    :func:`resolve` compares them with the current values to tell the values
    changed after loading.
    """
    snapshot: Snapshot = {} if into is None else into
    if isinstance(value, dict):
        snapshot[path] = _Keys(value)
        for key, item in dict.items(value):
            take_snapshot(item, (*path, key), snapshot)
    elif isinstance(value, (list, tuple)):
        snapshot[path] = value
        for index, item in enumerate(value):
            take_snapshot(item, (*path, index), snapshot)
    else:
        snapshot[path] = value
    return snapshot


class _Keys(frozenset):
    """The keys a dict had when its record was made."""


def value_at(cfg: Any, path: KeyPath) -> Any:
    """The value at ``path`` (dict keys and list indices)."""
    value = cfg
    for part in path:
        if isinstance(value, dict):
            value = dict.__getitem__(value, part)
        elif isinstance(value, (list, tuple)) and isinstance(part, int):
            value = value[part]
        else:
            raise KeyError(format_path(path))
    return value


def resolve(
    cfg: dict,
    provenance: ProvenanceMap,
    snapshot: Snapshot,
    path: KeyPath,
    default: ValueSource,
) -> ValueSource:
    """The source of the value at ``path`` of ``cfg``.

    Args:
        cfg: The config values.
        provenance: Its records.
        snapshot: Its values when the records were made
            (:func:`take_snapshot`).
        path: The key path.
        default: The source of values without a record.

    Raises:
        KeyError: if ``cfg`` has no value at ``path``.
    """
    try:
        value_at(cfg, path)
    except (KeyError, IndexError) as e:
        raise KeyError(f"the config has no key {format_path(path)!r}") from e
    found = provenance.lookup_with_path(path)
    if found is None:
        return default
    record_path, source = found
    recorded = snapshot.get(record_path, _NOT_RECORDED)
    if recorded is not _NOT_RECORDED and _changed(cfg, record_path, path, recorded):
        return ValueSource("code", source.file, source.line)
    return source


def _changed(cfg: dict, record_path: KeyPath, path: KeyPath, recorded: Any) -> bool:
    current = value_at(cfg, record_path)
    if isinstance(recorded, _Keys):
        if not isinstance(current, dict):
            return True
        if len(path) > len(record_path):
            return path[len(record_path)] not in recorded
        return False
    return current is not recorded and current != recorded


def leaf_paths(cfg: Any, path: KeyPath = ()) -> list[KeyPath]:
    """The key paths of the non-dict values of ``cfg`` (dicts recursed).

    Examples:
        >>> leaf_paths(dict(a=1, b=dict(c=[1], d={})))
        [('a',), ('b', 'c'), ('b', 'd')]
    """
    paths: list[KeyPath] = []
    for key, value in dict.items(cfg):
        if isinstance(value, dict) and value:
            paths += leaf_paths(value, (*path, key))
        else:
            paths.append((*path, key))
    return paths
