"""Which assumptions move the savings: Morris screening over every parameter's plausible range.

The replications' 5-95 % band only shows the chance in the families' lives for fixed assumptions.
Most of the real uncertainty sits in the assumptions themselves (the caseload effect above all,
docs/sources.md §7), so this module moves every parameter across its [low, high] range (SALib's Morris
method, elementary effects on a grid of levels) and records the paired NPV against the baseline
from the analytic twin, which makes a few hundred scenario pairs take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from .calibrate import load_targets
from .experiment import Experiment
from .scenario import Scenario

LEVELS = 4


def fixed_parameters() -> set[str]:
    """Parameters held at their values: the city's children (tied to the district table) and the
    base rates `calibrate` fits so the status quo reproduces the observed flows (moving one alone
    would describe a different city, not an uncertain one)."""
    return {"city.children", "staff.classic_caseworkers", *load_targets().fit.parameters}


@dataclass(frozen=True)
class Sensitivity:
    """Morris indices of the NPV by parameter, and the NPVs of every sampled scenario pair."""

    indices: pd.DataFrame  # parameter, unit, low, high, mu_star_dkk, mu_dkk, sigma_dkk, mu_star_conf_dkk
    npv_dkk: np.ndarray
    base_npv_dkk: float


def varied_parameters(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Every parameter with a range to move across, by dotted name."""
    fixed = fixed_parameters()
    return {k: (p.low, p.high) for k, p in scenario.assumptions.params().items()
            if p.low < p.high and k not in fixed}


def expected_npv(experiment: Experiment, values: dict[str, float] | None = None) -> float:
    """Expected NPV (analytic twin) of the experiment with some assumptions set as the baseline
    rule puts them."""
    return (experiment.varied(values, "sensitivity") if values else experiment).expected().summary.npv_dkk.mean


def morris(experiment: Experiment, trajectories: int = 10) -> Sensitivity:
    """Elementary effects of each parameter on the NPV, sampled with the experiment's seed; a world
    assumption moves in both arms, a policy choice in the scenario only (`sim.experiment`)."""
    if trajectories < 2:
        raise ValueError(f"trajectories: expected at least 2, got {trajectories}")
    ranges = varied_parameters(experiment.scenario)
    names = list(ranges)
    problem = {"num_vars": len(names), "names": names, "bounds": [list(ranges[n]) for n in names]}
    X = morris_sample.sample(problem, trajectories, num_levels=LEVELS, seed=experiment.seed)
    npv = np.array([expected_npv(experiment, dict(zip(names, x.tolist()))) for x in X])
    Si = morris_analyze.analyze(problem, X, npv, num_levels=LEVELS, seed=experiment.seed)
    params = experiment.scenario.assumptions.params()
    indices = pd.DataFrame({
        "parameter": names,
        "unit": [params[n].unit for n in names],
        "low": [ranges[n][0] for n in names],
        "high": [ranges[n][1] for n in names],
        "mu_star_dkk": Si["mu_star"],
        "mu_dkk": Si["mu"],
        "sigma_dkk": Si["sigma"],
        "mu_star_conf_dkk": Si["mu_star_conf"],
    }).sort_values("mu_star_dkk", ascending=False, kind="stable").reset_index(drop=True)
    return Sensitivity(indices, npv, expected_npv(experiment))


def format_sensitivity(result: Sensitivity, top: int = 12) -> str:
    """The most influential parameters and the spread of the NPV over the sampled assumptions."""
    m = 1e6
    rows = result.indices.head(top)
    width = max(len(p) for p in rows["parameter"])
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
