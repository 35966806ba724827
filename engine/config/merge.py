"""The inheritance rules: how a child config's values combine with its base.

For every key of the child dict ``a`` merged into the base dict ``b``:

* a dict value merges key by key into a dict value of the base;
* a dict value with ``_delete_=True`` replaces the base value (the
  ``_delete_`` key itself is dropped); ``_delete_`` is only looked at, and
  removed, where the key exists in the base;
* any other value (int, str, list, ...) replaces the base value;
* a dict value over a non-dict base value is an error, unless
  ``_delete_=True``;
* with ``allow_list_keys``, a digit key addresses an element of a base list
  (``{'0': {'lr': 0.1}}`` merges into element 0).

Keys keep their position in the base; new keys are appended in the child's
order. Every wholesale replacement is reported to an optional ``on_replace``
callback with the key path, which is how provenance follows the values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.config.config_dict import ConfigDict

__all__ = ["DELETE_KEY", "KeyPath", "merge_dicts"]

#: The key that makes a child dict replace its base dict instead of merging.
DELETE_KEY = "_delete_"

#: A key path: the keys (and list indices) from the root to a value.
KeyPath = tuple[Any, ...]

OnReplace = Callable[[KeyPath], None]


def merge_dicts(
    a: dict,
    b: dict | list,
    allow_list_keys: bool = False,
    on_replace: OnReplace | None = None,
    path: KeyPath = (),
) -> Any:
    """Merge the child ``a`` into (a copy of) the base ``b``.

    Args:
        a: The child dict; its dict values are consumed (``_delete_`` is
            popped from them).
        b: The base dict, or a list when ``allow_list_keys`` addresses
            list elements.
        allow_list_keys: Whether digit keys of ``a`` index lists of ``b``.
            Defaults to False.
        on_replace: Called with the key path of every value of ``b`` that
            is replaced (or added) wholesale. Defaults to None.
        path: Key path of ``b`` inside the whole config (for messages and
            ``on_replace``). Defaults to ``()``.

    Returns:
        The merged copy of ``b`` (the same type as ``b``).

    Raises:
        TypeError: if a dict value of ``a`` meets a non-dict value of ``b``
            without ``_delete_=True``.
        KeyError: if a list index is out of range.

    Examples:
        >>> base = dict(opt=dict(type='SGD', lr=0.02), gpus=[0, 1])
        >>> merge_dicts(dict(opt=dict(lr=0.01), gpus=[0]), base)
        {'opt': {'type': 'SGD', 'lr': 0.01}, 'gpus': [0]}
        >>> merge_dicts(dict(opt=dict(_delete_=True, type='Adam')), base)
        {'opt': {'type': 'Adam'}, 'gpus': [0, 1]}
    """
    merged: Any = b.copy()
    for key, value in a.items():
        if allow_list_keys and isinstance(merged, list):
            _merge_list_item(merged, key, value, on_replace, path)
        elif isinstance(value, dict):
            _merge_dict_value(merged, key, value, allow_list_keys, on_replace, path)
        else:
            _set(merged, key, value, on_replace, path)
    return merged


def _fail(error: Exception, path: KeyPath) -> Exception:
    """``error`` carrying the key path where merging failed (``key_path``)."""
    error.key_path = path  # type: ignore[attr-defined]
    return error


def _set(
    b: Any, key: Any, value: Any, on_replace: OnReplace | None, path: KeyPath
) -> None:
    if isinstance(b, list):
        raise _fail(
            TypeError(
                f"{_dotted(path)}: cannot set key {key!r} of a list (list "
                f"elements are addressed by an index such as "
                f"'{_dotted((*path, 0))}')"
            ),
            (*path, key),
        )
    b[key] = value
    if on_replace is not None:
        on_replace((*path, key))


def _merge_dict_value(
    b: Any,
    key: Any,
    value: dict,
    allow_list_keys: bool,
    on_replace: OnReplace | None,
    path: KeyPath,
) -> None:
    if isinstance(b, list) or key not in b or value.pop(DELETE_KEY, False):
        _set(b, key, ConfigDict(value), on_replace, path)
        return
    allowed = (dict, list) if allow_list_keys else dict
    if not isinstance(b[key], allowed):
        raise _fail(
            TypeError(
                f"{key}={value} in child config cannot inherit from base because "
                f"{key} is a dict in the child config but is of type "
                f"{type(b[key])} in base config. You may set `_delete_=True` to "
                f"ignore the base config."
            ),
            (*path, key),
        )
    b[key] = merge_dicts(value, b[key], allow_list_keys, on_replace, (*path, key))


def _merge_list_item(
    b: list, key: Any, value: Any, on_replace: OnReplace | None, path: KeyPath
) -> None:
    if not (isinstance(key, str) and key.isdigit()):
        raise _fail(
            TypeError(
                f"{_dotted(path)} is a list: the key {key!r} must be a list "
                f"index (a non-negative integer)"
            ),
            (*path, key),
        )
    index = int(key)
    if index >= len(b):
        raise _fail(
            KeyError(f"Index {index} exceeds the length of list {b}"), (*path, key)
        )
    item = b[index]
    if isinstance(value, dict) and isinstance(item, (dict, list)):
        if not value.pop(DELETE_KEY, False):
            b[index] = merge_dicts(value, item, True, on_replace, (*path, index))
            return
        value = ConfigDict(value)
    b[index] = value
    if on_replace is not None:
        on_replace((*path, index))


def _dotted(path: KeyPath) -> str:
    return ".".join(str(key) for key in path) or "<root>"
