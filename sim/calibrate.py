"""Calibration and validation against real figures (assumptions/targets.toml).

`calibrate` fits the base rates that no source gives so that the status-quo baseline of the fast
analytic twin reproduces Aarhus's notifications, starts of help, placements and their mix, then
writes the fitted values into base.toml (comments and layout kept, every value inside its range).
`validate` checks the simulation itself against the same targets, so a budget analyst can see that
the baseline matches the real numbers before trusting any saving, and prints the Herning check:
the same model's saving from halving caseloads against KORA's evaluation.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import tomlkit
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy.optimize import least_squares
from scipy.optimize.elementwise import find_root

from .analytic import STAGES, ClassicCities, expected_yearly
from .assumptions import ASSUMPTIONS_DIR, AssumptionError, load_assumptions, parse_assumptions, read_toml
from .caseload import caseload_effect
from .months import Calendar
from .prices import load_price_index
from .rates import FOSTER, RESIDENTIAL, StartPopulation
from .accounts import unit_costs
from .runner import run
from .scenario import SCENARIO_DIR, Scenario, base_scenario, load_scenario, parse_scenario

TARGETS_PATH = ASSUMPTIONS_DIR / "targets.toml"
BASE_PATH = ASSUMPTIONS_DIR / "base.toml"
CALIBRATED_MARK = " Calibrated by `python -m sim calibrate`"


# -- what the model reports ---------------------------------------------------------------------
def _flow(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda city: city.groupby("replication")[column].mean()


def _stock(*columns: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda city: city[list(columns)].sum(axis=1).groupby(city["replication"]).mean()


def _foster_share(city: pd.DataFrame) -> pd.Series:
    g = city.groupby("replication")
    return g["foster_days"].sum() / g["placement_days"].sum()


# Each takes the city-wide yearly rows of the window (one per replication and year) and gives one
# value per replication: flows are yearly means, stocks are means of the year-end counts.
QUANTITIES: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "notifications": _flow("notifications"),
    "early_starts": _flow("early_starts"),
    "coordinated_starts": _flow("coordinated_starts"),
    "intrusive_starts": _flow("intrusive_starts"),
    "open_intrusive": _stock("open_intrusive"),
    "open_preventive": _stock("open_early", "open_coordinated"),
    "open_cases": _stock("open_waiting", "open_assessment", "open_early", "open_coordinated", "open_intrusive"),
    "foster_share": _foster_share,
}


def model_quantities(yearly: pd.DataFrame, years: int) -> pd.DataFrame:
    """Per replication, every quantity over the first `years` budget years of a yearly table."""
    window = sorted(yearly["year"].unique())[:years]
    rows = yearly[yearly["year"].isin(window)]
    numeric = rows.columns.drop(["scenario", "replication", "year", "district"])
    city = rows.groupby(["replication", "year"])[list(numeric)].sum().reset_index()
    return pd.DataFrame({name: fn(city) for name, fn in QUANTITIES.items()})


# -- the targets file ---------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Target(_Strict):
    label: str = Field(min_length=1)
    quantity: str
    value: float = Field(gt=0)
    unit: str = Field(min_length=1)
    source: str = Field(min_length=1)
    derivation: str = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> "Target":
        if self.quantity not in QUANTITIES:
            raise ValueError(f"unknown quantity {self.quantity!r} (expected one of {', '.join(QUANTITIES)})")
        return self


class Fit(_Strict):
    parameters: list[str] = Field(min_length=1)
    prior_weight: float = Field(ge=0)


class StaffingTarget(_Strict):
    start_utilisation: float = Field(gt=0, le=1)


class Herning(_Strict):
    label: str
    children: float = Field(gt=0)
    children_source: str = Field(min_length=1)
    children_derivation: str = Field(min_length=1)
    caseload_before: float = Field(gt=0)
    caseload_after: float = Field(gt=0)
    caseworkers_before: float = Field(gt=0)
    years: int = Field(ge=1)
    price_year: int  # the prices of the savings below (sim.prices)
    saving_low_dkk: float
    saving_high_dkk: float
    saving_source: str = Field(min_length=1)
    saving_derivation: str = Field(min_length=1)
    prior_low_dkk: float = Field(ge=0)
    prior_mode_dkk: float = Field(ge=0)
    prior_high_dkk: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "Herning":
        if not self.prior_low_dkk <= self.prior_mode_dkk <= self.prior_high_dkk:
            raise ValueError("prior_low_dkk <= prior_mode_dkk <= prior_high_dkk must hold")
        return self


class Targets(_Strict):
    scenario: str
    years: int = Field(ge=1)
    tolerance: float = Field(gt=0)
    fit: Fit
    staffing: StaffingTarget
    targets: dict[str, Target] = Field(min_length=1)   # fitted by `calibrate`
    heldout: dict[str, Target] = Field(min_length=1)   # never read by `calibrate`: validation only
    herning: Herning


def load_targets(path: Path | str = TARGETS_PATH) -> Targets:
    """Read and check the targets file; a bad file is an AssumptionError naming file and key. Read
    again only when the file has changed: every cached analysis and parameter draw is keyed by the
    Herning prior in it, and a slider move may not wait for the file to be parsed and checked."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        stat = None  # not there (or unreadable): _read_targets says so
    return _read_targets(path, None if stat is None else (stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=8)
def _read_targets(path: Path, _stamp: tuple[int, int] | None) -> Targets:
    try:
        targets = Targets.model_validate(read_toml(path))
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(p) for p in e["loc"])
        raise AssumptionError(f"{path}: {where}: {e['msg'].removeprefix('Value error, ')}") from None
    known = load_scenario(targets.scenario).assumptions.params()
    for key in targets.fit.parameters:
        if key not in known:
            raise AssumptionError(f"{path}: fit.parameters: unknown parameter {key!r}")
    return targets


