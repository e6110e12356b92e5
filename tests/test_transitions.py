"""The one transition table (rates.Routes), the start population and the district shares: the table
is a set of proper distributions that says what the assumptions say, the analytic twin's matrix is
built from it, the simulation's families follow it, and every part of the model starts from the
same families."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from helpers import extreme
from reference_engine import _poisson as poisson
from sim.analytic import _IX, _generator, trajectory
from sim.calibrate import load_targets
from sim.engine import ARRIVAL_ID_OFFSET, Model, simulate
from sim.rates import (ASSESSMENT, CLASSIC, CLOSED, COORDINATED, DAYS_PER_YEAR, EARLY, FOSTER, HIGH, LOW, MEDIUM, NO_CASE,
                       PLACEMENT, PILOT, RESIDENTIAL, TEAMS, WAITING, Branch, Rates, StartPopulation, apportion, district_shares)
from sim.accounts import fixed_costs
from sim.staffing import Staffing, TeamTimeline

STAGES = (EARLY, COORDINATED, FOSTER, RESIDENTIAL)
DESTINATIONS = {NO_CASE, PLACEMENT, ASSESSMENT, EARLY, COORDINATED, FOSTER, RESIDENTIAL, CLOSED}
P_MIN = 1e-3  # goodness-of-fit tests fail below this p-value (the seeds are fixed: no flakiness)
STAGE_MARGIN = 4 * DAYS_PER_YEAR


def _corners(plan):
    """The plan at the ends of the ranges of both caseloads and of the relational effect."""
    p = plan.assumptions
    for classic in (p.caseload.classic.low, p.caseload.classic.high):
        for relational in (p.caseload.relational.low, p.caseload.relational.high):
            for strength in (p.relational.effect_strength.low, p.relational.effect_strength.high):
                yield plan.with_overrides({"caseload.classic": classic, "caseload.relational": relational,
                                           "relational.effect_strength": strength}, "corner")


# -- the table -------------------------------------------------------------------------------------
def test_every_branch_is_a_distribution_across_the_ranges(plan):
    for scenario in [plan, *_corners(plan)]:
        rates = Rates.from_scenario(scenario)
        for routes in (rates.classic, rates.relational):
            for name in ("triage", "assessment", "placement"):
                branch = getattr(routes, name)
                probs = branch.probabilities()
                assert set(probs) <= DESTINATIONS and len(probs) == len(branch.to), name
                assert all(0.0 <= p <= 1.0 for p in probs.values()), (name, probs)
                assert math.fsum(probs.values()) == pytest.approx(1.0, abs=1e-12), (name, probs)
            for level in STAGES:
                stage = routes.stages[level]
                for severity in range(3):
                    for wait in (0.0, 90.0):
                        hazards = rates.hazards(level, routes, severity, wait)
                        assert min(hazards) >= 0.0 and sum(hazards) > 0.0
                        # a route with a hazard leads somewhere, a route without one nowhere
                        assert (hazards[1] > 0) == (stage.up is not None)
                        assert (stage.down is None) <= (hazards[2] == 0)
                assert {stage.up, stage.down} - {None} <= DESTINATIONS


def test_the_table_says_what_the_assumptions_say(status_quo):
    """At the reference caseload a medium-need family that did not wait stays the assumed mean
    time and leaves by the assumed shares."""
    a = status_quo.assumptions
    at_reference = status_quo.with_overrides({"caseload.classic": a.caseload.reference.value})
    rates = Rates.from_scenario(at_reference)
    routes = rates.classic
    for level, group, up, down in ((EARLY, a.early, a.early.escalation_share.value, 0.0),
                                   (COORDINATED, a.coordinated, a.coordinated.escalation_share.value,
                                    a.coordinated.step_down_share.value),
                                   (FOSTER, a.intrusive, 0.0, a.intrusive.step_down_share.value),
                                   (RESIDENTIAL, a.intrusive, 0.0, a.intrusive.step_down_share.value)):
        res, esc, dn = rates.hazards(level, routes, 1, 0.0)
        total = res + esc + dn
        assert 1.0 / total == pytest.approx(group.mean_days.value, rel=1e-12)
        assert esc / total == pytest.approx(up, abs=1e-12) and dn / total == pytest.approx(down, abs=1e-12)
    triage = routes.triage.probabilities()
    assert triage[NO_CASE] == a.triage.no_measure_share.value and triage[EARLY] == a.triage.early_share.value
    assert routes.assessment.probabilities()[PLACEMENT] == a.assessment.intrusive_share.value
    assert routes.placement.probabilities()[FOSTER] == a.intrusive.foster_share.value


def test_caseload_moves_the_hazards_and_the_relational_team_shifts_families(plan):
    """Caseload acts on the hazards by the documented power law (sim/caseload.py)."""
    a = plan.assumptions
    c = a.caseload
    low, high = (Rates.from_scenario(plan.with_overrides({"caseload.classic": x}))
                 for x in (c.classic.low, c.classic.high))
    ratio = c.classic.high / c.classic.low
    for level in (EARLY, COORDINATED, FOSTER):
        ending = c.placement_length_elasticity if level == FOSTER else c.resolution_elasticity
        l_res, l_esc, l_down = low.hazards(level, low.classic, 1, 0.0)
        h_res, h_esc, h_down = high.hazards(level, high.classic, 1, 0.0)
        assert l_res / h_res == pytest.approx(ratio ** ending.value)
        if l_esc:
            assert h_esc / l_esc == pytest.approx(ratio ** c.escalation_elasticity.value)
        if l_down:
            assert l_down / h_down == pytest.approx(ratio ** ending.value)
    rates = Rates.from_scenario(plan)
    strength = a.relational.effect_strength.value
    c_tri, r_tri = rates.classic.triage.probabilities(), rates.relational.triage.probabilities()
    moved = c_tri[ASSESSMENT] * min(1.0, a.relational.early_shift.value * strength)
    assert moved > 0
    assert r_tri[EARLY] - c_tri[EARLY] == pytest.approx(moved) and c_tri[NO_CASE] == r_tri[NO_CASE]
    c_ass, r_ass = rates.classic.assessment.probabilities(), rates.relational.assessment.probabilities()
    moved = c_ass[PLACEMENT] * min(1.0, a.relational.placement_shift.value * strength)
    assert moved > 0 and r_ass[COORDINATED] - c_ass[COORDINATED] == pytest.approx(moved)
    assert r_ass[CLOSED] == c_ass[CLOSED]
    c_pl, r_pl = rates.classic.placement.probabilities(), rates.relational.placement.probabilities()
    moved = c_pl[RESIDENTIAL] * min(1.0, a.relational.foster_shift.value * strength)
    assert moved > 0 and r_pl[FOSTER] - c_pl[FOSTER] == pytest.approx(moved)


def test_a_relational_team_at_zero_strength_acts_as_the_classic_team_it_replaces(plan):
    """relational.effect_strength = 0 switches off every lever: the relational table equals the
    classic one, whatever the two caseloads (sim/caseload.py)."""
    off = Rates.from_scenario(plan.with_overrides({"relational.effect_strength": 0, "caseload.classic": 40,
                                                   "caseload.relational": 15}))
    assert off.relational == off.classic
    on = Rates.from_scenario(plan.with_overrides({"caseload.classic": 40, "caseload.relational": 15}))
    assert on.relational.caseload.escalation < on.classic.caseload.escalation


def test_a_branch_picks_by_cumulative_share_then_shifts():
    branch = Branch((NO_CASE, EARLY, ASSESSMENT), (0.25, 0.25, 0.5), ASSESSMENT, EARLY, 0.4)
    assert [branch.pick(u, 0.9) for u in (0.1, 0.3, 0.6)] == [NO_CASE, EARLY, ASSESSMENT]
    assert branch.pick(0.6, 0.3) == EARLY  # an assessment shifted to early help
    assert branch.pick(0.1, 0.3) == NO_CASE  # only the shifted destination moves
    assert branch.probabilities() == {NO_CASE: 0.25, EARLY: 0.25 + 0.5 * 0.4, ASSESSMENT: 0.5 * 0.6}


def test_a_block_of_families_is_picked_and_counted_as_one_at_a_time(plan):
    """The engine triages and counts a block of arriving families at once (`pick_all`,
    `extra_notifications`): the same destinations and counts as one family at a time, on uniforms
    that include the bounds themselves."""
    rates = Rates.from_scenario(plan.with_overrides({"notifications.per_notified_child": 1.8}))
    rng = np.random.default_rng(5)
    for routes in rates.tables:
        for branch in (routes.triage, routes.assessment, routes.placement):
            u = np.concatenate([rng.random(5_000), branch.bounds, np.nextafter(branch.bounds, 0)])
            u_shift = rng.random(len(u))
            one_at_a_time = [branch.pick(a, b) for a, b in zip(u.tolist(), u_shift.tolist())]
            assert branch.pick_all(u, u_shift).tolist() == one_at_a_time

    bounds = np.array(rates.extra_notification_bounds)
    u = np.concatenate([rng.random(20_000), bounds[bounds < 1], [1 - 2.0 ** -53]])
    counts = rates.extra_notifications(u)
    # the inverse-CDF loop the engine drew with one at a time before, as the stage-by-stage reference keeps it
    assert counts.tolist() == [poisson(x, rates.notifications_extra_mean) for x in u.tolist()]
    assert counts.tolist() == [rates.extra_notification(x) for x in u.tolist()]
    assert counts.max() >= 4

    model = Model(plan, 1, 0)  # and their need levels (`_severity` of an array), on the bounds too
    low, high = model.rates.severity_low_share, 1.0 - model.rates.severity_high_share
    u = np.concatenate([rng.random(5_000), [low, high], np.nextafter([low, high], 0)])
    levels = model._severity(u).tolist()
    assert levels == [model._severity(x) for x in u.tolist()] and len(set(levels)) == 3
    assert levels == [LOW if x < low else HIGH if x >= high else MEDIUM for x in u.tolist()]  # the rule, spelled out


def test_the_team_a_block_of_families_meets_is_known_where_no_gate_decides(plan):
    staffing = Staffing.from_scenario(plan)
    n = len(plan.districts)
    undecided = np.arange(n) % 3 == 0
    timeline = TeamTimeline(staffing, staffing.rollout_day, undecided, np.arange(1, 121) * DAYS_PER_YEAR / 12)
    rng = np.random.default_rng(6)
    districts = rng.integers(0, n, 4_000)
    days = rng.uniform(0, plan.horizon_days, 4_000)
    kinds = timeline.known_at(districts, days)
    known = kinds >= 0
    assert known.tolist() == (~undecided[districts]).tolist()
    assert [int(k) for k in kinds[known]] == [timeline.at(int(d), float(t))[0]
                                             for d, t in zip(districts[known], days[known])]
    assert len(set(kinds[known].tolist())) >= 3  # classic, learning, relational, ...


# -- the analytic twin's matrix ----------------------------------------------------------------------
def _rates_with(rates: Rates, **relational) -> Rates:
    return dataclasses.replace(rates, relational=dataclasses.replace(rates.relational, **relational))


def test_the_twins_matrix_is_built_from_the_table(plan):
    """Rows of the generator are the table's probabilities times the leaving rates; a table that
    differs from the assumptions changes the matrix accordingly (no second computation)."""
    original = Rates.from_scenario(plan)
    rates = _rates_with(original,
                        triage=Branch((NO_CASE, EARLY, ASSESSMENT), (0.1, 0.6, 0.3), ASSESSMENT, EARLY, 0.5),
                        assessment=Branch((COORDINATED, PLACEMENT, CLOSED), (0.2, 0.5, 0.3)),
                        placement=Branch((FOSTER, RESIDENTIAL), (0.25, 0.75)))
    ix = _IX
    shares = rates.severity_shares()
    for team, routes in enumerate(rates.tables):
        M = _generator(rates, team, 0.0)
        triage = routes.triage.probabilities()
        ass = routes.assessment.probabilities()
        place = routes.placement.probabilities()
        a = 1.0 / routes.mean_days[ASSESSMENT]
        fam = slice(0, ix.relapse)  # the family block: what leaves it closes its case
        for s in range(3):
            assert M[ix.stage[EARLY][s][team], ix.source] == pytest.approx(shares[s] * triage[EARLY])
            assert M[ix.assessment[s], ix.source] == pytest.approx(shares[s] * triage[ASSESSMENT])
            src = ix.assessment[s]
            assert -M[src, src] == pytest.approx(a)
            assert M[ix.stage[COORDINATED][s][team], src] == pytest.approx(a * ass[COORDINATED])
            assert M[ix.stage[FOSTER][s][team], src] == pytest.approx(a * ass[PLACEMENT] * place[FOSTER])
            assert M[ix.stage[RESIDENTIAL][s][team], src] == pytest.approx(a * ass[PLACEMENT] * place[RESIDENTIAL])
            assert -M[fam, src].sum() == pytest.approx(a * ass[CLOSED])
            for started in TEAMS:  # a stage keeps the hazards of the team it began under
                res, esc, down = rates.hazards(COORDINATED, rates.tables[started], s, 0.0)
                src = ix.stage[COORDINATED][s][started]
                assert -M[src, src] == pytest.approx(res + esc + down)
                assert -M[fam, src].sum() == pytest.approx(res)
                assert M[ix.stage[FOSTER][s][team], src] == pytest.approx(esc * place[FOSTER])
                assert M[ix.stage[EARLY][s][team], src] == pytest.approx(down)
        # families are conserved: a family leaves the family block only by closing its case, at
        # the resolution hazards (and then returns through relapse with its probability)
        for level in STAGES:
            for s in range(3):
                for started in TEAMS:
                    src = ix.stage[level][s][started]
                    res, _, _ = rates.hazards(level, rates.tables[started], s, 0.0)
                    assert -M[fam, src].sum() == pytest.approx(res)
                    assert M[ix.relapse, src] == pytest.approx(res * rates.relapse_probability)
    for name in ("triage", "assessment", "placement"):  # the replaced table is not the assumptions'
        assert getattr(rates.relational, name).probabilities() != getattr(original.relational, name).probabilities()


# -- the simulation's families -------------------------------------------------------------------------
def _episodes(segments):
    """The stays of each family episode in order (waiting left out)."""
    seg = segments[(segments["state"] != WAITING)]
    key = seg["family"].astype(np.int64) * 1000 + seg["episode"]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    return [seg[i:j] for i, j in zip(starts, np.r_[starts[1:], len(seg)])]


def _fits(observed: dict, expected: dict, label: str) -> None:
    states = [k for k, p in expected.items() if p > 0]
    counts = np.array([observed.get(k, 0) for k in states], dtype=float)
    assert sum(observed.values()) == counts.sum(), f"{label}: a route outside the table: {observed}"
    assert counts.sum() > 500, f"{label}: too few families ({counts.sum():.0f}) to test"
    probs = np.array([expected[k] for k in states])
    p = stats.chisquare(counts, probs / probs.sum() * counts.sum()).pvalue
    assert p > P_MIN, f"{label}: observed {dict(zip(states, counts))}, table {expected} (p = {p:.2g})"


def _route_counts(model: Model):
    """Observed routes of the model's families after a run: per team type (CLASSIC, RELATIONAL,
    PILOT, LEARNING, STAFFING: `Staffing.team_at`), triage, assessment outcomes, placement types, and the outcome of the first stage of help
    after triage or assessment (need levels are then distributed as in the population). Stages are
    counted only if they start STAGE_MARGIN before the horizon: a stay's length depends on the
    family's need, so the censored ones would bias the mixture."""
    log = model.run()
    cutoff = model.horizon - STAGE_MARGIN
    st = model.staffing
    switch = st.rollout_day
    phases = st.phases(switch)
    team = lambda d, t: int(st.team_at(t, switch, phases)[d])  # noqa: E731
    counts = {name: [{} for _ in TEAMS] for name in ("triage", "assessment", "placement", "early", "coordinated")}

    def add(name, t, route):
        counts[name][t][route] = counts[name][t].get(route, 0) + 1

    for n in log.notifications:
        add("triage", team(n["district"], n["t"]), NO_CASE)
    for ep in _episodes(log.segments):
        states = [PLACEMENT if s in (FOSTER, RESIDENTIAL) else s for s in ep["state"]]
        d = ep["district"][0]
        notified = not (ep["family"][0] < ARRIVAL_ID_OFFSET and ep["episode"][0] == 0 and ep["initial"][0])
        if notified:
            t = team(d, ep["opened"][0])
            counts["triage"][t][NO_CASE] -= 1
            add("triage", t, states[0])
        for i, s in enumerate(ep["state"]):
            if s in (FOSTER, RESIDENTIAL):
                add("placement", team(d, ep["t0"][i]), int(s))
            if ep["censored"][i]:  # (a censored first stage before the cutoff: about 1 in 500)
                continue
            after = states[i + 1] if i + 1 < len(states) else CLOSED  # an episode's last stay closes it
            if s == ASSESSMENT:
                add("assessment", team(d, ep["t1"][i]), after)
            first_stage = i == 0 and notified or i == 1 and states[0] == ASSESSMENT
            if first_stage and s in (EARLY, COORDINATED) and ep["t0"][i] < cutoff:
                add("early" if s == EARLY else "coordinated", team(d, ep["t0"][i]), after)
    return counts


