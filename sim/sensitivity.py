"""Which assumptions move the savings: three ways to move the parameters across their plausible ranges.

The replications' 5-95 % band only shows the chance in the families' lives for fixed assumptions.
Most of the real uncertainty sits in the assumptions themselves (the caseload effect above all,
docs/sources.md §7), so this module moves parameters across their [low, high] ranges and records the
expected NPV against the baseline from the analytic twin, which makes a few hundred scenario pairs
take seconds. Every method asks the same question through `Experiment.varied` (so the baseline rule
decides which arm a changed assumption applies to) and evaluates it with one helper, `expected_npvs`:

- `morris`: SALib's Morris screening, elementary effects on a grid of levels across every range;
- `tornado`: one assumption at a time at its low and at its high value, all others at their values;
- `sobol`: SALib's Sobol' first- and total-order indices from Saltelli sampling of every range at
  once (shares of the NPV's variance, with bootstrap confidence intervals).

No method samples a point the evidence rules out: the escalation elasticity is not moved on its own
but solved at every point so that the point's world reproduces a Herning saving, which is moved
instead (`herning.saving_dkk`, across the prior of targets.toml [herning]; see sim.uncertainty).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from .calibrate import admissible_escalations, load_targets
from .experiment import Experiment
from .payers import MBU_SHARES
from .scenario import Scenario
from .uncertainty import DERIVED

LEVELS = 4
MILLION = 1e6
# Not a parameter but what the escalation elasticity is solved for at every point (sim.uncertainty):
# the saving in Herning's pilot, across the prior of targets.toml [herning].
HERNING = "herning.saving_dkk"
HERNING_UNIT = "DKK of placement spending saved in Herning's pilot over 3 years"
ESCALATION = "caseload.escalation_elasticity"


def fixed_parameters() -> set[str]:
    """Parameters held at their values: the city's children (tied to the district table), the
    base rates `calibrate` fits so the status quo reproduces the observed flows (moving one alone
    would describe a different city, not an uncertain one) and who pays (sim.payers: the shares split
    the net between MSB and MBU and cannot move it)."""
    payers = {f"payer.{name}" for name in MBU_SHARES.values()}
    return {"city.children", *load_targets().fit.parameters, *payers}


@dataclass(frozen=True)
class Sensitivity:
    """Morris indices of the NPV by parameter, and the NPVs of every sampled scenario pair."""

    indices: pd.DataFrame  # parameter, unit, low, high, mu_star_dkk, mu_dkk, sigma_dkk, mu_star_conf_dkk
    npv_dkk: np.ndarray
    base_npv_dkk: float


@dataclass(frozen=True)
class Tornado:
    """The expected NPV with each parameter at its low and at its high value, one at a time."""

    table: pd.DataFrame  # parameter, unit, low, high, npv_low_dkk, npv_high_dkk, swing_dkk; largest swing first
    base_npv_dkk: float
    price_year: int  # of every amount (sim.prices)


@dataclass(frozen=True)
class SobolIndices:
    """Sobol' first-order (S1) and total-order (ST) indices of the NPV with 95 % confidence intervals."""

    indices: pd.DataFrame  # parameter, unit, low, high, S1, S1_conf, ST, ST_conf; largest ST first
    npv_dkk: np.ndarray
    base_npv_dkk: float
    samples: int  # the base sample size N; the model ran N x (parameters + 2) times
    seed: int

    @property
    def evaluations(self) -> int:
        return len(self.npv_dkk)


