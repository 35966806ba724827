"""Checking ``CheckpointHook``'s arguments and inferring its comparison rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.utils._errors import CompatTypeError, CompatValueError

__all__ = ["check_keys", "infer_rule", "normalize_published", "normalize_save_best"]

#: Metrics whose name contains one of these improve when they grow.
DEFAULT_GREATER_KEYS = [
    "acc",
    "top",
    "AR@",
    "auc",
    "precision",
    "mAP",
    "mDice",
    "mIoU",
    "mAcc",
    "aAcc",
]
#: Metrics whose name contains one of these improve when they shrink.
DEFAULT_LESS_KEYS = ["loss"]


def _is_str_seq(value: Any) -> bool:
    return isinstance(value, Sequence) and all(isinstance(v, str) for v in value)


def check_keys(name: str, keys: Any, default: list[str]) -> Sequence[str]:
    """``greater_keys``/``less_keys``: None (the default list), a str or strs."""
    if keys is None:
        return default
    if isinstance(keys, str):
        return (keys,)
    if not _is_str_seq(keys):
        raise CompatTypeError(
            f"{name} should be a str or a sequence of str, but got {keys!r}"
        )
    return keys


def normalize_save_best(save_best: Any, rule: Any) -> tuple[list[str], list]:
    """``save_best`` and ``rule`` as two lists of the same length."""
    if isinstance(save_best, str):
        save_best = [save_best]
    if not (isinstance(save_best, list) and _is_str_seq(save_best)):
        raise CompatTypeError(
            '"save_best" should be a str or list of str or None, '
            f"but got {type(save_best)}"
        )
    if "auto" in save_best and len(save_best) > 1:
        raise CompatValueError('Only support one "auto" in "save_best" list.')
    if rule is None or isinstance(rule, str):
        rules = [rule] * len(save_best)
    elif isinstance(rule, list) and _is_str_seq(rule):
        if len(rule) == 1:
            rules = rule * len(save_best)
        elif len(rule) == len(save_best):
            rules = list(rule)
        else:
            raise CompatValueError(
                'Number of "rule" must be 1 or the same as number of '
                f'"save_best", but got {len(rule)}.'
            )
    else:
        raise CompatTypeError(
            f'"rule" should be a str or list of str or None, but got {type(rule)}'
        )
    return save_best, rules


def infer_rule(
    rule: str | None, key: str, greater_keys: Sequence[str], less_keys: Sequence[str]
) -> str | None:
    """The comparison rule of metric ``key``: given, or inferred from its name.

    A key equal to one of ``greater_keys`` (ignoring case) is ``'greater'``,
    one equal to one of ``less_keys`` is ``'less'``; otherwise a key that
    contains one of ``greater_keys``, then one of ``less_keys``. ``'auto'``
    stays undecided (None) until the first metrics are known.

    Raises:
        KeyError: if ``rule`` is not ``'greater'``, ``'less'`` or None.
        ValueError: if the rule of ``key`` cannot be inferred.
    """
    if rule not in ("greater", "less", None):
        raise KeyError(f"rule must be greater, less or None, but got {rule}.")
    if rule is not None or key == "auto":
        return rule
    name = key.lower()
    greater = [k.lower() for k in greater_keys]
    less = [k.lower() for k in less_keys]
    if name in greater:
        return "greater"
    if name in less:
        return "less"
    if any(k in name for k in greater):
        return "greater"
    if any(k in name for k in less):
        return "less"
    raise ValueError(
        f"Cannot infer the rule for key {key}, thus a specific rule must be specified."
    )


def normalize_published(published_keys: Any) -> list[str] | None:
    """``published_keys`` as a list of distinct strings (or None)."""
    if published_keys is None:
        return None
    if isinstance(published_keys, str):
        return [published_keys]
    if not (isinstance(published_keys, Sequence) and _is_str_seq(published_keys)):
        raise TypeError(
            '"published_keys" should be a str or a sequence of str or None, '
            f"but got {type(published_keys)}"
        )
    if len(set(published_keys)) != len(published_keys):
        raise CompatValueError(
            f'Find duplicate elements in "published_keys": {list(published_keys)}.'
        )
    return list(published_keys)