# -- calibration ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Calibration:
    values: dict[str, float]        # fitted parameter values
    before: pd.Series               # twin quantities with the starting values
    after: pd.Series                # twin quantities with the fitted values
    targets: pd.Series              # target values by quantity


def twin_quantities(scenario: Scenario, years: int) -> pd.Series:
    """The analytic twin's value of every quantity over the first `years` budget years."""
    short = scenario.with_overrides({"years": years}) if scenario.years != years else scenario
    return model_quantities(expected_yearly(short), years).iloc[0]


def fit(targets: Targets, scenario: Scenario | None = None) -> Calibration:
    """Least squares on relative target errors, within each parameter's [low, high]."""
    scenario = scenario or load_scenario(targets.scenario)
    scenario = scenario.with_overrides({"years": targets.years})
    params = scenario.assumptions.params()
    keys = list(targets.fit.parameters)
    low = np.array([params[k].low for k in keys])
    high = np.array([params[k].high for k in keys])
    span = np.where(high > low, high - low, 1.0)
    goal = pd.Series({t.quantity: t.value for t in targets.targets.values()})
    prior = np.sqrt(targets.fit.prior_weight)

    def at(theta: np.ndarray) -> Scenario:
        # The optimiser works in units of each range; scenario validation still checks every value.
        values = low + np.clip(theta, 0.0, 1.0) * span
        return scenario.with_overrides(dict(zip(keys, map(float, values))), "calibration")

    def residuals(theta: np.ndarray) -> np.ndarray:
        got = twin_quantities(at(theta), targets.years)[goal.index]
        return np.concatenate([(got / goal - 1.0).to_numpy(), prior * (theta - 0.5)])

    start = np.array([(params[k].value - params[k].low) / s for k, s in zip(keys, span)])
    result = least_squares(residuals, np.clip(start, 0.0, 1.0), bounds=(0.0, 1.0), x_scale=1.0,
                           diff_step=1e-4)
    fitted = at(result.x)
    return Calibration(
        values={k: _rounded(fitted.assumptions.value(k), params[k].low, params[k].high) for k in keys},
        before=twin_quantities(scenario, targets.years)[goal.index],
        after=twin_quantities(fitted, targets.years)[goal.index],
        targets=goal,
    )


