"""Extreme values, paired monotonicity and notification rates (docs/sources.md §P3, items 8-10)."""

from __future__ import annotations

import math

import numpy as np

from helpers import extreme
from sim.engine import ARRIVAL_ID_OFFSET, simulate
from sim.rates import COORDINATED, DAYS_PER_YEAR, EARLY, FOSTER, RESIDENTIAL, WAITING
from sim.results import monthly_frame, yearly_frame
from sim.staffing import Staffing


def _yearly(scenario, seed=2, replication=0):
    return yearly_frame(monthly_frame(scenario, simulate(scenario, seed, replication), replication))


def test_no_notifications_leaves_only_todays_cases_to_close(status_quo):
    s = extreme(status_quo, years=3, notifications__notified_share_per_year=0.0, relapse__probability=0.0,
                initial__relapse_pending=0)
    log = simulate(s, 1, 0)
    assert len(log.notifications) == 0
    assert np.all(log.segments["family"] < ARRIVAL_ID_OFFSET)
    y = _yearly(s).groupby("year")[["open_early", "open_coordinated", "notifications"]].sum()
    assert y["notifications"].sum() == 0
    assert y["open_early"].is_monotonic_decreasing


def test_capacity_far_above_demand_means_nobody_waits(status_quo):
    log = simulate(extreme(status_quo, years=3, staff__classic_caseworkers=1000), 1, 0)
    assert len(log.waits) > 5000
    assert np.all(log.waits["wait"] == 0)
    assert not np.any(log.segments["state"] == WAITING)


def test_capacity_far_below_demand_grows_a_queue_without_crashing(status_quo):
    y = _yearly(extreme(status_quo, years=4, staff__classic_caseworkers=60, waiting__max_days=1e9))  # no wait limit
    waiting = y.groupby("year")["open_waiting"].sum()
    assert waiting.is_monotonic_increasing and waiting.iloc[-1] > 1000
    assert y.groupby("year")["mean_wait_days"].mean().iloc[-1] > 100


def test_no_escalation_means_placements_only_from_assessment(status_quo):
    s = extreme(status_quo, years=3, early__escalation_share=0.0, coordinated__escalation_share=0.0,
                intrusive__step_down_share=0.0, coordinated__step_down_share=0.0)
    seg = simulate(s, 1, 0).segments
    new = seg[~seg["initial"]]
    same_episode = (new["family"][1:] == new["family"][:-1]) & (new["episode"][1:] == new["episode"][:-1])
    prev, nxt = new["state"][:-1][same_episode], new["state"][1:][same_episode]
    assert not np.any((prev == EARLY) & (nxt == COORDINATED))
    assert not np.any((prev == COORDINATED) & np.isin(nxt, [FOSTER, RESIDENTIAL]))
    assert np.any(np.isin(new["state"], [FOSTER, RESIDENTIAL])), "assessments still place some"


def test_certain_escalation_sends_every_early_family_on(status_quo):
    s = extreme(status_quo, years=3, early__escalation_share=1.0, staff__classic_caseworkers=1000)
    seg = simulate(s, 1, 0).segments
    same_episode = np.r_[(seg["family"][1:] == seg["family"][:-1]) & (seg["episode"][1:] == seg["episode"][:-1]),
                         False]
    early_done = (seg["state"] == EARLY) & ~seg["censored"]
    assert early_done.sum() > 1000
    assert np.all(same_episode[early_done]), "an early stay that ended must lead somewhere"
    assert np.all(seg["state"][1:][early_done[:-1]] == COORDINATED)


def test_a_blocked_team_admits_nobody_after_its_wave(plan):
    # so few slots per classic slot that every team rounds them to none (the ratio must be positive:
    # a recruiting team's caseworkers carry its slots, docs/model.md §2.5); no wait limit
    s = extreme(plan, years=3, staff__relational_capacity_ratio=1e-3, waiting__max_days=1e9)
    first_wave = [i for i, d in enumerate(s.districts) if d.wave == 1]
    assert np.round(Staffing.from_scenario(s).own_slots[first_wave]).max() == 0
    log = simulate(s, 1, 0)
    wave_day = s.day(s.wave_start(1))
    admitted = log.waits[np.isin(log.waits["district"], first_wave) & (log.waits["t"] > wave_day)]
    assert len(admitted) == 0
    still_waiting = log.segments[(log.segments["state"] == WAITING) & log.segments["censored"]]
    assert np.isin(first_wave, still_waiting["district"]).all()


