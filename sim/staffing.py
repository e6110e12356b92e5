"""Teams and their caseworkers: the capacity side of caseload.

Before its wave a district is served by the classic city-wide organisation, whose caseworkers are
shared out by children. At its wave the district gets a relational team whose case slots are the
district's classic slots times `staff.relational_capacity_ratio`, and whose caseworkers are those
slots divided by the relational caseload: lower caseloads at equal capacity mean more caseworkers,
which is the investment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rates import district_shares
from .scenario import Scenario


@dataclass(frozen=True)
class Staffing:
    classic_caseworkers: np.ndarray      # per district, FTE while classic
    relational_caseworkers: np.ndarray   # per district, FTE once relational
    classic_slots: np.ndarray            # per district, case slots (fractional shares of the pool)
    relational_slots: np.ndarray         # per district, case slots of its relational team
    rollout_day: np.ndarray              # per district, day of the switch; inf if never

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> "Staffing":
        a = scenario.assumptions
        classic_cw = a.staff.classic_caseworkers.value * district_shares(scenario)
        classic_slots = classic_cw * a.caseload.classic.value
        relational_slots = classic_slots * a.staff.relational_capacity_ratio.value
        relational_cw = relational_slots / a.caseload.relational.value
        days = np.array([np.inf if x is None else x for x in scenario.rollout_days()], dtype=float)
        return cls(classic_cw, relational_cw, classic_slots, relational_slots, days)
