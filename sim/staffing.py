"""Teams and their caseworkers: the capacity side of caseload, and what the teams cost to run.

Before its wave a district is served by its first team: the classic city-wide organisation, whose
caseworkers are shared out by need (`rates.district_shares`), or, in the pilot districts of 2019 and
2021 (`District.pilot_since`), a pilot team of its own in every scenario. At its wave the district
gets a relational team. A district's own team (pilot or relational) has posts for the district's
classic slots times `staff.relational_capacity_ratio`, and its caseworkers are those slots divided
by its caseload (`caseload.pilot` or `caseload.relational`): lower caseloads at equal capacity mean
more caseworkers, which is the investment.

What getting there costs (docs/model.md §2.5):
- vacancies: `staff.vacancy_rate` of a relational team's posts are empty on average, so it works and
  is paid with the rest; the plan budgets posts, while the teams of today (the classic organisation,
  `staff.classic_caseworkers`, and the pilot teams, which keep their district's slots) are sized by
  today's open cases, so they count the caseworkers at work, their vacancies already in them;
- recruitment: a new relational team starts with the caseworkers who served the district at its
  wave, working at the relational caseload, and the extra ones arrive linearly over
  `staff.recruitment_months`, a step at each month's start (`ramp`): its case slots and its salaries
  follow the caseworkers employed;
- learning: a relational team that replaced the classic organisation works as a learning team
  (`rates.LEARNING`) from its wave to the first month's start `relational.learning_months` after it
  (`learning_end`); a pilot district's team has learned already;
- team leaders: the classic organisation has one per `staff.caseworkers_per_leader` caseworkers, a
  district's own team at least one (`leaders`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .months import Calendar
from .rates import CLASSIC, DAYS_PER_MONTH, PILOT, district_shares
from .scenario import Scenario


@dataclass(frozen=True)
class Staffing:
    first_team: np.ndarray               # per district, the team type before its wave (CLASSIC or PILOT)
    first_caseworkers: np.ndarray        # per district, FTE at work before its wave (classic share or pilot team)
    relational_caseworkers: np.ndarray   # per district, FTE at work once its relational team is fully staffed
    classic_slots: np.ndarray            # per district, its share of the classic pool's case slots
    own_slots: np.ndarray                # per district, case slots of its own team: a pilot's, a relational team's posts
    rollout_day: np.ndarray              # per district, day of the switch to the plan's team; inf if never
    relational_caseload: float
    filled: float                        # the share of a relational team's posts filled (1 - staff.vacancy_rate)
    recruitment_months: float
    learning_months: float
    caseworkers_per_leader: float
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
        return cls(first_team, first_cw, relational_cw, classic_slots, own_slots, days, a.caseload.relational.value,
                   filled, a.staff.recruitment_months.value, a.relational.learning_months.value,
                   a.staff.caseworkers_per_leader.value, Calendar(scenario))

    @property
    def own_day(self) -> np.ndarray:
        """Per district, the day it has a team of its own: 0 for a pilot, else its switch day."""
        return np.where(self.first_team == PILOT, 0.0, self.rollout_day)

    def months_since(self, switch_day: np.ndarray) -> np.ndarray:
        """[district, month]: whole calendar months from the month of each district's switch (0 in
        that month; negative before it, and for a district that does not switch)."""
        started = np.isfinite(switch_day)
        first = np.where(started, self.calendar.month_of(np.where(started, switch_day, 0.0)), self.calendar.n)
        return np.arange(self.calendar.n)[None, :] - first[:, None]

    def ramp(self, months: np.ndarray) -> np.ndarray:
        """The share of its extra caseworkers a relational team has `months` whole months after the
        month of its wave: linear over `staff.recruitment_months`, 1 at once if that is 0."""
        if self.recruitment_months <= 0:
            return np.ones(np.shape(months))
        return np.clip(np.asarray(months, dtype=float) / self.recruitment_months, 0.0, 1.0)

    def relational_fte(self, months: np.ndarray) -> np.ndarray:
        """[district, ...]: the caseworkers a district's relational team employs `months` after the
        month of its wave: from those who served the district at the wave to the full team."""
        f = self.ramp(months)
        start, full = self.first_caseworkers[:, None], self.relational_caseworkers[:, None]
        return np.where(f >= 1.0, full, start + (full - start) * f)

    def relational_slots(self, months: np.ndarray) -> np.ndarray:
        """[district, ...]: the case slots of a district's relational team `months` after the month of
        its wave, whole as the engine counts them: its caseworkers at the relational caseload."""
        f = self.ramp(months)
        full = self.own_slots[:, None] * self.filled
        start = self.first_caseworkers[:, None] * self.relational_caseload
        return np.round(np.where(f >= 1.0, full, start + (full - start) * f))

    def learning_end(self, switch_day: np.ndarray) -> np.ndarray:
        """Per district, the day its relational team has learned the practice: the first month's
        start at least `relational.learning_months` after its switch (inf past the horizon); the
        switch day itself where there is nothing to learn (no learning period, or a pilot team)."""
        bounds = self.calendar.bounds
        learns = np.isfinite(switch_day) & (self.first_team == CLASSIC) & (self.learning_months > 0)
        due = np.where(learns, switch_day + self.learning_months * DAYS_PER_MONTH, 0.0)
        i = np.searchsorted(bounds, due - 1e-9, side="left")
        end = np.where(i < len(bounds), bounds[np.minimum(i, len(bounds) - 1)], np.inf)
        return np.where(learns, end, switch_day)

    def leaders(self, caseworkers: np.ndarray, own_team: np.ndarray | bool) -> np.ndarray:
        """Team leaders for `caseworkers`: a share of the classic organisation's at its span of
        control, or a district's own team's, at least one."""
        share = caseworkers / self.caseworkers_per_leader
        return np.where(own_team, np.maximum(share, 1.0), share)
