"""The analytic twin: the simulation's expected values without capacity limits, in milliseconds.

A Markov cohort model over exactly the routes and rates of the discrete-event model: its matrix is
built from the same transition tables (`rates.Routes`, one per team type), its start is the same
`rates.StartPopulation` and its waves come from `staffing.Staffing`. Per district a vector of
expected numbers of families in each state moves as a linear system dx/dt = M x, solved month by month with one matrix exponential per team type and
step length. It is the dashboard's instant preview and the cross-check of the simulation: where
capacity never binds, the simulation's mean must agree with it (tests/test_analytic.py).

What the state vector holds, per district:
- families in assessment (by need level) and in each stage of help (early, coordinated, foster,
  residential) by need level and by the team type the stage started under: the simulation fixes
  a stage's hazards when it starts, so a stage begun under the classic organisation keeps classic
  hazards after the district's wave;
- families that resolved and will be notified again (relapse pending);
- the notification source, which grows as exp(k t) like the simulation's Poisson rate;
- flows and stay-days accumulated over the current month (notified children, starts, days).

What it leaves out: capacity. Families never wait (open_waiting = 0, mean_wait_days = 0), so the
waiting effect on escalation never acts. Nor does it follow children one by one: the cohort
outcomes (sim.cohort) are the simulation's alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from scipy.linalg import expm
from threadpoolctl import threadpool_limits

from .rates import (ASSESSMENT, CLOSED, COORDINATED, DAYS_PER_YEAR, EARLY, FOSTER, NO_CASE, PLACEMENT, RESIDENTIAL,
                    Rates, Routes, StartPopulation)
from .results import Calendar, cost_columns, fixed_costs, tidy_frame, yearly_frame
from .scenario import Scenario
from .staffing import Staffing

STAGES = (EARLY, COORDINATED, FOSTER, RESIDENTIAL)
CLASSIC, RELATIONAL = 0, 1


class _Index:
    """Positions in the state vector (see the module docstring)."""

    def __init__(self) -> None:
        n = 0
        self.assessment = list(range(n, n + 3))
        n += 3
        # stage[level][severity][team]
        self.stage = {lv: [[n + 6 * i + 2 * s + t for t in (0, 1)] for s in range(3)] for i, lv in enumerate(STAGES)}
        n += 6 * len(STAGES)
        self.relapse = n
        self.source = n + 1
        n += 2
        self.acc = n  # accumulators from here, reset every month
        self.notified, self.early_starts, self.coordinated_starts, self.intrusive_starts = range(n, n + 4)
        self.days = {EARLY: n + 4, COORDINATED: n + 5, FOSTER: n + 6, RESIDENTIAL: n + 7}
        self.size = n + 8


_IX = _Index()
_STARTS = {EARLY: _IX.early_starts, COORDINATED: _IX.coordinated_starts, FOSTER: _IX.intrusive_starts,
           RESIDENTIAL: _IX.intrusive_starts}  # the accumulator counting a stage's starts


def _entries(routes: Routes, state: int, severity: int, team: int) -> list[tuple[int | None, float, int | None]]:
    """Where families of need `severity` entering `state` now go in the state vector, as
    (compartment, part of the families, start accumulator): a placement splits by type under
    `routes`, a stage starts under `team`, a closed case leaves (None); no case never enters."""
    ix = _IX
    if state == NO_CASE:
        return []
    if state == CLOSED:
        return [(None, 1.0, None)]
    if state == ASSESSMENT:
        return [(ix.assessment[severity], 1.0, None)]
    if state == PLACEMENT:
        return [(ix.stage[kind][severity][team], part, _STARTS[kind])
                for kind, part in routes.placement.probabilities().items()]
    return [(ix.stage[state][severity][team], 1.0, _STARTS[state])]


def _generator(rates: Rates, team: int, k: float) -> np.ndarray:
    """The matrix M of dx/dt = M x for a district whose team is classic or relational now, built
    from the transition tables: decisions taken now and stages starting now follow the table of the
    team working now (`team`); stages under way keep the hazards of the team they started under."""
    ix = _IX
    M = np.zeros((ix.size, ix.size))
    shares = rates.severity_shares()
    tables = (rates.classic, rates.relational)
    routes = tables[team]

    def move(src: int, dst: int | None, rate: float, start_acc: int | None = None) -> None:
        """Families leave src at `rate` per day into dst (None: out of the system)."""
        M[src, src] -= rate
        if dst is not None:
            M[dst, src] += rate
        if start_acc is not None:
            M[start_acc, src] += rate

    def route(src: int, state: int, severity: int, rate: float) -> None:
        """Families of need `severity` leave src at `rate` per day for `state`."""
        for dst, part, start_acc in _entries(routes, state, severity, team):
            move(src, dst, rate * part, start_acc)

    def arrive(state: int, severity: int, share: float) -> None:
        """This share of the notified families (from the source and from relapse) enters `state`."""
        for dst, part, start_acc in _entries(routes, state, severity, team):
            for col, rate in ((ix.source, 1.0), (ix.relapse, 1.0 / rates.relapse_mean_days)):
                M[dst, col] += share * part * rate
                if start_acc is not None:
                    M[start_acc, col] += share * part * rate

    # notification and triage
    M[ix.source, ix.source] = k
    M[ix.relapse, ix.relapse] = -1.0 / rates.relapse_mean_days
    M[ix.notified, ix.source] += 1.0
    M[ix.notified, ix.relapse] += 1.0 / rates.relapse_mean_days
    triage = routes.triage.probabilities()
    for s, q in enumerate(shares):
        for state, p in triage.items():
            arrive(state, s, q * p)

    # assessment
    a = 1.0 / routes.mean_days[ASSESSMENT]
    assessment = routes.assessment.probabilities()
    for s in range(3):
        for state, p in assessment.items():
            route(ix.assessment[s], state, s, a * p)

    # stages with competing risks; a resolved family may be notified again later
    for level in STAGES:
        for s in range(3):
            for t in (CLASSIC, RELATIONAL):
                src = ix.stage[level][s][t]
                stage = tables[t].stages[level]
                res, esc, down = rates.hazards(level, tables[t], s, 0.0)
                move(src, None, res)
                M[ix.relapse, src] += res * rates.relapse_probability
                if stage.up is not None:
                    route(src, stage.up, s, esc)
                if stage.down is not None:
                    route(src, stage.down, s, down)
                M[ix.days[level], src] += 1.0
    return M


@dataclass(frozen=True)
class Trajectory:
    """Expected state of every district at the start and at each month's end, and the month's flows.

    states: [month + 1, state, district], index 0 at the scenario's start (see `_Index`);
    flows: [month, accumulator, district], what accumulated during each month.
    """

    states: np.ndarray
    flows: np.ndarray
    calendar: Calendar

    def open_cases(self, month_end: int) -> dict[str, np.ndarray]:
        """Expected open cases per district by state after `month_end` months (0: the start)."""
        x = self.states[month_end]
        ix = _IX
        return {
            "assessment": x[ix.assessment].sum(axis=0),
            "early": x[np.ravel(ix.stage[EARLY])].sum(axis=0),
            "coordinated": x[np.ravel(ix.stage[COORDINATED])].sum(axis=0),
            "foster": x[np.ravel(ix.stage[FOSTER])].sum(axis=0),
            "residential": x[np.ravel(ix.stage[RESIDENTIAL])].sum(axis=0),
        }


def _initial_state(scenario: Scenario, rates: Rates) -> np.ndarray:
    """Today's open cases (`rates.StartPopulation`, the simulation's), under the classic team."""
    ix = _IX
    start = StartPopulation.from_scenario(scenario)
    children = np.array([d.children for d in scenario.districts], dtype=float)
    x = np.zeros((ix.size, len(children)))
    sev = rates.severity_shares()
    for state, per_district in start.open_cases.items():
        for s in range(3):
            for row, part, _ in _entries(rates.classic, state, s, CLASSIC):
                x[row] += part * sev[s] * np.array(per_district, dtype=float)
    x[ix.relapse] = start.relapse_pending
    x[ix.source] = children * scenario.assumptions.notifications.notified_share_per_year.value / DAYS_PER_YEAR
    return x


def trajectory(scenario: Scenario) -> Trajectory:
    """Solve the cohort model month by month (exact within each month: no time steps)."""
    # The matrices are small: threaded BLAS only adds contention (15 ms instead of 0.2 ms an
    # exponential on a busy machine).
    with threadpool_limits(limits=1, user_api="blas"):
        return _solve(scenario)


def _solve(scenario: Scenario) -> Trajectory:
    rates = Rates.from_scenario(scenario)
    cal = Calendar(scenario)
    switch = Staffing.from_scenario(scenario).rollout_day
    k = math.log1p(scenario.assumptions.city.children_growth_per_year.value) / DAYS_PER_YEAR
    generators = (_generator(rates, CLASSIC, k), _generator(rates, RELATIONAL, k))

    one_day = [expm(g) for g in generators]

    @cache
    def step(team: int, days: float) -> np.ndarray:
        # Month bounds and wave dates are whole days: powers of the one-day step are exact and
        # far cheaper than a matrix exponential per length.
        if float(days).is_integer():
            return np.linalg.matrix_power(one_day[team], int(days))
        return expm(generators[team] * days)

    ix = _IX
    # Districts in order of their switch day, so that each month's classic, switching and
    # relational districts are contiguous column blocks (views, no copies).
    order = np.argsort(switch, kind="stable")
    switch = switch[order]
    x = _initial_state(scenario, rates)[:, order]
    states = np.empty((cal.n + 1, ix.size, x.shape[1]))
    states[0] = x
    for m in range(cal.n):
        lo, hi = cal.bounds[m], cal.bounds[m + 1]
        x[ix.acc:] = 0.0
        relational_end = int(np.searchsorted(switch, lo, side="right"))  # switched by the month's start
        classic_start = int(np.searchsorted(switch, hi, side="left"))    # switch at or after its end
        if relational_end:
            x[:, :relational_end] = step(RELATIONAL, hi - lo) @ x[:, :relational_end]
        if classic_start < len(switch):
            x[:, classic_start:] = step(CLASSIC, hi - lo) @ x[:, classic_start:]
        for d in range(relational_end, classic_start):
            s = float(switch[d])
            x[:, d] = step(RELATIONAL, hi - s) @ (step(CLASSIC, s - lo) @ x[:, d])
        states[m + 1] = x
    states = states[:, :, np.argsort(order)]
    flows = states[1:, ix.acc:]
    return Trajectory(states, flows, cal)


def expected_monthly(scenario: Scenario) -> pd.DataFrame:
    """The twin's monthly table: sim.results.MONTHLY_COLUMNS, replication 0, expected (fractional)
    counts kept as floats."""
    rates = Rates.from_scenario(scenario)
    traj = trajectory(scenario)
    cal = traj.calendar
    ix = _IX
    n_districts = len(scenario.districts)

    def flow(row: int) -> np.ndarray:
        return traj.flows[:, row - ix.acc, :].T  # [district, month]

    def stock(rows) -> np.ndarray:
        return traj.states[1:, np.ravel(rows), :].sum(axis=1).T

    days = {lv: flow(ix.days[lv]) for lv in STAGES}
    notified = flow(ix.notified)
    admissions = notified * (1.0 - rates.classic.triage.probabilities()[NO_CASE])  # the same for both teams
    fixed = fixed_costs(scenario, cal)
    cols = {
        "notifications": notified * (1.0 + rates.notifications_extra_mean),
        "notified_children": notified,
        "admissions": admissions,
        "early_starts": flow(ix.early_starts),
        "coordinated_starts": flow(ix.coordinated_starts),
        "intrusive_starts": flow(ix.intrusive_starts),
        "placement_days": days[FOSTER] + days[RESIDENTIAL],
        "foster_days": days[FOSTER],
        "residential_days": days[RESIDENTIAL],
        "open_waiting": np.zeros((n_districts, cal.n)),
        "open_assessment": stock(ix.assessment),
        "open_early": stock(ix.stage[EARLY]),
        "open_coordinated": stock(ix.stage[COORDINATED]),
        "open_intrusive": stock(ix.stage[FOSTER]) + stock(ix.stage[RESIDENTIAL]),
        "mean_wait_days": np.where(admissions > 0, 0.0, np.nan),
        **cost_columns(scenario, days, fixed),
    }
    return tidy_frame(scenario, 0, cal, cols)


def expected_yearly(scenario: Scenario) -> pd.DataFrame:
    """The twin's yearly table (sim.results.YEARLY_COLUMNS), rolled up as the simulation's is."""
    return yearly_frame(expected_monthly(scenario))
