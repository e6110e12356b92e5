"""Load and validate the model's inputs (assumptions/*.toml).

Every number the model uses lives in `base.toml` with its unit, plausible range and source; the
districts and their rollout waves live in `districts.toml`. Loading is all-or-nothing: a bad file is
refused with one message naming the file, the key and what was expected (`AssumptionError`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

ASSUMPTIONS_DIR = Path(__file__).resolve().parent.parent / "assumptions"


class AssumptionError(ValueError):
    """Bad input: the message names the file, the key and what was expected."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


WORLD, POLICY = "world", "policy"
# The mechanisms by which relational work saves money, in the order they are shown (a param's
# `lever` names the one it belongs to; see sim/levers.py).
LEVERS = ("escalation", "resolution", "placement_length", "placement_mix", "practice")


class Param(_Frozen):
    """One number with its unit, plausible range and source, and whether it describes the world
    (both arms of a comparison share it) or the policy (the scenario's own choice)."""

    value: float
    unit: str = Field(min_length=1)
    kind: Literal["world", "policy"]
    lever: Literal["escalation", "resolution", "placement_length", "placement_mix", "practice"] | None = None
    distribution: Literal["fixed", "pert", "triangular", "uniform", "herning"] = "fixed"
    low: float
    high: float
    source: str = Field(min_length=1)
    note: str = ""
    price_year: int | None = None  # the year of the prices of an amount of money (unit in DKK); see sim/prices.py

    @model_validator(mode="after")
    def _range_and_source(self) -> "Param":
        if self.low > self.high:
            raise ValueError(f"low ({self.low:g}) must not exceed high ({self.high:g})")
        if not self.low <= self.value <= self.high:
            raise ValueError(
                f"value {self.value:g} is outside its plausible range {self.low:g} to {self.high:g}"
            )
        if self.distribution != "fixed" and not self.low < self.high:
            raise ValueError(f"a {self.distribution} distribution needs low < high, got {self.low:g} and {self.high:g}")
        if self.source.strip().lower() == "assumption" and not self.note.strip():
            raise ValueError('a source of "assumption" needs a note saying why the value is reasonable')
        if ("DKK" in self.unit) != (self.price_year is not None):
            raise ValueError("an amount of money (a unit in DKK) needs its price_year, and only an amount of money has one"
                             if self.price_year is None else "only an amount of money (a unit in DKK) has a price_year")
        return self


def _bounded(lo: float | None = None, hi: float | None = None, *, strict_lo: bool = False):
    """A Param whose value, low and high must all lie in a physical domain (e.g. a share in 0..1)."""

    def check(p: Param) -> Param:
        for name in ("low", "value", "high"):
            x = getattr(p, name)
            if lo is not None and (x <= lo if strict_lo else x < lo):
                raise ValueError(f"{name} {x:g} must be {'>' if strict_lo else '>='} {lo:g}")
            if hi is not None and x > hi:
                raise ValueError(f"{name} {x:g} must be <= {hi:g}")
        return p

    return Annotated[Param, AfterValidator(check)]


Share = _bounded(0.0, 1.0)
Positive = _bounded(0.0, strict_lo=True)
NonNegative = _bounded(0.0)


class _SplitShares(_Frozen):
    """A group with two shares of one whole (the rest is a third outcome): together at most 1."""

    split: ClassVar[tuple[str, str]]

    @model_validator(mode="after")
    def _split_fits(self) -> "_SplitShares":
        a, b = self.split
        if getattr(self, a).value + getattr(self, b).value > 1.0:
            raise ValueError(f"{a} + {b} must not exceed 1")
        return self


class City(_Frozen):
    children: Positive
    need_contrast: _bounded(0.0, 3.0)
    children_growth_per_year: _bounded(-0.1, 0.1)


class Notifications(_Frozen):
    notified_share_per_year: Share
    per_notified_child: _bounded(1.0)


class Triage(_SplitShares):
    split = ("no_measure_share", "early_share")
    no_measure_share: Share
    early_share: Share


class Assessment(_SplitShares):
    split = ("coordinated_share", "intrusive_share")
    mean_days: Positive
    coordinated_share: Share
    intrusive_share: Share


class Early(_Frozen):
    mean_days: Positive
    escalation_share: Share


class Coordinated(_SplitShares):
    split = ("escalation_share", "step_down_share")
    mean_days: Positive
    escalation_share: Share
    step_down_share: Share


class Intrusive(_Frozen):
    mean_days: Positive
    step_down_share: Share
    foster_share: Share


class Relapse(_Frozen):
    probability: Share
    mean_days: Positive


