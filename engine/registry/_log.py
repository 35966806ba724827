"""Where the registry's log lines go.

The registry reports lookups and builds at DEBUG level and scope problems at
WARNING level through the logger named :data:`engine._identity.LOGGER_NAME`.
Until :mod:`engine.logging` exists this is the standard-library logger of
that name; the two functions below are the only places to rewire.
"""

from __future__ import annotations

import logging

from engine._identity import LOGGER_NAME


def log(message: str, level: int = logging.DEBUG) -> None:
    """Emit ``message`` at ``level`` on the engine logger."""
    logging.getLogger(LOGGER_NAME).log(level, message)


def warn(message: str) -> None:
    """Emit ``message`` at WARNING level on the engine logger."""
    log(message, logging.WARNING)
