"""The model's rates as plain floats, read once from a scenario.

Both the simulation (`engine`) and the expected-value twin (`analytic`) take their routing shares
and hazards from here, so the two can only differ in how they move families, never in what rates
they use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .caseload import CaseloadEffect, effect_at
from .scenario import Scenario

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

# Family states, also the codes in the transition log.
# (CLOSED: a closed case still in the wellbeing follow-up.)
WAITING, ASSESSMENT, EARLY, COORDINATED, FOSTER, RESIDENTIAL, CLOSED = range(7)

# Need levels.
LOW, MEDIUM, HIGH = range(3)

# Outcomes of a stage.
RESOLVED, ESCALATE, STEP_DOWN = range(3)


@dataclass(frozen=True)
class Rates:
    """Everything the model's families need to know, in days and shares."""

    # triage and assessment
    no_measure_share: float
    early_share: float
    assessment_mean_days: float
    assessment_coordinated_share: float
    assessment_intrusive_share: float
    relational_early_shift: float
    relational_placement_shift: float
    notifications_extra_mean: float
    # levels: mean days and shares at the reference caseload
    early_mean_days: float
    early_escalation: float
    coordinated_mean_days: float
    coordinated_escalation: float
    coordinated_step_down: float
    intrusive_mean_days: float
    intrusive_step_down: float
    foster_share: float
    # caseload effects of the two kinds of team
    classic: CaseloadEffect
    relational: CaseloadEffect
    # families
    severity_low_share: float
    severity_high_share: float
    severity_escalation: tuple[float, float, float]
    wait_escalation_per_day: float
    relapse_probability: float
    relapse_mean_days: float
    wellbeing_initial_mean: tuple[float, float, float]
    wellbeing_initial_sd: float
    wellbeing_level: tuple[float, ...]  # by state code: where a child's score heads in that state
    wellbeing_rate: tuple[float, ...]   # by state code: per day; 0 for closed cases (score kept)
    follow_up_days: float  # closed cases stay in the wellbeing figures this long

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> "Rates":
        a = scenario.assumptions
        v = lambda p: p.value  # noqa: E731
        strength = v(a.relational.effect_strength)
        w = a.wellbeing
        return cls(
            no_measure_share=v(a.triage.no_measure_share),
            early_share=v(a.triage.early_share),
            assessment_mean_days=v(a.assessment.mean_days),
            assessment_coordinated_share=v(a.assessment.coordinated_share),
            assessment_intrusive_share=v(a.assessment.intrusive_share),
            relational_early_shift=min(1.0, v(a.relational.early_shift) * strength),
            relational_placement_shift=min(1.0, v(a.relational.placement_shift) * strength),
            notifications_extra_mean=v(a.notifications.per_notified_child) - 1.0,
            early_mean_days=v(a.early.mean_days),
            early_escalation=v(a.early.escalation_share),
            coordinated_mean_days=v(a.coordinated.mean_days),
            coordinated_escalation=v(a.coordinated.escalation_share),
            coordinated_step_down=v(a.coordinated.step_down_share),
            intrusive_mean_days=v(a.intrusive.mean_days),
            intrusive_step_down=v(a.intrusive.step_down_share),
            foster_share=v(a.intrusive.foster_share),
            classic=effect_at(a, v(a.caseload.classic)),
            relational=effect_at(a, v(a.caseload.relational)),
            severity_low_share=v(a.severity.low_share),
            severity_high_share=v(a.severity.high_share),
            severity_escalation=(v(a.severity.low_escalation_multiplier), 1.0,
                                 v(a.severity.high_escalation_multiplier)),
            wait_escalation_per_day=v(a.waiting.escalation_increase_per_month) / DAYS_PER_MONTH,
            relapse_probability=v(a.relapse.probability),
            relapse_mean_days=v(a.relapse.mean_days),
            wellbeing_initial_mean=(v(w.initial_mean_low), v(w.initial_mean_medium), v(w.initial_mean_high)),
            wellbeing_initial_sd=v(w.initial_sd),
            wellbeing_level=(v(w.level_waiting), v(w.level_assessment), v(w.level_early),
                             v(w.level_coordinated), v(w.level_intrusive), v(w.level_intrusive), 0.0),
            wellbeing_rate=(1.0 / (v(w.adjustment_months) * DAYS_PER_MONTH),) * 6 + (0.0,),
            follow_up_days=v(w.follow_up_days),
        )

    def severity_shares(self) -> tuple[float, float, float]:
        return (self.severity_low_share, 1.0 - self.severity_low_share - self.severity_high_share,
                self.severity_high_share)

    def hazards(self, level: int, effect: CaseloadEffect, severity: int, wait_days: float
                ) -> tuple[float, float, float]:
        """Daily hazards (resolve, escalate, step down) of a stage at `level` (EARLY, COORDINATED
        or an intrusive state) for a team with caseload `effect`."""
        esc_factor = effect.escalation * self.severity_escalation[severity] * (
            1.0 + self.wait_escalation_per_day * wait_days)
        res = effect.resolution
        if level == EARLY:
            d = self.early_mean_days
            return ((1.0 - self.early_escalation) / d * res, self.early_escalation / d * esc_factor, 0.0)
        if level == COORDINATED:
            d = self.coordinated_mean_days
            stay = 1.0 - self.coordinated_escalation - self.coordinated_step_down
            return (stay / d * res, self.coordinated_escalation / d * esc_factor,
                    self.coordinated_step_down / d * res)
        d = self.intrusive_mean_days
        return ((1.0 - self.intrusive_step_down) / d * res, 0.0, self.intrusive_step_down / d * res)


def wellbeing_after(score, level, rate, days):
    """Wellbeing after `days` in a state: exponential adjustment from `score` towards the state's
    level (works on floats and numpy arrays alike)."""
    return level + (score - level) * np.exp(-rate * days)


def exponential(u: float, rate: float) -> float:
    """Inverse-CDF draw of an exponential duration (infinite when the rate is zero)."""
    return -math.log(u) / rate if rate > 0 else math.inf
