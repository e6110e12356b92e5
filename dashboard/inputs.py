"""The scenario inputs a user can change, and the server-side check of every value that arrives.

The browser is never trusted: a callback, a URL query string, a saved row and an uploaded file all
pass through `validate` (strict: any bad value refuses the whole request) or `from_query` (lenient:
bad values in a shared link are reported and replaced by defaults). The inputs are a plain dict of
`key -> value` whose keys are the dotted keys of `sim.Scenario.with_overrides` plus `base` (the
scenario file the inputs start from) and `replications`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

import sim

BASE = "base"
YEARS = "years"
REPLICATIONS = "replications"
WAVE_PREFIX = "rollout.waves."
DISTRICT_PREFIX = "rollout.district_waves."
BASELINE_SCENARIO = "status-quo"
DEFAULT_BASE = "plan"
MAX_YEARS = 30
NEVER = "never"
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")

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
    """What the server accepts besides the assumption ranges (set by the app factory)."""

    max_replications: int
    default_replications: int


@lru_cache(maxsize=16)
def scenario_file(name: str) -> sim.Scenario:
    """A scenario file as loaded (immutable; read once per process, as every request needs it)."""
    return sim.load_scenario(name)


@lru_cache(maxsize=1)
def base_params() -> dict[str, sim.Param]:
    """Every parameter of base.toml with its unit, range and source (read once per process)."""
    return sim.load_assumptions().params()


@lru_cache(maxsize=1)
def districts() -> "sim.assumptions.Districts":
    """The districts and their waves (read once per process)."""
    return sim.load_districts()


def waves_of(scenario: sim.Scenario) -> dict[str, str]:
    return {f"{WAVE_PREFIX}{n}": NEVER if d is None else d.isoformat() for n, d in scenario.waves}


def defaults(limits: Limits, base: str = DEFAULT_BASE) -> dict[str, Any]:
    """The inputs of a scenario file as it stands: every controlled parameter, the waves, horizon."""
    scenario = scenario_file(base)
    values: dict[str, Any] = {BASE: base, YEARS: scenario.years, REPLICATIONS: limits.default_replications}
    values.update({k: scenario.assumptions.value(k) for k in CONTROLLED})
    values.update(waves_of(scenario))
    return values


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool):
        raise InputError(f"{key}: expected a number, got {value!r}")
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            raise InputError(f"{key}: expected a number, got {value!r}") from None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{key}: expected a number, got {value!r}")
    return float(value)


def _whole(key: str, value: Any, lo: int, hi: int) -> int:
    x = _number(key, value)
    if x != int(x) or not lo <= x <= hi:
        raise InputError(f"{key}: expected a whole number from {lo} to {hi}, got {value!r}")
    return int(x)


def _month(key: str, value: Any) -> str:
    if value == NEVER:
        return NEVER
    match = _MONTH.match(value) if isinstance(value, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InputError(f"{key}: expected a month YYYY-MM or \"{NEVER}\", got {value!r}")
    return f"{match.group(1)}-{match.group(2)}-01"


def validate_one(key: Any, value: Any, limits: Limits) -> Any:
    """One input value, checked and normalised; raises InputError naming the key."""
    if not isinstance(key, str):
        raise InputError(f"expected an input name, got {key!r}")
    if key == BASE:
        if value not in sim.scenario_names():
            raise InputError(f"{key}: expected one of {', '.join(sim.scenario_names())}, got {value!r}")
        return value
    if key == YEARS:
        return _whole(key, value, 1, MAX_YEARS)
    if key == REPLICATIONS:
        return _whole(key, value, 1, limits.max_replications)
    if key.startswith(WAVE_PREFIX):
        return _month(key, value)
    if key.startswith(DISTRICT_PREFIX):
        if key.removeprefix(DISTRICT_PREFIX) not in districts().names:
            raise InputError(f"{key}: unknown district")
        return _whole(key, value, 1, max(districts().waves))
    params = base_params()
    if key not in params:
        raise InputError(f"{key}: unknown input")
    x, p = _number(key, value), params[key]
    if not p.low <= x <= p.high:
        raise InputError(f"{key}: {x:g} is outside the allowed range {p.low:g} to {p.high:g} ({p.unit})")
    return x


def validate(values: Any, limits: Limits) -> dict[str, Any]:
    """Every input checked, then the whole scenario built once (which checks wave order etc.)."""
    if not isinstance(values, Mapping):
        raise InputError(f"expected the scenario inputs as a mapping, got {type(values).__name__}")
    if len(values) > 200:
        raise InputError(f"too many inputs ({len(values)})")
    checked = {k: validate_one(k, v, limits) for k, v in values.items()}
    out = defaults(limits, checked.get(BASE, DEFAULT_BASE))
    out.update(checked)
    to_scenario(out)
    return out


def from_query(search: str | None, limits: Limits) -> tuple[dict[str, Any], list[str]]:
    """Inputs from a shared link: bad or unknown values are dropped, each with a message."""
    pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=True)[:200]
    raw = dict(pairs)
    base = raw.get(BASE, DEFAULT_BASE)
    problems: list[str] = []
    if base not in sim.scenario_names():
        problems.append(f"{BASE}: expected one of {', '.join(sim.scenario_names())}, got {base!r}")
        base = DEFAULT_BASE
    values = defaults(limits, base)
    for key, value in raw.items():
        try:
            values[key] = validate_one(key, value, limits)
        except InputError as exc:
            problems.append(str(exc))
    values[BASE] = base
    try:
        to_scenario(values)
    except InputError as exc:
        problems.append(str(exc))
        values = defaults(limits, base)
    return values, problems


def to_query(values: Mapping[str, Any]) -> str:
    """The inputs as a URL query string (months without the day, numbers without trailing .0)."""
    def short(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:g}" if abs(v) < 1e6 else str(int(v)) if v == int(v) else repr(v)
        if isinstance(v, str) and v != NEVER and _MONTH.match(v):
            return v[:7]
        return str(v)
    return "?" + urlencode({k: short(v) for k, v in values.items()})


def _overrides(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in (BASE, REPLICATIONS)}


def to_scenario(values: Mapping[str, Any]) -> sim.Scenario:
    """The scenario the inputs describe; refused (InputError) if sim finds it inconsistent."""
    try:
        return scenario_file(values[BASE]).with_overrides(_overrides(values), origin="input")
    except sim.AssumptionError as exc:
        raise InputError(str(exc).removeprefix("input: ")) from None


def to_baseline(values: Mapping[str, Any]) -> sim.Scenario:
    """The status quo with the same unit costs, horizon and caseloads: the other half of the pair."""
    same = {k: v for k, v in _overrides(values).items() if not k.startswith("rollout.")}
    try:
        return scenario_file(BASELINE_SCENARIO).with_overrides(same, origin="input")
    except sim.AssumptionError as exc:
        raise InputError(str(exc).removeprefix("input: ")) from None


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
            values[f"{DISTRICT_PREFIX}{district.name}"] = district.wave
    if scenario.start != reference.start:
        raise InputError(f"start: the dashboard works from {reference.start.isoformat()}; "
                         f"the file starts {scenario.start.isoformat()}")
    return validate(values, limits)


def month_options(start: dt.date, years: int = 12) -> list[str]:
    """The months a wave may start in (first of each month), for the wave pickers."""
    return [dt.date(start.year + m // 12, m % 12 + 1, 1).isoformat() for m in range(12 * years)]
