"""The model's rates as plain floats, read once from a scenario, and the transition table.

The transition table (`Routes`, one per team type: classic, relational and pilot, each at the caseload
its caseworkers at work carry; a pilot team is a relational team at `caseload.pilot`; a new team that
learns or recruits is a relational one at `relational.learning_effect` of its levers) holds every
route a family can take between states, written once as data:

    triage       a notified child: no case (NO_CASE), early help (EARLY) or an assessment
                 (ASSESSMENT); a relational team shifts some of the assessments to early help.
    assessment   when it ends: coordinated help, a placement (PLACEMENT) or a closed case (CLOSED);
                 a relational team shifts some of the placements to coordinated help.
    placement    the type of a placement when it starts: FOSTER or RESIDENTIAL.
    stages       a stay at EARLY, COORDINATED, FOSTER or RESIDENTIAL: competing exponential risks of
                 resolving (CLOSED), escalating (`up`) and stepping down (`down`).
    mean_days    the assumed mean stay in ASSESSMENT, EARLY, COORDINATED and PLACEMENT at the
                 reference caseload, from which the hazards come.

The decisions are `Branch`es: destinations with their shares in draw order, plus the relational
shift of one destination to another, drawn with a second uniform. The simulation (`engine`)
samples each family's route from its district's table with `Branch.pick` and `Rates.hazards`;
the expected-value twin (`analytic`) builds its matrix from `Branch.probabilities` and the same
hazards. So the two can only differ in how they move families, never in what routes and rates they
use.

The families in the system at the start (`StartPopulation`) and each district's share of the
city's children (`district_shares`) are likewise read in one place for the engine, the twin,
staffing, the fixed costs and the calibration.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .assumptions import Assumptions
from .caseload import CaseloadEffect, effect_at, relational_effect
from .scenario import Scenario

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

# Family states, also the codes in the transition log.
WAITING, ASSESSMENT, EARLY, COORDINATED, FOSTER, RESIDENTIAL = range(6)
N_STATES = 6
# Destinations of a route that are not states of the log: no case opened at triage, a placement
# whose type (FOSTER or RESIDENTIAL) is drawn when it starts, and a closed case.
NO_CASE, PLACEMENT, CLOSED = -1, -2, -3

# Need levels.
LOW, MEDIUM, HIGH = range(3)

# Team types, also the order of `Rates.tables`: the classic city-wide organisation, the plan's
# relational teams, the pilot teams working relationally since 2019 and 2021, and the plan's new
# relational teams in a classic district while they learn the practice (at
# `relational.learning_effect` of their levers): fully staffed (LEARNING) or, before that, with the
# caseworkers who served the district at its wave (STAFFING). staffing.Staffing.team_at says which
# works where and when.
CLASSIC, RELATIONAL, PILOT, LEARNING, STAFFING = range(5)
TEAMS = (CLASSIC, RELATIONAL, PILOT, LEARNING, STAFFING)


@dataclass(frozen=True)
class Branch:
    """One decision: the destinations `to` with their `shares`, in draw order. A family's uniform u
    picks the first destination whose cumulative share exceeds u (the last if none does). Families
    bound for `shift_from` then go to `shift_to` instead with probability `shift`, drawn with a
    second uniform (the relational team's shifts; 0 for classic teams)."""

    to: tuple[int, ...]
    shares: tuple[float, ...]
    shift_from: int | None = None
    shift_to: int | None = None
    shift: float = 0.0
    bounds: tuple[float, ...] = field(init=False, repr=False, compare=False)  # cumulative shares

    def __post_init__(self) -> None:
        bounds, cumulative = [], 0.0
        for share in self.shares:
            cumulative += share
            bounds.append(cumulative)
        object.__setattr__(self, "bounds", tuple(bounds))

    def pick(self, u: float, u_shift: float = 1.0) -> int:
        """The destination of a family with uniforms u and u_shift (the default: no shift)."""
        for state, bound in zip(self.to, self.bounds):
            if u < bound:
                break
        if state == self.shift_from and u_shift < self.shift:
            return self.shift_to
        return state

    def pick_all(self, u: np.ndarray, u_shift: np.ndarray) -> np.ndarray:
        """`pick` for arrays of uniforms: the same destinations, by the same comparisons."""
        chosen = np.asarray(self.to)[np.minimum(np.searchsorted(self.bounds, u, side="right"), len(self.to) - 1)]
        if self.shift_from is None:
            return chosen
        return np.where((chosen == self.shift_from) & (u_shift < self.shift), self.shift_to, chosen)

    def probabilities(self) -> dict[int, float]:
        """Each destination's probability, the shift included, in draw order."""
        out = dict(zip(self.to, self.shares))
        if self.shift_from is not None:
            moved = out[self.shift_from]
            out[self.shift_to] = out[self.shift_to] + moved * self.shift
            out[self.shift_from] = moved * (1.0 - self.shift)
        return out


@dataclass(frozen=True)
class Stage:
    """A stay at one level of help: three competing exponential risks, per day. `resolve` and
    `step_down` include the team's caseload factor; `escalate` is for a family of medium need at
    the reference caseload who did not wait (`Rates.hazards` applies those factors). A level
    without an escalation or a step down has `up` or `down` None and that hazard 0."""

    resolve: float       # to CLOSED
    escalate: float      # to `up`
    step_down: float     # to `down`
    up: int | None
    down: int | None


@dataclass(frozen=True)
class Routes:
    """The transition table of one team type at its caseload (see the module docstring)."""

    caseload: CaseloadEffect
    mean_days: dict[int, float]   # ASSESSMENT, EARLY, COORDINATED, PLACEMENT
    triage: Branch
    assessment: Branch
    placement: Branch
    stages: dict[int, Stage]      # EARLY, COORDINATED, FOSTER, RESIDENTIAL

    @classmethod
    def build(cls, a: Assumptions, effect: CaseloadEffect, early_shift: float = 0.0, placement_shift: float = 0.0,
              foster_shift: float = 0.0) -> "Routes":
        """The table for a team whose caseload acts by `effect` and whose shifts are `early_shift`
        (assessments to early help), `placement_shift` (placements to coordinated help) and
        `foster_shift` (residential placements to foster care; the same uniform decides the type,
        so a family placed in foster care by a classic team is so by a relational one too)."""
        v = lambda p: p.value  # noqa: E731
        res = effect.resolution
        no_measure, early = v(a.triage.no_measure_share), v(a.triage.early_share)
        coordinated, intrusive = v(a.assessment.coordinated_share), v(a.assessment.intrusive_share)
        foster = v(a.intrusive.foster_share)
        days = {ASSESSMENT: v(a.assessment.mean_days), EARLY: v(a.early.mean_days),
                COORDINATED: v(a.coordinated.mean_days), PLACEMENT: v(a.intrusive.mean_days)}
        e_esc = v(a.early.escalation_share)
        c_esc, c_down = v(a.coordinated.escalation_share), v(a.coordinated.step_down_share)
        i_down = v(a.intrusive.step_down_share)
        d_e, d_c, d_i = days[EARLY], days[COORDINATED], days[PLACEMENT]
        ends = effect.placement
        placed = Stage((1.0 - i_down) / d_i * ends, 0.0, i_down / d_i * ends, None, COORDINATED)
        foster = foster + (1.0 - foster) * foster_shift
        return cls(
            caseload=effect,
            mean_days=days,
            triage=Branch((NO_CASE, EARLY, ASSESSMENT), (no_measure, early, 1.0 - no_measure - early),
                          ASSESSMENT, EARLY, early_shift),
            assessment=Branch((COORDINATED, PLACEMENT, CLOSED),
                              (coordinated, intrusive, 1.0 - coordinated - intrusive),
                              PLACEMENT, COORDINATED, placement_shift),
            placement=Branch((FOSTER, RESIDENTIAL), (foster, 1.0 - foster)),
            stages={
                EARLY: Stage((1.0 - e_esc) / d_e * res, e_esc / d_e, 0.0, COORDINATED, None),
                COORDINATED: Stage((1.0 - c_esc - c_down) / d_c * res, c_esc / d_c, c_down / d_c * res,
                                   PLACEMENT, EARLY),
                FOSTER: placed,
                RESIDENTIAL: placed,
            },
        )


@dataclass(frozen=True)
class Rates:
    """Everything the model's families need to know, in days and shares."""

    # the transition tables of the five types of team
    classic: Routes
    relational: Routes
    pilot: Routes
    learning: Routes
    staffing: Routes
    notifications_extra_mean: float
    # families
    severity_low_share: float
    severity_high_share: float
    severity_escalation: tuple[float, float, float]
    wait_escalation_per_day: float
    max_wait_days: float  # after this a case is taken above the caseload
    relapse_probability: float
    relapse_mean_days: float

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> "Rates":
        a = scenario.assumptions
        v = lambda p: p.value  # noqa: E731
        strength = v(a.relational.effect_strength)  # the plan's teams; the pilots work at strength 1
        learning = strength * v(a.relational.learning_effect)  # the plan's teams while they learn
        # the caseload the caseworkers at work carry (staffing): a fully staffed relational team's
        # posts less their vacancies; a new team's in a classic district, before its extra
        # caseworkers arrive, those who served it (at the classic caseload, for the team's slots)
        at_work = v(a.caseload.relational) / (1.0 - v(a.staff.vacancy_rate))
        recruiting = v(a.caseload.classic) * v(a.staff.relational_capacity_ratio)

        def shifts(s: float) -> tuple[float, float, float]:
            return (min(1.0, v(a.relational.early_shift) * s), min(1.0, v(a.relational.placement_shift) * s),
                    min(1.0, v(a.relational.foster_shift) * s))

        return cls(
            classic=Routes.build(a, effect_at(a, v(a.caseload.classic))),
            relational=Routes.build(a, relational_effect(a, at_work, strength), *shifts(strength)),
            pilot=Routes.build(a, relational_effect(a, v(a.caseload.pilot), 1.0), *shifts(1.0)),
            learning=Routes.build(a, relational_effect(a, at_work, learning), *shifts(learning)),
            staffing=Routes.build(a, relational_effect(a, recruiting, learning), *shifts(learning)),
            notifications_extra_mean=v(a.notifications.per_notified_child) - 1.0,
            severity_low_share=v(a.severity.low_share),
            severity_high_share=v(a.severity.high_share),
            severity_escalation=(v(a.severity.low_escalation_multiplier), 1.0,
                                 v(a.severity.high_escalation_multiplier)),
            wait_escalation_per_day=v(a.waiting.escalation_increase_per_month) / DAYS_PER_MONTH,
            max_wait_days=v(a.waiting.max_days),
            relapse_probability=v(a.relapse.probability),
            relapse_mean_days=v(a.relapse.mean_days),
        )

    @cached_property
    def extra_notification_bounds(self) -> tuple[float, ...]:
        """The Poisson distribution of a notified child's notifications beyond the first, as the
        cumulative probabilities of 0, 1, 2, ... up to 1 (or until the terms underflow)."""
        mean = self.notifications_extra_mean
        p = math.exp(-mean)
        bounds = [p]
        while bounds[-1] < 1.0 and p > 0:
            p *= mean / len(bounds)
            bounds.append(bounds[-1] + p)
        return tuple(bounds)

    def extra_notifications(self, u: np.ndarray) -> np.ndarray:
        """Inverse-CDF draws of the notifications beyond the first, one per uniform in u: the first
        count whose cumulative probability reaches u (`extra_notification` for one)."""
        bounds = self.extra_notification_bounds
        return np.minimum(np.searchsorted(bounds, u, side="left"), len(bounds) - 1)

    def extra_notification(self, u: float) -> int:
        """`extra_notifications` of one uniform, without numpy's cost per call."""
        bounds = self.extra_notification_bounds
        return min(bisect_left(bounds, u), len(bounds) - 1)

    @cached_property
    def tables(self) -> tuple[Routes, ...]:
        """The transition tables by team type (CLASSIC, RELATIONAL, PILOT, LEARNING, STAFFING)."""
        return self.classic, self.relational, self.pilot, self.learning, self.staffing

    def severity_shares(self) -> tuple[float, float, float]:
        return (self.severity_low_share, 1.0 - self.severity_low_share - self.severity_high_share,
                self.severity_high_share)

    def hazards(self, level: int, routes: Routes, severity: int, wait_days: float
                ) -> tuple[float, float, float]:
        """Daily hazards (resolve, escalate, step down) of a stage at `level` (EARLY, COORDINATED,
        FOSTER or RESIDENTIAL) under the team table `routes`, for a family of need `severity` that
        waited `wait_days` for its case slot."""
        stage = routes.stages[level]
        return stage.resolve, stage.escalate * self.escalation_factor(routes, severity, wait_days), stage.step_down

    def escalation_factor(self, routes: Routes, severity: int, wait_days: float) -> float:
        """What a stage's escalation hazard is multiplied by (`hazards`): the team's caseload, the
        family's need and its wait for a case slot, the same at every level of its episode."""
        return routes.caseload.escalation * self.severity_escalation[severity] * (
            1.0 + self.wait_escalation_per_day * wait_days)


def district_shares(scenario: Scenario) -> np.ndarray:
    """Each district's share of the city's need: its children times its need index raised to
    `city.need_contrast` (0: every child alike; 1: the index as given). The notifications, the open
    cases at the start, the classic caseworkers (and so the case slots) and the coordinator's
    funding are spread over districts by it."""
    children = np.array([d.children for d in scenario.districts], dtype=float)
    need = np.array([d.need for d in scenario.districts], dtype=float)
    weight = children * need ** scenario.assumptions.city.need_contrast.value
    return weight / weight.sum()


@dataclass(frozen=True)
class StartPopulation:
    """The families in the system when a run starts (`initial.*` assumptions), in whole families
    per district, spread by children (largest remainder).

    open_cases: by state, in this order: ASSESSMENT, EARLY, COORDINATED and PLACEMENT (placed
      children, whose type is drawn as for any placement), each under its district's first team
      (`staffing.Staffing.first_team`: a pilot's own, else the classic organisation);
    relapse_pending: families who closed a case before the start and will be notified again.
    """

    open_cases: dict[int, list[int]]
    relapse_pending: list[int]

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> "StartPopulation":
        a = scenario.assumptions.initial
        share = district_shares(scenario)
        counts = ((ASSESSMENT, a.assessment), (EARLY, a.early), (COORDINATED, a.coordinated),
                  (PLACEMENT, a.intrusive))
        return cls({state: apportion(round(p.value), share) for state, p in counts},
                   apportion(round(a.relapse_pending.value), share))

    def open_total(self) -> int:
        return sum(sum(n) for n in self.open_cases.values())


def apportion(total: int, share: np.ndarray) -> list[int]:
    """Split a whole number by shares so the parts add up exactly (largest remainder)."""
    raw = total * share
    base = np.floor(raw).astype(int)
    rest = total - int(base.sum())
    base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base.tolist()


def exponential(u: float, rate: float) -> float:
    """Inverse-CDF draw of an exponential duration (infinite when the rate is zero)."""
    return -math.log(u) / rate if rate > 0 else math.inf
