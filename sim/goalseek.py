"""Goal-seek: the budget question asked backwards (issue 11, point 6). Which value of a lever meets
a savings target by a budget year with at least a given probability, at the least cost?

The target: the cumulative net (avoided costs minus investment, undiscounted, in the scenario's
price year: the budget view of sim.finance) by the end of budget year `by_year` is at least
`target_dkk`. The probability is over the uncertainty of the assumptions (sim.uncertainty: every
uncertain assumption drawn, the escalation elasticity solved per draw so that the world reproduces
a Herning saving):

1. search: the analytic twin evaluates each candidate value on the same `draws` draws of the
   assumptions (the expected values of each drawn world; chance left out), and the probability is
   the share of draws that meet the target. The candidates are tried from the least to the most
   costly (by the investment they need up to `by_year` at the assumptions' values, so "least
   costly" is measured, not assumed from the lever's direction); the first that meets the target
   with at least `probability` is the answer.
2. confirmation: the simulation runs the answer with `replications` replications, each with its own
   draw of the assumptions (the first of the same draws) and the families' chance; its probability
   comes with its Monte Carlo standard error sqrt(p (1 - p) / n).

The horizon ends with `by_year` (later years cannot change the cumulative net by then).

Levers (`LEVERS`):
- `caseload.relational`: cases per relational caseworker, each whole number in the parameter's
  range; a lower caseload hires more caseworkers.
- `pace`: the months between rollout waves. Wave 1 keeps the scenario's date and wave n starts
  (n - 1) x pace months after it (the plan: 6); a wave that would start after the horizon does not
  start within it. Whole months from 1 to 24.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .analytic import expected_monthly
from .assumptions import AssumptionError
from .experiment import Experiment
from .scenario import MAX_YEARS
from .uncertainty import draw

LEVERS = ("caseload.relational", "pace")
PACE_MONTHS = range(1, 25)
DEFAULT_DRAWS = 100
DEFAULT_REPLICATIONS = 20


@dataclass(frozen=True)
class Candidate:
    """A lever value as the search saw it."""

    value: int
    investment_dkk: float  # up to by_year, at the assumptions' values (what "least costly" ranks by)
    probability: float | None = None  # share of the draws meeting the target (None: not evaluated)
    mean_cumulative_net_dkk: float | None = None


@dataclass(frozen=True)
class Confirmation:
    """The simulation's answer at the chosen value."""

    replications: int
    probability: float
    probability_mc_se: float
    mean_cumulative_net_dkk: float

    def meets(self, probability: float) -> bool:
        """Whether it meets the probability within its standard error."""
        return self.probability + self.probability_mc_se >= probability


@dataclass(frozen=True)
class GoalSeek:
    lever: str
    target_dkk: float
    by_year: int
    probability: float
    price_year: int
    draws: int
    value: int | None  # the answer; None when no candidate meets the target
    candidates: tuple[Candidate, ...]  # every candidate, least costly first
    confirmation: Confirmation | None = field(default=None)

    @property
    def best(self) -> Candidate | None:
        """The evaluated candidate with the highest probability (what comes closest)."""
        seen = [c for c in self.candidates if c.probability is not None]
        return max(seen, key=lambda c: (c.probability, c.mean_cumulative_net_dkk)) if seen else None


def candidates(experiment: Experiment, lever: str) -> list[int]:
    """The values the search tries for a lever."""
    if lever == "caseload.relational":
        p = experiment.scenario.assumptions.caseload.relational
        return list(range(math.ceil(p.low), math.floor(p.high) + 1))
    if lever == "pace":
        return list(PACE_MONTHS)
    raise ValueError(f"lever: expected one of {', '.join(LEVERS)}, got {lever!r}")


