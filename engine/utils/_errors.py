"""Exception types shared by :mod:`engine.utils`.

MMEngine signals many argument errors with ``assert`` statements, so callers
may catch :class:`AssertionError`. ``engine`` raises the semantically right
built-in type instead, through these classes that also derive from
:class:`AssertionError`, so both ``except TypeError`` and
``except AssertionError`` keep working.
"""

from __future__ import annotations


class CompatTypeError(TypeError, AssertionError):
    """A :class:`TypeError` where MMEngine raises :class:`AssertionError`."""


class CompatValueError(ValueError, AssertionError):
    """A :class:`ValueError` where MMEngine raises :class:`AssertionError`."""
