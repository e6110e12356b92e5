"""The analytic twin: the simulation's expected values, in milliseconds.

A Markov cohort model over exactly the routes and rates of the discrete-event model: its matrix is
built from the same transition tables (`rates.Routes`, one per team type: classic, relational, pilot, learning, staffing), its start is the same
`rates.StartPopulation` and its waves and case slots come from `staffing.Staffing`. Per district a
vector of expected numbers of families in each state moves as a linear system dx/dt = M x, solved
month by month with one matrix exponential per team type and step length. It is the dashboard's
instant preview, the sensitivity analyses' model and the cross-check of the simulation: where
capacity never binds, the simulation's mean must agree with it (tests/test_analytic.py).

What the state vector holds, per district:
- families in assessment (by need level) and in each stage of help (early, coordinated, foster,
  residential) by need level and by the team type the stage started under: the simulation fixes
  a stage's hazards when it starts, so a stage begun under the classic organisation (or a pilot
  team) keeps its hazards after the district's wave;
- families that resolved and will be notified again (relapse pending);
- the notification source, which grows as exp(k t) like the simulation's Poisson rate;
- flows and stay-days accumulated over the current month (notified children, starts, days);
- once anybody has waited (`_capacity_generator`): families waiting for a case slot, by the route
  triage gave them (early help or an assessment) and need level, and the wait mass of every open
  compartment (the days its families waited, summed).

Capacity, as a fluid (large-number) queue. Case slots are the engine's (`engine.CaseSlots`): the
classic districts share one city-wide pool (the sum of their classic slots, rounded), a district's
own team (a pilot team from the start, a relational team from its wave) has the district's slots,
and at a wave the district's open cases and waiting families go to its new team. A family whose case would open (triage to early help or an assessment, relapses too)
waits when its team's slots are full, and the queues admit first come first served as slots free;
open cases never exceed the slots, except the cases open at the start (or handed over at a wave),
which hold theirs. The capacity limit is not linear, so:
- a month in which no team's open cases can reach its slots (no queue, and the open cases at the
  month's start plus every case the month opens fit, or, the state moving slowly, the open cases at
  the month's middle and end fit) is solved exactly, as without capacity: where capacity never
  binds the twin is the capacity-free model, bit for bit;
- any other month is solved in sub-steps of about SUBSTEP_DAYS: families of a team whose queue is
  empty and whose slots stay free open their cases at once; the others enter the queue, and the
  queue admits min(waiting, free slots) at the sub-step's end, placed as if admitted at its middle
  (the slots freed during the sub-step; admitting at the end would leave them idle and bias the
  queue up). Who is admitted and how long they waited follow the fluid first-come-first-served
  order (`_Queues`: arrival times by sub-step); the classic pool's admissions split over its
  districts in proportion to their waiting families. The backlog changes by about 1 % between
  sub-steps of 2 and 10 days.
- the waiting effect on escalation, to first order: a family that waited w days escalates at
  (1 + e w) times the rate (`Rates.hazards`), so a compartment's extra escalations are the base
  hazard times e times its wait mass, which moves with its families. Left out: that the families
  who waited longer also leave sooner by escalating (a second-order term, (e w)^2).
- mean_wait_days is the month's admitted families' mean fluid delay (zero for those admitted at
  once); open_waiting the families waiting at the month's end; admissions every family given a slot.

`capacity=False` (trajectory, expected_monthly, expected_yearly) gives the capacity-free model, bit
for bit as before the queue: for questions about rates alone at a changed caseload (the Herning
check in sim.calibrate halves the caseload at the pilot's doubled staff, not at today's).

A fluid queue only waits when the expected load exceeds the slots: it misses the waiting that
random arrivals cause below full load (small relational teams near full see some in the
simulation; the twin none) and starts the status quo's queue a year or so later than the
simulation, whose backlog at the horizon it reaches within about a fifth (tests/test_analytic.py).
Nor does the twin follow children one by one: the cohort outcomes (sim.cohort) are the
simulation's alone, and so is the state's refusion, which sim.payers applies child by child to each
child's yearly costs (an expected cost per child would miss that the rule is convex): the twin's
MSB and state columns of who pays are missing (NaN), MBU's part is exact. Its totals are unaffected."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache

import numpy as np
import pandas as pd
from scipy.linalg import expm
from threadpoolctl import ThreadpoolController

from .gate import FixedCosts, WaveGate
from .payers import payer_columns
from .rates import (ASSESSMENT, CLASSIC, CLOSED, COORDINATED, DAYS_PER_YEAR, EARLY, FOSTER, NO_CASE, PILOT,
                    PLACEMENT, RESIDENTIAL, TEAMS, Rates, Routes, StartPopulation, district_shares)
from .months import Calendar
from .accounts import cost_columns, fixed_costs, unit_costs
from .results import switch_frame, tidy_frame, yearly_frame
from .scenario import Scenario
from .staffing import Staffing

STAGES = (EARLY, COORDINATED, FOSTER, RESIDENTIAL)


class _Index:
    """Positions in the state vector (see the module docstring)."""

    def __init__(self) -> None:
        n = 0
        self.assessment = list(range(n, n + 3))
        n += 3
        # stage[level][severity][team]
        k = len(TEAMS)
        self.stage = {lv: [[n + 3 * k * i + k * s + t for t in TEAMS] for s in range(3)] for i, lv in enumerate(STAGES)}
        n += 3 * k * len(STAGES)
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
    """The matrix M of dx/dt = M x for a district whose team is of type `team` now, built
    from the transition tables: decisions taken now and stages starting now follow the table of the
    team working now (`team`); stages under way keep the hazards of the team they started under."""
    ix = _IX
    M = np.zeros((ix.size, ix.size))
    shares = rates.severity_shares()
    tables = rates.tables
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
            for t in TEAMS:
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


# -- capacity: waiting families and the wait mass of open cases -------------------------------------
# The extended state vector: the rows of `_Index`, then the waiting families of each district by the
# route triage gave them (early help or an assessment) and need level, then the wait mass of each
# open compartment (the sum over its families of the days they waited for their case slot).
N_OPEN = _IX.relapse  # assessment and every stage: the compartments holding a case slot
WAIT_ROWS = _IX.size  # [route][severity]: route 0 early help, 1 assessment
W_EARLY = [WAIT_ROWS + s for s in range(3)]
W_ASSESS = [WAIT_ROWS + 3 + s for s in range(3)]
MASS_ROWS = WAIT_ROWS + 6  # wait mass of open compartment i at MASS_ROWS + i
EXT_SIZE = MASS_ROWS + N_OPEN
SUBSTEP_DAYS = 10  # sub-step length (days) where capacity binds or could bind


def _capacity_generator(rates: Rates, team: int, k: float, queue: bool) -> np.ndarray:
    """`_generator` extended by the waiting rows and the wait mass (see the module docstring).

    The wait mass moves with its families (the open block of `_generator`) and adds escalations at
    `Rates.hazards`' slope in the wait: a family that waited w days escalates at (1 + e w) times the
    base hazard, so a compartment escalates at base x (families + e x wait mass). First order: the
    extra escalations move families, not their wait mass (which would need the second moment).
    With `queue`, the families whose case would open (triage to early help or an assessment, from
    the source and the relapses) enter the waiting rows instead; admission is applied outside."""
    ix = _IX
    M = _generator(rates, team, k)
    G = np.zeros((EXT_SIZE, EXT_SIZE))
    G[:ix.size, :ix.size] = M
    G[MASS_ROWS:, MASS_ROWS:] = M[:N_OPEN, :N_OPEN]
    tables = rates.tables
    per_day = rates.wait_escalation_per_day
    for level in STAGES:
        for s in range(3):
            for t in TEAMS:
                src = ix.stage[level][s][t]
                stage = tables[t].stages[level]
                if stage.up is None:
                    continue
                extra = rates.hazards(level, tables[t], s, 0.0)[1] * per_day
                z = MASS_ROWS + src
                G[src, z] -= extra
                for dst, part, start_acc in _entries(tables[team], stage.up, s, team):
                    if dst is not None:
                        G[dst, z] += extra * part
                    if start_acc is not None:
                        G[start_acc, z] += extra * part
    if queue:
        for col in (ix.source, ix.relapse):
            for s in range(3):
                for row, w in ((ix.stage[EARLY][s][team], W_EARLY[s]), (ix.assessment[s], W_ASSESS[s])):
                    G[w, col] += G[row, col]
                    G[row, col] = 0.0
            G[ix.early_starts, col] = 0.0  # counted when the family is admitted
    return G


@dataclass(frozen=True)
class Trajectory:
    """Expected state of every district at the start and at each month's end, and the month's flows.

    states: [month + 1, state, district], index 0 at the scenario's start (see `_Index`; rows from
      WAIT_ROWS: the waiting families and the wait mass of the open compartments);
    flows: [month, accumulator, district], what accumulated during each month;
    admissions, wait_days: [month, district], families given a case slot in the month and the days
      they waited, summed;
    switches: per district, the day its relational team starts (inf if not within the horizon):
      the scenario's calendar, or where the savings gate put it (sim.gate).
    """

    states: np.ndarray
    flows: np.ndarray
    calendar: Calendar
    admissions: np.ndarray
    wait_days: np.ndarray
    switches: np.ndarray

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

    def waiting(self) -> np.ndarray:
        """Families waiting for a case slot at each month's end, [month, district]."""
        return self.states[1:, WAIT_ROWS:MASS_ROWS].sum(axis=1)

    def days(self, level: int) -> np.ndarray:
        """Days spent at a stage of help (EARLY, COORDINATED, FOSTER, RESIDENTIAL), [district, month]."""
        return self.flows[:, _IX.days[level] - _IX.acc, :].T


