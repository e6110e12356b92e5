"""A scenario: the base assumptions with named overrides, frozen and identified by a hash.

Scenario files (assumptions/scenarios/*.toml) say only what differs from the base:

    description = "..."
    start = 2023-01-01          # optional; the first of a month
    years = 10                  # optional horizon
    [rollout]
    enabled = true              # false: no relational welfare at all (status quo)
    waves = {3 = 2024-03-01, 5 = "never"}
    district_waves = {"Tilst" = 3}
    [set]
    "caseload.relational" = 24

Variants are made with `Scenario.with_overrides`, never by editing a shared object.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import tomli_w

from .assumptions import (
    ASSUMPTIONS_DIR,
    AssumptionError,
    Assumptions,
    District,
    Districts,
    _digest,
    check_wave_order,
    load_assumptions,
    load_districts,
    read_toml,
)

SCENARIO_DIR = ASSUMPTIONS_DIR / "scenarios"
DEFAULT_START = dt.date(2023, 1, 1)
DEFAULT_YEARS = 10
MAX_YEARS = 30
_FILE_KEYS = {"description", "start", "years", "rollout", "set"}
_ROLLOUT_KEYS = {"enabled", "waves", "district_waves"}


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

    def rollout_dates(self) -> tuple[dt.date | None, ...]:
        """Per district (in order), the date it becomes a relational team, or None if never."""
        if not self.relational:
            return tuple(None for _ in self.districts)
        return tuple(self.wave_start(d.wave) for d in self.districts)

    def rollout_days(self) -> tuple[float | None, ...]:
        """Per district, the day its relational team starts, or None if not within the horizon."""
        out = []
        for date in self.rollout_dates():
            out.append(None if date is None or date >= self.end else self.day(date))
        return tuple(out)

    # -- identity -----------------------------------------------------------------------------
    def canonical(self) -> dict[str, Any]:
        """The inputs that determine the results (names and descriptions do not)."""
        return {
            "assumptions": {k: p.value for k, p in self.assumptions.params().items()},
            "districts": [[d.name, d.children, d.wave] for d in self.districts],
            "waves": [[n, None if d is None else d.isoformat()] for n, d in self.waves],
            "relational": self.relational,
            "start": self.start.isoformat(),
            "years": self.years,
        }

    @cached_property
    def id(self) -> str:
        return _digest(self.canonical())[:16]

    # -- variants -----------------------------------------------------------------------------
    def with_overrides(self, overrides: dict[str, Any], origin: str = "override") -> "Scenario":
        """A new scenario with dotted-key overrides: any parameter (`caseload.relational`),
        `rollout.enabled`, `rollout.waves.N`, `rollout.district_waves.NAME`, `start`, `years`."""
        spec: dict[str, Any] = {"rollout": {"waves": {}, "district_waves": {}}, "set": {}}
        for key, value in overrides.items():
            if key in ("start", "years", "description"):
                spec[key] = value
            elif key == "rollout.enabled":
                spec["rollout"]["enabled"] = value
            elif key.startswith("rollout.waves."):
                spec["rollout"]["waves"][key.removeprefix("rollout.waves.")] = value
            elif key.startswith("rollout.district_waves."):
                spec["rollout"]["district_waves"][key.removeprefix("rollout.district_waves.")] = value
            else:
                spec["set"][key] = value
        return _apply(self, spec, origin, name=self.name)

    def overrides(self) -> dict[str, Any]:
        """What differs from the base assumptions and districts, as scenario-file data."""
        base = self._base or self
        base_values = {k: p.value for k, p in base.assumptions.params().items()}
        changed = {k: p.value for k, p in self.assumptions.params().items() if p.value != base_values[k]}
        base_waves = dict(base.waves)
        out: dict[str, Any] = {"description": self.description}
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
    """The base assumptions with the rollout of districts.toml, before any scenario file."""
    a = assumptions or load_assumptions()
    d = districts or load_districts()
    if d.children_total != round(a.city.children.value):
        raise AssumptionError(
            f"districts.toml: the districts' children add up to {d.children_total:,}, "
            f"but city.children in base.toml is {a.city.children.value:,.0f}; they must be equal"
        )
    return Scenario(
        name=name,
        description="Base assumptions and the rollout of districts.toml",
        assumptions=a,
        districts=d.district,
        waves=tuple(sorted(d.waves.items())),
    )


def _whole(value: Any) -> Any:
    """Whole numbers arrive as text or floats from the command line and URLs; anything else is
    returned unchanged for the caller to refuse."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _as_date(value: Any, where: str) -> dt.date | None:
    if value == "never":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise AssumptionError(f"{where}: expected a date (YYYY-MM-DD) or \"never\", got {value!r}")


