"""The analytic twin's fluid queue for case slots (sim/analytic.py, "Capacity") against the
capacity-free model it extends and the simulation's queue."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from helpers import classic_only, extreme
from sim.analytic import SUBSTEP_DAYS, _IX, _generator, _initial_state, expected_monthly, expected_yearly, trajectory
from sim.rates import CLASSIC, DAYS_PER_YEAR, NO_CASE, Rates
from sim.months import Calendar
from sim.runner import run
from sim.staffing import Staffing

UNLIMITED = dict(staff__classic_caseworkers=100_000, staff__relational_capacity_ratio=5.0)
REPLICATIONS = 6


def _city(yearly):
    """City totals per year of the queue: families waiting at the year's end, the admitted
    families' mean wait (mean over replications)."""
    y = yearly.assign(wait_sum=yearly["mean_wait_days"].fillna(0.0) * yearly["admissions"])
    g = y.groupby(["replication", "year"])[["open_waiting", "admissions", "wait_sum"]].sum()
    g["mean_wait_days"] = g["wait_sum"] / g["admissions"]
    return g.groupby("year")[["open_waiting", "mean_wait_days"]].mean()


def _opens(scenario) -> float:
    return 1.0 - Rates.from_scenario(scenario).classic.triage.probabilities()[NO_CASE]


@pytest.fixture(scope="module")
def simulated_status_quo(status_quo):
    return _city(run(status_quo, replications=REPLICATIONS, seed=1, workers=2).yearly)


def test_capacity_that_never_binds_leaves_the_capacity_free_model(status_quo, plan):
    # The status quo without waves: the capacity-free model is x(t + days) = expm(M days) x(t),
    # month by month, on the rows of `_Index`.
    free = extreme(classic_only(status_quo), **UNLIMITED)  # one team type: one matrix for every district
    traj = trajectory(free)
    rates = Rates.from_scenario(free)
    k = np.log1p(free.assumptions.city.children_growth_per_year.value) / DAYS_PER_YEAR
    M = _generator(rates, CLASSIC, k)
    x = _initial_state(free, rates)[:_IX.size]
    cal = Calendar(free)
    for m in range(cal.n):
        x[_IX.acc:] = 0.0
        x = expm(M * (cal.bounds[m + 1] - cal.bounds[m])) @ x
        np.testing.assert_allclose(traj.states[m + 1, :_IX.size], x, rtol=1e-9, atol=1e-9)
    assert not traj.states[:, _IX.size:].any()  # nobody waits, nobody carries a wait
    # and with waves: more slots than unlimited change nothing but the staff cost (teams staffed at
    # their wave: a recruiting team's first caseworkers carry its slots, so more slots would raise
    # their caseload, docs/model.md §2.5)
    for scenario in (free, plan):
        a = expected_monthly(extreme(scenario, **UNLIMITED, staff__recruitment_months=0))
        b = expected_monthly(extreme(scenario, staff__classic_caseworkers=1_000_000,
                                     staff__relational_capacity_ratio=10.0, staff__recruitment_months=0))
        assert (a["open_waiting"] == 0).all()
        assert (a["mean_wait_days"] == 0).all()
        np.testing.assert_array_equal(a["admissions"], a["notified_children"] * _opens(scenario))
        same = [c for c in a.columns if c not in ("cost_staff_dkk", "cost_total_dkk")]
        assert a[same].equals(b[same])
        # capacity=False: the capacity-free model at any number of caseworkers
        assert expected_monthly(extreme(scenario, staff__recruitment_months=0), capacity=False)[same].equals(a[same])
    assert not trajectory(status_quo, capacity=False).states[:, _IX.size:].any()


@pytest.mark.parametrize("values", [{}, {"staff__relational_capacity_ratio": 0.85},
                                    {"staff__classic_caseworkers": 85}])
def test_families_are_conserved_and_open_cases_keep_to_the_slots(plan, status_quo, values):
    values = {**values, "waiting__max_days": 1e9}  # no wait limit: no case is taken above the slots
    for scenario in (extreme(status_quo, **values), extreme(plan, **values)):
        m = expected_monthly(scenario)
        g = m.groupby("district", sort=False)
        # every family whose case opens is admitted or still waiting
        np.testing.assert_allclose(g["notified_children"].sum() * _opens(scenario),
                                   g["admissions"].sum() + g["open_waiting"].last(), rtol=1e-10)
        assert (m["open_waiting"] >= 0).all()
        # open cases above a team's slots are only those it started with (or took over at its
        # wave): once within its slots, a team stays within them
        traj = trajectory(scenario)
        staffing = Staffing.from_scenario(scenario)
        fitted_classic, fitted = False, np.zeros(len(scenario.districts), dtype=bool)
        pool = staffing.own_day > 0
        for i, t in enumerate(traj.calendar.bounds[1:], start=1):
            o = sum(traj.open_cases(i).values())
            own = staffing.own_day <= t  # a pilot or relational team of its own
            if (~own != pool).any():  # a wave: the pool keeps the cases of the districts it still serves
                fitted_classic, pool = False, ~own
            within = o[~own].sum() <= round(float(staffing.classic_slots[~own].sum())) + 1e-6
            assert within or not fitted_classic, f"classic pool over its slots after month {i}"
            fitted_classic |= within
            within = o <= np.round(staffing.own_slots) + 1e-6
            assert (within | ~(fitted & own)).all(), f"a district's own team over its slots after month {i}"
            fitted |= within & own