def _rounded(value: float, low: float, high: float) -> float:
    """Four significant digits, kept inside [low, high]: legible in the file, no false precision."""
    return float(min(high, max(low, float(f"{value:.4g}"))))


def write_values(path: Path | str, values: dict[str, float], notes: dict[str, str]) -> None:
    """Write parameter values into a base.toml-shaped file, keeping its comments and layout, and
    end each one's note with how it was calibrated (`notes`, by key; replacing an earlier
    calibration's). The new file is validated in full before it replaces the old one, so a value
    outside its range or an unknown key leaves the file unharmed."""
    path = Path(path)
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    for key, value in values.items():
        group, _, name = key.partition(".")
        table = doc[group].get(name) if group in doc else None
        if table is None:
            raise AssumptionError(f"{path}: unknown parameter {key!r}")
        low, high = float(table["low"]), float(table["high"])
        if not low <= value <= high:
            raise AssumptionError(f"{path}: {key}: fitted value {value:g} is outside its range {low:g} to {high:g}")
        table["value"] = int(value) if float(value).is_integer() and isinstance(table["value"], int) else value
        old = str(table.get("note", ""))
        table["note"] = old.split(CALIBRATED_MARK)[0].rstrip() + CALIBRATED_MARK + f" {notes[key]}"
    text = tomlkit.dumps(doc)
    parse_assumptions(tomllib.loads(text), str(path))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def calibrate(targets_path: Path | str = TARGETS_PATH, base_path: Path | str = BASE_PATH) -> Calibration:
    """Fit the targets' parameters on the status quo built from `base_path` and write them there."""
    targets = load_targets(targets_path)
    path = SCENARIO_DIR / f"{targets.scenario}.toml"
    scenario = parse_scenario(read_toml(path), targets.scenario, str(path),
                              base=base_scenario(load_assumptions(base_path)))
    result = fit(targets, scenario)
    share = targets.staffing.start_utilisation
    fitted = scenario.with_overrides(result.values, "calibration")
    staff = classic_caseworkers(fitted, share)
    elasticity = fit_escalation_elasticity(fitted, targets.herning)
    values = {**result.values, "staff.classic_caseworkers": staff, "caseload.escalation_elasticity": elasticity}
    notes = {key: calibration_note(targets) for key in result.values}
    notes["caseload.escalation_elasticity"] = (
        f"so that halving the caseload (48 -> 24) for Herning's pilot population saves "
        f"{targets.herning.prior_mode_dkk / 1e6:.1f} m DKK ({targets.herning.price_year} prices) of placement spending over {targets.herning.years} "
        "years, the smaller reading of KORA's figure and the mode of the Herning prior (targets.toml [herning]; "
        "Herning is the only Danish evaluation with numbers, before/after without a control group, so its "
        "saving is treated as an upper bound; the parameter uncertainty solves this elasticity per draw).")
    notes["staff.classic_caseworkers"] = (
        f"as whole caseworkers whose case slots today's open cases fill to {share:.0%} (assumptions/targets.toml "
        "[staffing]: caseworkers carry the national average caseload, above DS's recommendation, so the classic "
        "organisation runs close to full and families wait as the child population grows at a fixed staff). "
        "The range runs from full at the start (low) to the staff at which nobody waits in the status quo over "
        "ten years (high); it is drawn in the parameter uncertainty and varied in the sensitivity analyses.")
    write_values(base_path, values, notes)
    return replace(result, values=values)


def classic_caseworkers(status_quo: Scenario, start_utilisation: float) -> float:
    """Whole caseworkers whose case slots today's open cases fill to `start_utilisation`."""
    open_cases = StartPopulation.from_scenario(status_quo).open_total()
    return float(math.ceil(open_cases / (status_quo.assumptions.caseload.classic.value * start_utilisation)))