def test_more_caseworkers_never_lengthen_a_familys_wait(status_quo):
    """Paired per family: a FIFO queue with the same arrivals and the same stays waits no longer
    with more servers (relapse and the wait penalty off, so stays do not depend on waits)."""
    base = dict(years=3, relapse__probability=0.0, waiting__escalation_increase_per_month=0.0,
                waiting__max_days=1e9)  # a plain FIFO queue: no case taken above the caseload
    waits = {}
    for cw in (88, 92, 100):
        seg = simulate(extreme(status_quo, staff__classic_caseworkers=cw, **base), 9, 0).segments
        first = seg[(seg["family"] >= ARRIVAL_ID_OFFSET)]
        _, idx = np.unique(first["family"], return_index=True)
        f = first[idx]
        waits[cw] = dict(zip(f["family"].tolist(), np.where(f["state"] == WAITING, f["t1"] - f["t0"], 0.0)))
    assert sum(w > 0 for w in waits[88].values()) > 100, "the smallest staff must make families wait"
    for small, large in ((88, 92), (92, 100)):
        common = waits[small].keys() & waits[large].keys()
        worse = [f for f in common if waits[large][f] > waits[small][f] + 1e-9]
        assert not worse, f"{len(worse)} families waited longer with {large} than with {small} caseworkers"


def test_no_family_waits_longer_than_the_limit_and_the_limit_binds(status_quo):
    """Too few caseworkers: families that have waited waiting.max_days are taken above the
    caseload, so no wait exceeds it, and many reach it."""
    s = extreme(status_quo, years=3, staff__classic_caseworkers=80)
    limit = s.assumptions.waiting.max_days.value
    log = simulate(s, 2, 0)
    assert log.waits["wait"].max() <= limit + 1e-9
    assert np.sum(np.isclose(log.waits["wait"], limit)) > 100
    unlimited = simulate(extreme(s, waiting__max_days=1e9), 2, 0)
    assert unlimited.waits["wait"].max() > 2 * limit


def test_scaling_a_unit_cost_scales_its_cost_line_exactly(status_quo):
    s = status_quo.with_overrides({"years": 2})
    foster = s.assumptions.cost.foster_dkk_per_day.value
    doubled = extreme(s, cost__foster_dkk_per_day=2 * foster)
    a, b = _yearly(s), _yearly(doubled)
    np.testing.assert_allclose(b["cost_intrusive_foster_dkk"], 2 * a["cost_intrusive_foster_dkk"], rtol=1e-12)
    np.testing.assert_array_equal(b["cost_early_dkk"], a["cost_early_dkk"])


def test_notifications_follow_the_configured_rate_with_growth(status_quo):
    """Per budget year, notified children match the integral of the growing Poisson rate
    (returning families switched off, so every notification is a fresh arrival)."""
    growth = 0.05  # steep on purpose, so a constant-rate mistake would show
    s = extreme(status_quo, years=10, city__children_growth_per_year=growth, relapse__probability=0.0,
                initial__relapse_pending=0)
    a = s.assumptions
    rate0 = a.city.children.value * a.notifications.notified_share_per_year.value / DAYS_PER_YEAR
    k = math.log1p(growth) / DAYS_PER_YEAR
    edges = np.arange(11) * DAYS_PER_YEAR
    reps = 3
    counts = sum(np.histogram(simulate(s, 6, r).notifications["t"], bins=edges)[0] for r in range(reps))
    expected = reps * rate0 * np.diff(np.expm1(k * edges)) / k
    assert abs(counts.sum() / expected.sum() - 1) < 0.02
    assert np.all(np.abs(counts - expected) < 4 * np.sqrt(expected)), (counts, expected.round())
    assert counts[-1] > 1.4 * counts[0]