def _stage_outcomes(rates: Rates, routes, level: int) -> dict:
    """The probabilities of a first stage's outcomes (CLOSED, up, down), over need levels."""
    out: dict = {}
    stage = routes.stages[level]
    for s, q in enumerate(rates.severity_shares()):
        res, esc, down = rates.hazards(level, routes, s, 0.0)
        total = res + esc + down
        for state, h in ((CLOSED, res), (stage.up, esc), (stage.down, down)):
            if h > 0:
                out[state] = out.get(state, 0.0) + q * h / total
    return out


@pytest.fixture(scope="module")
def unlimited(plan):
    """The plan over eight years with case slots far above any demand: nobody waits, so the only
    need-level mixture in a first stage is the population's. The pilot districts join the last wave,
    so that their pilot teams see enough families to test; a new team recruits for a year and
    learns for two and a half, so that both of its phases (STAFFING, LEARNING) do."""
    pilots_later = {f"rollout.district_waves.{d.name}": 5 for d in plan.districts if d.pilot_since is not None}
    return extreme(plan.with_overrides(pilots_later), staff__classic_caseworkers=100_000,
                   staff__relational_capacity_ratio=5.0, staff__recruitment_months=12,
                   relational__learning_months=30, years=8)


def test_the_simulations_families_follow_the_table(unlimited):
    rates = Rates.from_scenario(unlimited)
    totals = None
    for rep in range(3):
        counts = _route_counts(Model(unlimited, seed=17, replication=rep))
        totals = counts if totals is None else {
            k: [{s: totals[k][t].get(s, 0) + counts[k][t].get(s, 0) for s in {*totals[k][t], *counts[k][t]}}
                for t in TEAMS] for k in counts}
    for t, routes in enumerate(rates.tables):
        name = ("classic", "relational", "pilot", "learning", "staffing")[t]
        _fits(totals["triage"][t], routes.triage.probabilities(), f"triage, {name}")
        _fits(totals["assessment"][t], routes.assessment.probabilities(), f"assessment, {name}")
        _fits(totals["early"][t], _stage_outcomes(rates, routes, EARLY), f"early help, {name}")
        _fits(totals["coordinated"][t], _stage_outcomes(rates, routes, COORDINATED), f"coordinated help, {name}")
        _fits(totals["placement"][t], routes.placement.probabilities(), f"placement type, {name}")


