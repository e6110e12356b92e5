"""A scenario: the base assumptions with named overrides, frozen and identified by a hash.

Scenario files (assumptions/scenarios/*.toml) say only what differs from the base:

    description = "..."
    price_year = 2025           # optional; the prices the amounts of money are in (and set in)
    start = 2023-01-01          # optional; the first of a month
    years = 10                  # optional horizon
    [rollout]
    enabled = true              # false: no relational welfare at all (status quo)
    waves = {3 = 2024-03-01, 5 = "never"}
    district_waves = {"Tilst" = 3}
    [rollout.gate]              # optional: the savings gate starts every wave after the first (Gate)
    basis = "rolling_12m"       # or "cumulative"
    threshold_dkk = 0
    floor_months = 6
    ceiling_months = "none"     # or a whole number of months: a latest start
    [set]
    "caseload.relational" = 24

Variants are made with `Scenario.with_overrides`, never by editing a shared object.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import tomli_w
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from .assumptions import (
    ASSUMPTIONS_DIR,
    WORLD,
    AssumptionError,
    Assumptions,
    District,
    Districts,
    _digest,
    check_wave_order,
    load_assumptions,
    load_districts,
    parse_toml_text,
    read_toml,
    error_message,
    shown,
)
from .prices import default_price_year, load_price_index, reprice

SCENARIO_DIR = ASSUMPTIONS_DIR / "scenarios"
DEFAULT_START = dt.date(2023, 1, 1)
DEFAULT_YEARS = 10
MAX_YEARS = 30
NEVER = "never"
_WAVES = "rollout.waves."
_DISTRICT_WAVES = "rollout.district_waves."
_GATE = "rollout.gate."
NONE = "none"
GATE_BASES = ("cumulative", "rolling_12m")
MAX_THRESHOLD_DKK = 1e12  # beyond any net the unit can reach (the plan's horizon net is below 1e9)


@dataclass(frozen=True)
class Gate:
    """The savings-gated rollout: every dated wave after the first starts at the first month
    boundary at least `floor_months` after the wave before it at which the net so far reaches
    `threshold_dkk` (in the scenario's price year): the cumulative net since the start
    ("cumulative") or the net of the last twelve months ("rolling_12m"). With `ceiling_months` a
    wave starts at the latest that many months after the one before it, whatever the net; without
    (None) a net that never reaches the threshold starts no further wave. The net is the status quo's
    expected monthly cost (the analytic twin, computed before the run) minus the run's own cost, the
    investment counted as it accrues (sim.gate; docs/model.md §2.5). A policy choice, not an
    assumption: the defaults (DEFAULT_GATE) are the plan's pace and break-even."""

    threshold_dkk: float = 0.0
    basis: str = "rolling_12m"
    floor_months: int = 6  # the plan's half-yearly waves (documents 000 and 002, docs/sources.md §S)
    ceiling_months: int | None = None

    def canonical(self) -> list[Any]:
        return [self.threshold_dkk, self.basis, self.floor_months, self.ceiling_months]


DEFAULT_GATE = Gate()


@dataclass(frozen=True)
class Scenario:
    """Everything one simulation needs; immutable, hashable, with a content id."""

    name: str
    description: str
    assumptions: Assumptions
    districts: tuple[District, ...]
    waves: tuple[tuple[int, dt.date | None], ...]
    relational: bool = True
    start: dt.date = DEFAULT_START
    years: int = DEFAULT_YEARS
    price_year: int = field(default_factory=default_price_year)  # every amount of money is in this year's prices
    gate: Gate | None = None  # the savings gate of the waves after the first; None: every wave at its date
    _base: "Scenario | None" = field(default=None, compare=False, repr=False)  # what overrides() diffs against

    # -- time ---------------------------------------------------------------------------------
    @property
    def end(self) -> dt.date:
        return self.start.replace(year=self.start.year + self.years)

    @property
    def horizon_days(self) -> float:
        return float((self.end - self.start).days)

    def day(self, date: dt.date) -> float:
        return float((date - self.start).days)

    # -- rollout ------------------------------------------------------------------------------
    def wave_start(self, wave: int) -> dt.date | None:
        return dict(self.waves).get(wave)

    def gated_waves(self) -> tuple[int, ...]:
        """The waves whose start the savings gate decides in the run: every dated wave after the
        first (none without a gate, or without a rollout)."""
        if self.gate is None or not self.relational:
            return ()
        return tuple(n for n, d in self.waves if d is not None)[1:]

    def rollout_dates(self) -> tuple[dt.date | None, ...]:
        """Per district (in order), the date it becomes a relational team, or None if never or if
        the savings gate decides it in the run (`gated_waves`)."""
        if not self.relational:
            return tuple(None for _ in self.districts)
        gated = self.gated_waves()
        return tuple(None if d.wave in gated else self.wave_start(d.wave) for d in self.districts)

    def pilots(self) -> tuple[bool, ...]:
        """Per district, whether a pilot team works there from the start (in every scenario, the
        status quo included: an earlier decision, not the plan's)."""
        return tuple(d.pilot_since is not None for d in self.districts)

    def rollout_days(self) -> tuple[float | None, ...]:
        """Per district, the day its relational team starts, or None if not within the horizon."""
        out = []
        for date in self.rollout_dates():
            out.append(None if date is None or date >= self.end else self.day(date))
        return tuple(out)

    # -- identity -----------------------------------------------------------------------------
    def canonical(self) -> dict[str, Any]:
        """The inputs that determine the results (names and descriptions do not); the gate only
        when there is one, so that a scenario without keeps its id."""
        gate = {} if self.gate is None else {"gate": self.gate.canonical()}
        return gate | {
            "assumptions": {k: p.value for k, p in self.assumptions.params().items()},
            "districts": [[d.name, d.children, d.wave, d.need, d.pilot_since and d.pilot_since.isoformat()]
                          for d in self.districts],
            "waves": [[n, None if d is None else d.isoformat()] for n, d in self.waves],
            "relational": self.relational,
            "start": self.start.isoformat(),
            "years": self.years,
            "price_year": self.price_year,
        }

    @cached_property
    def id(self) -> str:
        return _digest(self.canonical())[:16]

    # -- variants -----------------------------------------------------------------------------
    def with_overrides(self, overrides: Mapping[str, Any], origin: str = "override") -> "Scenario":
        """A new scenario with dotted-key overrides (see `spec_from_overrides`)."""
        return _apply(self, spec_from_overrides(overrides, origin), origin, name=self.name)

    def _base_values(self) -> dict[str, Any]:
        """The base's parameters in this scenario's prices (what its own values are compared with)."""
        base = self._base or self
        if base.price_year == self.price_year:
            return base.assumptions.params()
        return reprice(base.assumptions, self.price_year).params()

    def world_changes(self) -> dict[str, Any]:
        """The world assumptions (kind "world" in base.toml, the horizon and the price year) this
        scenario sets differently from its base, as dotted overrides: what a paired comparison
        shares. Amounts of money are in the scenario's price year."""
        base = self._base or self
        base_values = self._base_values()
        out: dict[str, Any] = {k: p.value for k, p in self.assumptions.params().items()
                               if p.kind == WORLD and p.value != base_values[k].value}
        if self.start != base.start:
            out["start"] = self.start.isoformat()
        if self.years != base.years:
            out["years"] = self.years
        if self.price_year != base.price_year:
            out["price_year"] = self.price_year
        return out

    def overrides(self) -> dict[str, Any]:
        """What differs from the base assumptions and districts, as scenario-file data. The price
        year is always written: the amounts of money in `set` are in its prices."""
        base = self._base or self
        base_values = {k: p.value for k, p in self._base_values().items()}
        changed = {k: p.value for k, p in self.assumptions.params().items() if p.value != base_values[k]}
        base_waves = dict(base.waves)
        out: dict[str, Any] = {"description": self.description, "price_year": self.price_year}
        if self.start != DEFAULT_START:
            out["start"] = self.start
        if self.years != DEFAULT_YEARS:
            out["years"] = self.years
        rollout: dict[str, Any] = {"enabled": self.relational}
        waves = {str(n): ("never" if d is None else d) for n, d in self.waves if base_waves.get(n) != d}
        if waves:
            rollout["waves"] = waves
        moved = {
            d.name: d.wave
            for d, b in zip(self.districts, base.districts)
            if d.wave != b.wave
        }
        if moved:
            rollout["district_waves"] = moved
        if self.gate != base.gate:
            rollout["gate"] = {"enabled": False} if self.gate is None else {
                "basis": self.gate.basis, "threshold_dkk": self.gate.threshold_dkk,
                "floor_months": self.gate.floor_months,
                "ceiling_months": NONE if self.gate.ceiling_months is None else self.gate.ceiling_months}
        out["rollout"] = rollout
        if changed:
            out["set"] = changed
        return out

    def to_toml(self) -> str:
        """The scenario as a file that `load_scenario` reads back to the same id."""
        return tomli_w.dumps(self.overrides())


def base_scenario(
    assumptions: Assumptions | None = None, districts: Districts | None = None, name: str = "base"
) -> Scenario:
    """The base assumptions, every amount of money in the default price year (sim.prices), with the
    rollout of districts.toml, before any scenario file."""
    a = assumptions or load_assumptions()
    d = districts or load_districts()
    if d.children_total != round(a.city.children.value):
        raise AssumptionError(
            f"districts.toml: the districts' children add up to {d.children_total:,}, "
            f"but city.children in base.toml is {a.city.children.value:,.0f}; they must be equal"
        )
    year = default_price_year()
    return Scenario(
        name=name,
        description="Base assumptions and the rollout of districts.toml",
        assumptions=reprice(a, year, "the default price year"),
        price_year=year,
        districts=d.district,
        waves=tuple(sorted(d.waves.items())),
    )


def _date_or_never(value: Any) -> Any:
    """A wave or start date: a date, an ISO date, a month YYYY-MM (its first day) or "never"."""
    if value == NEVER:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text + "-01" if len(text) == 7 else text)
        except ValueError:
            pass
    if isinstance(value, dt.date):
        return value
    raise ValueError(f'expected a date (YYYY-MM-DD), a month (YYYY-MM) or "{NEVER}", got {shown(value)}')