def _add_months(date: dt.date, months: int) -> dt.date:
    m = date.month - 1 + months
    return date.replace(year=date.year + m // 12, month=m % 12 + 1)


def at(experiment: Experiment, lever: str, value: int) -> Experiment:
    """The experiment with the lever at `value` (see the module docstring)."""
    if lever == "caseload.relational":
        return experiment.varied({lever: value}, "goal-seek")
    waves = sorted(experiment.scenario.waves)
    first = waves[0][1]
    if first is None:
        raise AssumptionError("goal-seek: pace: the scenario's wave 1 never starts; give it a date first")
    return experiment.varied({f"rollout.waves.{n}": _add_months(first, i * value).isoformat()
                              for i, (n, _) in enumerate(waves)}, "goal-seek")


def check(experiment: Experiment, lever: str, target_dkk: float, by_year: int, probability: float) -> None:
    """The question's own limits; a bad one is a ValueError saying what and where."""
    if lever not in LEVERS:
        raise ValueError(f"lever: expected one of {', '.join(LEVERS)}, got {lever!r}")
    if not math.isfinite(target_dkk):
        raise ValueError(f"target: expected a finite amount of DKK, got {target_dkk!r}")
    first = experiment.scenario.start.year
    if not first <= by_year <= first + MAX_YEARS - 1:
        raise ValueError(f"by-year: expected a budget year from {first} to {first + MAX_YEARS - 1} (the horizon "
                         f"starts in {first}), got {by_year}")
    if not 0 < probability <= 1:
        raise ValueError(f"probability: expected a share above 0 and at most 1 (e.g. 0.8), got {probability!r}")
    if not experiment.scenario.relational:
        raise ValueError(f"scenario: {experiment.scenario.name} rolls nothing out, so no lever changes it; "
                         "start from a scenario with a rollout (e.g. plan)")
    if lever == "pace" and experiment.scenario.gated_waves():
        raise ValueError(f"lever: the waves after the first of {experiment.scenario.name} are savings-gated, so their "
                         "dates (the pace) change nothing; ask with the caseload, or start from a scenario with dates")


def goal_seek(experiment: Experiment, lever: str, target_dkk: float, by_year: int, probability: float,
              draws: int = DEFAULT_DRAWS, replications: int = DEFAULT_REPLICATIONS,
              progress: Callable[[int, int], None] | None = None, **run_options) -> GoalSeek:
    """Search with the analytic twin, confirm with the simulation (run_options go to
    `Experiment.run`: workers, cache, ...). progress: called as (step, total) while searching."""
    check(experiment, lever, target_dkk, by_year, probability)
    if draws < 1 or replications < 1:
        raise ValueError("draws and replications: expected at least 1 each")
    base = experiment.varied({"years": by_year - experiment.scenario.start.year + 1}, "goal-seek")
    values = candidates(base, lever)
    ranked = sorted((Candidate(v, at(base, lever, v).expected().summary.investment_dkk.mean) for v in values),
                    key=lambda c: (c.investment_dkk, c.value))
    drawn = draw(base.arms[1], draws, base.seed).values
    worlds = [base.varied(values_, "parameter draw") for values_ in drawn]
    baseline_cost = np.array([expected_monthly(w.arms[1])["cost_total_dkk"].sum() for w in worlds])
    total = len(ranked)
    out, answer = list(ranked), None
    for i, c in enumerate(ranked):
        if progress:
            progress(i, total)
        net = baseline_cost - np.array([expected_monthly(at(w, lever, c.value).arms[0])["cost_total_dkk"].sum()
                                        for w in worlds])
        out[i] = Candidate(c.value, c.investment_dkk, float(np.mean(net >= target_dkk)), float(net.mean()))
        if out[i].probability >= probability:
            answer = c.value
            break
    if progress:
        progress(total, total)
    confirmation = None
    if answer is not None:
        chosen = at(base, lever, answer)
        chosen = Experiment(*chosen.arms, seed=base.seed, replications=replications, uncertainty="parameters")
        comparison = chosen.run(**run_options)
        last = comparison.per_replication[comparison.per_replication["year"] == by_year]["cumulative_net_dkk"]
        p = float(np.mean(last.to_numpy() >= target_dkk))
        confirmation = Confirmation(replications, p, math.sqrt(p * (1 - p) / replications), float(last.mean()))
    return GoalSeek(lever, float(target_dkk), by_year, probability, base.arms[0].price_year, draws, answer,
                    tuple(out), confirmation)


def format_goal_seek(result: GoalSeek) -> str:
    """The answer in plain words, as `python -m sim goal-seek` prints it."""
    m = lambda x: f"{x / 1e6:,.1f} m DKK"  # noqa: E731
    unit = "cases per caseworker" if result.lever == "caseload.relational" else "months between waves"
    lines = [f"goal: cumulative net of at least {m(result.target_dkk)} by the end of {result.by_year} "
             f"({result.price_year} prices, undiscounted) with probability at least {result.probability:.0%}",
             f"searched {result.lever} ({unit}) from the least to the most costly, with the analytic twin on "
             f"{result.draws} draws of the assumptions"]
    if result.value is None:
        best = result.best
        lines.append(f"no value of {result.lever} from {min(c.value for c in result.candidates)} to "
                     f"{max(c.value for c in result.candidates)} meets the target: the closest is {best.value} "
                     f"with probability {best.probability:.0%} (mean cumulative net {m(best.mean_cumulative_net_dkk)})")
        return "\n".join(lines)
    chosen = next(c for c in result.candidates if c.value == result.value)
    se = math.sqrt(chosen.probability * (1 - chosen.probability) / result.draws)
    lines.append(f"answer: {result.lever} = {result.value} ({unit}): probability {chosen.probability:.0%} "
                 f"(Monte Carlo standard error {se:.0%}), mean cumulative net {m(chosen.mean_cumulative_net_dkk)}, "
                 f"investment to {result.by_year} {m(chosen.investment_dkk)}")
    c = result.confirmation
    verdict = ("confirms it" if c.meets(result.probability) else
               "does NOT confirm it: its probability is below the goal by more than its standard error "
               "(the twin leaves out chance and waiting)")
    lines.append(f"simulation, {c.replications} replications each with its own draw of the assumptions: probability "
                 f"{c.probability:.0%} (Monte Carlo standard error {c.probability_mc_se:.0%}), mean cumulative net "
                 f"{m(c.mean_cumulative_net_dkk)}: it {verdict}")
    return "\n".join(lines)
