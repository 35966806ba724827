"""The engine logger, :class:`MMLogger`, and :func:`print_log`.

An :class:`MMLogger` is a :class:`logging.Logger` reachable by name
(:class:`~engine.utils.ManagerMixin`) that writes lines formatted by
:class:`MMFormatter` to stdout and, with ``log_file``, to a file.

Where the file goes (``log_file='work/tmp.log'``):

* The file sits in a directory named after its stem, ``work/tmp/tmp.log``
  (the docs' layout: every process of a job writes into that directory).
  A file whose parent directory already has that name (``work/tmp/tmp.log``)
  stays where it is.
* In a job of several processes with ``distributed=True`` or at DEBUG level,
  every rank writes its own file, named
  ``<stem>_<user>@<host>_device<local rank>_rank<rank><suffix>``; otherwise
  only rank 0 writes a file, and ranks other than 0 print only errors.

Terminal lines carry ``MM/DD HH:MM:SS`` and a coloured level name when
stdout is a terminal (``NO_COLOR``/``FORCE_COLOR`` override); file lines
carry ``YYYY/MM/DD HH:MM:SS`` and are never coloured. Repeated WARNING
messages are printed once. Records at ERROR and above show where they were
logged (path, function, line).
"""

from __future__ import annotations

import getpass
import logging
import logging.handlers
import os
import socket
import sys
from typing import Any

from engine._identity import LOGGER_NAME
from engine.logging._dist_info import local_rank, rank_and_world_size
from engine.logging._formatter import FilterDuplicateWarning, MMFormatter
from engine.utils._errors import CompatTypeError, CompatValueError
from engine.utils.manager import ManagerMixin

__all__ = ["FilterDuplicateWarning", "MMFormatter", "MMLogger", "print_log"]

_TERMINAL_DATEFMT = "%m/%d %H:%M:%S"
_FILE_DATEFMT = "%Y/%m/%d %H:%M:%S"


def _level(log_level: int | str) -> int:
    """``log_level`` as a number (``'INFO'`` -> 20)."""
    if isinstance(log_level, bool):
        raise CompatTypeError(f"log_level must be an int or str, got {log_level!r}")
    if isinstance(log_level, int):
        return log_level
    if isinstance(log_level, str):
        level = logging.getLevelName(log_level.upper())
        if isinstance(level, int):
            return level
        raise CompatValueError(
            f"Unknown log_level {log_level!r}; expected DEBUG, INFO, WARNING, "
            "ERROR, CRITICAL or an int"
        )
    raise CompatTypeError(f"log_level must be an int or str, got {log_level!r}")


