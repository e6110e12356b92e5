"""The discrete-event model (simpy): families through triage, a case slot, assessment and the
three levels, district by district, under the caseloads of classic, relational and pilot teams
(a new relational team recruiting its caseworkers and learning the practice in its first months).

Every route a family takes is drawn from its district's transition table (`rates.Routes`, classic,
relational, pilot, learning or staffing), each draw from the family's own stream at a fixed position. The engine only moves
families and writes a transition log; costs, monthly tables, open-case snapshots and the children's outcomes are computed
from that log afterwards (`results`). A run starts from today's open cases
(`rates.StartPopulation`), not from an empty system.

Families compete with each other only for case slots, so only that is scheduled event by event:
notifications that may open a case, the longest wait's end, waves, and the release of a slot. A
notified child for whom no case opens (triaged with the team its district has on that day, where
that is known ahead) is logged with its block of arrivals, not scheduled. Once a family has its slot,
its path through assessment, the levels and placement depends only on its own stream, its wait and
the type of team working in its district at each stay's start, which is known ahead
(`staffing.TeamTimeline`). The engine therefore draws the episode's stays at once, logs them, and
schedules one event, the slot's release. Where the district's team may change type before the
episode ends (its next phase, or, in a savings-gated rollout, the next month end while the gate
has not started its wave), the path stops there: the first stay that starts on or after that day
is drawn when it starts, with the team of that day. The stays and their draws are those a
stage-by-stage simulation gives (tests/test_episode_engine.py compares the two).
"""

from __future__ import annotations

import gc
import math
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from heapq import heapify, heappush
from itertools import repeat
from typing import Protocol

import numpy as np
import simpy
from simpy.core import NORMAL, URGENT

from .rates import (ASSESSMENT, CLASSIC, CLOSED, DAYS_PER_YEAR, NO_CASE, PLACEMENT, WAITING,
                    Rates, StartPopulation, district_shares, exponential)
from .scenario import Scenario
from .staffing import Staffing, TeamTimeline
from .streams import FamilyStream, LaterEpisodes, arrivals_rng, first_uniforms

ARRIVAL_ID_OFFSET = 1_000_000  # family ids below this are the open cases at the start
STREAM_BLOCK = 4096  # arriving families whose streams are derived together
PACK_ROWS = 8192  # stays logged as tuples before they are packed into an array (`Model._pack`)
WINDOW_NOTIFICATIONS = 120  # notified children a window of the calendar spans on average (`window_days`)
MAX_WINDOW_DAYS = 30

# Positions in a family stream (see streams.FamilyStream).
U_SEVERITY, U_TRIAGE, U_EARLY_SHIFT, U_NOTIFICATIONS = 0, 1, 2, 3
U_ASSESS_DURATION, U_ASSESS_OUTCOME, U_PLACEMENT_SHIFT, U_RELAPSE, U_RELAPSE_DELAY = 4, 5, 6, 7, 8
U_ELAPSED = 3  # open cases at the start have no notification draw; their elapsed time uses it
U_STAGES = 9  # then three per stage: duration, outcome, placement type

