"""Benchmarks on real public text under ../shared/data (read in place, never copied).

Each module runs as ``python -m benchmarks.<name>`` from the repository root, prints a table,
and exits 0 with a message where the data is absent.
"""
