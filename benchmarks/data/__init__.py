"""Data the benchmarks generate at run time."""
