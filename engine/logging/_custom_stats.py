"""Validate a LogProcessor ``custom_cfg`` into a list of :class:`CustomStat`.

Each entry of ``custom_cfg`` is a dict with ``data_src`` (a scalar name
without its ``train/``/``val/``/``test/`` prefix), ``method_name`` (a
statistic registered in :class:`~engine.logging.HistoryBuffer`), optionally
``log_name`` (the column written; defaults to ``data_src``, overwriting it)
and the statistic's arguments, among which ``window_size`` may be a
positive int, ``'epoch'`` or ``'global'``. Everything that can be checked
before training starts is checked here, so a bad config fails when the
LogProcessor is built, naming the entry at fault.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.logging.history_buffer import HistoryBuffer
from engine.utils._errors import CompatTypeError, CompatValueError

__all__ = ["CustomStat", "parse_custom_cfg"]

#: Words ``window_size`` may take besides a positive int.
WINDOW_WORDS = ("epoch", "global")


@dataclass(frozen=True)
class CustomStat:
    """One validated ``custom_cfg`` entry.

    Attributes:
        data_src: Scalar read, without the mode prefix.
        log_name: Column written.
        method_name: Statistic called on the scalar's history.
        window_size: An int, ``'epoch'``, ``'global'``, or None when the
            entry gives none (the statistic's own default applies).
        kwargs: The statistic's other arguments.
    """

    data_src: str
    log_name: str
    method_name: str
    window_size: int | str | None
    kwargs: dict[str, Any] = field(default_factory=dict)


def _check_window(where: str, window: Any, by_epoch: bool) -> None:
    if window in WINDOW_WORDS:
        if window == "epoch" and not by_epoch:
            raise CompatValueError(
                f"{where}: window_size cannot be epoch if LoggerHook.by_epoch is False."
            )
        return
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise CompatValueError(
            f"{where}: window_size should be a positive int, 'epoch' or "
            f"'global', but got {window!r}"
        )


def _check_arguments(where: str, method_name: str, arguments: dict) -> None:
    """Fail if the statistic does not accept ``arguments``."""
    method = HistoryBuffer._statistics_methods.get(method_name)
    if method is None:
        raise CompatValueError(
            f"{where}: method_name {method_name!r} is not a registered "
            f"statistic; registered: {sorted(HistoryBuffer._statistics_methods)}"
        )
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):  # a builtin without a signature
        return
    probe = {k: (1 if k == "window_size" else v) for k, v in arguments.items()}
    try:
        signature.bind(None, **probe)
    except TypeError as e:
        raise CompatValueError(
            f"{where}: statistic {method_name!r} does not accept the arguments "
            f"{sorted(arguments)}: {e}"
        ) from e


def _parse_entry(where: str, entry: Any, by_epoch: bool) -> CustomStat:
    if not isinstance(entry, Mapping):
        raise CompatTypeError(f"{where} must be a dict, got {type(entry).__name__}")
    entry = dict(entry)
    for required in ("data_src", "method_name"):
        if not isinstance(entry.get(required), str):
            raise CompatValueError(
                f"{where} must have a str {required!r}, got {entry!r}"
            )
    data_src = entry.pop("data_src")
    method_name = entry.pop("method_name")
    log_name = entry.pop("log_name", data_src)
    if not isinstance(log_name, str):
        raise CompatValueError(f"{where}: log_name must be a str, got {log_name!r}")
    window = entry.get("window_size")
    if "window_size" in entry:
        _check_window(where, window, by_epoch)
    _check_arguments(where, method_name, entry)
    entry.pop("window_size", None)
    return CustomStat(data_src, log_name, method_name, window, entry)


def parse_custom_cfg(custom_cfg: Any, by_epoch: bool) -> list[CustomStat]:
    """Validate ``custom_cfg`` (see the module docstring).

    Args:
        custom_cfg: A list of dicts, or None.
        by_epoch: Whether the LogProcessor logs by epoch (``'epoch'``
            windows need it).

    Returns:
        One :class:`CustomStat` per entry, in order.

    Raises:
        TypeError: if ``custom_cfg`` or an entry has the wrong type.
        ValueError: if an entry lacks a key, names an unknown statistic or
            bad arguments, or two entries write the same column.

    Examples:
        >>> parse_custom_cfg([dict(data_src='loss', method_name='mean',
        ...                        window_size='global')], True)[0].window_size
        'global'
    """
    if custom_cfg is None:
        return []
    if isinstance(custom_cfg, (str, Mapping)) or not isinstance(custom_cfg, Sequence):
        raise CompatTypeError(
            "custom_cfg must be a list of dicts, got "
            f"{type(custom_cfg).__name__} {custom_cfg!r}"
        )
    stats: list[CustomStat] = []
    writers: dict[str, int] = {}
    for index, entry in enumerate(custom_cfg):
        where = f"log_processor.custom_cfg[{index}]"
        stat = _parse_entry(where, entry, by_epoch)
        if stat.log_name in writers:
            raise CompatValueError(
                f"{where} and log_processor.custom_cfg[{writers[stat.log_name]}] "
                f"both write the column {stat.log_name!r}; give one of them "
                "another `log_name`"
            )
        writers[stat.log_name] = index
        stats.append(stat)
    return stats
