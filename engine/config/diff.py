"""``Config.diff``: how two configs differ, as text and as changed keys."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.config.provenance import ValueSource, format_path, leaf_paths

if TYPE_CHECKING:
    from engine.config.config import Config

__all__ = ["ConfigDiff", "KeyChange", "config_diff"]

_MISSING = object()


@dataclass(frozen=True)
class KeyChange:
    """One key that differs between two configs.

    Fields:

    * ``key``: The dotted key.
    * ``kind``: ``'added'``, ``'removed'`` or ``'changed'``.
    * ``old``: The value in the first config (``None`` if added).
    * ``new``: The value in the second config (``None`` if removed).
    * ``old_source``: Where the first config set it.
    * ``new_source``: Where the second config set it.
    """

    key: str
    kind: str
    old: Any = None
    new: Any = None
    old_source: ValueSource | None = None
    new_source: ValueSource | None = None

    def __str__(self) -> str:
        sign = {"added": "+", "removed": "-", "changed": "~"}[self.kind]
        if self.kind == "added":
            return f"{sign} {self.key} = {self.new!r} ({self.new_source})"
        if self.kind == "removed":
            return f"{sign} {self.key} (was {self.old!r}, {self.old_source})"
        return (
            f"{sign} {self.key}: {self.old!r} -> {self.new!r} "
            f"({self.old_source} -> {self.new_source})"
        )


class ConfigDiff(str):
    """The unified diff of two configs' ``pretty_text`` (as MMEngine's
    ``Config.diff`` returns it), with the changed keys attached.

    Fields:

    * ``changes``: One :class:`KeyChange` per differing leaf key, in the order
      of the first config then the keys only the second has.
    """

    changes: list[KeyChange]

    @property
    def changed(self) -> list[str]:
        """The dotted keys that differ (added, removed or changed)."""
        return [change.key for change in self.changes]

    def summary(self) -> str:
        """One line per changed key, with values and where they were set."""
        return "\n".join(str(change) for change in self.changes)


def config_diff(cfg1: str | Config, cfg2: str | Config) -> ConfigDiff:
    """Implementation of :meth:`Config.diff`."""
    from engine.config.config import Config

    first = Config.fromfile(cfg1) if isinstance(cfg1, str) else cfg1
    second = Config.fromfile(cfg2) if isinstance(cfg2, str) else cfg2
    lines = difflib.unified_diff(
        first.pretty_text.split("\n"), second.pretty_text.split("\n")
    )
    result = ConfigDiff("".join(line + "\n" for line in lines) + "\n")
    result.changes = _changes(first, second)
    return result


def _changes(first: Config, second: Config) -> list[KeyChange]:
    old = {path: _get(first._cfg_dict, path) for path in leaf_paths(first._cfg_dict)}
    new = {path: _get(second._cfg_dict, path) for path in leaf_paths(second._cfg_dict)}
    changes = []
    for path in [*old, *(p for p in new if p not in old)]:
        before, after = old.get(path, _MISSING), new.get(path, _MISSING)
        if before is not _MISSING and after is not _MISSING and before == after:
            continue
        key = format_path(path)
        if before is _MISSING:
            changes.append(
                KeyChange(key, "added", new=after, new_source=second.provenance(path))
            )
        elif after is _MISSING:
            changes.append(
                KeyChange(key, "removed", old=before, old_source=first.provenance(path))
            )
        else:
            changes.append(
                KeyChange(
                    key,
                    "changed",
                    before,
                    after,
                    first.provenance(path),
                    second.provenance(path),
                )
            )
    return changes


def _get(cfg: dict, path: tuple) -> Any:
    value: Any = cfg
    for part in path:
        value = dict.__getitem__(value, part)
    return value
