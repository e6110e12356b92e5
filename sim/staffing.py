"""Teams and their caseworkers: the capacity side of caseload.

Before its wave a district is served by its first team: the classic city-wide organisation, whose
caseworkers are shared out by need (`rates.district_shares`), or, in the pilot districts of 2019 and
2021 (`District.pilot_since`), a pilot team of its own in every scenario. At its wave the district
gets a relational team. A district's own team (pilot or relational) has the district's classic slots
times `staff.relational_capacity_ratio`, and its caseworkers are those slots divided by its caseload
(`caseload.pilot` or `caseload.relational`): lower caseloads at equal capacity mean more caseworkers,
which is the investment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rates import CLASSIC, PILOT, district_shares
from .scenario import Scenario


@dataclass(frozen=True)
class Staffing:
    first_team: np.ndarray               # per district, the team type before its wave (CLASSIC or PILOT)
    first_caseworkers: np.ndarray        # per district, FTE before its wave (classic share or pilot team)
    relational_caseworkers: np.ndarray   # per district, FTE once relational
    classic_slots: np.ndarray            # per district, its share of the classic pool's case slots
    own_slots: np.ndarray                # per district, case slots of its own (pilot or relational) team
    rollout_day: np.ndarray              # per district, day of the switch to the plan's team; inf if never

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> "Staffing":
        a = scenario.assumptions
        classic_cw = a.staff.classic_caseworkers.value * district_shares(scenario)
        classic_slots = classic_cw * a.caseload.classic.value
        own_slots = classic_slots * a.staff.relational_capacity_ratio.value
        pilot = np.array(scenario.pilots(), dtype=bool)
        first_team = np.where(pilot, PILOT, CLASSIC)
        first_cw = np.where(pilot, own_slots / a.caseload.pilot.value, classic_cw)
        relational_cw = own_slots / a.caseload.relational.value
        days = np.array([np.inf if x is None else x for x in scenario.rollout_days()], dtype=float)
        return cls(first_team, first_cw, relational_cw, classic_slots, own_slots, days)

    @property
    def own_day(self) -> np.ndarray:
        """Per district, the day it has a team of its own: 0 for a pilot, else its switch day."""
        return np.where(self.first_team == PILOT, 0.0, self.rollout_day)