def test_the_simulation_samples_the_table_it_is_given(status_quo):
    """A table that differs from the assumptions is what the families follow: the engine draws
    from the table, not from the assumptions."""
    scenario = extreme(status_quo, staff__classic_caseworkers=100_000, years=3)
    model = Model(scenario, seed=4, replication=0)
    triage = Branch((NO_CASE, EARLY, ASSESSMENT), (0.15, 0.6, 0.25))
    model.rates = dataclasses.replace(model.rates, classic=dataclasses.replace(model.rates.classic, triage=triage))
    counts = _route_counts(model)
    _fits(counts["triage"][CLASSIC], triage.probabilities(), "triage, replaced table")


# -- the start population and the district shares ------------------------------------------------------
def test_district_shares_follow_children_and_need_and_sum_to_one(plan):
    share = district_shares(plan)
    children = np.array([d.children for d in plan.districts], dtype=float)
    need = np.array([d.need for d in plan.districts], dtype=float)
    assert share.sum() == pytest.approx(1.0, abs=1e-12) and (share > 0).all()
    assert len(set(need)) > 1  # the districts differ
    np.testing.assert_allclose(share, children * need / (children * need).sum())
    # with no contrast, head count alone
    flat = district_shares(plan.with_overrides({"city.need_contrast": 0.0}))
    np.testing.assert_allclose(flat * children.sum(), children)
    # the engine's notifications follow the shares: a district of need 2.5 gets about 2.5 times the
    # notifications per child of a district of need 1
    log = simulate(plan.with_overrides({"years": 2}), 1, 0)
    per_district = np.bincount(log.notifications["district"], minlength=len(children)) / children
    hi, lo = int(np.argmax(need)), int(np.argmin(need))
    assert per_district[hi] / per_district[lo] == pytest.approx(need[hi] / need[lo], rel=0.15)
    staffing = Staffing.from_scenario(plan)
    np.testing.assert_allclose(staffing.classic_slots / staffing.classic_slots.sum(), share)
    coordinator = fixed_costs(plan)["cost_coordinator_dkk"].sum(axis=1)
    np.testing.assert_allclose(coordinator / coordinator.sum(), share)


