"""A city ten times as large: does the time (and memory) of a replication grow with the city, or faster?

`python -m benchmarks.scale SIZE` (SIZE 1 or 10) runs one replication of the plan, or of the plan
with every district copied SIZE times, in its own process, and prints one JSON line: the seconds of
`run(scenario, 1, workers=1)` and the process's peak resident memory. Each size in a fresh process,
so neither's memory counts in the other's.

How the larger city is made (`scaled`): each district copied SIZE times with its children, need,
pilot and wave (copy k of "Tilst" is "Tilst #k"), and every assumption that counts people of the
whole city multiplied by SIZE together with its range: city.children, the open cases and pending
relapses at the start (initial.*) and the classic caseworkers (staff.classic_caseworkers), so that
each caseworker carries the same caseload as in the real city. Rates, shares, durations and prices
are per child or per case and stay as they are. The scenario schema refuses city.children beyond
its plausible range (64,000-68,500), and a world override with a wider range is not a scenario
anyone should be able to load; so, like the M/M/c benchmark (engine_speed.mmc_scenario), the
scenario is built in code here, with the assumptions re-validated by `parse_assumptions`, and is
never written to assumptions/.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time

from sim.assumptions import parse_assumptions
from sim.runner import run
from sim.scenario import Scenario, load_scenario

from .timing import own_peak_rss_mb

SCENARIO = "plan"
FACTOR = 10
SEED = 1
# Assumptions that count people or cases of the whole city (everything else is per child or case).
CITY_COUNTS = ("city.children", "initial.assessment", "initial.early", "initial.coordinated",
               "initial.intrusive", "initial.relapse_pending", "staff.classic_caseworkers")


def scaled(scenario: Scenario, factor: int) -> Scenario:
    """The scenario's city `factor` times as large (see the module's docstring)."""
    if factor == 1:
        return scenario
    data = scenario.assumptions.model_dump()
    for key in CITY_COUNTS:
        group, name = key.split(".", 1)
        p = data[group][name]
        p.update(value=p["value"] * factor, low=p["low"] * factor, high=p["high"] * factor)
    assumptions = parse_assumptions(data, f"benchmark: {scenario.name} x {factor}")
    districts = tuple(d if k == 0 else d.model_copy(update={"name": f"{d.name} #{k + 1}"})
                      for d in scenario.districts for k in range(factor))
    assert sum(d.children for d in districts) == round(assumptions.city.children.value)
    return dataclasses.replace(scenario, name=f"{scenario.name}-x{factor}", assumptions=assumptions,
                               districts=districts)


def _once(factor: int) -> dict:
    """One replication of the city `factor` times as large, in a fresh process (`main`)."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.scale", str(factor)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(repeat: int = 5) -> tuple[dict, dict, list[float]]:
    """The real city and the city FACTOR times as large, one after the other `repeat` times: the run
    of median time of each, and the ratio of each pair (large / small). In pairs, not all of one
    size and then all of the other, so that a change in the machine's speed between the two (this
    VM's speed for a large process drifts by a fifth over an hour) falls on both sizes of a pair."""
    small, large = [], []
    for _ in range(repeat):
        small.append(_once(1))
        large.append(_once(FACTOR))
    ratios = [b["seconds"] / a["seconds"] for a, b in zip(small, large)]
    return _median_run(small), _median_run(large), ratios


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def main() -> None:
    factor = int(sys.argv[1])
    scenario = scaled(load_scenario(SCENARIO), factor)
    t = time.perf_counter()
    res = run(scenario, 1, SEED, workers=1)
    seconds = time.perf_counter() - t
    print(json.dumps({"factor": factor, "seconds": seconds, "districts": len(scenario.districts),
                      "children": sum(d.children for d in scenario.districts),
                      "monthly_rows": len(res.monthly),
                      "peak_rss_mb": own_peak_rss_mb()}))


if __name__ == "__main__":
    main()