def _apply(base: Scenario, spec: dict[str, Any], origin: str, name: str) -> Scenario:
    """Resolve scenario-file data against a scenario; every key is checked."""
    unknown = set(spec) - _FILE_KEYS
    if unknown:
        raise AssumptionError(f"{origin}: {sorted(unknown)[0]}: unknown key (expected one of {sorted(_FILE_KEYS)})")
    rollout = spec.get("rollout", {})
    if not isinstance(rollout, dict):
        raise AssumptionError(f"{origin}: rollout: expected a table")
    unknown = set(rollout) - _ROLLOUT_KEYS
    if unknown:
        raise AssumptionError(f"{origin}: rollout.{sorted(unknown)[0]}: unknown key (expected one of {sorted(_ROLLOUT_KEYS)})")

    description = spec.get("description", base.description)
    if not isinstance(description, str):
        raise AssumptionError(f"{origin}: description: expected text, got {description!r}")

    start = base.start
    if "start" in spec:
        start = _as_date(spec["start"], f"{origin}: start")
        if start is None or start.day != 1:
            raise AssumptionError(f"{origin}: start: expected the first day of a month, got {spec['start']!r}")
    years = _whole(spec.get("years", base.years))
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise AssumptionError(f"{origin}: years: expected a whole number of years from 1 to {MAX_YEARS}, got {years!r}")

    enabled = rollout.get("enabled", base.relational)
    if isinstance(enabled, str) and enabled.lower() in ("true", "false"):
        enabled = enabled.lower() == "true"
    if not isinstance(enabled, bool):
        raise AssumptionError(f"{origin}: rollout.enabled: expected true or false, got {enabled!r}")

    waves = dict(base.waves)
    for key, value in (rollout.get("waves") or {}).items():
        where = f"{origin}: rollout.waves.{key}"
        try:
            n = int(key)
        except (TypeError, ValueError):
            raise AssumptionError(f"{where}: expected a wave number") from None
        if n not in waves:
            raise AssumptionError(f"{where}: unknown wave (the waves are {', '.join(map(str, sorted(waves)))})")
        waves[n] = _as_date(value, where)
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

    by_name = {d.name: d for d in base.districts}
    moved: dict[str, int] = {}
    for dname, wave in (rollout.get("district_waves") or {}).items():
        where = f"{origin}: rollout.district_waves.{dname}"
        if dname not in by_name:
            raise AssumptionError(f"{where}: unknown district (see assumptions/districts.toml)")
        wave = _whole(wave)
        if isinstance(wave, bool) or not isinstance(wave, int) or wave not in waves:
            raise AssumptionError(f"{where}: expected a wave number ({', '.join(map(str, sorted(waves)))}), got {wave!r}")
        moved[dname] = wave
    districts = tuple(d.model_copy(update={"wave": moved[d.name]}) if d.name in moved else d for d in base.districts)

    values = spec.get("set") or {}
    if not isinstance(values, dict):
        raise AssumptionError(f"{origin}: set: expected a table of \"parameter\" = value")
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):  # [set.caseload] relational = 24
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    for key, value in flat.items():
        if isinstance(value, str):
            try:
                flat[key] = float(value)
            except ValueError:
                raise AssumptionError(f"{origin}: set.{key}: expected a number, got {value!r}") from None
    assumptions = base.assumptions.with_values(flat, origin) if flat else base.assumptions
    if round(assumptions.city.children.value) != sum(d.children for d in districts):
        raise AssumptionError(
            f"{origin}: set.city.children: {assumptions.city.children.value:,.0f} children but the districts "
            f"hold {sum(d.children for d in districts):,}; change the district table instead"
        )

    return replace(
        base,
        name=name,
        description=description,
        assumptions=assumptions,
        districts=districts,
        waves=tuple(sorted(waves.items())),
        relational=enabled,
        start=start,
        years=years,
        _base=base._base or base,
    )


def parse_scenario(data: dict[str, Any], name: str, origin: str, base: Scenario | None = None) -> Scenario:
    """A scenario from scenario-file data (as read from TOML or an upload)."""
    return _apply(base or base_scenario(), data, origin, name)


def parse_scenario_text(text: str, name: str, origin: str) -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AssumptionError(f"{origin}: not valid TOML ({exc})") from None
    return parse_scenario(data, name, origin)


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