def varied_parameters(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Every parameter with a range to move across, by dotted name; instead of the escalation
    elasticity, the Herning saving it is solved for (so no point contradicts Herning)."""
    fixed = fixed_parameters()
    h = load_targets().herning
    return {**{k: (p.low, p.high) for k, p in scenario.assumptions.params().items()
               if p.low < p.high and k not in fixed and p.distribution != DERIVED},
            HERNING: (h.prior_low_dkk, h.prior_high_dkk)}


def admissible(experiment: Experiment, points: Iterable[Mapping[str, float]]) -> list[dict[str, float]]:
    """Each point's values with the escalation elasticity that makes its world reproduce the
    Herning saving `point[HERNING]` (default: the prior's mode, as the calibration), solved for all
    points together (`calibrate.admissible_escalations`)."""
    h = load_targets().herning
    points = [dict(point) for point in points]
    targets = np.array([point.pop(HERNING, h.prior_mode_dkk) for point in points])
    worlds = [(experiment.varied(point, "sensitivity") if point else experiment).arms[1] for point in points]
    return [{**point, ESCALATION: float(e)} for point, e in zip(points, admissible_escalations(worlds, h, targets))]


def ranges_of(experiment: Experiment, names: Sequence[str] | None = None) -> dict[str, tuple[float, float]]:
    """The ranges to move: every varied parameter, or only `names` (each must be one of them)."""
    ranges = varied_parameters(experiment.scenario)
    if names is None:
        return ranges
    names = list(dict.fromkeys(names))
    unknown = [n for n in names if n not in ranges]
    if unknown:
        raise ValueError(f"parameters: {', '.join(unknown)} cannot be varied (expected names from "
                         "`python -m sim assumptions` with a range, other than the city's children and the "
                         "calibrated base rates)")
    if not names:
        raise ValueError("parameters: expected at least one name")
    return {n: ranges[n] for n in names}


def expected_npv(experiment: Experiment, values: Mapping[str, float] | None = None) -> float:
    """Expected NPV (analytic twin) of the experiment with some assumptions set as the baseline
    rule puts them, at an admissible point (`admissible`)."""
    return float(expected_npvs(experiment, [values or {}])[0])


def expected_npvs(experiment: Experiment, points: Iterable[Mapping[str, float]]) -> np.ndarray:
    """The expected NPV at each point (a set of parameter values; the rest at their values), each
    at its admissible escalation elasticity (`admissible`, all points at once)."""
    return np.array([experiment.varied(values, "sensitivity").expected().summary.npv_dkk.mean
                     for values in admissible(experiment, points)], dtype=float)


def _rows(X: np.ndarray, names: Sequence[str]) -> list[dict[str, float]]:
    return [dict(zip(names, x.tolist())) for x in X]


def _problem(ranges: Mapping[str, tuple[float, float]]) -> dict:
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(r) for r in ranges.values()]}


def _described(experiment: Experiment, ranges: Mapping[str, tuple[float, float]], **columns) -> pd.DataFrame:
    """A table with one row per parameter: name, unit and range, then `columns`."""
    params = experiment.scenario.assumptions.params()
    return pd.DataFrame({
        "parameter": list(ranges),
        "unit": [params[n].unit if n in params else HERNING_UNIT for n in ranges],
        "low": [r[0] for r in ranges.values()],
        "high": [r[1] for r in ranges.values()],
        **columns,
    })


def _ranked(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.sort_values(column, ascending=False, kind="stable").reset_index(drop=True)


def morris(experiment: Experiment, trajectories: int = 10, names: Sequence[str] | None = None) -> Sensitivity:
    """Elementary effects of each parameter on the NPV, sampled with the experiment's seed; a world
    assumption moves in both arms, a policy choice in the scenario only (`sim.experiment`)."""
    if trajectories < 2:
        raise ValueError(f"trajectories: expected at least 2, got {trajectories}")
    ranges = ranges_of(experiment, names)
    problem = _problem(ranges)
    X = morris_sample.sample(problem, trajectories, num_levels=LEVELS, seed=experiment.seed)
    npv = expected_npvs(experiment, _rows(X, problem["names"]))
    Si = morris_analyze.analyze(problem, X, npv, num_levels=LEVELS, seed=experiment.seed)
    indices = _described(experiment, ranges, mu_star_dkk=Si["mu_star"], mu_dkk=Si["mu"], sigma_dkk=Si["sigma"],
                         mu_star_conf_dkk=Si["mu_star_conf"])
    return Sensitivity(_ranked(indices, "mu_star_dkk"), npv, expected_npv(experiment))


def tornado(experiment: Experiment, names: Sequence[str] | None = None) -> Tornado:
    """Each parameter at its low, then at its high value, every other at its value (one at a time,
    through the baseline rule); the swing is the distance between the two NPVs."""
    ranges = ranges_of(experiment, names)
    points = [{n: bound} for n, r in ranges.items() for bound in r]
    npv = expected_npvs(experiment, points).reshape(len(ranges), 2)
    table = _described(experiment, ranges, npv_low_dkk=npv[:, 0], npv_high_dkk=npv[:, 1],
                       swing_dkk=np.abs(npv[:, 1] - npv[:, 0]))
    return Tornado(_ranked(table, "swing_dkk"), expected_npv(experiment), experiment.arms[0].price_year)


def sobol(experiment: Experiment, samples: int = 64, names: Sequence[str] | None = None) -> SobolIndices:
    """First- and total-order Sobol' indices of the NPV over the parameters' ranges (uniform),
    from Saltelli's sampling scheme with base sample size `samples` (a power of 2: the Sobol'
    sequence balances only then) and the experiment's seed; N x (parameters + 2) evaluations."""
    if samples < 2 or samples & (samples - 1):
        raise ValueError(f"samples: expected a power of 2 of at least 2 (Sobol' sequence), got {samples}")
    ranges = ranges_of(experiment, names)
    problem = _problem(ranges)
    X = sobol_sample.sample(problem, samples, calc_second_order=False, seed=experiment.seed)
    npv = expected_npvs(experiment, _rows(X, problem["names"]))
    Si = sobol_analyze.analyze(problem, npv, calc_second_order=False, seed=experiment.seed)
    indices = _described(experiment, ranges, S1=Si["S1"], S1_conf=Si["S1_conf"], ST=Si["ST"], ST_conf=Si["ST_conf"])
    return SobolIndices(_ranked(indices, "ST"), npv, expected_npv(experiment), samples, experiment.seed)


def _width(rows: pd.DataFrame) -> int:
    return max(len("parameter"), *(len(p) for p in rows["parameter"]))


def format_sensitivity(result: Sensitivity, top: int = 12) -> str:
    """The most influential parameters and the spread of the NPV over the sampled assumptions."""
    m = MILLION
    rows = result.indices.head(top)
    width = _width(rows)
    lines = [f"{'parameter':<{width}}  {'range':>17}  mu* (m DKK)  mu (m DKK)"]
    for r in rows.itertuples():
        lines.append(f"{r.parameter:<{width}}  {r.low:>8.4g}-{r.high:<8.4g}  {r.mu_star_dkk / m:>11,.1f}  "
                     f"{r.mu_dkk / m:>10,.1f}")
    npv = result.npv_dkk / m
    lines.append(f"NPV at the assumptions' values: {result.base_npv_dkk / m:,.1f} m DKK; over the "
                 f"{len(npv)} sampled points (a grid across every range, not a probability): "
                 f"{npv.min():,.1f} to {npv.max():,.1f} m DKK, negative in {np.mean(npv < 0):.0%}.")
    lines.append("mu*: mean absolute change of the NPV when the parameter moves two thirds of its range "
                 "(Morris elementary effects, analytic twin); mu < 0: the NPV falls as it rises.")
    return "\n".join(lines)


def format_tornado(result: Tornado, top: int = 12) -> str:
    """The parameters with the largest swings, the NPV at each end of their ranges."""
    m = MILLION
    rows = result.table.head(top)
    width = _width(rows)
    lines = [f"{'parameter':<{width}}  {'low':>9}  {'high':>9}  NPV at low  NPV at high  swing (m DKK)"]
    for r in rows.itertuples():
        lines.append(f"{r.parameter:<{width}}  {r.low:>9.4g}  {r.high:>9.4g}  {r.npv_low_dkk / m:>10,.1f}  "
                     f"{r.npv_high_dkk / m:>11,.1f}  {r.swing_dkk / m:>13,.1f}")
    lines.append(f"NPV at the assumptions' values: {result.base_npv_dkk / m:,.1f} m DKK. Each row moves one "
                 f"assumption to its low and to its high value with all others at their values "
                 f"({2 * len(result.table)} evaluations of the analytic twin); showing {len(rows)} of "
                 f"{len(result.table)}.")
    return "\n".join(lines)


def format_sobol(result: SobolIndices, top: int = 12) -> str:
    """The parameters with the largest total-order indices, with their confidence intervals."""
    rows = result.indices.head(top)
    width = _width(rows)
    lines = [f"{'parameter':<{width}}  {'S1':>13}  {'ST':>13}"]
    for r in rows.itertuples():
        lines.append(f"{r.parameter:<{width}}  {r.S1:>6.3f} ±{r.S1_conf:<5.3f}  {r.ST:>6.3f} ±{r.ST_conf:<5.3f}")
    npv = result.npv_dkk / MILLION
    lines.append(f"Base sample size N = {result.samples}: {result.evaluations} evaluations of the analytic twin "
                 f"(N x ({len(result.indices)} parameters + 2)), seed {result.seed}; showing {len(rows)} of "
                 f"{len(result.indices)}.")
    lines.append(f"NPV at the assumptions' values: {result.base_npv_dkk / MILLION:,.1f} m DKK; over the sampled "
                 f"points (every range uniform at once): mean {npv.mean():,.1f}, {npv.min():,.1f} to "
                 f"{npv.max():,.1f} m DKK, negative in {np.mean(npv < 0):.0%}.")
    lines.append("S1: share of the NPV's variance due to the parameter alone; ST: including its interactions "
                 "with the others (± half the 95 % confidence interval, bootstrap). ST near 0: it does not matter.")
    return "\n".join(lines)
