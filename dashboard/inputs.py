"""The scenario inputs a user can change, and the server-side check of every value that arrives.

The inputs are a plain dict: the dotted keys of `sim.ScenarioSpec` (the one scenario description
that `--set`, scenario files and sweep grids also parse into; `price_year` among them, in whose
prices every amount of money in the inputs is) plus three keys of the dashboard's
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
PRICE_YEAR = "price_year"
WAVE_PREFIX = "rollout.waves."
GATE_ENABLED = "rollout.gate.enabled"
GATE_BASIS = "rollout.gate.basis"
GATE_THRESHOLD = "rollout.gate.threshold_dkk"
GATE_FLOOR = "rollout.gate.floor_months"
GATE_CEILING = "rollout.gate.ceiling_months"
GATE_KEYS = [GATE_ENABLED, GATE_BASIS, GATE_THRESHOLD, GATE_FLOOR, GATE_CEILING]
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
    # the costs of getting there (docs/model.md §2.5)
    "staff.recruitment_months": 1,
    "staff.vacancy_rate": 0.01,
    "relational.learning_months": 1,
    "relational.learning_effect": 0.05,
    "cost.in_house_delivery": 0.05,
    "cost.in_house_share": 0.05,
    "staff.team_leader_dkk_per_year": None,
}
# The controls of CONTROLLED that Scenarier groups under "the costs of getting there".
GETTING_THERE = ("staff.recruitment_months", "staff.vacancy_rate", "relational.learning_months",
                 "relational.learning_effect", "cost.in_house_delivery", "cost.in_house_share",
                 "staff.team_leader_dkk_per_year")


class InputError(ValueError):
    """A refused input: the message names the key, the value and what was expected."""


@dataclass(frozen=True)
class Limits:
    """What the server accepts besides the scenario's own limits (set by the app factory)."""

    max_replications: int
    default_replications: int


@lru_cache(maxsize=64)
def scenario_file(name: str, price_year: int | None = None) -> sim.Scenario:
    """A scenario file as loaded, in `price_year`'s prices if given (immutable; built once per
    process, as every request needs it)."""
    scenario = sim.load_scenario(name)
    return scenario if price_year in (None, scenario.price_year) else scenario.with_overrides({PRICE_YEAR: price_year})


@lru_cache(maxsize=1)
def base_params() -> dict[str, sim.Param]:
    """Every parameter of base.toml with its unit, kind, range and source (read once per process)."""
    return sim.load_assumptions().params()


@lru_cache(maxsize=32)
def params_at(price_year: int) -> dict[str, sim.Param]:
    """Every parameter with its amounts of money in `price_year`'s prices (the controls' ranges)."""
    return sim.reprice(sim.load_assumptions(), price_year).params()


@lru_cache(maxsize=1)
def money_keys() -> tuple[str, ...]:
    """The parameters that are amounts of money (they carry a price year), in base.toml's order (read
    once per process, as `base_params`)."""
    return tuple(k for k, p in base_params().items() if p.price_year is not None)


def reprice(values: Mapping[str, Any], from_year: int, to_year: int) -> dict[str, Any]:
    """The parameters' amounts of money among `values` converted from one price year to another, as
    sim does (`sim.prices`: the index's ratio, to the øre); the other values left out. (The savings
    gate's threshold is a round target the analyst types: it stays as typed, in the new year's prices.)"""
    factor = sim.load_price_index().factor(from_year, to_year)
    return {k: round(v * factor, 2) for k, v in values.items()
            if k in money_keys() and isinstance(v, (int, float)) and not isinstance(v, bool)}


def _price_year(value: Any) -> int:
    try:
        return sim.load_price_index().check(sim.parse_whole_number(value), PRICE_YEAR)
    except ValueError as exc:  # AssumptionError included: it already names price_year
        raise InputError(str(exc) if str(exc).startswith(PRICE_YEAR) else f"{PRICE_YEAR}: {exc}") from None


def priced_query(query: str) -> str:
    """A saved query string with its price year. One saved before amounts had one price level has
    none, and each of its amounts is at its source's price year (as base.toml gives it): those are
    converted to the default price year, which the query then states. Text that is not a number is
    left for validation to report."""
    try:
        raw = dict(parse_qsl(query.lstrip("?"), keep_blank_values=True, max_num_fields=MAX_INPUTS))
    except ValueError:  # more fields than any page sends: left for from_query to refuse
        return query
    if PRICE_YEAR in raw:
        return query
    index, year = sim.load_price_index(), sim.default_price_year()
    for key in money_keys():
        try:
            amount = sim.parse_number(raw[key]) if key in raw else None
        except ValueError:
            continue
        if amount is not None:
            raw[key] = round(amount * index.factor(base_params()[key].price_year, year), 2)
    return to_query({**raw, PRICE_YEAR: year})


def price_year_of(values: Any) -> int | None:
    """The price year of a set of inputs, if it has a valid one."""
    try:
        return _price_year(values[PRICE_YEAR]) if isinstance(values, Mapping) and PRICE_YEAR in values else None
    except InputError:
        return None


@lru_cache(maxsize=1)
def districts() -> "sim.assumptions.Districts":
    """The districts and their waves (read once per process)."""
    return sim.load_districts()


def waves_of(scenario: sim.Scenario) -> dict[str, str]:
    return {f"{WAVE_PREFIX}{n}": sim.NEVER if d is None else d.isoformat() for n, d in scenario.waves}


