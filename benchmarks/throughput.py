"""Replications end to end through `sim.runner.run`: one, thirty on all cores, and the peak memory
of a hundred (in a child process, so this process's own allocations do not count)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

import psutil

from sim.experiment import Experiment
from sim.levers import run_explained
from sim.runner import Results, default_workers, run
from sim.scenario import Scenario

from .timing import median_time, timed, tree_total

SEED = 1
PSS_SAMPLE_S = 0.2


def one_replication_seconds(scenario: Scenario, repeat: int = 3) -> float:
    """One replication in this process: simulate, monthly frame, yearly roll-up."""
    return median_time(lambda: run(scenario, 1, SEED, workers=1), repeat)


def replications_seconds(scenario: Scenario, replications: int, repeat: int = 1) -> tuple[float, Results]:
    """Median seconds of `repeat` runs of `replications` replications on all cores (local worker processes), and
    the results (which the cache benchmark reuses)."""
    runs = [timed(lambda: run(scenario, replications, SEED, workers=default_workers())) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def paired_seconds(scenario: Scenario, baseline: Scenario, replications: int) -> float:
    """One paired comparison with chance only (uncertainty "noise"), uncached, on all cores: both arms'
    replications and the pairing, as `compare --uncertainty noise --no-cache` runs it before writing."""
    experiment = Experiment(scenario, baseline, SEED, replications, "noise")
    return timed(lambda: experiment.run(workers=default_workers()))[0]


def compare_defaults() -> dict:
    """The replications and uncertainty `python -m sim compare` uses when not told (read from its parser)."""
    from sim.cli import build_parser

    args = build_parser().parse_args(["compare", "--scenario", "plan", "--out", "unused.csv"])
    return {"replications": args.replications, "uncertainty": args.uncertainty}


def comparison_seconds(scenario: Scenario, baseline: Scenario, replications: int,
                       uncertainty: str) -> tuple[float, float]:
    """One paired comparison as `compare` runs it, uncached: the parameters drawn, the simulation, and
    the split by lever and the break-even beside them (`run_explained`). (Seconds in all, and the
    seconds the draws take alone, timed again on their own.)"""
    run_s, _ = timed(lambda: run_explained(Experiment(scenario, baseline, SEED, replications, uncertainty),
                                           workers=default_workers()))
    return run_s, draws_seconds(scenario, baseline, replications, uncertainty)


def draws_seconds(scenario: Scenario, baseline: Scenario, replications: int, uncertainty: str = "parameters") -> float:
    """Drawing the replications' assumptions and solving each draw's Herning elasticity, with the
    scenario variants made from them (`Experiment.variants`), alone."""
    return timed(lambda: Experiment(scenario, baseline, SEED, replications, uncertainty).variants)[0]


def peak_rss_mb(scenario_name: str, replications: int) -> dict[str, float]:
    """Peak resident memory of a child process running `replications` replications on all cores:
    the parent (which joins the frames) plus each worker's peak, an upper bound on the footprint
    (`benchmarks.memory`); and `pss_mb`, the largest proportional set size of the child and its
    workers together, sampled from here every PSS_SAMPLE_S while they run: what the run takes from
    the machine, a page shared by n processes counted 1/n in each, where the sum of resident sets
    counts the pages a forked worker shares with its parent once in each."""
    child = subprocess.Popen([sys.executable, "-m", "benchmarks.memory", scenario_name, str(replications)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tree, pss = psutil.Process(child.pid), 0.0
    while child.poll() is None:
        pss = max(pss, tree_total(tree, lambda p: p.memory_full_info().pss) / 2**20)
        time.sleep(PSS_SAMPLE_S)
    out, err = child.communicate()
    if child.returncode:
        raise RuntimeError(f"benchmarks.memory failed ({child.returncode}): {err.strip()[-500:]}")
    return {**json.loads(out.strip().splitlines()[-1]), "pss_mb": pss}
