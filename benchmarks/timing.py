"""Timing and memory helpers shared by the benchmarks."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

import psutil


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of one call and its result."""
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def median_time(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Median wall time of `repeat` calls: robust to a neighbour stealing a core for a moment."""
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def own_peak_rss_mb() -> float:
    """This process's peak resident memory in MB: the kernel's high-water mark of its own memory
    (VmHWM in /proc/self/status). Not getrusage's ru_maxrss: Linux folds the parent's peak into it at
    exec, so a child started by a large process (make bench, after simulating) reports the
    parent's (a 10 MB child of an 800 MB parent: 788 MB)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux; elsewhere an upper bound


def tree_total(root: psutil.Process, read: Callable[[psutil.Process], float]) -> float:
    """`read` summed over a process and all its descendants (a process that ends between the
    listing and the reading counts nothing)."""
    total = 0.0
    for p in [root, *root.children(recursive=True)]:
        try:
            total += read(p)
        except psutil.Error:
            pass
    return total
