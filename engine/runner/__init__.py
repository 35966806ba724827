"""The runner and its parts.

So far: :class:`LogProcessor`, which formats the training log.
"""

from engine.runner.log_processor import LogProcessor

__all__ = ["LogProcessor"]
