"""The stage-by-stage reference engine: sim/engine.py as it was before the episode-at-once engine
(one simpy generator per family, one event per stage), kept to show that both give the same
distributions (tests/test_episode_engine.py). Only its imports differ from the original, the
days its arrivals fall on: exactly their days, as in the engine (`_on`), where a timeout of
(day - now) can miss the day by a rounding, and where those days come from: the engine's own
`arrival_times`, the same function, not a copy.

The discrete-event model (simpy): families through triage, a case slot, assessment and the
three levels, district by district, under the caseloads of classic, relational and pilot teams
(a new relational team recruiting its caseworkers and learning the practice in its first months).

Every route a family takes is drawn from its district's transition table (`rates.Routes`, classic,
relational, pilot, learning or staffing), each draw from the family's own stream at a fixed position. The engine only moves
families and writes a transition log; costs, monthly tables, open-case snapshots and the children's outcomes are computed
from that log afterwards (`results`). A run starts from today's open cases
(`rates.StartPopulation`), not from an empty system.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from heapq import heappush
from typing import Protocol

import numpy as np
import simpy
from simpy.core import NORMAL

from sim.rates import (ASSESSMENT, CLASSIC, CLOSED, EARLY, HIGH, LOW, MEDIUM, NO_CASE, PLACEMENT, WAITING,
                       Rates, Routes, StartPopulation, exponential)
from sim.engine import arrival_times
from sim.scenario import Scenario
from sim.staffing import Staffing
from sim.streams import FamilyStream, first_uniforms

ARRIVAL_ID_OFFSET = 1_000_000  # family ids below this are the open cases at the start
STREAM_BLOCK = 4096  # arriving families whose streams are derived together

# Positions in a family stream (see streams.FamilyStream).
U_SEVERITY, U_TRIAGE, U_EARLY_SHIFT, U_NOTIFICATIONS = 0, 1, 2, 3
U_ASSESS_DURATION, U_ASSESS_OUTCOME, U_PLACEMENT_SHIFT, U_RELAPSE, U_RELAPSE_DELAY = 4, 5, 6, 7, 8
U_ELAPSED = 3  # open cases at the start have no notification draw; their elapsed time uses it
U_STAGES = 9  # then three per stage: duration, outcome, placement type

SEGMENT_DTYPE = np.dtype([
    ("family", np.int64), ("episode", np.int32), ("district", np.int32), ("state", np.int8),
    ("t0", np.float64), ("t1", np.float64), ("opened", np.float64),
    ("initial", np.bool_), ("censored", np.bool_),
])
WAIT_DTYPE = np.dtype([("district", np.int32), ("t", np.float64), ("wait", np.float64)])
NOTIFICATION_DTYPE = np.dtype([("district", np.int32), ("t", np.float64), ("count", np.int32)])


@dataclass(frozen=True)
class TransitionLog:
    """What happened in one replication.

    segments: one row per stay of a family episode in a state (waiting, assessment, early,
      coordinated, foster, residential) from t0 to t1 in days; `opened`
      is when the episode's case was opened (negative for cases open at the start: their elapsed
      time); `initial` marks stays open at the start (not counted as starts); `censored` marks
      stays still open at the horizon (t1 = horizon).
    waits: one row per family that got a case slot: when, and how long it waited.
    notifications: one row per notified child: when, and how many notifications it brought.
    switches: per district, the day its relational team started (inf if it did not); None: the
      scenario's calendar (a log made by hand).
    """

    segments: np.ndarray
    waits: np.ndarray
    notifications: np.ndarray
    horizon: float
    switches: np.ndarray | None = None


class CaseSlots:
    """A team's case slots: caseworkers x caseload. First come, first served.

    Hand-written rather than a simpy Resource (slow with thousands of holders) or Container
    (cannot hand a district's open cases and queue to a new team at its wave).
    """

    __slots__ = ("capacity", "in_use", "open_by", "queue")

    def __init__(self, capacity: int, n_districts: int) -> None:
        self.capacity = capacity
        self.in_use = 0
        self.open_by = [0] * n_districts
        self.queue: deque[tuple[int, simpy.Event]] = deque()

    def try_acquire(self, d: int) -> bool:
        if self.in_use < self.capacity and not self.queue:
            self.take(d)
            return True
        return False

    def take(self, d: int) -> None:
        self.in_use += 1
        self.open_by[d] += 1

    def release(self, d: int) -> None:
        self.in_use -= 1
        self.open_by[d] -= 1
        self.admit()

    def withdraw(self, d: int, event: simpy.Event) -> None:
        """A family that waited as long as it may leaves the queue and takes a case above the
        caseload (`waiting.max_days`)."""
        self.queue.remove((d, event))
        self.take(d)

    def admit(self) -> None:
        while self.queue and self.in_use < self.capacity:
            d, event = self.queue.popleft()
            self.take(d)
            event.succeed()

    def hand_over(self, d: int, to: "CaseSlots") -> None:
        """Move district d's open cases and waiting families to another team, queue order kept."""
        n = self.open_by[d]
        self.open_by[d] = 0
        self.in_use -= n
        to.open_by[d] += n
        to.in_use += n
        keep: deque[tuple[int, simpy.Event]] = deque()
        for item in self.queue:
            (to.queue if item[0] == d else keep).append(item)
        self.queue = keep


class MonthGate(Protocol):
    """A savings gate (sim.gate.RunGate): at each month's end, the districts whose relational team
    starts now, from the stays logged so far and the switches so far."""

    @property
    def month_ends(self) -> np.ndarray: ...

    def close_month(self, m: int, new_segments: np.ndarray, switch_day: np.ndarray) -> list[int]: ...


class Model:
    """One replication of one scenario. Holds no state between runs. A savings-gated scenario
    (`Scenario.gate`) needs its gate (`replica.transition_log` makes it)."""

    def __init__(self, scenario: Scenario, seed: int, replication: int, gate: MonthGate | None = None) -> None:
        self.gate = gate
        self.scenario = scenario
        self.seed = seed
        self.replication = replication
        self.rates = Rates.from_scenario(scenario)
        self.staffing = Staffing.from_scenario(scenario)
        self.horizon = scenario.horizon_days
        self.env = simpy.Environment()
        n = len(scenario.districts)
        st = self.staffing
        self.kind = st.first_team.tolist()  # per district, the type of the team working there now
        self.switch_day = np.full(n, np.inf)  # per district, the day its relational team started
        self.classic_pool = CaseSlots(0, n)
        self.team = [self.classic_pool if k == CLASSIC else CaseSlots(round(float(st.own_slots[d])), n)
                     for d, k in enumerate(self.kind)]
        self._size_classic_pool()
        self.segments: list[tuple] = []
        self.seen = 0  # stays the gate has had
        self.waits: list[tuple] = []
        self.notifications: list[tuple] = []
        self.waiting: dict[tuple[int, int], tuple[int, float]] = {}

    # -- running ------------------------------------------------------------------------------
    def run(self) -> TransitionLog:
        if bool(self.scenario.gated_waves()) != (self.gate is not None):
            raise ValueError(f"{self.scenario.name}: a savings-gated rollout runs with its gate "
                             "(sim.replica.transition_log), and only a gated one")
        self._seed_open_cases()
        self.env.process(self._rollout())
        if self.gate is not None:
            self.env.process(self._gated_rollout())
        self.env.process(self._arrivals())
        self.env.run(until=self.horizon)
        for (fid, ep), (d, t0) in self.waiting.items():
            self.segments.append((fid, ep, d, WAITING, t0, self.horizon, t0, False, True))
        return self._log()

    def _log(self) -> TransitionLog:
        seg = np.array(self.segments, dtype=SEGMENT_DTYPE)
        over = seg["t1"] >= self.horizon
        seg["t1"][over] = self.horizon
        seg["censored"] |= over
        seg = seg[seg["t1"] > seg["t0"]] if len(seg) else seg
        order = np.lexsort((seg["t0"], seg["episode"], seg["family"]))
        return TransitionLog(
            segments=seg[order],
            waits=np.array(self.waits, dtype=WAIT_DTYPE),
            notifications=np.array(self.notifications, dtype=NOTIFICATION_DTYPE),
            horizon=self.horizon,
            switches=self.switch_day,
        )

    # -- teams --------------------------------------------------------------------------------
    def _rollout(self):
        days = self.staffing.rollout_day
        for d in np.argsort(days, kind="stable"):
            if not math.isfinite(days[d]):
                break
            yield self.env.timeout(float(days[d]) - self.env.now)
            self._switch(int(d), float(days[d]))

    def _gated_rollout(self):
        """The waves the savings gate starts: asked at every month's end (sim.gate)."""
        for m, end in enumerate(self.gate.month_ends.tolist()):
            yield self.env.timeout(end - self.env.now)
            new = np.array(self.segments[self.seen:], dtype=SEGMENT_DTYPE)
            self.seen = len(self.segments)
            for d in self.gate.close_month(m, new, self.switch_day):
                self._switch(d, end)

    def _switch(self, d: int, day: float) -> None:
        """District d's relational team takes over its open cases and waiting families from the
        team working there (the classic pool or a pilot team), on `day` (now), with its case slots;
        its type follows its recruitment and learning (`Staffing.team_at`)."""
        self.switch_day[d] = day
        team = CaseSlots(round(float(self.staffing.own_slots[d])), len(self.team))
        before = self.team[d]
        before.hand_over(d, team)
        self.team[d] = team
        self._take_phase(d)
        recruited, learned = self.staffing.phases(self.switch_day)
        for change in {float(recruited[d]), float(learned[d])}:
            if day < change < math.inf:
                self.env.timeout(change - day).callbacks.append(lambda _event, d=d: self._take_phase(d))
        self._size_classic_pool()
        team.admit()
        before.admit()

    def _take_phase(self, d: int) -> None:
        """District d's relational team takes the type it has now (staffing, learning, learned):
        decisions and stages from now on use its table."""
        self.kind[d] = int(self.staffing.team_at(self.env.now, self.switch_day)[d])

    def _size_classic_pool(self) -> None:
        """The classic pool has the classic slots of the districts it still serves."""
        classic = [d for d, k in enumerate(self.kind) if k == CLASSIC]
        self.classic_pool.capacity = round(float(self.staffing.classic_slots[classic].sum()))

    def _routes(self, d: int) -> Routes:
        """The transition table of the team working in district d now."""
        return self.rates.tables[self.kind[d]]

    # -- families -----------------------------------------------------------------------------
    def _severity(self, s: FamilyStream) -> int:
        r = self.rates
        u = s.u(U_SEVERITY)
        return LOW if u < r.severity_low_share else HIGH if u >= 1.0 - r.severity_high_share else MEDIUM

    def _seed_open_cases(self) -> None:
        """Today's open cases by state and the families due to return (`rates.StartPopulation`)."""
        start = StartPopulation.from_scenario(self.scenario)
        pending = start.relapse_pending
        n_families = start.open_total() + sum(pending)
        first = first_uniforms(self.seed, self.replication, np.arange(n_families)).tolist()
        fid = 0
        for level, per_district in start.open_cases.items():
            for d, n in enumerate(per_district):
                for _ in range(n):
                    self.env.process(self._open_case(fid, d, level, first[fid]))
                    fid += 1
        # Families who closed a case before the start and will be notified again: the relapse
        # stream is under way at t = 0 too (their remaining delay is exponential: memoryless).
        for d, n in enumerate(pending):
            for _ in range(n):
                s = FamilyStream(self.seed, self.replication, fid, 0, first[fid])
                delay = exponential(s.u(U_RELAPSE_DELAY), 1.0 / self.rates.relapse_mean_days)
                self.env.timeout(delay).callbacks.append(
                    lambda _event, fid=fid, d=d: self._notified(fid, 1, d))
                fid += 1

    def _open_case(self, fid: int, d: int, level: int, first: list[float]):
        s = FamilyStream(self.seed, self.replication, fid, 0, first)
        sev = self._severity(s)
        self.team[d].take(d)  # open at the start: holds its slot even above capacity
        # the stationary age of an exponential stay
        elapsed = self._routes(d).mean_days[level] * -math.log(s.u(U_ELAPSED))
        if level == ASSESSMENT:
            yield from self._assess_and_help(fid, 0, d, s, sev, 0.0, -elapsed, initial=True)
        else:
            yield from self._help(fid, 0, d, s, sev, level, 0.0, -elapsed, initial=True)

    def _arrivals(self):
        """Notified children, Poisson per district with a rate growing with the child population."""
        times, districts = arrival_times(self.scenario, self.seed, self.replication)
        env = self.env
        # Python floats, not numpy scalars: the simulation clock inherits their type, and float
        # arithmetic is several times faster (and bit for bit the same). Family streams are
        # derived a block of families at a time, to keep memory small.
        for i, (t, d) in enumerate(zip(times.tolist(), districts.tolist())):
            if i % STREAM_BLOCK == 0:
                ids = ARRIVAL_ID_OFFSET + np.arange(i, min(i + STREAM_BLOCK, len(times)))
                first = first_uniforms(self.seed, self.replication, ids).tolist()
            yield _on(env, t)
            self._notified(ARRIVAL_ID_OFFSET + i, 0, d, first[i % STREAM_BLOCK])

    def _notified(self, fid: int, ep: int, d: int, first: list[float] | None = None) -> None:
        r = self.rates
        s = FamilyStream(self.seed, self.replication, fid, ep, first)
        now = self.env.now
        self.notifications.append((d, now, 1 + _poisson(s.u(U_NOTIFICATIONS), r.notifications_extra_mean)))
        route = self._routes(d).triage.pick(s.u(U_TRIAGE), s.u(U_EARLY_SHIFT))
        if route == NO_CASE:
            return
        self.env.process(self._case(fid, ep, d, s, self._severity(s), route))

    def _case(self, fid, ep, d, s, sev, route):
        env = self.env
        t_notified = env.now
        if not self.team[d].try_acquire(d):
            event = env.event()
            self.team[d].queue.append((d, event))
            self.waiting[fid, ep] = (d, t_notified)
            yield event | env.timeout(self.rates.max_wait_days)
            if not event.triggered:  # waited as long as a family may (the team may have changed at a wave)
                self.team[d].withdraw(d, event)
            del self.waiting[fid, ep]
            self.segments.append((fid, ep, d, WAITING, t_notified, env.now, t_notified, False, False))
        wait = env.now - t_notified
        self.waits.append((d, env.now, wait))
        if route == EARLY:
            yield from self._help(fid, ep, d, s, sev, EARLY, wait, t_notified)
        else:
            yield from self._assess_and_help(fid, ep, d, s, sev, wait, t_notified)

    def _assess_and_help(self, fid, ep, d, s, sev, wait, opened, initial=False):
        env = self.env
        t0 = env.now
        duration = exponential(s.u(U_ASSESS_DURATION), 1.0 / self._routes(d).mean_days[ASSESSMENT])
        self.segments.append((fid, ep, d, ASSESSMENT, t0, t0 + duration, opened, initial, False))
        yield env.timeout(duration)
        level = self._routes(d).assessment.pick(s.u(U_ASSESS_OUTCOME), s.u(U_PLACEMENT_SHIFT))
        if level == CLOSED:
            self.team[d].release(d)
            return
        yield from self._help(fid, ep, d, s, sev, level, wait, opened)

    def _help(self, fid, ep, d, s, sev, level, wait, opened, initial=False):
        """Stages at the three levels with competing risks until the case closes."""
        r = self.rates
        env = self.env
        position = U_STAGES
        while True:
            routes = self._routes(d)
            if level == PLACEMENT:
                level = routes.placement.pick(s.u(position + 2))
            stage = routes.stages[level]
            h_res, h_esc, h_down = r.hazards(level, routes, sev, wait)
            total = h_res + h_esc + h_down
            duration = exponential(s.u(position), total)
            x = s.u(position + 1) * total
            t0 = env.now
            self.segments.append((fid, ep, d, level, t0, t0 + duration, opened, initial, False))
            initial = False
            yield env.timeout(duration)
            position += 3
            if x < h_res:
                break
            # A level without a step down escalates whenever it does not resolve, and vice versa.
            level = stage.up if x < h_res + h_esc or stage.down is None else stage.down
        self.team[d].release(d)
        if s.u(U_RELAPSE) < r.relapse_probability:
            # A timeout with a callback rather than a process: two simpy events fewer per relapse.
            delay = exponential(s.u(U_RELAPSE_DELAY), 1.0 / r.relapse_mean_days)
            env.timeout(delay).callbacks.append(lambda _event: self._notified(fid, ep + 1, d))


def simulate(scenario: Scenario, seed: int, replication: int, gate: MonthGate | None = None) -> TransitionLog:
    """Run one replication and return its transition log."""
    return Model(scenario, seed, replication, gate).run()


def _on(env: simpy.Environment, day: float) -> simpy.Event:
    """An event on exactly `day` (sim.engine.Clock.call_at)."""
    event = simpy.Event(env)
    event._ok, event._value = True, None
    heappush(env._queue, (day, NORMAL, next(env._eid), event))
    return event



def _poisson(u: float, mean: float) -> int:
    """Inverse-CDF Poisson draw from one uniform."""
    k, p = 0, math.exp(-mean)
    cdf = p
    while u > cdf and p > 0:
        k += 1
        p *= mean / k
        cdf += p
    return k