def test_apportion_keeps_the_total_and_stays_within_one_of_the_share():
    share = np.array([0.5, 0.3, 0.2]) / 1.0
    for total in (0, 1, 7, 1001):
        parts = apportion(total, share)
        assert sum(parts) == total and all(abs(p - total * s) < 1 for p, s in zip(parts, share))


def test_engine_and_twin_start_from_the_same_families(plan):
    a = plan.assumptions.initial
    start = StartPopulation.from_scenario(plan)
    n = len(plan.districts)
    expected = {ASSESSMENT: a.assessment, EARLY: a.early, COORDINATED: a.coordinated, PLACEMENT: a.intrusive}
    for state, p in expected.items():
        assert len(start.open_cases[state]) == n and sum(start.open_cases[state]) == round(p.value)
    assert sum(start.relapse_pending) == round(a.relapse_pending.value)

    log = Model(plan.with_overrides({"years": 1}), seed=2, replication=0).run()
    first = log.segments[log.segments["initial"]]
    x0 = trajectory(plan.with_overrides({"years": 1})).states[0]
    ix = _IX
    twin = {ASSESSMENT: x0[ix.assessment].sum(axis=0), EARLY: x0[np.ravel(ix.stage[EARLY])].sum(axis=0),
            COORDINATED: x0[np.ravel(ix.stage[COORDINATED])].sum(axis=0),
            PLACEMENT: x0[np.ravel(ix.stage[FOSTER] + ix.stage[RESIDENTIAL])].sum(axis=0)}
    for state, per_district in start.open_cases.items():
        states = [FOSTER, RESIDENTIAL] if state == PLACEMENT else [state]
        engine = np.bincount(first["district"][np.isin(first["state"], states)], minlength=n)
        np.testing.assert_array_equal(engine, per_district, err_msg=f"engine, state {state}")
        np.testing.assert_allclose(twin[state], per_district, err_msg=f"twin, state {state}")
    np.testing.assert_array_equal(x0[ix.relapse], start.relapse_pending)


