"""Golden results for a small configuration (docs/sources.md §P3, item 14): any change to the numbers
the model produces, from code or assumptions, shows here and must be made on purpose."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

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
    assert_same_numbers(golden_csv(res), GOLDEN_CSV.read_text(encoding="utf-8"),
                        "the model's numbers changed for the same inputs; regenerate only if that was intended")


def test_without_the_costs_of_getting_there_the_results_are_those_from_before_them():
    """Recruitment lag, vacancies, a learning period, team leaders and in-house prices each at their
    "no cost" value: the model's numbers are those it gave before they existed (to the last bits, which the
    order of summation moves: `assert_same_numbers`)."""
    scenario = without_costs_of_getting_there(golden_scenario())
    assert {k: scenario.assumptions.value(k) for k in NO_COSTS} == NO_COSTS
    assert_same_numbers(golden_csv(golden_run(scenario)), NO_COSTS_CSV.read_text(encoding="utf-8"),
                        "the costs of getting there at their 'no cost' values changed the model's numbers")


# Sums of the same values in another order differ in their last bits, and numpy and pandas releases
# change the order they sum in (a fresh install, pandas 3.1.1 and numpy 2.4.6, moved twelve columns of
# these results by up to 3e-15). A change of the model (one draw, one rate, one family more or less)
# moves the numbers by far more than this.
RELATIVE = 1e-12


def assert_same_numbers(now: str, stored: str, message: str) -> None:
    """The same columns, rows and names, the same counts exactly, the same amounts and days to
    within RELATIVE (summation order), in two CSV texts of yearly results."""
    a, b = pd.read_csv(io.StringIO(now)), pd.read_csv(io.StringIO(stored))
    assert list(a.columns) == list(b.columns) and len(a) == len(b), message
    for c in a.columns:
        if a[c].dtype.kind == "f" or b[c].dtype.kind == "f":
            np.testing.assert_allclose(a[c].to_numpy(float), b[c].to_numpy(float), rtol=RELATIVE, atol=0,
                                       err_msg=f"{message}: column {c}")
        else:
            assert a[c].tolist() == b[c].tolist(), f"{message}: column {c}"