def _source(scenario: Scenario) -> np.ndarray:
    """The engine's notification rates per district at the start (per day): the city's children
    spread by need (`rates.district_shares`)."""
    a = scenario.assumptions
    return a.city.children.value * district_shares(scenario) * (
        a.notifications.notified_share_per_year.value / DAYS_PER_YEAR)


def _initial_state(scenario: Scenario, rates: Rates) -> np.ndarray:
    """Today's open cases (`rates.StartPopulation`, the simulation's), each under its district's
    first team (classic, or a pilot's); nobody waits."""
    start = StartPopulation.from_scenario(scenario)
    first = Staffing.from_scenario(scenario).first_team
    x = np.zeros((EXT_SIZE, len(scenario.districts)))
    sev = rates.severity_shares()
    for state, per_district in start.open_cases.items():
        for team in np.unique(first):
            cols = first == team
            for s in range(3):
                for row, part, _ in _entries(rates.tables[team], state, s, int(team)):
                    x[row, cols] += part * sev[s] * np.array(per_district, dtype=float)[cols]
    x[_IX.relapse] = start.relapse_pending
    x[_IX.source] = _source(scenario)
    return x


class ClassicCities:
    """Capacity-free twins of many cities at once, one per world (a parameter draw, a point of a
    sensitivity analysis), each held under the classic organisation in every district with its
    notifications flat: the before-and-after questions about the classic team's caseload alone
    (the Herning check, sim.calibrate), answered for every world together in numpy rather than one
    world after another.

    Such a city is the twin of one district with the whole city's notifications: the twin is
    linear and every district has the same generator (`_generator` of the classic team, k = 0), in
    which the stages begun under other teams stay empty and are left out (25 of the 73 states). That
    generator is affine in the classic team's escalation multiplier m (`Rates.hazards` multiplies
    the escalation hazard by it; nothing else uses it), so it is kept as M0 + m dM: the steady
    states at any multipliers are one stacked solve, the days from a start one stacked matrix
    exponential. Each world's scenario holds the
    caseload asked about in `caseload.classic`; its rollout and pilot teams are not used."""

    ROWS = np.array([i for i in range(_IX.size)
                     if i not in {_IX.stage[level][s][t] for level in STAGES for s in range(3) for t in TEAMS
                                  if t != CLASSIC}])
    SOURCE = int(np.searchsorted(ROWS, _IX.source))  # the compartments and the relapse pool come before it
    DAYS = np.searchsorted(ROWS, [_IX.days[level] for level in STAGES])
    STAGE_ROWS = np.searchsorted(ROWS, [[_IX.stage[level][s][CLASSIC] for s in range(3)] for level in STAGES])  # [level, need]

    def __init__(self, worlds: Sequence[Scenario]) -> None:
        base, per_m = [], []
        rows = np.ix_(self.ROWS, self.ROWS)
        for world in worlds:
            rates = Rates.from_scenario(world)
            m0, m1 = (_generator(_with_classic_escalation(rates, m), CLASSIC, 0.0)[rows] for m in (0.0, 1.0))
            base.append(m0)
            per_m.append(m1 - m0)
        self.base, self.per_m = np.array(base), np.array(per_m)
        self.source = np.array([_source(world).sum() for world in worlds])

    def steady_state(self, m: np.ndarray, worlds: np.ndarray) -> np.ndarray:
        """[world, state]: the state in which the flows of `worlds` (indices) balance at escalation
        multipliers m, the notification source held at its level: where a city stands after years
        at that caseload (the before-period of an evaluation that compares with the level before).
        The month's accumulators are empty."""
        held, source = slice(0, self.SOURCE), self.SOURCE
        g = self._generators(m, worlds)
        x = np.zeros((len(worlds), len(self.ROWS)))
        x[:, source] = self.source[worlds]
        x[:, held] = np.linalg.solve(g[:, held, held], -(g[:, held, source] * x[:, [source]])[..., None])[..., 0]
        return x

    def stock(self, x: np.ndarray) -> np.ndarray:
        """[world, level]: the families at each level of help (`STAGES`) in the states x."""
        return x[:, self.STAGE_ROWS].sum(axis=2)

    def days(self, m: np.ndarray, worlds: np.ndarray, start: np.ndarray, horizon: np.ndarray) -> np.ndarray:
        """[world, level]: the days spent at each level of help (`STAGES`) over `horizon` days from
        the states `start` (empty accumulators), at escalation multipliers m."""
        g = self._generators(m, worlds) * np.asarray(horizon, dtype=float).reshape(-1, 1, 1)
        with _blas().limit(limits=1, user_api="blas"):
            end = np.einsum("wij,wj->wi", expm(g), start)
        return end[:, self.DAYS]

    def _generators(self, m: np.ndarray, worlds: np.ndarray) -> np.ndarray:
        return self.base[worlds] + np.asarray(m, dtype=float).reshape(-1, 1, 1) * self.per_m[worlds]