class Severity(_SplitShares):
    split = ("low_share", "high_share")
    low_share: Share
    high_share: Share
    low_escalation_multiplier: NonNegative
    high_escalation_multiplier: NonNegative


class Waiting(_Frozen):
    escalation_increase_per_month: NonNegative
    max_days: Positive


class Initial(_Frozen):
    assessment: NonNegative
    early: NonNegative
    coordinated: NonNegative
    intrusive: NonNegative
    relapse_pending: NonNegative


class Caseload(_Frozen):
    classic: _bounded(1.0)
    relational: _bounded(1.0)
    pilot: _bounded(1.0)
    reference: _bounded(1.0)
    escalation_elasticity: NonNegative
    resolution_elasticity: NonNegative
    placement_length_elasticity: NonNegative


class Staff(_Frozen):
    classic_caseworkers: NonNegative
    relational_capacity_ratio: Positive  # a team without case slots has no caseload
    salary_dkk_per_year: NonNegative
    overhead_share: NonNegative
    recruitment_months: NonNegative
    vacancy_rate: _bounded(0.0, 0.9)
    team_leader_dkk_per_year: NonNegative
    caseworkers_per_leader: _bounded(1.0)


class Relational(_Frozen):
    early_shift: Share
    placement_shift: Share
    foster_shift: Share
    effect_strength: NonNegative
    learning_months: NonNegative
    learning_effect: Share


class Cost(_Frozen):
    early_dkk_per_day: NonNegative
    coordinated_dkk_per_day: NonNegative
    foster_dkk_per_day: NonNegative
    residential_dkk_per_day: NonNegative
    in_house_delivery: Share
    in_house_share: Share


class Coordinator(_Frozen):
    first_year_dkk: NonNegative
    per_year_dkk: NonNegative


class Implementation(_Frozen):
    per_district_dkk: NonNegative


class Payer(_Frozen):
    """MBU's shares of the investment categories it pays part of (sim.payers)."""

    mbu_coordinator_share: Share
    mbu_implementation_share: Share


class Refusion(_Frozen):
    """The state's refusion for particularly costly individual cases (Barnets lov § 198): of a
    child's yearly costs, the rates of the parts above each threshold (sim.payers.refusion)."""

    lower_threshold_dkk: NonNegative
    middle_threshold_dkk: NonNegative
    upper_threshold_dkk: NonNegative
    lower_rate: Share
    middle_rate: Share
    upper_rate: Share

    @model_validator(mode="after")
    def _tiers_in_order(self) -> "Refusion":
        if not (self.lower_threshold_dkk.value <= self.middle_threshold_dkk.value <= self.upper_threshold_dkk.value):
            raise ValueError("the thresholds must rise: lower_threshold_dkk <= middle_threshold_dkk <= upper_threshold_dkk")
        return self


class Finance(_Frozen):
    discount_rate: _bounded(-0.5, 1.0)
    discount_rate_after_35: _bounded(-0.5, 1.0)


class Assumptions(_Frozen):
    """Every parameter of the model (the contents of base.toml)."""

    city: City
    notifications: Notifications
    triage: Triage
    assessment: Assessment
    early: Early
    coordinated: Coordinated
    intrusive: Intrusive
    relapse: Relapse
    severity: Severity
    waiting: Waiting
    initial: Initial
    caseload: Caseload
    staff: Staff
    relational: Relational
    cost: Cost
    coordinator: Coordinator
    implementation: Implementation
    payer: Payer
    refusion: Refusion
    finance: Finance

    def params(self) -> dict[str, Param]:
        """All parameters by dotted name, in file order."""
        out: dict[str, Param] = {}
        for group in type(self).model_fields:
            g = getattr(self, group)
            for name in type(g).model_fields:
                out[f"{group}.{name}"] = getattr(g, name)
        return out

    def kinds(self) -> dict[str, str]:
        """Each parameter's kind ("world" or "policy") by dotted name: the baseline rule as data."""
        return {k: p.kind for k, p in self.params().items()}

    def value(self, dotted: str) -> float:
        try:
            return self.params()[dotted].value
        except KeyError:
            raise AssumptionError(f"unknown parameter {dotted!r}") from None

    def with_values(self, values: dict[str, float], origin: str = "override") -> "Assumptions":
        """A copy with some values replaced; validated like a file, so a value outside its range is refused."""
        data = self.model_dump()
        known = self.params()
        for key, v in values.items():
            if key not in known:
                raise AssumptionError(f"{origin}: unknown parameter {key!r}")
            group, name = key.split(".", 1)
            data[group][name]["value"] = v
        return parse_assumptions(data, origin)

    @property
    def price_year(self) -> int:
        """The one price year of every amount of money (sim.prices); mixed price years, as read from
        base.toml before conversion, are refused: no total may add amounts in different prices."""
        years = {p.price_year for p in self.params().values() if p.price_year is not None}
        if len(years) != 1:
            raise AssumptionError(f"amounts of money in {len(years)} price years ({', '.join(map(str, sorted(years)))}); "
                                  "convert them to one first (sim.prices.reprice, as every scenario does)")
        return years.pop()

    def digest(self) -> str:
        """Hash of the canonical form: changes whenever any number, range or source changes."""
        return _digest(self.model_dump())


