"""engine: a clean-room, API-compatible re-implementation of MMEngine."""

from engine.version import __version__, version_info

__all__ = ["__version__", "version_info"]
