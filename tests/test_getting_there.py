"""The costs of getting there (docs/model.md §2.5): recruitment after a wave, vacancies, a learning
period, team leaders and the price of in-house help, each worked out by hand against the code."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import extreme
from sim.analytic import expected_monthly
from sim.engine import Model
from sim.months import Calendar
from sim.rates import (CLASSIC, COORDINATED, DAYS_PER_MONTH, DAYS_PER_YEAR, EARLY, FOSTER, LEARNING,
                       RELATIONAL, Rates)
from sim.results import fixed_costs, unit_costs
from sim.sensitivity import varied_parameters
from sim.staffing import Staffing
from sim.uncertainty import draw

NEW = ("staff.recruitment_months", "staff.vacancy_rate", "staff.team_leader_dkk_per_year",
       "staff.caseworkers_per_leader", "relational.learning_months", "relational.learning_effect",
       "cost.in_house_delivery", "cost.in_house_share")


def test_a_new_team_is_staffed_linearly_in_monthly_steps(plan):
    st = Staffing.from_scenario(plan.with_overrides({"staff.recruitment_months": 4}))
    months = np.arange(7)[None, :]
    np.testing.assert_allclose(st.ramp(months)[0], [0, 0.25, 0.5, 0.75, 1, 1, 1])
    fte = st.relational_fte(months)
    start, full = st.first_caseworkers, st.relational_caseworkers
    np.testing.assert_allclose(fte[:, 0], start)
    np.testing.assert_allclose(fte[:, 2], start + 0.5 * (full - start))
    np.testing.assert_array_equal(fte[:, 4], full)
    # slots: the caseworkers employed at the relational caseload, whole
    np.testing.assert_array_equal(st.relational_slots(months)[:, 0], np.round(start * plan.assumptions.value("caseload.relational")))
    np.testing.assert_array_equal(st.relational_slots(months)[:, 4], np.round(st.own_slots * st.filled))


def test_vacancies_cost_slots_and_save_salary_in_the_relational_teams_only(plan):
    full = Staffing.from_scenario(plan.with_overrides({"staff.vacancy_rate": 0}))
    short = Staffing.from_scenario(plan.with_overrides({"staff.vacancy_rate": 0.1}))
    np.testing.assert_allclose(short.relational_caseworkers, 0.9 * full.relational_caseworkers)
    done = np.array([[36]])  # months after the wave: fully staffed
    np.testing.assert_array_equal(short.relational_slots(done)[:, 0], np.round(0.9 * full.own_slots))
    np.testing.assert_array_equal(full.relational_slots(done)[:, 0], np.round(full.own_slots))
    # today's teams, the classic organisation and the pilots, count the caseworkers at work: unchanged
    np.testing.assert_array_equal(short.own_slots, full.own_slots)
    np.testing.assert_array_equal(short.classic_slots, full.classic_slots)
    np.testing.assert_array_equal(short.first_caseworkers, full.first_caseworkers)


def test_staff_cost_counts_the_caseworkers_employed_and_the_team_leaders(plan):
    s = plan.with_overrides({"staff.recruitment_months": 3})
    a = s.assumptions
    st, cal = Staffing.from_scenario(s), Calendar(s)
    cost = fixed_costs(s, cal)["cost_staff_dkk"]
    salary = a.value("staff.salary_dkk_per_year") * (1 + a.value("staff.overhead_share")) / DAYS_PER_YEAR
    leader = a.value("staff.team_leader_dkk_per_year") * (1 + a.value("staff.overhead_share")) / DAYS_PER_YEAR
    span = a.value("staff.caseworkers_per_leader")
    d = int(np.flatnonzero(st.first_team == CLASSIC)[0])
    m0 = int(cal.month_of(np.array([st.rollout_day[d]]))[0])
    assert cal.bounds[m0] == st.rollout_day[d]  # the plan's waves start on a month's first day
    for k, share in ((0, 0.0), (1, 1 / 3), (3, 1.0)):
        days = cal.bounds[m0 + k + 1] - cal.bounds[m0 + k]
        fte = st.first_caseworkers[d] + share * (st.relational_caseworkers[d] - st.first_caseworkers[d])
        expected = days * (fte * salary + max(1.0, fte / span) * leader)
        assert cost[d, m0 + k] == pytest.approx(expected, rel=1e-12)
    before = cal.bounds[m0] - cal.bounds[m0 - 1]
    classic = st.first_caseworkers[d]
    assert cost[d, m0 - 1] == pytest.approx(before * classic * (salary + leader / span), rel=1e-12)


def test_a_learning_team_works_at_the_learning_share_of_the_effect(plan):
    a = plan.with_overrides({"relational.learning_effect": 0.0})
    rates = Rates.from_scenario(a)
    # at no effect a learning team decides and works as the classic organisation
    assert rates.learning.triage.probabilities() == rates.classic.triage.probabilities()
    assert rates.learning.placement.probabilities() == rates.classic.placement.probabilities()
    for level in (EARLY, COORDINATED, FOSTER):
        assert rates.hazards(level, rates.learning, 1, 0.0) == pytest.approx(rates.hazards(level, rates.classic, 1, 0.0))
    half = Rates.from_scenario(plan.with_overrides({"relational.learning_effect": 0.5,
                                                    "relational.effect_strength": 1.0}))
    same = Rates.from_scenario(plan.with_overrides({"relational.learning_effect": 1.0,
                                                    "relational.effect_strength": 0.5}))
    assert half.learning == same.relational


def test_learning_lasts_to_a_months_start_and_not_for_the_pilots(plan):
    st = Staffing.from_scenario(plan.with_overrides({"relational.learning_months": 2.5}))
    end = st.learning_end(st.rollout_day)
    classic = st.first_team == CLASSIC
    due = st.rollout_day[classic] + 2.5 * DAYS_PER_MONTH
    assert np.isin(end[classic], st.calendar.bounds).all()
    assert (end[classic] >= due).all() and (end[classic] - due < 31).all()
    np.testing.assert_array_equal(end[~classic], st.rollout_day[~classic])


def test_the_engine_uses_the_learning_team_and_the_recruited_slots():
    s = extreme("plan", years=2, staff__recruitment_months=12, relational__learning_months=18)
    model = Model(s, seed=3, replication=0)
    model.run()
    st, cal = model.staffing, model.staffing.calendar
    switched = np.flatnonzero(np.isfinite(model.switch_day))
    assert len(switched)
    last = cal.n - 1
    learned = st.learning_end(model.switch_day)
    for d in switched:
        k = last - int(cal.month_of(np.array([model.switch_day[d]]))[0])
        assert model.team[d].capacity == int(st.relational_slots(np.array([[k]]))[d, 0])
        assert model.kind[d] == (LEARNING if learned[d] > model.horizon - 1 else RELATIONAL)
    assert LEARNING in model.kind  # the last waves are still learning at the horizon


def test_a_recruiting_team_makes_families_wait_in_the_twin():
    quick = expected_monthly(extreme("plan", years=3, staff__recruitment_months=0, staff__vacancy_rate=0))
    slow = expected_monthly(extreme("plan", years=3, staff__recruitment_months=12, staff__vacancy_rate=0))
    assert quick["open_waiting"].max() == 0
    assert slow["open_waiting"].max() > 10
    # and pays fewer salaries while it recruits
    assert slow["cost_staff_dkk"].sum() < quick["cost_staff_dkk"].sum()


def test_in_house_help_is_valued_at_its_marginal_cost(plan):
    provider = unit_costs(plan)
    mixed = unit_costs(plan.with_overrides({"cost.in_house_delivery": 0.4, "cost.in_house_share": 0.5}))
    np.testing.assert_allclose(mixed[[EARLY, COORDINATED]], provider[[EARLY, COORDINATED]] * (0.6 + 0.4 * 0.5))
    np.testing.assert_array_equal(mixed[[FOSTER]], provider[[FOSTER]])


def test_every_new_parameter_enters_the_sensitivity_analyses_and_the_world_ones_are_drawn(plan, status_quo):
    assert set(NEW) <= set(varied_parameters(plan))
    params = plan.assumptions.params()
    assert all(params[k].kind == "world" for k in NEW)
    drawn = draw(status_quo, 2, seed=5).values[0]
    assert {k for k in NEW if params[k].distribution != "fixed"} <= set(drawn)
    assert "cost.in_house_delivery" not in drawn  # a choice of valuation, not an uncertain fact
