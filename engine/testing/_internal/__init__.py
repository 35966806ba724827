"""Testing helpers that need several processes."""

from engine.testing._internal.distributed import MultiProcessTestCase

__all__ = ["MultiProcessTestCase"]