def test_the_status_quo_starts_from_aarhus(status_quo):
    """The start is Aarhus's (docs/sources.md §4a): its placed children (Aarhus's own count, the
    figure the fit holds), its children in districts of different sizes and needs, and the pilot
    districts working relationally from the start, with teams of their own, in the status quo too."""
    targets = load_targets()
    start = StartPopulation.from_scenario(status_quo)
    assert sum(start.open_cases[PLACEMENT]) == round(targets.targets["placed_stock"].value)
    assert sum(d.children for d in status_quo.districts) == status_quo.assumptions.city.children.value
    assert len({d.children for d in status_quo.districts}) > 1 and len({d.need for d in status_quo.districts}) > 1
    pilots = np.array(status_quo.pilots())
    staffing = Staffing.from_scenario(status_quo)
    assert pilots.sum() == 7 and not np.isfinite(staffing.rollout_day).any()
    assert (staffing.first_team[pilots] == PILOT).all() and (staffing.first_team[~pilots] == CLASSIC).all()
    assert (staffing.first_caseworkers[pilots] > staffing.classic_slots[pilots] / status_quo.assumptions.caseload.classic.value).all()
    model = Model(status_quo, seed=1, replication=0)
    assert all((model.team[d] is model.classic_pool) != pilot for d, pilot in enumerate(pilots))
    assert [model.teams.at(d, 0.0)[0] for d in np.flatnonzero(pilots)] == [PILOT] * 7