def _user_at_host() -> str:
    """``user@hostname`` for per-rank file names."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry and no USER/LOGNAME variable
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def log_file_path(log_file: str, per_rank: bool, rank: int, device: int) -> str:
    """Where a logger given ``log_file`` writes (see the module docstring).

    Args:
        log_file: The path the caller asked for.
        per_rank: Whether every rank writes its own file.
        rank: Global rank of this process.
        device: Local rank (device index) of this process.

    Returns:
        The path of this process's file.

    Examples:
        >>> log_file_path('work/tmp.log', False, 0, 0)
        'work/tmp/tmp.log'
        >>> log_file_path('work/tmp/tmp.log', False, 0, 0)
        'work/tmp/tmp.log'
    """
    parent, filename = os.path.split(log_file)
    stem, suffix = os.path.splitext(filename)
    if os.path.basename(os.path.normpath(parent)) != stem:
        parent = os.path.join(parent, stem)
    if per_rank:
        filename = f"{stem}_{_user_at_host()}_device{device}_rank{rank}{suffix}"
    return os.path.join(parent, filename)


def _file_handler(
    path: str, file_mode: str, file_handler_cfg: dict | None
) -> logging.Handler:
    """A handler writing to ``path`` (a ``logging.handlers`` class if given)."""
    if file_handler_cfg is None:
        return logging.FileHandler(path, file_mode, encoding="utf-8")
    cfg = dict(file_handler_cfg)
    type_name = cfg.pop("type", None)
    if not isinstance(type_name, str):
        raise CompatValueError(
            "file_handler_cfg must name a handler class in `type`, e.g. "
            f"dict(type='RotatingFileHandler', maxBytes=...); got {file_handler_cfg!r}"
        )
    handler_cls = getattr(logging.handlers, type_name, None) or getattr(
        logging, type_name, None
    )
    if not (isinstance(handler_cls, type) and issubclass(handler_cls, logging.Handler)):
        raise CompatValueError(
            f"file_handler_cfg: `logging.handlers` does not contain {type_name}"
        )
    handler: logging.Handler = handler_cls(filename=path, **cfg)  # type: ignore[call-arg]
    return handler


def _use_colour(stream: Any) -> bool:
    """Colour for a terminal, unless ``NO_COLOR``; always with ``FORCE_COLOR``.

    The environment variables are those termcolor (and many tools) honour:
    ``ANSI_COLORS_DISABLED`` or ``NO_COLOR`` turn colour off, ``FORCE_COLOR``
    turns it on for any stream.
    """
    if "ANSI_COLORS_DISABLED" in os.environ or "NO_COLOR" in os.environ:
        return False
    if "FORCE_COLOR" in os.environ:
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class MMLogger(logging.Logger, ManagerMixin):
    """A logger reachable by name, with the engine line format.

    Build it with :meth:`get_instance`; see the module docstring for where
    files go.

    Args:
        name: Instance name (see :class:`~engine.utils.ManagerMixin`).
        logger_name: Name shown in every line. Defaults to ``'engine'``.
        log_file: Path of a log file. Defaults to None (terminal only).
        log_level: Level of the handlers, as a name or number. Defaults to
            ``'INFO'``.
        file_mode: Mode the file is opened with. Defaults to ``'w'``.
        distributed: Let every rank write a file. Defaults to False.
        file_handler_cfg: Use ``logging.handlers.<type>`` with these keyword
            arguments for the file, e.g. ``dict(type='RotatingFileHandler',
            maxBytes=1024)``. Defaults to None (a plain file).

    Examples:
        >>> logger = MMLogger.get_instance('demo', logger_name='demo')
        >>> logger.info('this is a test')  # doctest: +SKIP
        08/21 02:58:41 - demo - INFO - this is a test
        >>> MMLogger.get_current_instance() is logger
        True
    """

    def __init__(
        self,
        name: str,
        logger_name: str = LOGGER_NAME,
        log_file: str | None = None,
        log_level: int | str = "INFO",
        file_mode: str = "w",
        distributed: bool = False,
        file_handler_cfg: dict | None = None,
    ) -> None:
        logging.Logger.__init__(self, logger_name)
        ManagerMixin.__init__(self, name)
        level = _level(log_level)
        rank, world_size = rank_and_world_size()
        stream = logging.StreamHandler(sys.stdout)
        colour = _use_colour(sys.stdout)
        stream.setFormatter(
            MMFormatter(color=colour, blink=colour, datefmt=_TERMINAL_DATEFMT)
        )
        stream.setLevel(level if rank == 0 else logging.ERROR)
        stream.addFilter(FilterDuplicateWarning(logger_name))
        self.handlers.append(stream)
        self._log_file: str | None = None
        if log_file is None:
            return
        per_rank = world_size > 1 and (distributed or level <= logging.DEBUG)
        path = log_file_path(os.fspath(log_file), per_rank, rank, local_rank())
        self._log_file = path
        if rank == 0 or per_rank:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            handler = _file_handler(path, file_mode, file_handler_cfg)
            handler.setFormatter(MMFormatter(color=False, datefmt=_FILE_DATEFMT))
            handler.setLevel(level)
            handler.addFilter(FilterDuplicateWarning(logger_name))
            self.handlers.append(handler)

    @property
    def log_file(self) -> str | None:
        """Path of this process's log file (None without ``log_file``)."""
        return self._log_file

    @classmethod
    def get_current_instance(cls) -> MMLogger:
        """The latest built logger; one named ``'engine'`` if there is none.

        Returns:
            The current :class:`MMLogger`.

        Examples:
            >>> isinstance(MMLogger.get_current_instance(), MMLogger)
            True
        """
        if not cls._instance_dict:
            cls.get_instance(LOGGER_NAME)
        return super().get_current_instance()

    def setLevel(self, level: int | str) -> None:  # noqa: N802 - logging's name
        """Set the logger's own level (handlers keep theirs).

        Args:
            level: A level name or number.
        """
        super().setLevel(level)
        # The logging manager only clears the caches of the loggers it
        # registered; MMLogger instances are not among them.
        self._cache.clear()  # type: ignore[attr-defined]


def _drops(logger: logging.Logger, level: int) -> bool:
    """True when no handler of a parentless ``logger`` would take ``level``.

    MMLogger instances have no parent, so a record only reaches their own
    handlers; skipping it early spares building a ``LogRecord`` (the registry
    logs every build at DEBUG level). A logger without handlers is not
    dropped: :data:`logging.lastResort` may still print it.
    """
    handlers = logger.handlers
    return (
        logger.parent is None
        and bool(handlers)
        and all(handler.level > level for handler in handlers)
    )


def print_log(
    msg: Any, logger: logging.Logger | str | None = None, level: int = logging.INFO
) -> None:
    """Print ``msg``, or log it through a logger.

    Args:
        msg: The message.
        logger: Where it goes: None prints to stdout; ``'silent'`` drops it;
            ``'current'`` logs to :meth:`MMLogger.get_current_instance`; another
            str logs to the MMLogger instance of that name; a
            :class:`logging.Logger` logs to it. Defaults to None.
        level: Logging level. Defaults to ``logging.INFO``.

    Raises:
        ValueError: if no MMLogger instance is called ``logger``.
        TypeError: if ``logger`` is of another type.

    Examples:
        >>> print_log('hello')
        hello
        >>> print_log('nothing', logger='silent')
    """
    if logger is None:
        print(msg)
    elif isinstance(logger, logging.Logger):
        logger.log(level, msg, stacklevel=2)
    elif logger == "silent":
        pass
    elif logger == "current":
        current = MMLogger.get_current_instance()
        if not _drops(current, level):
            current.log(level, msg, stacklevel=2)
    elif isinstance(logger, str):
        if not MMLogger.check_instance_created(logger):
            raise ValueError(f"MMLogger: {logger} has not been created!")
        named = MMLogger.get_instance(logger)
        if not _drops(named, level):
            named.log(level, msg, stacklevel=2)
    else:
        raise TypeError(
            "`logger` should be either a logging.Logger object, str, "
            f'"silent", "current" or None, but got {type(logger)}'
        )
