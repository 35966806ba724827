"""How :class:`~engine.logging.MMLogger` lines look, and the duplicate filter.

A line is ``<time> - <logger name> - <LEVEL> - <message>``; records at ERROR
and above also carry ``<path> - <function> - <line> - `` before the
message. On a terminal the level name is coloured and underlined (and
blinks from WARNING up when ``blink`` is set).
"""

from __future__ import annotations

import logging

from engine._identity import LOGGER_NAME

__all__ = ["FilterDuplicateWarning", "MMFormatter"]

#: ANSI colour code of each level name (others use the nearest level below).
_COLOURS = {
    logging.DEBUG: "32",  # green
    logging.INFO: "97",  # bright white
    logging.WARNING: "33",  # yellow
    logging.ERROR: "31",  # red
}
_UNDERLINE, _BLINK, _RESET = "4", "5", "\x1b[0m"


def _colour_of(levelno: int) -> str:
    """The colour code of the highest known level at or below ``levelno``."""
    code = _COLOURS[logging.DEBUG]
    for level in sorted(_COLOURS):
        if levelno >= level:
            code = _COLOURS[level]
    return code


class MMFormatter(logging.Formatter):
    """Format records as ``time - name - LEVEL - message``.

    Args:
        color: Colour the level name (for terminals). Defaults to True.
        blink: Make WARNING and above blink (only with ``color``). Defaults
            to False.
        **kwargs: Passed to :class:`logging.Formatter` (e.g. ``datefmt``).

    Examples:
        >>> import logging
        >>> formatter = MMFormatter(color=False, datefmt='%m/%d %H:%M:%S')
        >>> record = logging.LogRecord('engine', logging.INFO, 'a.py', 1,
        ...                            'this is a test', None, None)
        >>> formatter.format(record).split(' - ', 1)[1]
        'engine - INFO - this is a test'
    """

    def __init__(
        self, color: bool = True, blink: bool = False, **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.color = color
        self.blink = blink
        self._labels: dict[tuple[int, str], str] = {}

    def _label(self, record: logging.LogRecord) -> str:
        """The level name of ``record``, coloured if requested."""
        if not self.color:
            return record.levelname
        key = (record.levelno, record.levelname)
        label = self._labels.get(key)
        if label is None:
            codes = [_UNDERLINE, _colour_of(record.levelno)]
            if self.blink and record.levelno >= logging.WARNING:
                codes.insert(0, _BLINK)
            prefix = "".join(f"\x1b[{code}m" for code in codes)
            label = self._labels[key] = f"{prefix}{record.levelname}{_RESET}"
        return label

    def format(self, record: logging.LogRecord) -> str:
        """The line of ``record`` (with its traceback, if any)."""
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        head = f"{record.asctime} - {record.name} - {self._label(record)} - "
        if record.levelno >= logging.ERROR:
            head += f"{record.pathname} - {record.funcName} - {record.lineno} - "
        text = head + record.message
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text = f"{text}\n{record.exc_text}"
        if record.stack_info:
            text = f"{text}\n{self.formatStack(record.stack_info)}"
        return text


class FilterDuplicateWarning(logging.Filter):
    """Let each distinct WARNING message through once.

    Other levels always pass.

    Args:
        name: Name of the filter (see :class:`logging.Filter`). Defaults to
            the engine logger name.

    Examples:
        >>> import logging
        >>> only_once = FilterDuplicateWarning()
        >>> record = logging.LogRecord('engine', logging.WARNING, 'a.py', 1,
        ...                            'careful', None, None)
        >>> only_once.filter(record), only_once.filter(record)
        (True, False)
    """

    def __init__(self, name: str = LOGGER_NAME) -> None:
        super().__init__(name)
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a WARNING whose message was seen before."""
        if record.levelno != logging.WARNING:
            return True
        message = record.getMessage()
        if message in self.seen:
            return False
        self.seen.add(message)
        return True
