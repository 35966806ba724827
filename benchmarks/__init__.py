"""Benchmarks that compare engine with a reference implementation in one run.

``python -m benchmarks run --impl engine --ref mmengine`` runs every suite in
:mod:`benchmarks.suites` once per implementation (each in its own worker
process, with the interpreter given for it) and writes a JSON result and a
table: the median of the repeats and the ratio engine / reference.
"""
