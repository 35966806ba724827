"""Where the registry's log lines go.

The registry reports lookups and builds at DEBUG level and scope problems at
WARNING level on the current ``MMLogger`` (``print_log(..., 'current')``),
as MMEngine does. :mod:`engine.logging` is imported on first use so that
``import engine.registry`` stays light.
"""

from __future__ import annotations

import logging


def log(message: str, level: int = logging.DEBUG) -> None:
    """Emit ``message`` at ``level`` on the current engine logger."""
    from engine.logging import print_log

    print_log(message, logger="current", level=level)


def warn(message: str) -> None:
    """Emit ``message`` at WARNING level on the current engine logger."""
    log(message, logging.WARNING)
