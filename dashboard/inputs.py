"""The scenario inputs a user can change, and the server-side check of every value that arrives.

The inputs are a plain dict: the dotted keys of `sim.ScenarioSpec` (the one scenario description
that `--set`, scenario files and sweep grids also parse into) plus three keys of the dashboard's
own: `base` (the scenario file the inputs start from), `replications` and `uncertainty` (what the
simulation's band shows: "parameters" or "noise", as `compare --uncertainty`). This module only adapts
them: the types, formats, ranges, wave dates and one error format are sim's.

The browser is never trusted: a callback, a URL query string, a saved row and an uploaded file all
pass through `validate` (strict: any bad value refuses the whole request) or `from_query` (lenient:
bad values in a shared link are reported and replaced by defaults); a callback that cannot use its
inputs stops through `checked`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from dash.exceptions import PreventUpdate

import sim

BASE = "base"
YEARS = "years"
REPLICATIONS = "replications"
UNCERTAINTY = "uncertainty"
WAVE_PREFIX = "rollout.waves."
BASELINE_SCENARIO = "status-quo"
DEFAULT_BASE = "plan"
MAX_INPUTS = 200
_MONTH = re.compile(r"^(\d{4})-(\d{2})-01$")

# Parameters with a control on the Scenarier page, with the slider step (None: a number field).
CONTROLLED: dict[str, float | None] = {
    "caseload.relational": 1,
    "caseload.classic": 1,
    "staff.relational_capacity_ratio": 0.05,
    "relational.effect_strength": 0.05,
    "finance.discount_rate": 0.005,
    "cost.foster_dkk_per_day": None,
    "cost.residential_dkk_per_day": None,
    "staff.salary_dkk_per_year": None,
    "implementation.per_district_dkk": None,
}


class InputError(ValueError):
    """A refused input: the message names the key, the value and what was expected."""


@dataclass(frozen=True)
class Limits:
    """What the server accepts besides the scenario's own limits (set by the app factory)."""

    max_replications: int
    default_replications: int


@lru_cache(maxsize=16)
def scenario_file(name: str) -> sim.Scenario:
    """A scenario file as loaded (immutable; read once per process, as every request needs it)."""
    return sim.load_scenario(name)


@lru_cache(maxsize=1)
def base_params() -> dict[str, sim.Param]:
    """Every parameter of base.toml with its unit, kind, range and source (read once per process)."""
    return sim.load_assumptions().params()


@lru_cache(maxsize=1)
def districts() -> "sim.assumptions.Districts":
    """The districts and their waves (read once per process)."""
    return sim.load_districts()


def waves_of(scenario: sim.Scenario) -> dict[str, str]:
    return {f"{WAVE_PREFIX}{n}": sim.NEVER if d is None else d.isoformat() for n, d in scenario.waves}


def defaults(limits: Limits, base: str = DEFAULT_BASE) -> dict[str, Any]:
    """The inputs of a scenario file as it stands: every controlled parameter, the waves, horizon."""
    scenario = scenario_file(base)
    values: dict[str, Any] = {BASE: base, YEARS: scenario.years, REPLICATIONS: limits.default_replications,
                              UNCERTAINTY: sim.DEFAULT_UNCERTAINTY}
    values.update({k: scenario.assumptions.value(k) for k in CONTROLLED})
    values.update(waves_of(scenario))
    return values


def _base(value: Any) -> str:
    if value not in sim.scenario_names():
        raise InputError(f"{BASE}: expected one of {', '.join(sim.scenario_names())}, got {sim.shown(value)}")
    return value


def _replications(value: Any, limits: Limits) -> int:
    try:
        n = sim.parse_whole_number(value)
    except ValueError as exc:
        raise InputError(f"{REPLICATIONS}: {exc}") from None
    if not 1 <= n <= limits.max_replications:
        raise InputError(f"{REPLICATIONS}: expected a whole number from 1 to {limits.max_replications}, got {n}")
    return n


def _uncertainty(value: Any) -> str:
    if value not in sim.UNCERTAINTIES:
        raise InputError(f"{UNCERTAINTY}: expected one of {', '.join(sim.UNCERTAINTIES)}, got {sim.shown(value)}")
    return value


def _overrides(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in (BASE, REPLICATIONS, UNCERTAINTY)}


def _scenario(base: str, overrides: Mapping[str, Any]) -> tuple[sim.Scenario, dict[str, Any]]:
    """The scenario and the normalised overrides; sim's refusal becomes an InputError."""
    try:
        spec = sim.spec_from_overrides(overrides, "input")
        return scenario_file(base).with_overrides(overrides, "input"), spec.overrides()
    except sim.AssumptionError as exc:
        raise InputError(str(exc).removeprefix("input: ")) from None