def format_calibration(result: Calibration) -> str:
    table = pd.DataFrame({"target": result.targets, "before": result.before, "after": result.after})
    table["difference"] = (table["after"] / table["target"] - 1.0).map("{:+.1%}".format)
    lines = [table.to_string(float_format=lambda x: f"{x:,.3f}" if abs(x) < 10 else f"{x:,.1f}"), "fitted:"]
    lines += [f"  {k} = {v:g}" for k, v in result.values.items()]
    return "\n".join(lines)


def calibration_note(targets: Targets) -> str:
    return (f"(status quo, first {targets.years} budget years) to assumptions/targets.toml: "
            f"{', '.join(targets.targets)}.")


# -- validation ---------------------------------------------------------------------------------
def compare(quantities: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """The validation table: per target, fitted and then held out, its model mean, 90 % interval
    over replications, difference and whether it lies within the tolerance."""
    rows = []
    groups = [("fitted", t) for t in targets.targets.values()] + [("held out", t) for t in targets.heldout.values()]
    for group, t in groups:
        q = quantities[t.quantity]
        mean = float(q.mean())
        diff = mean / t.value - 1.0
        rows.append({
            "group": group, "target": t.label, "value": t.value, "model_mean": mean,
            "model_p05": float(q.quantile(0.05)), "model_p95": float(q.quantile(0.95)),
            "difference": diff, "ok": abs(diff) <= targets.tolerance, "source": t.source,
        })
    return pd.DataFrame(rows)


def validation_table(targets: Targets, replications: int, seed: int, workers: int | None = None,
                     show_progress: bool = False) -> pd.DataFrame:
    """Run the simulation's status quo over the target window and compare it with the targets."""
    scenario = load_scenario(targets.scenario).with_overrides({"years": targets.years})
    res = run(scenario, replications, seed, workers, show_progress=show_progress)
    return compare(model_quantities(res.yearly, targets.years), targets)


def format_table(table: pd.DataFrame, targets: Targets, replications: int, seed: int) -> str:
    def num(x: float) -> str:
        return f"{x:,.3f}" if abs(x) < 10 else f"{x:,.1f}" if abs(x) < 1000 else f"{x:,.0f}"

    start = load_scenario(targets.scenario).start.year
    titles = {"fitted": "Fitted by `calibrate` (the model was tuned to these):",
              "held out": "Held out (never read by `calibrate`: Aarhus's own figures and years the fit did not use):"}
    header = f"{'target':<45} {'value':>8} {'model mean':>10} {'90 % interval':>19} {'diff':>7}  ok   source"
    lines = []
    for group, rows in table.groupby("group", sort=False):
        lines += ([""] if lines else []) + [titles[group], header]
        for r in rows.itertuples():
            interval = f"{num(r.model_p05)} - {num(r.model_p95)}"
            source = re.sub(r"\s+", " ", r.source)
            lines.append(f"{r.target:<45} {num(r.value):>8} {num(r.model_mean):>10} {interval:>19} "
                         f"{r.difference:>+7.1%}  {'yes' if r.ok else 'NO ':<4} {source}")
    lines.append(f"Model: the simulation's {targets.scenario} scenario, {replications} replications (seed {seed}); "
                 f"each value is the mean of the budget years {start}-{start + targets.years - 1} (flows per year, "
                 f"stocks at each year's end); interval: 5th-95th percentile over replications; "
                 f"tolerance {targets.tolerance:.0%}.")
    return "\n".join(lines)


# -- the Herning check ----------------------------------------------------------------------------
@dataclass(frozen=True)
class HerningCheck:
    placement_saving_dkk: float     # fall in placement spending over the years, pilot population
    extra_staff_dkk: float          # cost of the extra caseworkers over the same years
    low_dkk: float
    high_dkk: float

    @property
    def inside(self) -> bool:
        return self.low_dkk <= self.placement_saving_dkk <= self.high_dkk


def herning_saving(status_quo: Scenario, h: Herning) -> float:
    """The fall in placement spending over h.years when the classic caseload halves (48 -> 24), for
    Herning's pilot population, measured as KORA measured it, in the Herning figures' prices
    (h.price_year). KORA compared 2013-2015 with the spending before the pilot, with no control
    group: a flat before-period. So does the model. Herning's population stands where years at the
    old caseload have brought it (the twin's capacity-free steady state, not Aarhus's open cases and
    placed children), its notifications flat (no growth); the counterfactual keeps that level for
    h.years, the pilot halves the caseload from it. Herning doubled its caseworkers, so its case
    slots stayed as they were: the twin runs without capacity limits, where it is linear in the
    population, and the city's saving times pilot children / city children is the pilot's. The
    rates per child are the model's (fitted to national rates); Herning had no relational teams, so
    every district is classic here (`analytic.ClassicCities`, `HerningWorlds`)."""
    worlds = HerningWorlds([status_quo], h)
    return float(worlds.saving(worlds.value)[0])


class HerningWorlds:
    """Herning's pilot (`herning_saving`) in many worlds at once, each at any escalation elasticity,
    and the elasticities at which they save their targets: every world together in numpy (a
    parameter draw's, a sensitivity point's), not one world after another."""

    def __init__(self, worlds: Sequence[Scenario], h: Herning) -> None:
        self.h = h
        before, pilot = ([w.with_overrides({"years": h.years, "city.children_growth_per_year": 0.0,
                                            "caseload.classic": caseload}, "Herning check") for w in worlds]
                         for caseload in (h.caseload_before, h.caseload_after))
        self.before, self.pilot = ClassicCities(before), ClassicCities(pilot)
        self.horizon = np.array([Calendar(w).bounds[-1] for w in before])
        index = load_price_index()
        # DKK per day in foster care and in residential care, at Herning's size and in its prices
        self.price = np.array([unit_costs(w)[[FOSTER, RESIDENTIAL]] * h.children / w.assumptions.city.children.value
                               * index.factor(w.price_year, h.price_year) for w in before])
        elasticity = [w.assumptions.caseload.escalation_elasticity for w in worlds]
        self.value, self.low, self.high = (np.array([getattr(p, bound) for p in elasticity])
                                           for bound in ("value", "low", "high"))
        self.reference = np.array([w.assumptions.caseload.reference.value for w in worlds])

    def saving(self, elasticity: np.ndarray, worlds: np.ndarray | None = None) -> np.ndarray:
        """Herning's saving in each of `worlds` (indices; default all) at its `elasticity`."""
        worlds = np.arange(len(self.value)) if worlds is None else np.asarray(worlds, dtype=np.intp)
        placed = [STAGES.index(FOSTER), STAGES.index(RESIDENTIAL)]

        def multiplier(caseload: float) -> np.ndarray:
            return caseload_effect(caseload, self.reference[worlds], elasticity, 0.0, 0.0).escalation

        level = self.before.steady_state(multiplier(self.h.caseload_before), worlds)
        horizon = self.horizon[worlds]
        before = self.before.stock(level)[:, placed] * horizon[:, None]  # held at its level: a steady state
        pilot = self.pilot.days(multiplier(self.h.caseload_after), worlds, level, horizon)[:, placed]
        return ((before - pilot) * self.price[worlds]).sum(axis=1)

    def elasticities(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(elasticity, reached) per world: the escalation elasticity in its range at which the world
        saves its target, and whether one does. Where none does, the nearest end of the range (the
        saving rises with the elasticity). Chandrupatla's bracketing method, every world at once."""
        targets = np.asarray(targets, dtype=float)
        below, above = self.saving(self.low) - targets, self.saving(self.high) - targets
        reached = (below <= 0) & (above >= 0)
        out = np.where(below > 0, self.low, self.high)
        out[below == 0] = self.low[below == 0]
        inside = np.flatnonzero((below < 0) & (above > 0))
        if len(inside):
            found = find_root(lambda e, w: self.saving(e, w) - targets[w.astype(np.intp)],
                              (self.low[inside], self.high[inside]), args=(inside,), tolerances={"xatol": 1e-6})
            if not np.all(found.success):  # a bracketing method on a continuous saving: not seen
                raise ArithmeticError(f"Herning: the escalation elasticity of {np.sum(~found.success)} of "
                                      f"{len(inside)} worlds did not converge (status {np.unique(found.status)})")
            out[inside] = found.x
        return out, reached


def fit_escalation_elasticity(status_quo: Scenario, h: Herning, target: float | None = None) -> float:
    """The caseload effect calibrated to the one Danish evaluation with numbers: the escalation
    elasticity at which halving the caseload saves `target` (default: the mode of the Herning
    prior, the smaller reading of KORA's figure), in the world of `status_quo`."""
    target = h.prior_mode_dkk if target is None else target
    elasticity, reached = HerningWorlds([status_quo], h).elasticities(np.array([target]))
    if not reached[0]:
        p = status_quo.assumptions.caseload.escalation_elasticity
        raise AssumptionError(f"caseload.escalation_elasticity: no value in {p.low:g}-{p.high:g} gives "
                              f"Herning's saving of {target / 1e6:.1f} m DKK")
    return float(elasticity[0])


def admissible_escalations(worlds: Sequence[Scenario], h: Herning, targets: np.ndarray) -> np.ndarray:
    """Per world, the escalation elasticity with which it saves its target in Herning, all worlds
    solved together: its own if it already does (to a thousandth of the prior's range), else solved
    anew; where no value in the elasticity's range reaches the target, the nearest end of the range
    (whose saving then lies between the target and the other readings: still inside the prior's
    range as long as the elasticity's range is, which tests/test_parameter_uncertainty.py checks)."""
    herning_worlds = HerningWorlds(worlds, h)
    targets = np.asarray(targets, dtype=float)
    own = np.abs(herning_worlds.saving(herning_worlds.value) - targets) <= 1e-3 * (h.prior_high_dkk - h.prior_low_dkk)
    return np.where(own, herning_worlds.value, herning_worlds.elasticities(targets)[0])


def herning_check(targets: Targets) -> HerningCheck:
    """The Herning saving of the current assumptions against KORA's range."""
    h = targets.herning
    status_quo = load_scenario(targets.scenario)
    saving = herning_saving(status_quo, h)
    a = status_quo.assumptions.staff
    extra_caseworkers = h.caseworkers_before * (h.caseload_before / h.caseload_after - 1.0)
    staff = (extra_caseworkers * a.salary_dkk_per_year.value * (1 + a.overhead_share.value) * h.years
             * load_price_index().factor(status_quo.price_year, h.price_year))
    return HerningCheck(saving, staff, h.saving_low_dkk, h.saving_high_dkk)


def format_herning(check: HerningCheck, targets: Targets) -> str:
    h = targets.herning
    source = re.sub(r"\s+", " ", h.saving_source)
    verdict = "inside" if check.inside else ("below" if check.placement_saving_dkk < check.low_dkk else "above")
    return "\n".join([
        f"{h.label} ({h.children:,.0f} children, {h.caseworkers_before:g} caseworkers at "
        f"{h.caseload_before:g} cases -> {h.caseworkers_before * h.caseload_before / h.caseload_after:g} at "
        f"{h.caseload_after:g}):",
        f"  model, against the pilot population's own before-period held flat (as KORA measured), at {h.price_year} "
        f"prices: {check.placement_saving_dkk / 1e6:,.1f} m DKK placement spending saved; "
        f"{check.extra_staff_dkk / 1e6:,.1f} m DKK extra caseworkers; net "
        f"{(check.placement_saving_dkk - check.extra_staff_dkk) / 1e6:,.1f} m DKK",
        f"  KORA: {check.low_dkk / 1e6:,.1f} - {check.high_dkk / 1e6:,.1f} m DKK -> the model is {verdict} "
        "KORA's range (a check, not a pass/fail test)",
        f"  source: {source}",
    ])
