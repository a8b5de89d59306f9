"""Benchmarks (run as scripts, `python bench/NAME.py`) and the package generator they share,
importable as `bench.generate`."""