class District(_Frozen):
    name: str = Field(min_length=1)
    children: int = Field(gt=0)
    wave: int = Field(ge=1)
    need: float = Field(default=1.0, gt=0, le=10)  # notifications per child against the city's average
    pilot_since: dt.date | None = None  # a relational pilot with its own team since this date (caseload.pilot)


class Districts(_Frozen):
    """The local districts and the calendar of rollout waves."""

    source: str = Field(min_length=1)
    note: str = ""
    waves: dict[int, dt.date]
    district: tuple[District, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "Districts":
        names = [d.name for d in self.district]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"district names must be unique; repeated: {', '.join(dupes)}")
        for d in self.district:
            if d.wave not in self.waves:
                raise ValueError(f"district {d.name!r} is in wave {d.wave}, which [waves] does not define")
        check_wave_order(self.waves)
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.district)

    @property
    def children_total(self) -> int:
        return sum(d.children for d in self.district)


def check_wave_order(waves: dict[int, dt.date | None]) -> None:
    """Waves are half-yearly stages: each dated wave must start after the one before it."""
    dated = [(n, d) for n, d in sorted(waves.items()) if d is not None]
    for (n1, d1), (n2, d2) in zip(dated, dated[1:]):
        if d2 <= d1:
            raise ValueError(
                f"wave {n2} starts {d2.isoformat()}, not after wave {n1} ({d1.isoformat()}): "
                "waves must start in order, on different dates"
            )


def _digest(obj: Any) -> str:
    blob = json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def error_message(err: ValidationError) -> str:
    """Pydantic's first error as 'key: what was expected, got what' (the one error format)."""
    e = err.errors()[0]
    loc = ".".join(str(p) for p in e["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p == "[key]")))
    msg = e["msg"].removeprefix("Value error, ")
    if e["type"] == "extra_forbidden":
        msg = "unknown key"
    elif e["type"] == "missing":
        msg = "required key is missing"
    elif e["type"] != "value_error":  # our own messages already say what they got
        msg = f"{msg}, got {shown(e.get('input'))}"
    return f"{loc}: {msg}" if loc else msg


def shown(value: Any, limit: int = 60) -> str:
    """A value as it is quoted in an error message, cut short (an input may be megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file; an unreadable or malformed file is an AssumptionError naming it."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise AssumptionError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise AssumptionError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise AssumptionError(f"{path}: not valid TOML (nested too deeply)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssumptionError(f"{path}: cannot be read ({exc})") from None


def parse_toml_text(text: str, origin: str) -> dict[str, Any]:
    """TOML text (an upload, a pasted file) as data; malformed text is an AssumptionError."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AssumptionError(f"{origin}: not valid TOML ({exc})") from None
    except RecursionError:
        raise AssumptionError(f"{origin}: not valid TOML (nested too deeply)") from None


def parse_assumptions(data: dict[str, Any], origin: str) -> Assumptions:
    try:
        return Assumptions.model_validate(data)
    except ValidationError as exc:
        raise AssumptionError(f"{origin}: {error_message(exc)}") from None


def parse_districts(data: dict[str, Any], origin: str) -> Districts:
    try:
        return Districts.model_validate(data)
    except ValidationError as exc:
        raise AssumptionError(f"{origin}: {error_message(exc)}") from None


def load_assumptions(path: Path | str = ASSUMPTIONS_DIR / "base.toml") -> Assumptions:
    path = Path(path)
    return parse_assumptions(read_toml(path), str(path))


def load_districts(path: Path | str = ASSUMPTIONS_DIR / "districts.toml") -> Districts:
    path = Path(path)
    data = read_toml(path)
    # TOML keys are strings; the waves table is keyed by wave number.
    waves = data.get("waves")
    if isinstance(waves, dict):
        try:
            data["waves"] = {int(k): v for k, v in waves.items()}
        except ValueError:
            raise AssumptionError(f"{path}: waves: keys must be wave numbers (1, 2, ...)") from None
    if isinstance(data.get("district"), list):
        data["district"] = tuple(data["district"])
    return parse_districts(data, str(path))
