"""Golden results for a small configuration: the plan over two years, two replications, seed 2024.

Regenerate only on purpose, after a deliberate change of the model or of assumptions/base.toml:
    .venv/bin/python tests/make_golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import extreme  # noqa: E402
from sim.runner import Results, run  # noqa: E402
from sim.scenario import Scenario, load_scenario  # noqa: E402

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GOLDEN_CSV = GOLDEN_DIR / "plan_2y_seed2024.csv"
GOLDEN_MANIFEST = GOLDEN_DIR / "plan_2y_seed2024.manifest.json"
# The golden results as they were before the costs of getting there (issue 11, point 4) entered the
# model: the same configuration with every one of them at its "no cost" value must reproduce them.
NO_COSTS_CSV = GOLDEN_DIR / "plan_2y_seed2024_no_costs_of_getting_there.csv"
NO_COSTS = {
    "staff.recruitment_months": 0.0,       # every post filled on the day of the wave
    "staff.vacancy_rate": 0.0,             # no post empty
    "staff.team_leader_dkk_per_year": 0.0,  # no team leaders counted
    "relational.learning_months": 0.0,     # the full effect from the wave
    "relational.learning_effect": 1.0,
    "cost.in_house_delivery": 0.0,         # help at the provider price
}


def golden_scenario() -> Scenario:
    return load_scenario("plan", {"years": 2})


def without_costs_of_getting_there(scenario: Scenario) -> Scenario:
    """The scenario with every cost of getting there at its "no cost" value (a team leader's salary
    of 0 lies outside its plausible range, which `extreme` widens for this check)."""
    return extreme(scenario, **{key.replace(".", "__"): value for key, value in NO_COSTS.items()})


def golden_run(scenario: Scenario | None = None) -> Results:
    return run(scenario or golden_scenario(), replications=2, seed=2024, workers=1)


def golden_csv(results: Results) -> str:
    return results.yearly.to_csv(index=False, lineterminator="\n")


if __name__ == "__main__":
    res = golden_run()
    GOLDEN_DIR.mkdir(exist_ok=True)
    GOLDEN_CSV.write_text(golden_csv(res), encoding="utf-8")
    manifest = res.manifest.as_dict()
    manifest.pop("project_version")
    GOLDEN_MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN_CSV} and {GOLDEN_MANIFEST}")