def gate_of(scenario: sim.Scenario) -> dict[str, Any]:
    """The savings gate's inputs: whether there is one, and its rule (sim's defaults if none)."""
    gate = scenario.gate or sim.DEFAULT_GATE
    return {GATE_ENABLED: scenario.gate is not None, GATE_BASIS: gate.basis, GATE_THRESHOLD: gate.threshold_dkk,
            GATE_FLOOR: gate.floor_months, GATE_CEILING: sim.NONE if gate.ceiling_months is None else gate.ceiling_months}


def defaults(limits: Limits, base: str = DEFAULT_BASE, price_year: int | None = None) -> dict[str, Any]:
    """The inputs of a scenario file as it stands: every controlled parameter (amounts of money in
    `price_year`'s prices, by default the scenario's), the waves, horizon and price year."""
    scenario = scenario_file(base, price_year)
    values: dict[str, Any] = {BASE: base, YEARS: scenario.years, REPLICATIONS: limits.default_replications,
                              UNCERTAINTY: sim.DEFAULT_UNCERTAINTY, PRICE_YEAR: scenario.price_year}
    values.update({k: scenario.assumptions.value(k) for k in CONTROLLED})
    values.update(waves_of(scenario))
    values.update(gate_of(scenario))
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
        return scenario_file(base, spec.price_year).with_overrides(overrides, "input"), spec.overrides()
    except sim.AssumptionError as exc:
        raise InputError(str(exc).removeprefix("input: ")) from None


def validate(values: Any, limits: Limits) -> dict[str, Any]:
    """Every input checked and normalised, the whole scenario built once (wave order etc.)."""
    if not isinstance(values, Mapping):
        raise InputError(f"expected the scenario inputs as a mapping, got {type(values).__name__}")
    if len(values) > MAX_INPUTS:
        raise InputError(f"too many inputs ({len(values)}; at most {MAX_INPUTS})")
    base = _base(values.get(BASE, DEFAULT_BASE))
    out = defaults(limits, base, _price_year(values[PRICE_YEAR]) if PRICE_YEAR in values else None)
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
    year = None
    if PRICE_YEAR in raw:  # first: the link's amounts of money are in its prices
        try:
            year = validate({BASE: base, PRICE_YEAR: raw.pop(PRICE_YEAR)}, limits)[PRICE_YEAR]
        except InputError as exc:
            problems.append(str(exc))
    values = defaults(limits, base, year)
    for key, value in raw.items():
        try:
            values[key] = validate({BASE: base, PRICE_YEAR: values[PRICE_YEAR], key: value}, limits)[key]
        except InputError as exc:
            problems.append(str(exc))
    try:
        values = validate(values, limits)
    except InputError as exc:
        problems.append(str(exc))
        values = defaults(limits, base, year)
    return values, problems


def to_query(values: Mapping[str, Any]) -> str:
    """The inputs as a URL query string (months without the day, numbers without trailing .0)."""
    def short(v: Any) -> str:
        if isinstance(v, float):  # the shortest text that reads back as the same number
            return f"{v:g}" if float(f"{v:g}") == v else str(int(v)) if v == int(v) else repr(v)
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
    values = defaults(limits, base, scenario.price_year)
    reference = scenario_file(base, scenario.price_year)
    values[YEARS] = scenario.years
    values.update(waves_of(scenario))
    values.update(gate_of(scenario))
    for key, p in scenario.assumptions.params().items():
        if key in CONTROLLED or p.value != reference.assumptions.value(key):
            values[key] = p.value
    for district, ref in zip(scenario.districts, reference.districts):
        if district.wave != ref.wave:
            values[f"rollout.district_waves.{district.name}"] = district.wave
    if scenario.start != reference.start:
        values["start"] = scenario.start.isoformat()
    return validate(values, limits)


@dataclass(frozen=True)
class Goal:
    """The Scenarier question "Hvad skal der til?" (sim.goal_seek), checked."""

    target_dkk: float
    by_year: int
    probability: float
    lever: str


def goal(target: Any, by_year: Any, probability: Any, lever: Any, values: Mapping[str, Any], limits: Limits) -> Goal:
    """The goal-seek question from its fields (target in million DKK, probability in per cent) and
    the scenario inputs it is asked of; a bad field is an InputError naming it."""
    def field(name: str, parse, value: Any):
        try:
            return parse(value)
        except ValueError as exc:
            raise InputError(f"{name}: {exc}") from None

    target_m = field("goal.target", sim.parse_number, target)
    year = field("goal.by_year", sim.parse_whole_number, by_year)
    percent = field("goal.probability", sim.parse_number, probability)
    if not 0 < percent <= 100:
        raise InputError(f"goal.probability: expected a per cent above 0 and at most 100, got {sim.shown(probability)}")
    if lever not in sim.GOAL_LEVERS:
        raise InputError(f"goal.lever: expected one of {', '.join(sim.GOAL_LEVERS)}, got {sim.shown(lever)}")
    question = Goal(target_m * 1e6, year, percent / 100, lever)
    try:  # sim's own limits of the question (the year within the longest horizon, a scenario with a rollout)
        sim.check_goal(to_experiment(validate(values, limits), 1), lever, question.target_dkk, year, question.probability)
    except ValueError as exc:
        raise InputError(f"goal.{exc}") from None
    return question


def month_options(start: dt.date, years: int = 12) -> list[str]:
    """The months a wave may start in (first of each month), for the wave pickers."""
    return [dt.date(start.year + m // 12, m % 12 + 1, 1).isoformat() for m in range(12 * years)]