def parse_number(value: Any) -> float:
    """A finite number; text from a URL or a form may use a decimal comma."""
    x = value
    if isinstance(x, str):
        try:
            x = float(x.strip().replace(",", "."))
        except ValueError:
            x = None
    try:  # a whole number beyond a float's range overflows here
        finite = not isinstance(x, bool) and isinstance(x, (int, float)) and math.isfinite(float(x))
    except OverflowError:
        finite = False
    if not finite:
        raise ValueError(f"expected a number, got {shown(value)}")
    return float(x)


def parse_whole_number(value: Any) -> int:
    """A whole number; 24, 24.0 and "24" are the same, 24.5, true and "x" are refused."""
    x = parse_number(value)
    if not x.is_integer():
        raise ValueError(f"expected a whole number, got {shown(value)}")
    return int(x)


WaveDate = Annotated[dt.date | None, BeforeValidator(_date_or_never)]
Number = Annotated[float, BeforeValidator(parse_number)]
WholeNumber = Annotated[int, BeforeValidator(parse_whole_number)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _bool(value: Any) -> Any:
    """true or false; text "true" and "false" (from a URL or --set) too."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {shown(value)}")
    return value


def _months_or_none(value: Any) -> Any:
    """A whole number of months, or "none" (no ceiling)."""
    if isinstance(value, str) and value.strip().lower() == NONE:
        return None
    try:
        return parse_whole_number(value)
    except ValueError:
        raise ValueError(f'expected a whole number of months or "{NONE}", got {shown(value)}') from None


Flag = Annotated[bool | None, BeforeValidator(_bool)]
MonthsOrNone = Annotated[int | None, BeforeValidator(_months_or_none)]


class GateSpec(_Spec):
    """`[rollout.gate]`: present (and not `enabled = false`), the waves after the first are gated;
    fields not given keep the base's (or DEFAULT_GATE's)."""

    enabled: Flag = None
    threshold_dkk: Number | None = None
    basis: str | None = None
    floor_months: WholeNumber | None = None
    ceiling_months: MonthsOrNone = Field(default=None)

    @field_validator("threshold_dkk")
    @classmethod
    def _threshold(cls, value: float | None) -> float | None:
        if value is not None and abs(value) > MAX_THRESHOLD_DKK:
            raise ValueError(f"expected an amount from {-MAX_THRESHOLD_DKK:,.0f} to {MAX_THRESHOLD_DKK:,.0f} DKK, "
                             f"got {value:,.0f}")
        return value

    @field_validator("basis", mode="before")
    @classmethod
    def _basis(cls, value: Any) -> Any:
        if value not in GATE_BASES:
            raise ValueError(f"expected {' or '.join(map(repr, GATE_BASES))}, got {shown(value)}")
        return value

    @field_validator("floor_months")
    @classmethod
    def _floor(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 12 * MAX_YEARS:
            raise ValueError(f"expected a whole number of months from 1 to {12 * MAX_YEARS}, got {value}")
        return value

    @field_validator("ceiling_months")
    @classmethod
    def _ceiling(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 12 * MAX_YEARS:
            raise ValueError(f'expected a whole number of months from 1 to {12 * MAX_YEARS} or "{NONE}", got {value}')
        return value


class RolloutSpec(_Spec):
    enabled: Flag = None
    waves: dict[WholeNumber, WaveDate] = Field(default_factory=dict)
    district_waves: dict[str, WholeNumber] = Field(default_factory=dict)
    gate: GateSpec | None = None


class ScenarioSpec(_Spec):
    """One description of what a scenario changes, whatever it arrives as: a scenario file, `--set`
    pairs, the dashboard's inputs, a shared URL, an upload or a sweep grid point. Types, formats and
    the horizon's limits are checked here; what needs the base (wave numbers, district names,
    parameter ranges, wave order) is checked when the spec is applied to a scenario."""

    description: str | None = None
    price_year: WholeNumber | None = None
    start: WaveDate = None
    years: WholeNumber | None = None
    rollout: RolloutSpec = Field(default_factory=RolloutSpec)
    set: dict[str, Number] = Field(default_factory=dict)

    @field_validator("years")
    @classmethod
    def _horizon(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= MAX_YEARS:
            raise ValueError(f"expected a whole number of years from 1 to {MAX_YEARS}, got {value}")
        return value

    @field_validator("price_year")
    @classmethod
    def _indexed(cls, value: int | None) -> int | None:
        if value is not None:
            try:
                load_price_index().check(value, "price_year")
            except AssumptionError as exc:
                raise ValueError(str(exc).removeprefix("price_year: ")) from None
        return value

    @field_validator("start")
    @classmethod
    def _first_of_month(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value.day != 1:
            raise ValueError(f"expected the first day of a month, got {value.isoformat()}")
        return value

    @field_validator("set", mode="before")
    @classmethod
    def _flatten(cls, value: Any) -> Any:
        """`[set.caseload] relational = 24` in a file is `set."caseload.relational" = 24`."""
        if not isinstance(value, dict):
            raise ValueError('expected a table of "parameter" = value')
        flat: dict[str, Any] = {}
        for key, v in value.items():
            if isinstance(v, dict):
                flat.update({f"{key}.{k}": x for k, x in v.items()})
            else:
                flat[key] = v
        return flat

    def overrides(self) -> dict[str, Any]:
        """The spec as dotted keys (the form of `--set`, URLs and sweep grids), normalised:
        numbers as floats, dates as ISO text, "never" for a wave that does not start."""
        out: dict[str, Any] = {}
        if self.description is not None:
            out["description"] = self.description
        if self.price_year is not None:
            out["price_year"] = self.price_year
        if self.start is not None:
            out["start"] = self.start.isoformat()
        if self.years is not None:
            out["years"] = self.years
        if self.rollout.enabled is not None:
            out["rollout.enabled"] = self.rollout.enabled
        out.update({f"rollout.waves.{n}": NEVER if d is None else d.isoformat()
                    for n, d in self.rollout.waves.items()})
        out.update({f"rollout.district_waves.{k}": w for k, w in self.rollout.district_waves.items()})
        if self.rollout.gate is not None:
            gate = self.rollout.gate.model_dump(exclude_unset=True)
            if "ceiling_months" in gate and gate["ceiling_months"] is None:
                gate["ceiling_months"] = NONE
            out.update({f"{_GATE}{k}": v for k, v in gate.items()})
        out.update(self.set)
        return out


def parse_spec(data: Any, origin: str) -> ScenarioSpec:
    """Scenario-file data as a spec; a problem is an AssumptionError 'origin: key: expected ...'."""
    if not isinstance(data, dict):
        raise AssumptionError(f"{origin}: expected a table of scenario settings, got {type(data).__name__}")
    try:
        return ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise AssumptionError(f"{origin}: {error_message(exc)}") from None


def spec_from_overrides(overrides: Mapping[str, Any], origin: str = "override") -> ScenarioSpec:
    """Dotted keys (`caseload.relational`, `rollout.enabled`, `rollout.waves.N`,
    `rollout.district_waves.NAME`, `rollout.gate.FIELD`, `start`, `years`, `price_year`,
    `description`) as a spec."""
    data: dict[str, Any] = {"rollout": {"waves": {}, "district_waves": {}}, "set": {}}
    for key, value in overrides.items():
        if not isinstance(key, str):
            raise AssumptionError(f"{origin}: expected a setting name, got {key!r}")
        if key in ("start", "years", "price_year", "description"):
            data[key] = value
        elif key == "rollout.enabled":
            data["rollout"]["enabled"] = value
        elif key.startswith(_WAVES):
            data["rollout"]["waves"][key.removeprefix(_WAVES)] = value
        elif key.startswith(_DISTRICT_WAVES):
            data["rollout"]["district_waves"][key.removeprefix(_DISTRICT_WAVES)] = value
        elif key.startswith(_GATE):
            data["rollout"].setdefault("gate", {})[key.removeprefix(_GATE)] = value
        else:
            data["set"][key] = value
    return parse_spec(data, origin)


def _apply(base: Scenario, spec: ScenarioSpec, origin: str, name: str) -> Scenario:
    """The scenario a spec describes on top of `base`; what needs the base is checked here. A new
    price year converts every amount of money first (sim.prices); the spec's amounts are in it."""
    start = spec.start or base.start
    price_year = spec.price_year or base.price_year
    years = spec.years or base.years
    waves = dict(base.waves)
    for n, date in spec.rollout.waves.items():
        if n not in waves:
            raise AssumptionError(f"{origin}: rollout.waves.{n}: unknown wave (the waves are "
                                  f"{', '.join(map(str, sorted(waves)))})")
        waves[n] = date
    for n, date in waves.items():
        if date is not None and date < start:
            raise AssumptionError(
                f"{origin}: rollout.waves.{n}: {date.isoformat()} is before the simulation start "
                f"{start.isoformat()}; the model starts from the classic organisation, so move the wave "
                "or the start"
            )
    try:
        check_wave_order(waves)
    except ValueError as exc:
        raise AssumptionError(f"{origin}: rollout.waves: {exc}") from None
    late = [d for d in base.districts if d.pilot_since is not None and d.pilot_since > start]
    if late:
        raise AssumptionError(
            f"{origin}: start: {start.isoformat()} is before the pilot in {late[0].name} began "
            f"({late[0].pilot_since.isoformat()}, districts.toml pilot_since); the model starts with every "
            "pilot working, so start on or after the latest pilot_since"
        )

    by_name = {d.name: d for d in base.districts}
    for dname, wave in spec.rollout.district_waves.items():
        where_ = f"{origin}: rollout.district_waves.{dname}"
        if dname not in by_name:
            raise AssumptionError(f"{where_}: unknown district (see assumptions/districts.toml)")
        if wave not in waves:
            raise AssumptionError(f"{where_}: expected a wave number ({', '.join(map(str, sorted(waves)))}), got {wave!r}")
    moved = spec.rollout.district_waves
    districts = tuple(d.model_copy(update={"wave": moved[d.name]}) if d.name in moved else d for d in base.districts)

    relational = base.relational if spec.rollout.enabled is None else spec.rollout.enabled
    gate = _gate(base, spec.rollout.gate, relational, price_year, origin)
    assumptions = base.assumptions if price_year == base.price_year else reprice(base.assumptions, price_year, origin)
    assumptions = assumptions.with_values(dict(spec.set), origin) if spec.set else assumptions
    if round(assumptions.city.children.value) != sum(d.children for d in districts):
        raise AssumptionError(
            f"{origin}: set.city.children: {assumptions.city.children.value:,.0f} children but the districts "
            f"hold {sum(d.children for d in districts):,}; change the district table instead"
        )

    return replace(
        base,
        name=name,
        description=base.description if spec.description is None else spec.description,
        assumptions=assumptions,
        districts=districts,
        waves=tuple(sorted(waves.items())),
        relational=relational,
        gate=gate,
        start=start,
        years=years,
        price_year=price_year,
        _base=base._base or base,
    )