def _with_classic_escalation(rates: Rates, multiplier: float) -> Rates:
    """`rates` with the classic team's escalation multiplier set to `multiplier`."""
    classic = replace(rates.classic, caseload=replace(rates.classic.caseload, escalation=multiplier))
    return replace(rates, classic=classic)


def trajectory(scenario: Scenario, capacity: bool = True, start: np.ndarray | None = None) -> Trajectory:
    """Solve the cohort model month by month: exact within a month where capacity cannot bind,
    in sub-steps of SUBSTEP_DAYS with first-come-first-served admission where it can. capacity
    False: slots without limit (nobody waits), the capacity-free model. start: the state at the
    start [EXT_SIZE, district] (default: today's open cases, `_initial_state`)."""
    # The matrices are small: threaded BLAS only adds contention (15 ms instead of 0.2 ms an
    # exponential on a busy machine).
    with _blas().limit(limits=1, user_api="blas"):
        return _Solver(scenario, capacity, start).solve()


@cache
def _blas() -> ThreadpoolController:
    """The BLAS libraries loaded, looked up once (threadpool_limits looks again each time: 3 ms
    with scipy loaded, a third of the solve of a three-year horizon)."""
    return ThreadpoolController()


class _Queues:
    """First come, first served in the fluid limit: the arrivals to each queue per sub-step (cells
    in time), and how far each queue has been served (a cell and the part of it admitted).

    Queue 0 is the classic city-wide pool; queue 1 + d is district d's own (its pilot or relational
    team's; while d is classic its arrivals are recorded there too, so that at d's wave its waiting
    families leave the pool with their arrival times)."""

    def __init__(self, n_districts: int, max_cells: int) -> None:
        self.inc = np.zeros((max_cells, 1 + n_districts))
        self.t0 = np.zeros(max_cells)
        self.t1 = np.zeros(max_cells)
        self.cells = 0
        self.head = np.zeros(1 + n_districts, dtype=np.int64)  # cell being served
        self.part = np.zeros(1 + n_districts)                  # part of it served

    def add_cell(self, t0: float, t1: float, arrivals: np.ndarray, r: int) -> None:
        """Record one sub-step's arrivals to the queues, per district (columns in the order of their
        own teams: from r on, the districts in the classic pool)."""
        c = self.cells
        if c == len(self.t0):  # more sub-steps than foreseen: grow
            self.inc = np.concatenate([self.inc, np.zeros_like(self.inc)])
            self.t0 = np.concatenate([self.t0, np.zeros_like(self.t0)])
            self.t1 = np.concatenate([self.t1, np.zeros_like(self.t1)])
        self.t0[c], self.t1[c] = t0, t1
        self.inc[c, 1:] = arrivals
        self.inc[c, 0] = arrivals[r:].sum()
        self.cells += 1

    def hand_over(self, d: int) -> None:
        """District d leaves the classic pool at its wave, with its waiting families."""
        h = self.head[0]
        self.head[1 + d], self.part[1 + d] = h, self.part[0]
        self.inc[h:self.cells, 0] -= self.inc[h:self.cells, 1 + d]

    def empty(self, q: np.ndarray) -> None:
        """Queues q have been served to the end."""
        self.head[q] = self.cells
        self.part[q] = 0.0

    def overdue(self, cutoff: float) -> np.ndarray:
        """Per queue, the families still waiting that arrived before `cutoff` (a cell in part by the
        share of its time before the cutoff): those who have waited as long as they may."""
        out = np.zeros(self.inc.shape[1])
        q = np.flatnonzero(self.head < self.cells)  # the queues with families waiting
        if not len(q):
            return out
        n = self.cells
        before = np.clip((cutoff - self.t0[:n]) / np.maximum(self.t1[:n] - self.t0[:n], 1e-12), 0.0, 1.0)
        head = self.head[q]
        left = np.where(np.arange(n)[:, None] >= head, before[:, None], 0.0)  # [cell, queue]: from its head on
        left[head, np.arange(len(q))] -= np.minimum(self.part[q], before[head])  # the head cell: the part not yet served
        out[q] = (np.maximum(left, 0.0) * self.inc[:n, q]).sum(axis=0)
        return out

    def serve(self, admitted: np.ndarray, now: float) -> np.ndarray:
        """Admit `admitted` families from each queue (0 where it admits none), oldest first; the
        days they waited, summed, per queue."""
        mass = np.zeros_like(admitted)
        q = np.flatnonzero(admitted > 0)
        rem = admitted[q]
        head, part = self.head[q], self.part[q]
        total = np.zeros_like(rem)
        for _ in range(10 * self.cells + 10):
            act = (rem > 1e-12) & (head < self.cells)
            if not act.any():
                break
            h = np.minimum(head, self.cells - 1)
            cell = self.inc[h, q]
            avail = np.maximum(cell * (1.0 - part), 0.0)
            take = np.where(act, np.minimum(avail, rem), 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                dpart = np.where(act, np.where(cell > 0, take / cell, 1.0 - part), 0.0)
            arrived = self.t0[h] + (part + 0.5 * dpart) * (self.t1[h] - self.t0[h])
            total += take * np.maximum(now - arrived, 0.0)
            rem = rem - take
            part = part + dpart
            done = act & ((part >= 1.0 - 1e-12) | (take >= avail))
            head = np.where(done, head + 1, head)
            part = np.where(done, 0.0, part)
        self.head[q], self.part[q] = head, part
        mass[q] = total
        return mass


class _Solver:
    """One scenario's solve (see `trajectory`). Districts are held in the order of the day they have
    a team of their own (`Staffing.own_day`: pilots first, then by wave), so that at each moment the
    districts outside the classic pool are the first columns. The waves a savings gate starts
    (`Scenario.gated_waves`) hold their places in that order with a day past the horizon until the
    gate, fed the month's expected cost, puts them at a month's end (sim.gate.WaveGate)."""

    def __init__(self, scenario: Scenario, capacity: bool = True, start: np.ndarray | None = None) -> None:
        self.scenario = scenario
        self.capacity = capacity
        self.rates = rates = Rates.from_scenario(scenario)
        self.cal = Calendar(scenario)
        staffing = Staffing.from_scenario(scenario)
        self.k = math.log1p(scenario.assumptions.city.children_growth_per_year.value) / DAYS_PER_YEAR
        rollout_day = staffing.rollout_day.copy()
        wave = np.array([d.wave for d in scenario.districts])
        for i, n in enumerate(scenario.gated_waves()):
            rollout_day[wave == n] = scenario.horizon_days + 1 + i  # undecided, in wave order
        own_day = np.where(staffing.first_team == PILOT, 0.0, rollout_day)
        self.order = np.argsort(own_day, kind="stable")
        self.own = own_day[self.order]                   # day the district has its own team
        self.switch = rollout_day[self.order]            # day its relational team starts
        self.first = staffing.first_team[self.order]     # team type before the switch
        self.gate = WaveGate(scenario, self.cal, counterfactual_costs(scenario)) if scenario.gated_waves() else None
        self.fixed = FixedCosts(scenario, self.cal)
        self.unit = unit_costs(scenario)  # per day, by state code
        self.classic_slots = staffing.classic_slots[self.order]
        # the classic pool's slots while the first r districts (in own-team order) have their own
        self._classic_capacity = [float(round(float(self.classic_slots[r:].sum()))) for r in range(len(self.own) + 1)]
        self.own_slots = np.array([round(float(v)) for v in staffing.own_slots[self.order]], float)
        self.staffing = staffing
        self._take_phases()
        self.x = (_initial_state(scenario, rates) if start is None else start)[:, self.order]
        self.n = self.x.shape[1]
        self.opens = 1.0 - rates.classic.triage.probabilities()[NO_CASE]  # the same for every team
        self.generators = tuple(_generator(rates, team, self.k) for team in TEAMS)
        self.one_day = [expm(g) for g in self.generators]
        self._capacity: dict[tuple[int, bool], np.ndarray] = {}
        self._steps: dict[tuple, np.ndarray] = {}
        self._early: dict[bytes, tuple[list[np.ndarray], np.ndarray]] = {}  # by the teams working
        self.extended = False  # once anybody waited: the wait mass is under way
        self.queues = _Queues(self.n, int(scenario.horizon_days / SUBSTEP_DAYS) + 64)

    # -- matrices -----------------------------------------------------------------------------
    def step(self, team: int, days: float, queue: bool | None = None) -> np.ndarray:
        """The transition matrix over `days` days: of `_generator` (queue None) or of
        `_capacity_generator`. Month bounds, waves and sub-steps are whole days: powers of the
        one-day step are exact and far cheaper than a matrix exponential per length."""
        key = (team, days, queue)
        if key not in self._steps:
            if queue is None:
                one, g = self.one_day[team], self.generators[team]
            else:
                if (team, queue) not in self._capacity:
                    self._capacity[team, queue] = expm(_capacity_generator(self.rates, team, self.k, queue))
                one, g = self._capacity[team, queue], None
            if float(days).is_integer():
                self._steps[key] = np.linalg.matrix_power(one, int(days))
            else:
                g = g if g is not None else _capacity_generator(self.rates, team, self.k, queue)
                self._steps[key] = expm(g * days)
        return self._steps[key]

    def advance(self, x: np.ndarray, lo: float, hi: float, queue: bool | None, out: np.ndarray | None = None,
                only: np.ndarray | None = None) -> np.ndarray:
        """x moved from day lo to hi without admissions (a district switching in between changes
        team at its switch), into `out` (may be x itself; a new array if None). Only the rows of
        `_Index` while nobody has waited (queue None): then exactly the capacity-free twin. `only`:
        the districts (a mask) to move, the other columns of `out` left as they are."""
        rows = slice(0, _IX.size) if queue is None else slice(0, EXT_SIZE)
        if out is None:
            out = x.copy()
        team = self.team_at(lo)  # the team working at lo
        switching = (lo < self.switch) & (self.switch < hi)
        if only is not None:
            switching &= only
        moving = ~switching if only is None else only & ~switching
        for t in TEAMS:
            cols = np.flatnonzero((team == t) & moving)
            if len(cols):
                out[rows, cols] = self.step(t, hi - lo, queue) @ x[rows, cols]
        for d in np.flatnonzero(switching):
            s = float(self.switch[d])
            after = int(self.team_at(s)[d])
            out[rows, d] = self.step(after, hi - s, queue) @ (self.step(int(team[d]), s - lo, queue) @ x[rows, d])
        return out

    def team_at(self, t: float) -> np.ndarray:
        """The type of the team working in each district (solver order) at day t, as in the engine
        (`Staffing.team_at`): its phases change at a month's start, so never inside a step."""
        return self.staffing.team_at(t, self._switch_day, self._phases)[self.order]

    def _take_phases(self) -> None:
        """The switches so far in the scenario's order of districts, and their teams' phases."""
        self._switch_day = np.empty(len(self.order))
        self._switch_day[self.order] = self.switch
        self._phases = self.staffing.phases(self._switch_day)

    def classic_capacity(self, t: float) -> float:
        """The classic pool's slots at day t (after any switch at t), as the engine rounds them."""
        return self._classic_capacity[int(np.searchsorted(self.own, t, side="right"))]

    @staticmethod
    def open_of(x: np.ndarray) -> np.ndarray:
        return x[:N_OPEN].sum(axis=0)

    def fits(self, x0: np.ndarray, x1: np.ndarray, lo: float, hi: float, queue: bool | None) -> bool:
        """Whether no team's open cases can have outgrown its slots between lo and hi, in a step
        without waiting from x0 to x1: surely if the open cases at lo plus every case the month
        opened fit, else (the state moves slowly) if they fit at the step's middle and end."""
        if x0[WAIT_ROWS:MASS_ROWS].sum() > 0:
            return False
        opened = (x1[_IX.notified] - x0[_IX.notified]) * self.opens
        for t in (lo, hi):
            rel = self.own <= t
            cap = np.where(rel, self.own_slots, 0.0)
            if (self.open_of(x0)[rel] + opened[rel] > cap[rel]).any() or (
                    self.open_of(x0)[~rel].sum() + opened[~rel].sum() > self.classic_capacity(t)):
                break
        else:
            return True
        if ((lo < self.switch) & (self.switch < hi)).any():
            return False  # a wave inside the step: take sub-steps
        mid = lo + float(int((hi - lo) // 2))
        rel = self.own <= lo
        for x in (self.advance(x0, lo, mid, queue), x1):
            o = self.open_of(x)
            if (o[rel] > self.own_slots[rel]).any() or o[~rel].sum() > self.classic_capacity(lo):
                return False
        return True

    # -- sub-steps with admission ----------------------------------------------------------------
    def substep(self, x: np.ndarray, lo: float, hi: float, adm: np.ndarray, wait: np.ndarray) -> np.ndarray:
        """One sub-step without a wave inside: families whose queue is empty and whose team's slots
        stay free open their cases at once; the others join the queue and the queues admit, first
        come first served, as many as the slots freed during the sub-step allow."""
        ix = _IX
        n = self.n
        r = int(np.searchsorted(self.own, lo, side="right"))  # districts with their own team first
        waiting = x[WAIT_ROWS:MASS_ROWS].sum(axis=0)
        cap_classic = self._classic_capacity[r]
        ok = np.zeros(n, dtype=bool)
        may = waiting <= 0
        may[r:] = waiting[r:].sum() <= 0
        if may.any():
            direct = self.advance(x, lo, hi, False, only=may)  # the others wait or queue: not needed
            o = direct[:N_OPEN].sum(axis=0)
            ok[:r] = may[:r] & (o[:r] <= self.own_slots[:r])
            ok[r:] = may[r:] & (o[r:].sum() <= cap_classic)
            opened = (direct[ix.notified] - x[ix.notified]) * self.opens
            if ok.all():
                adm += opened
                self.queues.add_cell(lo, hi, np.zeros(n), r)
                return direct
            adm[ok] += opened[ok]
        out = self.advance(x, lo, hi, True, only=~ok)
        if ok.any():
            out[:, ok] = direct[:, ok]
        w_rows = out[WAIT_ROWS:MASS_ROWS]
        now_waiting = w_rows.sum(axis=0)
        arrivals = np.where(ok, 0.0, now_waiting - waiting)
        q = self.queues
        q.add_cell(lo, hi, arrivals, r)

        # how many each queue admits: what the slots free at the sub-step's end allow
        o = out[:N_OPEN].sum(axis=0)
        queued = np.empty(1 + n)
        queued[1:] = np.where(ok, 0.0, now_waiting)
        queued[1 + r:] = 0.0
        queued[0] = now_waiting[r:].sum()
        admitted = np.zeros(1 + n)
        admitted[1:r + 1] = np.minimum(queued[1:r + 1], np.maximum(self.own_slots[:r] - o[:r], 0.0))
        admitted[0] = min(queued[0], max(cap_classic - o[r:].sum(), 0.0))
        mid = lo + 0.5 * (hi - lo)
        # whoever has waited as long as a family may is taken above the caseload (waiting.max_days)
        admitted = np.minimum(queued, np.maximum(admitted, q.overdue(mid - self.rates.max_wait_days)))
        mass = q.serve(admitted, mid)
        q.empty(np.flatnonzero(admitted >= queued))  # served to the end, or nobody waits
        with np.errstate(divide="ignore", invalid="ignore"):
            per_family = np.where(admitted > 0, mass / admitted, 0.0)
            # each district's part: its own queue's, or its share of the classic pool's (the pool's
            # districts arrive alike, so first come first served takes them in proportion)
            fam = admitted[1:].copy()
            days = per_family[1:].copy()
            if queued[0] > 0:
                fam[r:] = admitted[0] * now_waiting[r:] / queued[0]
                days[r:] = per_family[0]
            take = np.where(now_waiting > 0, np.minimum(fam / now_waiting, 1.0), 0.0)
        moved = w_rows * take
        w_rows -= moved
        w_rows[:, take >= 1.0] = 0.0
        # The admitted take the slots freed during the sub-step: they start at its middle, on
        # average, as if admitted as the slots freed (admitting them at its end would leave the
        # slots idle for half a sub-step and bias the queue up).
        v = np.zeros_like(out)
        early, cols = self._early_rows(lo)
        for s in range(3):
            v[early[s], cols] = moved[s]
            v[MASS_ROWS + early[s], cols] = moved[s] * days
            v[ix.assessment[s]] = moved[3 + s]
            v[MASS_ROWS + ix.assessment[s]] = moved[3 + s] * days
        v[ix.early_starts] = moved[:3].sum(axis=0)
        self.advance(v, lo, mid, False, out=v, only=take > 0)  # nobody admitted elsewhere: zero stays zero
        out += v
        adm += v[ix.notified] * self.opens  # the few who relapse within the half sub-step
        adm += fam
        wait += fam * days
        return out

    def _early_rows(self, t: float) -> tuple[list[np.ndarray], np.ndarray]:
        """Per need level, the early-help row each district's admitted families start in (under
        the team working there at day t), and the columns."""
        team = self.team_at(t)
        key = team.tobytes()
        if key not in self._early:
            self._early[key] = ([np.array([_IX.stage[EARLY][s][k] for k in team]) for s in range(3)],
                                np.arange(self.n))
        return self._early[key]

    def solve(self) -> Trajectory:
        ix = _IX
        cal = self.cal
        x = self.x
        states = np.empty((cal.n + 1, EXT_SIZE, self.n))
        states[0] = x
        admissions = np.zeros((cal.n, self.n))
        wait_days = np.zeros((cal.n, self.n))
        handed = self.own <= 0.0
        for m in range(cal.n):
            lo, hi = float(cal.bounds[m]), float(cal.bounds[m + 1])
            x[ix.acc:ix.size] = 0.0
            queue = False if self.extended else None
            start = x.copy()
            queued = self.extended and x[WAIT_ROWS:MASS_ROWS].any()
            if not queued:
                self.advance(x, lo, hi, queue, out=x)  # in place, as the capacity-free twin does
            if not queued and (not self.capacity or self.fits(start, x, lo, hi, queue)):
                admissions[m] = x[ix.notified] * self.opens
                self.queues.empty(np.arange(1 + self.n))
                handed = self.own <= hi  # nobody waits: nothing to hand over
            else:
                x = start
                self.extended = True
                cuts = sorted({lo, hi, *[float(s) for s in self.switch if lo < s < hi]})
                for a, b in zip(cuts[:-1], cuts[1:]):
                    n_sub = max(1, round((b - a) / SUBSTEP_DAYS))
                    edges = [a + float(int(round(i * (b - a) / n_sub))) for i in range(n_sub + 1)]
                    for t0, t1 in zip(edges[:-1], edges[1:]):
                        now_handed = self.own <= t0
                        for d in np.flatnonzero(now_handed & ~handed):
                            self.queues.hand_over(int(d))
                        handed = now_handed
                        x = self.substep(x, t0, t1, admissions[m], wait_days[m])
            states[m + 1] = x
            if self.gate is not None:
                self._gate(m, x, hi)
        back = np.argsort(self.order)
        states = states[:, :, back]
        return Trajectory(states, states[1:, ix.acc:ix.size], cal, admissions[:, back], wait_days[:, back],
                          self.switches())

    def switches(self) -> np.ndarray:
        """Per district in the scenario's order, the day its relational team starts (inf if not
        within the horizon)."""
        out = np.empty(self.n)
        out[self.order] = np.where(self.switch < self.scenario.horizon_days, self.switch, np.inf)
        return out

    def _gate(self, m: int, x: np.ndarray, end: float) -> None:
        """Month m's expected cost to the savings gate; the districts it starts switch at `end`."""
        stays = sum(float(x[_IX.days[level]].sum()) * self.unit[level] for level in STAGES)
        cost = stays + self.fixed.month(m, self.switches())
        position = np.argsort(self.order)
        for d in self.gate.close_month(m, cost):
            p = position[d]
            self.switch[p] = end
            if self.first[p] != PILOT:
                self.own[p] = end
            self._take_phases()


def expected_monthly(scenario: Scenario, capacity: bool = True, start: np.ndarray | None = None) -> pd.DataFrame:
    """The twin's monthly table: sim.results.MONTHLY_COLUMNS, replication 0, expected (fractional)
    counts kept as floats. capacity False: without the limit of the case slots (nobody waits).
    start: the state at the start (see `trajectory`)."""
    rates = Rates.from_scenario(scenario)
    traj = trajectory(scenario, capacity, start)
    cal = traj.calendar
    ix = _IX

    def flow(row: int) -> np.ndarray:
        return traj.flows[:, row - ix.acc, :].T  # [district, month]

    def stock(rows) -> np.ndarray:
        return traj.states[1:, np.ravel(rows), :].sum(axis=1).T

    days = {lv: traj.days(lv) for lv in STAGES}
    notified = flow(ix.notified)
    admissions = traj.admissions.T
    fixed = fixed_costs(scenario, cal, traj.switches)
    costs = cost_columns(scenario, days, fixed)
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
        "open_waiting": traj.waiting().T,
        "open_assessment": stock(ix.assessment),
        "open_early": stock(ix.stage[EARLY]),
        "open_coordinated": stock(ix.stage[COORDINATED]),
        "open_intrusive": stock(ix.stage[FOSTER]) + stock(ix.stage[RESIDENTIAL]),
        "mean_wait_days": np.where(admissions > 0, traj.wait_days.T / np.where(admissions > 0, admissions, 1.0),
                                   np.nan),
        **costs,
        **payer_columns(scenario.assumptions, costs, None),  # no child is followed: no refusion
    }
    return tidy_frame(scenario, 0, cal, cols)


def expected_switches(scenario: Scenario) -> pd.DataFrame:
    """When each district's relational team starts in the twin (results.SWITCH_COLUMNS, replication
    0): the scenario's calendar, or where the savings gate puts it in expectation."""
    days = trajectory(scenario).switches if scenario.gated_waves() else Staffing.from_scenario(scenario).rollout_day
    return switch_frame(scenario, days, [0])


def counterfactual_costs(scenario: Scenario) -> np.ndarray:
    """The savings gate's baseline (sim.gate): the expected cost of each month, the city's, of the
    scenario's world without the rollout (the status quo's calendar: pilots, no waves)."""
    return _status_quo_costs(replace(scenario, name="status quo", relational=False, gate=None))


@lru_cache(maxsize=64)
def _status_quo_costs(status_quo: Scenario) -> np.ndarray:
    """Kept per process: the scenarios a gate is asked about mostly share their world."""
    costs = expected_monthly(status_quo).groupby("month", sort=False)["cost_total_dkk"].sum().to_numpy()
    costs.flags.writeable = False
    return costs


def expected_yearly(scenario: Scenario, capacity: bool = True, start: np.ndarray | None = None) -> pd.DataFrame:
    """The twin's yearly table (sim.results.YEARLY_COLUMNS), rolled up as the simulation's is.
    capacity False: without the limit of the case slots (nobody waits). start: see `trajectory`."""
    return yearly_frame(expected_monthly(scenario, capacity, start))
