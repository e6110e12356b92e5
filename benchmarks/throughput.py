"""Replications end to end through `sim.runner.run`: one, thirty on all cores, and the peak memory
of a hundred (in a child process, so this process's own allocations do not count)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from sim.runner import Results, default_workers, run
from sim.scenario import Scenario

from .timing import median_time, timed

SEED = 1


def one_replication_seconds(scenario: Scenario, repeat: int = 3) -> float:
    """One replication in this process: simulate, monthly frame, yearly roll-up."""
    return median_time(lambda: run(scenario, 1, SEED, workers=1), repeat)


def replications_seconds(scenario: Scenario, replications: int, repeat: int = 3) -> tuple[float, Results]:
    """Median seconds of `replications` replications on all cores (local worker processes), and
    the results (which the cache benchmark reuses)."""
    runs = [timed(lambda: run(scenario, replications, SEED, workers=default_workers())) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def peak_rss_mb(scenario_name: str, replications: int) -> dict[str, float]:
    """Peak resident memory of a child process running `replications` replications on all cores:
    the parent (which joins the frames) plus each worker's peak, an upper bound on the footprint."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.memory", scenario_name, str(replications)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])
