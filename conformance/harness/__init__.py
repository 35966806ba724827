"""Shared machinery of the conformance suite (no test imports an implementation)."""

from conformance.harness.impl import IMPLEMENTATIONS, Impl

__all__ = ["IMPLEMENTATIONS", "Impl"]
