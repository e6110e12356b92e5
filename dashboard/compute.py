"""The dashboard's only door into the model: the instant preview, the full run, and finished runs.

A finished run is found again through sim's result cache (keyed by scenario id, seed and
replications), so every worker process of the server sees the same results without shared memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

import sim

from .inputs import REPLICATIONS, to_baseline, to_scenario


@dataclass(frozen=True)
class Outcome:
    """A comparison with the yearly frames behind it; `replications` is 0 for the analytic preview."""

    scenario: sim.Scenario
    comparison: sim.Comparison
    scenario_yearly: pd.DataFrame
    baseline_yearly: pd.DataFrame
    replications: int

    @property
    def simulated(self) -> bool:
        return self.replications > 0


def preview(values: Mapping[str, Any]) -> Outcome:
    """Expected values from the analytic twin: fast enough for every slider move."""
    scenario, baseline = to_scenario(values), to_baseline(values)
    s, b = sim.expected_yearly(scenario), sim.expected_yearly(baseline)
    return Outcome(scenario, sim.paired(s, b, scenario.assumptions), s, b, 0)


def _outcome(scenario: sim.Scenario, comparison: sim.Comparison) -> Outcome:
    return Outcome(scenario, comparison, comparison.scenario_results.yearly,
                   comparison.baseline_results.yearly, comparison.summary["replications"])


def finished(values: Mapping[str, Any], seed: int, cache: sim.ResultCache) -> Outcome | None:
    """The simulated outcome of these inputs if both runs are in the cache, else None."""
    scenario, baseline = to_scenario(values), to_baseline(values)
    reps = values[REPLICATIONS]
    if (scenario, seed, reps) not in cache or (baseline, seed, reps) not in cache:
        return None
    return _outcome(scenario, sim.compare_scenarios(scenario, baseline, reps, seed, cache=cache, workers=1))


def simulate(values: Mapping[str, Any], seed: int, cache: sim.ResultCache, workers: int | None,
             progress: Callable[[int, int], None]) -> Outcome:
    """The full discrete-event simulation of the scenario and the status quo, paired."""
    scenario, baseline = to_scenario(values), to_baseline(values)
    comparison = sim.compare_scenarios(scenario, baseline, values[REPLICATIONS], seed, cache=cache,
                                       workers=workers, progress=progress)
    return _outcome(scenario, comparison)


def best(values: Mapping[str, Any], seed: int, cache: sim.ResultCache) -> Outcome:
    """The simulation if it has been run for these inputs, else the instant preview."""
    return finished(values, seed, cache) or preview(values)
