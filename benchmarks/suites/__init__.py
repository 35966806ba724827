"""Benchmark suites; each module follows :mod:`benchmarks.suite`."""