def validate(values: Any, limits: Limits) -> dict[str, Any]:
    """Every input checked and normalised, the whole scenario built once (wave order etc.)."""
    if not isinstance(values, Mapping):
        raise InputError(f"expected the scenario inputs as a mapping, got {type(values).__name__}")
    if len(values) > MAX_INPUTS:
        raise InputError(f"too many inputs ({len(values)}; at most {MAX_INPUTS})")
    base = _base(values.get(BASE, DEFAULT_BASE))
    out = defaults(limits, base)
    if REPLICATIONS in values:
        out[REPLICATIONS] = _replications(values[REPLICATIONS], limits)
    if UNCERTAINTY in values:
        out[UNCERTAINTY] = _uncertainty(values[UNCERTAINTY])
    _, normalised = _scenario(base, _overrides(values))
    out.update(normalised)
    return out


def checked(values: Any, limits: Limits) -> dict[str, Any]:
    """The inputs, valid, or stop the callback: the inputs' own callback has shown the refusal."""
    try:
        return validate(values, limits)
    except InputError:
        raise PreventUpdate from None


def from_query(search: str | Mapping[str, Any] | None, limits: Limits) -> tuple[dict[str, Any], list[str]]:
    """Inputs from a shared link (its query string, or its parameters as Dash passes them to a
    page): bad or unknown values are dropped, each with a message."""
    too_many = f"too many parameters in the address (at most {MAX_INPUTS}); the defaults are used"
    if isinstance(search, Mapping):
        raw = {str(k): v for k, v in search.items()}
    else:
        try:
            raw = dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=True, max_num_fields=MAX_INPUTS))
        except ValueError:  # more fields than that
            return defaults(limits), [too_many]
    if len(raw) > MAX_INPUTS:
        return defaults(limits), [too_many]
    problems: list[str] = []
    try:
        base = _base(raw.pop(BASE, DEFAULT_BASE))
    except InputError as exc:
        problems.append(str(exc))
        base = DEFAULT_BASE
    values = defaults(limits, base)
    for key, value in raw.items():
        try:
            values[key] = validate({BASE: base, key: value}, limits)[key]
        except InputError as exc:
            problems.append(str(exc))
    try:
        values = validate(values, limits)
    except InputError as exc:
        problems.append(str(exc))
        values = defaults(limits, base)
    return values, problems


def to_query(values: Mapping[str, Any]) -> str:
    """The inputs as a URL query string (months without the day, numbers without trailing .0)."""
    def short(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:g}" if abs(v) < 1e6 else str(int(v)) if v == int(v) else repr(v)
        if isinstance(v, str) and _MONTH.match(v):
            return v[:7]
        return str(v)
    return "?" + urlencode({k: short(v) for k, v in values.items()})


def to_scenario(values: Mapping[str, Any]) -> sim.Scenario:
    """The scenario the inputs describe; refused (InputError) if sim finds it inconsistent."""
    return _scenario(_base(values.get(BASE, DEFAULT_BASE)), _overrides(values))[0]


def to_experiment(values: Mapping[str, Any], seed: int) -> sim.Experiment:
    """The paired question the inputs ask: this scenario against the status quo, with the
    baseline rule of sim.Experiment (world changes in both arms, policy in the scenario only)."""
    try:
        return sim.Experiment(to_scenario(values), scenario_file(BASELINE_SCENARIO), seed, values[REPLICATIONS],
                              values[UNCERTAINTY])
    except sim.AssumptionError as exc:
        raise InputError(str(exc)) from None


def from_scenario(scenario: sim.Scenario, limits: Limits) -> dict[str, Any]:
    """Inputs that rebuild an uploaded scenario: its rollout, horizon and every changed parameter."""
    base = DEFAULT_BASE if scenario.relational else BASELINE_SCENARIO
    values = defaults(limits, base)
    reference = scenario_file(base)
    values[YEARS] = scenario.years
    values.update(waves_of(scenario))
    for key, p in scenario.assumptions.params().items():
        if key in CONTROLLED or p.value != reference.assumptions.value(key):
            values[key] = p.value
    for district, ref in zip(scenario.districts, reference.districts):
        if district.wave != ref.wave:
            values[f"rollout.district_waves.{district.name}"] = district.wave
    if scenario.start != reference.start:
        values["start"] = scenario.start.isoformat()
    return validate(values, limits)


def month_options(start: dt.date, years: int = 12) -> list[str]:
    """The months a wave may start in (first of each month), for the wave pickers."""
    return [dt.date(start.year + m // 12, m % 12 + 1, 1).isoformat() for m in range(12 * years)]
