"""Bookkeeping: nothing appears or vanishes, time runs forward, costs add up
(docs/sources.md §P3, items 5, 11 and 13)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import simulate
from sim.replica import transition_log
from sim.scenario import load_scenario
from sim.rates import ASSESSMENT, CLOSED, COORDINATED, EARLY, FOSTER, RESIDENTIAL, WAITING, district_shares
from sim.months import Calendar
from sim.results import monthly_frame


@pytest.fixture(scope="module")
def run3(plan):
    scenario = plan.with_overrides({"years": 3})
    return scenario, simulate(scenario, seed=4, replication=1)


def test_every_case_is_closed_or_still_open(run3):
    _, log = run3
    seg = log.segments
    episodes = np.unique(seg[["family", "episode"]])
    last = np.r_[np.flatnonzero((seg["family"][1:] != seg["family"][:-1])
                                | (seg["episode"][1:] != seg["episode"][:-1])), len(seg) - 1]
    assert len(last) == len(episodes)
    open_at_end = np.sum(seg["censored"][last] & (seg["state"][last] != CLOSED))
    closed = len(last) - open_at_end
    # referrals = children past triage (new and returning) + cases open at the start
    started_open = int(np.sum(seg["initial"]))  # one initial stay per case open at the start
    referred = len(log.waits) + int(np.sum(seg["censored"] & (seg["state"] == WAITING)))
    assert closed + open_at_end == referred + started_open - np.sum(log.waits["t"] < 0)
    # only an episode's last stay can be open (closed cases in follow-up are not open)
    assert open_at_end == np.sum(seg["censored"] & (seg["state"] != CLOSED))
    assert np.sum(seg["censored"]) == np.sum(seg["censored"][last])


@pytest.mark.parametrize("name", ["plan", "gated"])
def test_the_log_is_in_the_order_of_family_episode_and_start(name):
    """The engine sorts its log by family alone (`Model._log`), counting on each family's stays being
    logged in this order; a gated rollout splits paths at month ends, which logs an episode's stays
    at several times."""
    seg = transition_log(load_scenario(name).with_overrides({"years": 4}), 3, 2).segments
    assert len(seg) > 10_000
    np.testing.assert_array_equal(np.lexsort((seg["t0"], seg["episode"], seg["family"])), np.arange(len(seg)))


def test_time_runs_forward_within_each_episode(run3):
    _, log = run3
    seg = log.segments
    assert np.all(seg["t1"] >= seg["t0"])
    assert np.all(seg["t0"] >= 0) and np.all(seg["t1"] <= log.horizon)
    same = (seg["family"][1:] == seg["family"][:-1]) & (seg["episode"][1:] == seg["episode"][:-1])
    # consecutive stays of an episode join without gaps or overlaps
    np.testing.assert_allclose(seg["t0"][1:][same], seg["t1"][:-1][same])
    assert np.all(log.waits["wait"] >= 0)
    assert np.all(np.diff(log.notifications["t"]) >= 0)


def test_open_cases_at_the_start_are_the_assumed_counts(run3):
    scenario, log = run3
    a = scenario.assumptions.initial
    seg = log.segments[log.segments["initial"]]
    counts = np.bincount(seg["state"], minlength=6)
    assert counts[ASSESSMENT] == a.assessment.value
    assert counts[EARLY] == a.early.value
    assert counts[COORDINATED] == a.coordinated.value
    assert counts[FOSTER] + counts[RESIDENTIAL] == a.intrusive.value
    assert np.all(seg["t0"] == 0) and np.all(seg["opened"] <= 0)
    # spread over districts by need (children x need index): whole cases, near each district's share
    per_district = np.bincount(seg["district"], minlength=len(scenario.districts))
    share = district_shares(scenario) * len(seg)
    assert np.all(np.abs(per_district - share) < 5)


def test_per_family_costs_sum_to_the_totals_by_level_and_year(run3):
    scenario, log = run3
    monthly = monthly_frame(scenario, log, 1)
    c = scenario.assumptions.cost
    rate = {EARLY: c.early_dkk_per_day.value, COORDINATED: c.coordinated_dkk_per_day.value,
            FOSTER: c.foster_dkk_per_day.value, RESIDENTIAL: c.residential_dkk_per_day.value}
    column = {EARLY: "cost_early_dkk", COORDINATED: "cost_coordinated_dkk",
              FOSTER: "cost_intrusive_foster_dkk", RESIDENTIAL: "cost_intrusive_residential_dkk"}
    cal = Calendar(scenario)
    year_start = {y: cal.bounds[list(cal.years).index(y)] for y in sorted(set(cal.years))}
    bounds = list(year_start.values()) + [log.horizon]
    seg = log.segments
    for state, r in rate.items():
        s = seg[seg["state"] == state]
        for i, year in enumerate(year_start):
            per_family = (np.clip(np.minimum(s["t1"], bounds[i + 1]) - np.maximum(s["t0"], bounds[i]), 0, None)
                          * r)
            total = monthly.loc[monthly["year"] == year, column[state]].sum()
            assert per_family.sum() == pytest.approx(total, rel=1e-9), (state, year)
    parts = [col for col in monthly.columns if col.startswith("cost_") and col != "cost_total_dkk"]
    np.testing.assert_allclose(monthly[parts].sum(axis=1), monthly["cost_total_dkk"], rtol=1e-12)
