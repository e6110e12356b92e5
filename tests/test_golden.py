"""Golden results for a small configuration (docs/sources.md §P3, item 14): any change to the numbers
the model produces, from code or assumptions, shows here and must be made on purpose."""

from __future__ import annotations

import json

from make_golden import (GOLDEN_CSV, GOLDEN_MANIFEST, NO_COSTS, NO_COSTS_CSV, golden_csv, golden_run, golden_scenario,
                         without_costs_of_getting_there)


def test_the_small_configuration_reproduces_its_golden_results():
    stored = json.loads(GOLDEN_MANIFEST.read_text(encoding="utf-8"))
    res = golden_run()
    now = res.manifest.as_dict()
    assert now["assumptions_hash"] == stored["assumptions_hash"], (
        "assumptions/base.toml changed since the golden results were made; if that was on purpose, "
        "regenerate them with `.venv/bin/python tests/make_golden.py` and commit the diff")
    assert now["scenario_id"] == stored["scenario_id"]
    assert golden_csv(res) == GOLDEN_CSV.read_text(encoding="utf-8"), (
        "the model's numbers changed for the same inputs; regenerate only if that was intended")


def test_without_the_costs_of_getting_there_the_results_are_those_from_before_them():
    """Recruitment lag, vacancies, a learning period, team leaders and in-house prices each at their
    "no cost" value: the model's numbers are bit for bit those it gave before they existed."""
    scenario = without_costs_of_getting_there(golden_scenario())
    assert {k: scenario.assumptions.value(k) for k in NO_COSTS} == NO_COSTS
    assert golden_csv(golden_run(scenario)) == NO_COSTS_CSV.read_text(encoding="utf-8")