# Where an episode is on its path besides a state: its assessment has ended, and the team working
# at its end decides the outcome (`rates.Routes.assessment`).
ASSESSED = -4
UNTRIAGED = -5  # a notified child's route before its triage

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
    arrivals: the day and district of each arriving child, child i being family ARRIVAL_ID_OFFSET +
      i, whether a case opened or not (`arrival_times`; the cohort follows them, sim.cohort); None:
      not known (a log made by hand).
    """

    segments: np.ndarray
    waits: np.ndarray
    notifications: np.ndarray
    horizon: float
    switches: np.ndarray | None = None
    arrivals: tuple[np.ndarray, np.ndarray] | None = None


class Episode:
    """A family episode with a case: what the draws of its path need, and where it has got to.

    uniforms: its stream's uniforms derived so far, by position (as streams.FamilyStream keeps
      them; a path longer than they reach derives more); opened: the day the family was notified
      and its case opened (for a case open at the start, minus its elapsed time); wait: days it
      waited for its slot (known once `admitted`);
    level: the state of its next stay (ASSESSMENT, EARLY, COORDINATED, PLACEMENT, or ASSESSED;
      before its triage, its route from triage or UNTRIAGED);
    position: the stream position of its next stay at a level of help.

    An episode is simpy's event for what happens to it on a given day, with its `callbacks` (the
    model's, shared by every episode): an arriving child's notification (`Model._arrivals`; its
    uniforms are then its block's array's row, made Python floats when it comes), and, once its case
    has closed, its slot's release (`Model._close`), with `back`, the day its family is notified
    again (`Model._return_day`; inf: not), its stream dropped. (An object of its own for each, a
    notification and a release with the family's numbers, cost its making every time: with both, the
    M/M/c queue took some 10 % longer, the ten times larger city 2.5 %.)"""

    __slots__ = ("family", "episode", "district", "uniforms", "severity", "opened", "wait", "initial", "level",
                 "position", "admitted", "callbacks", "back")
    _ok = True  # as an event (simpy's step reads it)

    def __init__(self, family: int, episode: int, district: int, uniforms: list[float] | np.ndarray, severity: int,
                 opened: float, level: int, initial: bool = False, callbacks: tuple | None = None) -> None:
        self.family, self.episode, self.district, self.uniforms = family, episode, district, uniforms
        self.severity, self.opened, self.level, self.initial = severity, opened, level, initial
        self.callbacks = callbacks
        self.wait = 0.0
        self.position = U_STAGES
        self.admitted = False


class CaseSlots:
    """A team's case slots: caseworkers x caseload. First come, first served; a family admitted from
    the queue is handed to `admitted`. `open_by` is the model's count of open cases by district,
    which every team shares: a district's open cases are all held by the team working there (a new
    team takes them over, `hand_over`), so one list of districts serves, where one per team made a
    large city's 480 teams keep 480 x 480 counts.

    Hand-written rather than a simpy Resource (slow with thousands of holders) or Container
    (cannot hand a district's open cases and queue to a new team at its wave).
    """

    __slots__ = ("capacity", "in_use", "open_by", "queue", "admitted")

    def __init__(self, capacity: int, open_by: list[int], admitted: Callable[[Episode], None]) -> None:
        self.capacity = capacity
        self.in_use = 0
        self.open_by = open_by
        self.queue: deque[Episode] = deque()
        self.admitted = admitted

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
        if self.queue:
            self.admit()

    def withdraw(self, family: Episode) -> None:
        """A family that waited as long as it may leaves the queue and takes a case above the
        caseload (`waiting.max_days`)."""
        self.queue.remove(family)
        self.take(family.district)

    def admit(self) -> None:
        while self.queue and self.in_use < self.capacity:
            family = self.queue.popleft()
            self.take(family.district)
            self.admitted(family)

    def hand_over(self, d: int, to: "CaseSlots") -> None:
        """Move district d's open cases and waiting families to another team, queue order kept."""
        n = self.open_by[d]
        self.in_use -= n
        to.in_use += n
        keep: deque[Episode] = deque()
        for family in self.queue:
            (to.queue if family.district == d else keep).append(family)
        self.queue = keep


class _Call:
    """An event that happens at its day with one callback, as `Clock.call_at` schedules it: all that
    simpy's `Environment.step` reads of an event is its callbacks and whether it succeeded. A
    simpy Timeout would also keep the environment, a value and a delay, set in four calls."""

    __slots__ = ("callbacks",)
    _ok = True

    def __init__(self, callback: Callable[["_Call"], None]) -> None:
        self.callbacks = [callback]


class _Return:
    """A family notified again (`Model._schedule_return`): its number, the episode it starts and its
    district, and the callback every return shares (one small object, where a `_Call` with a lambda
    took a list, a function and its cells besides: a large city has tens of thousands of returns
    pending)."""

    __slots__ = ("callbacks", "family", "episode", "district")
    _ok = True

    def __init__(self, callbacks: tuple, family: int, episode: int, district: int) -> None:
        self.callbacks = callbacks
        self.family, self.episode, self.district = family, episode, district


class Clock(simpy.Environment):
    """simpy's environment, with events at a given day, kept in a calendar of windows in front of
    simpy's queue (a calendar queue). Runs to `horizon`.

    A path drawn ahead ends on a sum of its stays' durations (t0 + d1 + d2 ...); its release must
    fall on exactly that day, bit for bit the day a stay-by-stay run would reach, not on now + (that
    day - now).

    A large city has tens of thousands of releases pending, most months or years ahead; in simpy's
    heap each of them took part in every push and pop. An event `at` a day beyond the window under
    way (`window` whole days long, `window_days`) waits in its window's list instead, with the
    sequence number it was given when scheduled. When its window opens (an URGENT event on the
    window's first day, which simpy takes before any NORMAL event of that day), its events join the
    heap. They are then taken in the order they would have been taken had they been in the heap all
    along: (day, priority, sequence number), and no two events share a sequence number. With 30-day
    windows the 10x city's heap held 1,600 events on average instead of 35,000. An event on or after
    the horizon (a deadline at an infinite `waiting.max_days`, say) goes into the heap, as before:
    the run ends before it."""

    def __init__(self, horizon: float, window: int) -> None:
        if not (isinstance(window, int) and window >= 1):
            raise ValueError(f"the calendar's window must be a whole number of days (1 or more), not {window!r}: "
                             "its windows' first days are then exact")
        super().__init__()
        self._horizon = horizon
        self._window = float(window)
        self._opens = self._window  # the first day of the next window (window k: days [k, k + 1) x window)
        self._waiting: dict[int, list[tuple]] = {}  # per later window, its events (heap entries)
        self._schedule_opening()

    def _schedule_opening(self) -> None:
        if self._opens < self._horizon:
            heappush(self._queue, (self._opens, URGENT, next(self._eid), _Call(self._open_window)))

    def _open_window(self, _event: _Call) -> None:
        """The next window's events join simpy's queue (now, its first day)."""
        waiting = self._waiting.pop(int(self._opens // self._window), ())
        self._opens += self._window  # whole days: exact
        queue = self._queue
        if len(waiting) > len(queue):
            queue.extend(waiting)
            heapify(queue)
        else:
            for entry in waiting:
                heappush(queue, entry)
        self._schedule_opening()

    def call_at(self, day: float, callback: Callable[[_Call], None]) -> None:
        self.at(day, _Call(callback))

    def at(self, day: float, event: _Call | Episode | _Return) -> None:
        """An event that has its callbacks happens on `day`."""
        entry = (day, NORMAL, next(self._eid), event)
        if day < self._opens or day >= self._horizon:  # on or after the horizon (inf too): never taken
            heappush(self._queue, entry)
        else:
            self._waiting.setdefault(int(day // self._window), []).append(entry)

    def call_in(self, delay: float, callback: Callable[[_Call], None]) -> None:
        """`callback` after `delay` days: on the day a simpy Timeout of that delay would fire."""
        self.at(self._now + delay, _Call(callback))


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
        self.env = Clock(self.horizon, window_days(notified_per_day(scenario)))
        n = len(scenario.districts)
        st = self.staffing
        gated = scenario.gated_waves()
        # per district, the type of its team at any day (the gate's waves: decided at month ends)
        self.teams = TeamTimeline(st, st.rollout_day, [d.wave in gated for d in scenario.districts],
                                  None if gate is None else gate.month_ends)
        self.switch_day = np.full(n, np.inf)  # per district, the day its relational team started
        self.open_by = [0] * n  # per district, its open cases (all held by the team working there)
        self.district_numbers = np.array(range(n), dtype=object)  # one Python int per district (`_block`)
        self.classic_pool = CaseSlots(0, self.open_by, self._admitted)
        self.team = [self.classic_pool if k == CLASSIC else CaseSlots(round(float(st.own_slots[d])), self.open_by,
                                                                      self._admitted)
                     for d, k in enumerate(st.first_team)]
        self._size_classic_pool()
        self.later = LaterEpisodes(seed, replication)
        self.segments: list[tuple] = []  # the stays logged since the last `_pack`
        self.packed: list[np.ndarray] = []
        self.gate_has = 0  # the packed blocks the gate has had (`_new_stays`)
        self.waits: list[tuple] = []  # the waits logged since the last `_pack`
        self.packed_waits: list[np.ndarray] = []
        self.notifications: list[tuple] = []  # the returning families' since the last `_pack` (`_notified_again`)
        self.notification_blocks: list[np.ndarray] = []  # the arrivals' a block at a time (`_block`), and the packed
        self.on_release = (self._released,)  # every release's callbacks (`_close`)
        self.on_return = (self._notified_again,)  # every `_Return`'s
        self.queued: deque[Episode] = deque()  # families that joined a queue, in that order (`_waited_long`)
        self.arrivals: tuple[np.ndarray, np.ndarray] | None = None  # the arriving children's days and districts

    # -- running ------------------------------------------------------------------------------
    def run(self) -> TransitionLog:
        if bool(self.scenario.gated_waves()) != (self.gate is not None):
            raise ValueError(f"{self.scenario.name}: a savings-gated rollout runs with its gate "
                             "(sim.replica.transition_log), and only a gated one")
        with _cycle_collection_paused():
            self._seed_open_cases()
            self.env.process(self._rollout())
            if self.gate is not None:
                self.env.process(self._gated_rollout())
            self._arrivals()
            self.env.run(until=self.horizon)
        for team in {id(team): team for team in self.team}.values():
            for f in team.queue:
                self.segments.append((f.family, f.episode, f.district, WAITING, f.opened, self.horizon,
                                      f.opened, False, True))
        return self._log()

    def _pack(self) -> None:
        """The stays, waits and returning families' notifications logged since the last call, packed
        into arrays (SEGMENT_DTYPE, WAIT_DTYPE, NOTIFICATION_DTYPE) and kept. A run's log grows to
        hundreds of thousands of stays: as tuples of boxed numbers they would take five times the
        memory, spread among the objects the run works with."""
        self.packed.append(np.fromiter(self.segments, dtype=SEGMENT_DTYPE, count=len(self.segments)))
        self.segments.clear()
        self.packed_waits.append(np.fromiter(self.waits, dtype=WAIT_DTYPE, count=len(self.waits)))
        self.waits.clear()
        self.notification_blocks.append(np.fromiter(self.notifications, dtype=NOTIFICATION_DTYPE,
                                                    count=len(self.notifications)))
        self.notifications.clear()

    def _pack_if_full(self) -> None:
        """`_pack`, once PACK_ROWS stays have been logged since the last time."""
        if len(self.segments) >= PACK_ROWS:
            self._pack()

    def _new_stays(self) -> np.ndarray:
        """The stays logged since the gate last had them (every block packed since, this one too)."""
        self._pack()
        new = np.concatenate(self.packed[self.gate_has:])
        self.gate_has = len(self.packed)
        return new

    def _log(self) -> TransitionLog:
        self._pack()
        seg = np.concatenate(self.packed)
        self.packed = []
        over = seg["t1"] >= self.horizon
        seg["t1"][over] = self.horizon
        seg["censored"] |= over
        # In the order of family, episode and start. A family's stays are logged in that order already
        # (an episode's wait, then its stays as they are drawn, and its next episode only after its
        # case has closed), so a stable sort by family alone gives it; and the stays of no length
        # are left out in the same gather, with np.take (indexing a structured array with an array
        # of rows copies them one by one, ten times slower: the 10x city's log took 0.1 s so).
        kept = np.flatnonzero(seg["t1"] > seg["t0"])
        order = kept[np.argsort(seg["family"][kept], kind="stable")]
        return TransitionLog(
            segments=np.take(seg, order),
            waits=np.concatenate(self.packed_waits),
            notifications=self._notifications_log(),
            horizon=self.horizon,
            switches=self.switch_day,
            arrivals=self.arrivals,
        )

    def _notifications_log(self) -> np.ndarray:
        """Every notification, in the order of their days."""
        log = np.concatenate(self.notification_blocks)  # (`_log` has packed the last ones)
        return np.take(log, np.argsort(log["t"], kind="stable"))

    # -- teams --------------------------------------------------------------------------------
    def _rollout(self):
        days = self.staffing.rollout_day
        for d in np.argsort(days, kind="stable"):
            if not math.isfinite(days[d]):
                break
            yield self.env.timeout(float(days[d]) - self.env.now)
            self._switch(int(d), float(days[d]))

    def _gated_rollout(self):
        """The waves the savings gate starts: asked at every month's end (sim.gate). Every district
        started at a month's end has its new team's types before any of them takes over its
        families, so a family admitted at that instant (by its new team, or by the classic pool as it
        shrinks) is drawn with the team its district has from then on."""
        for m, end in enumerate(self.gate.month_ends.tolist()):
            yield self.env.timeout(end - self.env.now)
            started = self.gate.close_month(m, self._new_stays(), self.switch_day)
            for d in started:
                self.teams.start(d, end)
            for d in started:
                self._switch(d, end)

    def _switch(self, d: int, day: float) -> None:
        """District d's relational team takes over its open cases and waiting families from the
        team working there (the classic pool or a pilot team), on `day` (now), with its case slots;
        its type follows its recruitment and learning (`self.teams`)."""
        self.switch_day[d] = day
        team = CaseSlots(round(float(self.staffing.own_slots[d])), self.open_by, self._admitted)
        before = self.team[d]
        before.hand_over(d, team)
        self.team[d] = team
        self._size_classic_pool()
        team.admit()
        before.admit()

    def _size_classic_pool(self) -> None:
        """The classic pool has the classic slots of the districts it still serves."""
        served = (self.staffing.first_team == CLASSIC) & (self.switch_day == np.inf)  # no team of their own yet
        self.classic_pool.capacity = round(float(self.staffing.classic_slots[served].sum()))

    # -- families -----------------------------------------------------------------------------
    def _severity(self, u: float | np.ndarray) -> int | np.ndarray:
        """The need level the uniform at U_SEVERITY gives (a family's, or a block's array of them): LOW
        below the low share, else HIGH from one less the high share on, else MEDIUM (0, 1 and 2)."""
        r = self.rates
        return (u >= r.severity_low_share) * (1 + (u >= 1.0 - r.severity_high_share))

    def _seed_open_cases(self) -> None:
        """Today's open cases by state and the families due to return (`rates.StartPopulation`)."""
        start = StartPopulation.from_scenario(self.scenario)
        pending = start.relapse_pending
        n_families = start.open_total() + sum(pending)
        # Rows of an array, a family's made Python floats as its case is opened, and the stays logged
        # packed district by district: a large city has some 30,000 cases open at the start.
        first = first_uniforms(self.seed, self.replication, np.arange(n_families))
        fid = 0
        for level, per_district in start.open_cases.items():
            for d, n in enumerate(per_district):
                for _ in range(n):
                    self._open_case(fid, d, level, first[fid].tolist())
                    fid += 1
                self._pack_if_full()
        # Families who closed a case before the start and will be notified again: the relapse
        # stream is under way at t = 0 too (their remaining delay is exponential: memoryless).
        delay_uniforms = first[:, U_RELAPSE_DELAY].tolist()
        for d, n in enumerate(pending):
            for _ in range(n):
                day = self._return_day(fid, 1, exponential(delay_uniforms[fid], 1.0 / self.rates.relapse_mean_days))
                self._schedule_return(fid, 1, d, day)
                fid += 1

    def _open_case(self, fid: int, d: int, level: int, first: list[float]) -> None:
        self.team[d].take(d)  # open at the start: holds its slot even above capacity
        # the stationary age of an exponential stay
        elapsed = self.rates.tables[self.teams.at(d, 0.0)[0]].mean_days[level] * -math.log(first[U_ELAPSED])
        family = Episode(fid, 0, d, first, self._severity(first[U_SEVERITY]), -elapsed, level, initial=True)
        family.admitted = True
        self._proceed(family, 0.0)

    def _arrivals(self) -> None:
        """Notified children, Poisson per district with a rate growing with the child population.
        Their streams are derived a block of STREAM_BLOCK at a time (`_block`), and with them their
        notifications and, where the team they meet is known by then, their triage. A child for whom
        no case opens competes for nothing: it is logged, not scheduled. Each other arrival is an
        event on its day, which schedules the next one."""
        self.arrivals = times, districts = arrival_times(self.scenario, self.seed, self.replication)
        kinds = self.teams.known_at(districts, times)  # the team each one meets, where known from the start
        due: deque[Episode] = deque()  # the arrivals of the block under way, to come
        lo = 0  # the first arrival of the next block

        def schedule_next() -> None:
            nonlocal lo
            while not due and lo < len(times):
                hi = min(lo + STREAM_BLOCK, len(times))
                due.extend(self._block(lo, times[lo:hi], districts[lo:hi], kinds[lo:hi], on_arrival))
                lo = hi
            if due:
                arrival = due.popleft()
                self.env.at(arrival.opened, arrival)

        def arrive(arrival: Episode) -> None:
            arrival.uniforms = arrival.uniforms.tolist()
            self._notified(arrival)
            schedule_next()

        on_arrival = (arrive,)  # every arrival's callbacks
        schedule_next()

    def _block(self, lo: int, times: np.ndarray, districts: np.ndarray, kinds: np.ndarray, callbacks: tuple
               ) -> Iterator[Episode]:
        """Arrivals lo, lo + 1, ... (at `times` in `districts`, meeting teams of `kinds`, -1 where not
        known at the start): their notifications logged, and those that may open a case as episodes
        to come (events with `callbacks`): their days, districts, need levels, triage's routes
        (UNTRIAGED where the team is not known yet) and streams' first uniforms (rows of an array).

        Days and districts as Python numbers, not numpy scalars: the simulation clock inherits
        their type, and float arithmetic is several times faster (and bit for bit the same). A
        district's number is one object its families share (`district_numbers`): Python keeps one
        copy of each int only up to 256, and a large city's family kept its own copy of its
        district's, read again at its case's release months later, by then out of the cache (the
        ten times larger city 4.10 -> 4.03 s on average in six pairs). A
        block at a time, and the uniforms made Python floats only when the child comes: a large
        city's arrivals as Python numbers took 24 MB, spread among the objects a run works with."""
        self._pack_if_full()
        r = self.rates
        first = first_uniforms(self.seed, self.replication, ARRIVAL_ID_OFFSET + lo + np.arange(len(times)))
        counts = 1 + r.extra_notifications(first[:, U_NOTIFICATIONS])
        self.notification_blocks.append(_notifications(districts, times, counts))
        kinds = kinds.copy()
        later = kinds < 0  # where a savings gate had still to decide at the start: it may have by now
        kinds[later] = self.teams.known_at(districts[later], times[later])
        known = kinds >= 0
        route = np.full(len(times), UNTRIAGED)
        for kind in np.unique(kinds[known]).tolist():
            here = kinds == kind
            route[here] = r.tables[kind].triage.pick_all(first[here, U_TRIAGE], first[here, U_EARLY_SHIFT])
        may = np.flatnonzero(route != NO_CASE)
        u = first[may]
        return map(Episode, (ARRIVAL_ID_OFFSET + lo + may).tolist(), repeat(0),
                   np.take(self.district_numbers, districts[may]).tolist(), u,
                   self._severity(u[:, U_SEVERITY]).tolist(), times[may].tolist(), route[may].tolist(),
                   repeat(False), repeat(callbacks))

    def _return_day(self, fid: int, ep: int, day: float) -> float:
        """Family fid is to be notified again on `day`, as its episode ep: the day if it is within
        the run (the episode's stream is then announced, `LaterEpisodes.expect`), else inf.
        Announced as soon as it is drawn, when the case before it is admitted, not when it closes:
        the streams are derived in batches of what has been announced when one is first needed,
        and announced at the close, the plan's 6,000 returns took 172 batches of some thirty (each
        with a fixed cost of a tenth of a millisecond or more); announced at the admission, 42
        batches, most of one to two hundred."""
        if day < self.horizon:
            self.later.expect(fid, ep)
            return day
        return math.inf

    def _notified_again(self, back: _Return) -> None:
        fid, ep, d = back.family, back.episode, back.district
        first = self.later.first(fid, ep)
        now = self.env.now
        self.notifications.append((d, now, 1 + self.rates.extra_notification(first[U_NOTIFICATIONS])))
        self._notified(Episode(fid, ep, d, first, self._severity(first[U_SEVERITY]), now, UNTRIAGED))

    def _notified(self, family: Episode) -> None:
        """A family is notified now (its episode, logged by the caller, whose level is its route from
        triage or UNTRIAGED): triage, and if a case opens, a slot or the queue."""
        r = self.rates
        d = family.district
        if family.level == UNTRIAGED:
            u = family.uniforms
            family.level = r.tables[self.teams.at(d, self.env.now)[0]].triage.pick(u[U_TRIAGE], u[U_EARLY_SHIFT])
        if family.level == NO_CASE:
            return
        team = self.team[d]
        if team.try_acquire(d):
            self._admitted(family)
        else:
            team.queue.append(family)
            self.queued.append(family)
            if len(self.queued) == 1:
                self.env.call_in(r.max_wait_days, self._waited_long)

    def _waited_long(self, _event: _Call) -> None:
        """The family queued longest is still waiting after `waiting.max_days` (now): it takes a case
        above the caseload of the team working in its district now (it may have changed at a wave).
        The families queued are watched in the order they joined a queue, which is the order of their
        deadlines: one event at a time, at the deadline of the first one not yet admitted, instead
        of one per family."""
        queued, max_wait = self.queued, self.rates.max_wait_days
        family = queued.popleft()
        if not family.admitted:
            self.team[family.district].withdraw(family)
            self._admitted(family)
        while queued and queued[0].admitted:
            queued.popleft()
        if queued:
            self.env.call_at(queued[0].opened + max_wait, self._waited_long)

    def _admitted(self, family: Episode) -> None:
        """Family has its case slot now: its wait is over and its path begins."""
        now = self.env.now
        family.admitted = True
        family.wait = wait = now - family.opened
        if wait > 0:
            self.segments.append((family.family, family.episode, family.district, WAITING, family.opened, now,
                                  family.opened, False, False))
        self.waits.append((family.district, now, wait))
        self._proceed(family, now)

    def _proceed(self, f: Episode, t: float) -> None:
        """Draw family f's stays from day t (now) on, log them and schedule the release of its slot:
        up to the case's end, the horizon, or the first stay that starts on or after the day its
        district's team may change type, which is then drawn when it starts (an event at its start).

        Each stay's draws are those of a stage-by-stage run: its duration, outcome and placement type
        from fixed stream positions, its hazards from the team working at its start (the outcome of
        an assessment from the team at its end, where the next stay starts)."""
        r = self.rates
        d, u = f.district, f.uniforms
        kind, until = self.teams.at(d, t)
        routes = r.tables[kind]
        escalation = r.escalation_factor(routes, f.severity, f.wait)  # `Rates.hazards`, per episode and team
        level = f.level
        log = self.segments.append
        horizon = self.horizon
        while t < horizon:
            if t >= until:  # the team may differ by then: go on from there when it comes
                f.level = level
                self.env.call_at(t, lambda _event, t=t: self._proceed(f, t))
                return
            if level == ASSESSMENT:
                end = t + exponential(u[U_ASSESS_DURATION], 1.0 / routes.mean_days[ASSESSMENT])
                log((f.family, f.episode, d, ASSESSMENT, t, end, f.opened, f.initial, False))
                f.initial = False
                t, level = end, ASSESSED
                continue
            if level == ASSESSED:
                level = routes.assessment.pick(u[U_ASSESS_OUTCOME], u[U_PLACEMENT_SHIFT])
                if level == CLOSED:  # no measure: no relapse
                    self._close(f, t, relapse=False)
                    return
            position = f.position
            if position + 3 > len(u):  # a long path: its stream derived further
                u = f.uniforms = FamilyStream(self.seed, self.replication, f.family, f.episode,
                                              u).extend(position + 3)
            if level == PLACEMENT:
                level = routes.placement.pick(u[position + 2])
            stage = routes.stages[level]
            h_res, h_esc = stage.resolve, stage.escalate * escalation
            total = h_res + h_esc + stage.step_down
            end = t + exponential(u[position], total)
            x = u[position + 1] * total
            log((f.family, f.episode, d, level, t, end, f.opened, f.initial, False))
            f.initial = False
            f.position = position + 3
            t = end
            if x < h_res:
                self._close(f, t, relapse=True)
                return
            # A level without a step down escalates whenever it does not resolve, and vice versa.
            level = stage.up if x < h_res + h_esc or stage.down is None else stage.down
        # past the horizon: the family holds its slot to the end

    def _close(self, f: Episode, t: float, relapse: bool) -> None:
        """Family f's case closes on day t: its slot is released then (the episode is the release's
        event), and, after help (`relapse`), it may be notified again. Whether and when is drawn now,
        so that the pending release does not keep the episode's stream: a large city has tens of
        thousands of cases open at once."""
        if t >= self.horizon:
            return
        r, u = self.rates, f.uniforms  # both positions in the first block
        again = relapse and u[U_RELAPSE] < r.relapse_probability
        back = math.inf
        if again:  # on the day a simpy Timeout of the delay would fire from the release
            delay = exponential(u[U_RELAPSE_DELAY], 1.0 / r.relapse_mean_days)
            back = self._return_day(f.family, f.episode + 1, t + delay)
        f.uniforms = None
        f.back = back
        f.callbacks = self.on_release
        self.env.at(t, f)

    def _released(self, release: Episode) -> None:
        """The episode's case has closed (`_close`): a slot in its district comes free now, in the team
        working there now, and its family is notified again as its next episode on the day `back`
        (inf: not)."""
        d = release.district
        self.team[d].release(d)
        self._schedule_return(release.family, release.episode + 1, d, release.back)

    def _schedule_return(self, fid: int, ep: int, d: int, day: float) -> None:
        """Family fid is notified again on `day` (`_return_day`; inf: not), as its episode ep."""
        if day < math.inf:
            self.env.at(day, _Return(self.on_return, fid, ep, d))


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector off while a run runs. A run makes next to no reference cycles (its
    events and families are freed as they are dropped: a few dozen objects are left to the
    collector), but its log grows to some hundred thousand objects, which the collector would walk
    again and again: a third of the run's time. Restored as it was afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def simulate(scenario: Scenario, seed: int, replication: int, gate: MonthGate | None = None) -> TransitionLog:
    """Run one replication and return its transition log.

    A finished model is a web of reference cycles (its events' callbacks are its own methods and
    closures), holding what was pending at the horizon: some thousand events, their families and
    streams, the arrival days. The young generations are collected as soon as it is dropped (about
    a millisecond), not whenever the collector next runs: otherwise those megabytes stay beside the
    accounts the replication makes next (a worker's peak over 50 replications of the plan was 162
    instead of 130 MB)."""
    log = Model(scenario, seed, replication, gate).run()
    gc.collect(1)
    return log


def notified_per_day(scenario: Scenario) -> float:
    """Children notified a day in the city at the start (new ones; returns add about a tenth)."""
    a = scenario.assumptions
    return a.city.children.value * a.notifications.notified_share_per_year.value / DAYS_PER_YEAR


def window_days(notified: float) -> int:
    """The length of the calendar's windows (`Clock`) for a city where `notified` children are
    notified a day (`notified_per_day`): the whole days, 1 to MAX_WINDOW_DAYS, in which
    WINDOW_NOTIFICATIONS are (Aarhus: 10 days; a city ten times as large: 1; the M/M/c benchmark's
    queue: 30). The heap then holds about the same number of events in a small city and a large one:
    with 30-day windows the 10x city's engine took 5 % longer, and the M/M/c queue's took 3.5 % longer
    with 3-day windows (its events are a day or two ahead, and each window's opening is an event)."""
    if notified * MAX_WINDOW_DAYS <= WINDOW_NOTIFICATIONS:
        return MAX_WINDOW_DAYS
    return max(1, round(WINDOW_NOTIFICATIONS / notified))


def arrival_times(scenario: Scenario, seed: int, replication: int) -> tuple[np.ndarray, np.ndarray]:
    """The days and districts of the notified children who arrive (not returning) in a replication,
    in order of their days (read-only): Poisson per district, with a rate growing with the child
    population. The log keeps them (`TransitionLog.arrivals`): the cohort follows these children."""
    a = scenario.assumptions
    k = math.log1p(a.city.children_growth_per_year.value) / DAYS_PER_YEAR
    per_child = a.notifications.notified_share_per_year.value / DAYS_PER_YEAR
    children = a.city.children.value * district_shares(scenario)  # weighted by need
    times, dists = [], []
    for d in range(len(scenario.districts)):
        t = _poisson_times(arrivals_rng(seed, replication, d), children[d] * per_child, k, scenario.horizon_days)
        times.append(t)
        dists.append(np.full(len(t), d, dtype=np.int32))
    t = np.concatenate(times)
    order = np.argsort(t, kind="stable")
    out = t[order], np.concatenate(dists)[order]
    for x in out:
        x.flags.writeable = False
    return out


def _notifications(districts: np.ndarray, times: np.ndarray, counts: np.ndarray) -> np.ndarray:
    log = np.empty(len(times), dtype=NOTIFICATION_DTYPE)
    log["district"], log["t"], log["count"] = districts, times, counts
    return log


def _poisson_times(rng: np.random.Generator, rate0: float, growth: float, horizon: float) -> np.ndarray:
    """Event times of a Poisson process with rate rate0 * exp(growth * t) on [0, horizon),
    by inverting the cumulative intensity of unit-rate arrival times."""
    if rate0 <= 0:
        return np.empty(0)
    cum = rate0 * (math.expm1(growth * horizon) / growth if growth else horizon)
    n = int(cum + 6 * math.sqrt(cum) + 20)
    e = np.cumsum(rng.exponential(size=n))
    while e[-1] < cum:  # practically never: extend with more unit-rate gaps
        e = np.concatenate([e, e[-1] + np.cumsum(rng.exponential(size=n))])
    e = e[e < cum]
    return np.log1p(growth * e / rate0) / growth if growth else e / rate0
