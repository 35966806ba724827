"""Logging: scalar histories, the message hub and the engine logger.

:class:`HistoryBuffer` records one scalar; :class:`MessageHub` shares
scalars and runtime information between modules; :class:`MMLogger` and
:func:`print_log` write the log lines. None of them imports torch.
"""

from engine.logging.history_buffer import HistoryBuffer
from engine.logging.logger import MMLogger, print_log
from engine.logging.message_hub import MessageHub

__all__ = ["HistoryBuffer", "MMLogger", "MessageHub", "print_log"]
