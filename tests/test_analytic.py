"""The analytic twin against the simulation it mirrors (design.md 4, "An analytic twin")."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import extreme
from sim.analytic import expected_monthly, expected_yearly, trajectory
from sim.rates import FOSTER, PLACEMENT, TEAMS, Rates, StartPopulation, district_shares
from sim.staffing import Staffing
from sim.results import MONTHLY_COLUMNS, YEARLY_COLUMNS
from sim.runner import run

REPLICATIONS = 50


@pytest.fixture(scope="module")
def unlimited(plan):
    """The plan over three years with case slots far above any demand: nobody ever waits. The
    caseworkers are unpaid here, or their salaries would swamp the total cost being compared."""
    return extreme(plan, staff__classic_caseworkers=100_000, staff__relational_capacity_ratio=5.0,
                   staff__salary_dkk_per_year=0, years=3)


def _by_year(yearly, columns):
    return yearly.groupby("year")[columns].sum()


def test_simulation_mean_agrees_with_the_twin_where_capacity_never_binds(unlimited):
    res = run(unlimited, replications=REPLICATIONS, seed=11, workers=2)
    assert res.monthly["open_waiting"].max() == 0  # the premise: capacity never binds
    columns = ["cost_total_dkk", "intrusive_starts"]
    des = _by_year(res.yearly, columns) / REPLICATIONS
    twin = _by_year(expected_yearly(unlimited), columns)
    rel = (des - twin).abs() / twin
    worst = rel.stack().idxmax()
    assert (rel < 0.03).all().all(), (
        f"worst relative difference {rel.stack().max():.2%} in {worst}; DES mean\n{des}\ntwin\n{twin}")


def test_twin_starts_from_todays_open_cases(plan):
    a = plan.assumptions.initial
    start = trajectory(plan).open_cases(0)
    assert start["assessment"].sum() == pytest.approx(a.assessment.value)
    assert start["early"].sum() == pytest.approx(a.early.value)
    assert start["coordinated"].sum() == pytest.approx(a.coordinated.value)
    assert start["foster"].sum() + start["residential"].sum() == pytest.approx(a.intrusive.value)
    # each district's placed children split by type under its first team (a pilot team shifts some
    # residential placements to foster care)
    rates, first = Rates.from_scenario(plan), Staffing.from_scenario(plan).first_team
    placed = np.array(StartPopulation.from_scenario(plan).open_cases[PLACEMENT], dtype=float)
    foster = sum(placed[first == t].sum() * rates.tables[t].placement.probabilities()[FOSTER] for t in TEAMS)
    assert start["foster"].sum() == pytest.approx(foster)
    # spread over districts as the simulation does (rates.district_shares; whole cases per district)
    per_district = start["coordinated"]
    np.testing.assert_allclose(per_district, np.round(per_district), atol=1e-9)
    assert np.all(np.abs(per_district - a.coordinated.value * district_shares(plan)) < 1)


def test_twin_is_deterministic_and_has_the_simulation_schema(plan):
    short = plan.with_overrides({"years": 2})
    first, second = expected_monthly(short), expected_monthly(short)
    assert list(first.columns) == MONTHLY_COLUMNS
    assert first.equals(second)
    yearly = expected_yearly(short)
    assert list(yearly.columns) == YEARLY_COLUMNS
    assert (yearly["replication"] == 0).all()
    assert len(yearly) == 2 * len(plan.districts)
    # expected values stay fractional: nothing is rounded to whole families
    assert (yearly["intrusive_starts"] % 1 != 0).any()
    assert (yearly["open_waiting"] == 0).all()
