"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of one call and its result."""
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def median_time(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Median wall time of `repeat` calls: robust to a neighbour stealing a core for a moment."""
    return statistics.median(timed(fn)[0] for _ in range(repeat))
