"""The costs of getting there (docs/model.md §2.5): recruitment after a wave, vacancies, a learning
period, team leaders and the price of in-house help, each worked out by hand against the code."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import extreme
from sim.engine import Model
from sim.experiment import Experiment
from sim.months import Calendar
from sim.rates import (CLASSIC, COORDINATED, DAYS_PER_YEAR, EARLY, FOSTER, LEARNING,
                       RELATIONAL, STAFFING, Rates)
from sim.accounts import fixed_costs, unit_costs
from sim.sensitivity import expected_npv, varied_parameters
from sim.staffing import Staffing
from sim.uncertainty import draw

NEW = ("staff.recruitment_months", "staff.vacancy_rate", "staff.team_leader_dkk_per_year",
       "staff.caseworkers_per_leader", "relational.learning_months", "relational.learning_effect",
       "cost.in_house_delivery", "cost.in_house_share")


def test_a_new_team_is_staffed_at_the_first_months_start_after_its_recruitment(plan):
    st = Staffing.from_scenario(plan.with_overrides({"staff.recruitment_months": 4}))
    recruited, learned = st.phases(st.rollout_day)
    switched = np.isfinite(st.rollout_day)
    cal = st.calendar
    np.testing.assert_array_equal(recruited[switched], cal.bounds[cal.month_of(st.rollout_day[switched]) + 4])
    # paid: those who served the district at its wave until then, the posts less vacancies after
    fte = st.relational_fte(st.rollout_day)
    d = int(np.flatnonzero(switched & (st.first_team == CLASSIC))[0])
    m = int(st.calendar.month_of(np.array([recruited[d]]))[0])
    assert fte[d, m - 1] == st.first_caseworkers[d]
    assert fte[d, m] == st.relational_caseworkers[d]
    # a team's case slots are its posts' from the wave on, whatever its staffing
    model = Model(extreme("plan", years=2, staff__recruitment_months=12, staff__vacancy_rate=0.15), seed=1, replication=0)
    model.run()
    started = np.flatnonzero(np.isfinite(model.switch_day))
    assert len(started)
    assert [model.team[d].capacity for d in started] == [round(float(model.staffing.own_slots[d])) for d in started]


def test_the_caseworkers_at_work_carry_the_empty_posts_cases(plan):
    """A vacancy raises the caseload of the caseworkers at work: the relational team at 10 %
    vacancy decides and works as a fully staffed one at caseload / 0.9; a team still recruiting as
    one at the caseload its first caseworkers carry (classic caseload x capacity ratio), learning."""
    c = plan.assumptions.value("caseload.relational")
    short = Rates.from_scenario(plan.with_overrides({"staff.vacancy_rate": 0.1}))
    full = Rates.from_scenario(plan.with_overrides({"staff.vacancy_rate": 0.0, "caseload.relational": c / 0.9}))
    assert short.relational == full.relational
    assert short.learning == full.learning
    ratio = plan.assumptions.value("staff.relational_capacity_ratio")
    recruiting = Rates.from_scenario(plan.with_overrides({
        "staff.vacancy_rate": 0.0, "caseload.relational": plan.assumptions.value("caseload.classic") * ratio}))
    assert short.staffing == recruiting.learning
    # paid: the caseworkers at work; the teams of today count theirs already
    st_full = Staffing.from_scenario(plan.with_overrides({"staff.vacancy_rate": 0}))
    st_short = Staffing.from_scenario(plan.with_overrides({"staff.vacancy_rate": 0.1}))
    np.testing.assert_allclose(st_short.relational_caseworkers, 0.9 * st_full.relational_caseworkers)
    np.testing.assert_array_equal(st_short.own_slots, st_full.own_slots)
    np.testing.assert_array_equal(st_short.first_caseworkers, st_full.first_caseworkers)


def test_empty_posts_and_slow_recruitment_never_raise_the_expected_npv(plan, status_quo):
    """The saving of an empty post's salary must not outweigh the effect its cases lose: the plan's
    expected NPV falls as vacancies, recruitment or learning take longer (twin, all else fixed)."""
    experiment = Experiment(plan, status_quo)
    for name, values in (("staff.vacancy_rate", (0.0, 0.06, 0.15)), ("staff.recruitment_months", (0, 6, 12)),
                         ("relational.learning_months", (0, 12, 24))):
        npv = [expected_npv(experiment, {name: v}) for v in values]
        assert npv[0] > npv[1] > npv[2], f"{name}: expected NPV {npv} at {values}"


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
    for k, fte in ((0, st.first_caseworkers[d]), (2, st.first_caseworkers[d]), (3, st.relational_caseworkers[d])):
        days = cal.bounds[m0 + k + 1] - cal.bounds[m0 + k]
        expected = days * fte * (salary + leader / span)
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


def test_learning_lasts_whole_months_not_before_staffing_and_not_for_the_pilots(plan):
    st = Staffing.from_scenario(plan.with_overrides({"relational.learning_months": 2.5,
                                                     "staff.recruitment_months": 1}))
    recruited, learned = st.phases(st.rollout_day)
    classic = (st.first_team == CLASSIC) & np.isfinite(st.rollout_day)
    cal = st.calendar
    np.testing.assert_array_equal(learned[classic], cal.bounds[cal.month_of(st.rollout_day[classic]) + 3])
    pilots = st.first_team != CLASSIC
    np.testing.assert_array_equal(learned[pilots], recruited[pilots])
    long = Staffing.from_scenario(plan.with_overrides({"relational.learning_months": 2, "staff.recruitment_months": 9}))
    staffed, learned_long = long.phases(long.rollout_day)
    np.testing.assert_array_equal(learned_long, staffed)  # a team learns while it recruits
    # the type of team, phase by phase
    d = int(np.flatnonzero(classic)[0])
    day = st.rollout_day[d]
    assert [int(st.team_at(t, st.rollout_day)[d]) for t in (day - 1, day, learned[d] - 1, learned[d])] == \
        [CLASSIC, STAFFING, LEARNING, RELATIONAL]


def test_the_engine_takes_the_phases_at_their_days():
    s = extreme("plan", years=2, staff__recruitment_months=6, relational__learning_months=18)
    model = Model(s, seed=3, replication=0)
    seen = []
    model.env.process(_watch(model, seen))
    model.run()
    st = model.staffing
    switched = np.flatnonzero(np.isfinite(model.switch_day))
    assert len(switched)
    for day, kind in seen:  # every month's start: the engine's teams are those Staffing says
        assert kind == st.team_at(day, model.switch_day).tolist()
    kinds = {k for _, row in seen for k in row}
    assert {STAFFING, LEARNING} <= kinds


def _watch(model, seen):
    """Record the team types the engine draws with just after every month's start (after the phase
    changes), as the run goes."""
    n = len(model.switch_day)
    for bound in model.staffing.calendar.bounds[1:-1]:
        yield model.env.timeout(float(bound) + 0.5 - model.env.now)
        seen.append((float(bound) + 0.5, [model.teams.at(d, model.env.now)[0] for d in range(n)]))


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
