"""Teams and their caseworkers: the capacity side of caseload, and what the teams cost to run.

Before its wave a district is served by its first team: the classic city-wide organisation, whose
caseworkers are shared out by need (`rates.district_shares`), or, in the pilot districts of 2019 and
2021 (`District.pilot_since`), a pilot team of its own in every scenario. At its wave the district
gets a relational team. A district's own team (pilot or relational) has posts for the district's
classic slots times `staff.relational_capacity_ratio`, and its caseworkers are those slots divided
by its caseload (`caseload.pilot` or `caseload.relational`): lower caseloads at equal capacity mean
more caseworkers, which is the investment.

What getting there costs (docs/model.md §2.5). A relational team has its case slots from its wave
on: the district's families are served, and the caseworkers at work carry them. So everything that
leaves posts empty raises the caseload of the caseworkers at work, and the effect follows that
caseload through the elasticities (`rates.Rates`), as it does for a chosen caseload:
- vacancies: `staff.vacancy_rate` of a relational team's posts are empty on average, so its
  caseworkers at work carry `caseload.relational / (1 - rate)` and only they are paid. The plan
  budgets posts, while the teams of today (the classic organisation, `staff.classic_caseworkers`,
  and the pilot teams) are sized by today's open cases, so they count the caseworkers at work,
  their vacancies already in them;
- recruitment: until the month's start `staff.recruitment_months` after the month of its wave (`phases`),
  a new team works with the caseworkers who served the district at its wave (its share of the
  classic organisation at `caseload.classic` times `staff.relational_capacity_ratio`, a team of
  type `rates.STAFFING`; a pilot district's pilot team at `caseload.pilot`), and only they are paid;
  then the extra caseworkers have arrived;
- learning: a relational team that replaced the classic organisation learns the practice while it
  recruits and until the month's start `relational.learning_months` after the month of its wave, at
  `relational.learning_effect` of its levers (`rates.STAFFING`, then `rates.LEARNING`); a pilot
  district's team has learned already;
- team leaders: one per `staff.caseworkers_per_leader` caseworkers in every team (a leader leads
  the teams of several districts), priced with the caseworkers (`accounts.fixed_costs`).

Every change of phase falls on a month's start, so the engine and the analytic twin (whose steps
never cross a month) change team type at the same instants (`team_at`). The engine asks
`TeamTimeline` (the same types, as a step function per district), which also says until when a
district's type is known: the engine draws a family's path ahead up to that day.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from .months import Calendar
from .rates import CLASSIC, LEARNING, PILOT, RELATIONAL, STAFFING, district_shares
from .scenario import Scenario


@dataclass(frozen=True)
class Staffing:
    first_team: np.ndarray               # per district, the team type before its wave (CLASSIC or PILOT)
    first_caseworkers: np.ndarray        # per district, FTE at work before its wave (classic share or pilot team)
    relational_caseworkers: np.ndarray   # per district, FTE at work once its relational team is fully staffed
    classic_slots: np.ndarray            # per district, its share of the classic pool's case slots
    own_slots: np.ndarray                # per district, case slots of its own team (pilot or relational)
    rollout_day: np.ndarray              # per district, day of the switch to the plan's team; inf if never
    recruitment_months: float
    learning_months: float
    calendar: Calendar

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> "Staffing":
        a = scenario.assumptions
        classic_cw = a.staff.classic_caseworkers.value * district_shares(scenario)
        classic_slots = classic_cw * a.caseload.classic.value
        filled = 1.0 - a.staff.vacancy_rate.value
        own_slots = classic_slots * a.staff.relational_capacity_ratio.value
        pilot = np.array(scenario.pilots(), dtype=bool)
        first_team = np.where(pilot, PILOT, CLASSIC)
        first_cw = np.where(pilot, own_slots / a.caseload.pilot.value, classic_cw)
        relational_cw = own_slots * filled / a.caseload.relational.value
        days = np.array([np.inf if x is None else x for x in scenario.rollout_days()], dtype=float)
        return cls(first_team, first_cw, relational_cw, classic_slots, own_slots, days, a.staff.recruitment_months.value,
                   a.relational.learning_months.value, Calendar(scenario))

    @property
    def own_day(self) -> np.ndarray:
        """Per district, the day it has a team of its own: 0 for a pilot, else its switch day."""
        return np.where(self.first_team == PILOT, 0.0, self.rollout_day)

    def month_start_after(self, switch_day: np.ndarray, months: float) -> np.ndarray:
        """Per district, the start of the month `months` calendar months (rounded up) after the
        month of its switch (the waves start on a month's first day); inf past the horizon, and for
        a district that does not switch."""
        cal = self.calendar
        started = np.isfinite(switch_day)
        i = cal.month_of(np.where(started, switch_day, 0.0)) + int(np.ceil(months - 1e-9))
        return np.where(started & (i <= cal.n), cal.bounds[np.minimum(i, cal.n)], np.inf)

    def phases(self, switch_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per district, the day its relational team is fully staffed (`staff.recruitment_months`)
        and the day it has learned the practice (not before it is staffed; at once for a pilot
        district's team). Both are the switch day where there is nothing to wait for."""
        recruited = switch_day if self.recruitment_months <= 0 else \
            self.month_start_after(switch_day, self.recruitment_months)
        learned = np.where(self.first_team == CLASSIC,
                           np.maximum(recruited, self.month_start_after(switch_day, self.learning_months)), recruited)
        return recruited, learned

    def team_at(self, t: float, switch_day: np.ndarray,
                phases: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Per district, the type of the team working at day t: its first team before its switch;
        then, while its relational team recruits, a classic district's `STAFFING` team or a pilot
        district's pilot team; a `LEARNING` team until it has learned; then `RELATIONAL`."""
        recruited, learned = self.phases(switch_day) if phases is None else phases
        staffing = np.where(self.first_team == PILOT, PILOT, STAFFING)
        new = np.where(t < recruited, staffing, np.where(t < learned, LEARNING, RELATIONAL))
        return np.where(switch_day <= t, new, self.first_team)

    def relational_fte(self, switch_day: np.ndarray) -> np.ndarray:
        """[district, month]: the caseworkers a district's relational team employs in each month
        after its switch: those who served the district at its wave until it is fully staffed (a
        month's start), then its posts less their vacancies."""
        recruited, _ = self.phases(switch_day)
        staffed = self.calendar.bounds[:-1][None, :] >= recruited[:, None]
        return np.where(staffed, self.relational_caseworkers[:, None], self.first_caseworkers[:, None])


class TeamTimeline:
    """Per district, the days its team changes type and the type from each day on: `Staffing.team_at`
    as a step function, so that the engine can ask about one district at one day cheaply, and learn
    until when the answer holds.

    A district's switch is known from the start (the rollout calendar: `switch_day`), or, in a
    savings-gated rollout, decided during the run (`undecided`): until the gate starts its team
    (`start`), its type may change at any of the gate's `decision_days` (the month ends)."""

    def __init__(self, staffing: Staffing, switch_day: np.ndarray, undecided: np.ndarray | None = None,
                 decision_days: np.ndarray | None = None) -> None:
        self.staffing = staffing
        self.switch_day = np.array(switch_day, dtype=float)
        n = len(self.switch_day)
        self.undecided = [False] * n if undecided is None else [bool(x) for x in undecided]
        self.decision_days = [] if decision_days is None else [float(x) for x in decision_days]
        self.days: list[list[float]] = [[] for _ in range(n)]
        self.kinds: list[list[int]] = [[int(k)] for k in staffing.first_team]
        phases = staffing.phases(self.switch_day)
        types = self._types(phases)
        for d in range(n):
            self._chart(d, phases, types)

    def _types(self, phases: tuple[np.ndarray, np.ndarray]) -> Callable[[float], np.ndarray]:
        """Every district's type on a day (`Staffing.team_at`) under these phases, asked once a day:
        the districts of a wave share their days."""
        return cache(lambda day: self.staffing.team_at(day, self.switch_day, phases))

    def _chart(self, d: int, phases: tuple[np.ndarray, np.ndarray], types: Callable[[float], np.ndarray]) -> None:
        """District d's days of change and types, from its switch and phases (only days its type
        changes); `types` as `_types` gives it."""
        st = self.staffing
        days, kinds = [], [int(st.first_team[d])]
        changes = {float(self.switch_day[d]), float(phases[0][d]), float(phases[1][d])}
        for day in sorted(x for x in changes if math.isfinite(x)):
            kind = int(types(day)[d])
            if kind != kinds[-1]:
                days.append(day)
                kinds.append(kind)
        self.days[d], self.kinds[d] = days, kinds

    def at(self, d: int, t: float) -> tuple[int, float]:
        """The type of district d's team at day t, and the first day after t it may change (inf if never)."""
        days = self.days[d]
        i = bisect_right(days, t)
        until = days[i] if i < len(days) else math.inf
        if self.undecided[d]:
            j = bisect_right(self.decision_days, t)
            if j < len(self.decision_days):
                until = min(until, self.decision_days[j])
        return self.kinds[d][i], until

    def known_at(self, districts: np.ndarray, days: np.ndarray) -> np.ndarray:
        """`at` for arrays of districts and days, as far as it is known now: the type of each one's
        team, -1 where the gate has still to decide it."""
        kinds = np.full(len(districts), -1, dtype=np.int64)
        order = np.argsort(districts, kind="stable")  # by district: one search per district, not a mask
        cuts = np.flatnonzero(np.diff(districts[order])) + 1
        for rows in np.split(order, cuts) if len(order) else ():
            d = int(districts[rows[0]])
            if not self.undecided[d]:
                kinds[rows] = np.asarray(self.kinds[d])[np.searchsorted(self.days[d], days[rows], side="right")]
        return kinds

    def start(self, d: int, day: float) -> None:
        """The gate starts district d's relational team on `day`: its types from then on are known."""
        self.switch_day[d] = day
        self.undecided[d] = False
        phases = self.staffing.phases(self.switch_day)
        self._chart(d, phases, self._types(phases))
