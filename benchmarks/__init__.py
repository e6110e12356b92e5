"""Measured speed of the simulator, printed as one table (`make bench`, `python -m benchmarks`).

Numbers, never pass/fail: tests do not assert timings. Every figure is the median of several runs on
the full-city 10-year `plan` scenario unless its note says otherwise; the table and
benchmarks/results.json (git-ignored) carry the same figures.
"""