def _gate(base: Scenario, spec: GateSpec | None, relational: bool, price_year: int, origin: str) -> Gate | None:
    """The scenario's gate: the base's (its threshold converted to the new price year) with the
    spec's fields; checked against the rollout it gates."""
    gate = base.gate
    if gate is not None and price_year != base.price_year:
        gate = replace(gate, threshold_dkk=gate.threshold_dkk * load_price_index().factor(base.price_year, price_year))
    if spec is None or spec.enabled is False:
        return gate if spec is None and relational else None
    fields = spec.model_dump(exclude_unset=True, exclude={"enabled"})
    gate = replace(gate or DEFAULT_GATE, **fields)
    where_ = f"{origin}: rollout.gate"
    if not relational:
        raise AssumptionError(f"{where_}: there is no rollout to gate (rollout.enabled is false); "
                              "remove the gate or enable the rollout")
    if gate.ceiling_months is not None and gate.ceiling_months < gate.floor_months:
        raise AssumptionError(f"{where_}.ceiling_months: {gate.ceiling_months} is below floor_months "
                              f"({gate.floor_months}); the latest start cannot come before the earliest")
    return gate


def parse_scenario(data: dict[str, Any], name: str, origin: str, base: Scenario | None = None) -> Scenario:
    """A scenario from scenario-file data (as read from TOML or an upload)."""
    return _apply(base or base_scenario(), parse_spec(data, origin), origin, name)


def parse_scenario_text(text: str, name: str, origin: str) -> Scenario:
    return parse_scenario(parse_toml_text(text, origin), name, origin)


def scenario_names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def load_scenario(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """A named scenario from assumptions/scenarios/ or a path to a scenario file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = SCENARIO_DIR / f"{name_or_path}.toml"
        if not path.exists():
            raise AssumptionError(
                f"unknown scenario {str(name_or_path)!r}: expected one of {', '.join(scenario_names())} or a .toml path"
            )
    scenario = parse_scenario(read_toml(path), path.stem, str(path))
    return scenario.with_overrides(overrides, "--set") if overrides else scenario


def list_scenarios() -> list[tuple[str, str]]:
    """(name, description) of every scenario file."""
    return [(n, load_scenario(n).description) for n in scenario_names()]