def test_status_quo_queue_agrees_with_the_simulation(status_quo, simulated_status_quo):
    """The fluid queue waits only when the expected load exceeds the slots: in the status quo it
    starts one or two years after the simulation's (whose random arrivals wait below full load)
    and its backlog at the horizon is within 25 % of the simulation's mean (about -16 %), its mean
    wait within 30 % (about -25 %)."""
    des = simulated_status_quo
    twin = _city(expected_yearly(status_quo))
    last = twin.index.max()
    assert (twin.loc[:2027, "open_waiting"] == 0).all()
    assert (np.diff(twin.loc[2029:, "open_waiting"]) > 0).all()  # a growing queue, as in the simulation

    def onset(frame):  # the first year with a twentieth of the simulation's final backlog waiting
        w = frame["open_waiting"]
        return int(w.index[w >= 0.05 * des.loc[last, "open_waiting"]][0])

    assert 0 <= onset(twin) - onset(des) <= 2, (twin, des)
    for col, tol in (("open_waiting", 0.25), ("mean_wait_days", 0.30)):
        assert twin.loc[last, col] == pytest.approx(des.loc[last, col], rel=tol), (col, twin, des)


def test_heavy_load_queue_agrees_with_the_simulation(status_quo):
    """Far above full load the queue is nearly deterministic: the fluid twin follows the
    simulation's backlog and mean wait within 10 % from the second year on."""
    scenario = extreme(status_quo, staff__classic_caseworkers=85)
    des = _city(run(scenario, replications=REPLICATIONS, seed=1, workers=2).yearly)
    twin = _city(expected_yearly(scenario))
    rel = ((twin - des) / des).loc[twin.index.min() + 1:]
    assert (rel.abs() < 0.10).all().all(), f"twin\n{twin}\nsimulation\n{des}"


def test_the_plan_waits_less_than_the_status_quo(status_quo, plan):
    sq, pl = _city(expected_yearly(status_quo)), _city(expected_yearly(plan))
    last = sq.index.max()
    assert sq.loc[last, "open_waiting"] > 100
    assert pl.loc[last, "open_waiting"] < 0.5 * sq.loc[last, "open_waiting"]
    assert pl["mean_wait_days"].fillna(0).sum() < sq["mean_wait_days"].sum()
    # and the channel the sensitivity analyses could not see: more caseworkers, less waiting
    staff = status_quo.assumptions.staff.classic_caseworkers.value
    more = _city(expected_yearly(extreme(status_quo, staff__classic_caseworkers=staff + 8)))
    assert more.loc[last, "open_waiting"] < 0.5 * sq.loc[last, "open_waiting"]


def test_waiting_families_escalate_more(status_quo):
    """The first-order waiting effect: with the queue of the status quo, escalating for waiting
    gives more placements than the same queue without it."""
    base = expected_yearly(status_quo).groupby("year")["intrusive_starts"].sum()
    calm = expected_yearly(extreme(status_quo, waiting__escalation_increase_per_month=0.0)
                           ).groupby("year")["intrusive_starts"].sum()
    assert (base.loc[:2027] == calm.loc[:2027]).all()  # nobody waits yet
    assert base.loc[2032] > calm.loc[2032]


def test_the_twins_waits_keep_to_the_limit(status_quo):
    """Too few caseworkers: the fluid queue takes whoever has waited waiting.max_days above the
    caseload, so no month's mean wait exceeds the limit, and a shorter limit leaves a smaller queue."""
    starved = extreme(status_quo, staff__classic_caseworkers=80)
    limit = starved.assumptions.waiting.max_days.value
    m = expected_monthly(starved).groupby("month")
    waits = m.apply(lambda g: (g["mean_wait_days"].fillna(0) * g["admissions"]).sum() / g["admissions"].sum())
    assert waits.max() <= limit + SUBSTEP_DAYS  # to the sub-step's resolution
    assert waits.max() > 0.5 * limit
    short = expected_yearly(extreme(starved, waiting__max_days=30))
    long = expected_yearly(extreme(starved, waiting__max_days=180))
    assert short["open_waiting"].groupby(short["year"]).sum().iloc[-1] < long["open_waiting"].groupby(long["year"]).sum().iloc[-1]
