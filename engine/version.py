"""The version of ``engine``."""

__version__ = "0.1.0"

#: The version as a tuple of ints, e.g. ``(0, 1, 0)``.
version_info = tuple(int(part) for part in __version__.split("."))
