"""One price level: the price index of assumptions/prices.toml and the conversion of amounts of money.

Every money parameter carries the year of its prices (`Param.price_year`). A scenario is built in a
price year (`Scenario.price_year`, by default `default_price_year()`), and `reprice` converts every
amount to it once, when the scenario is built: value, low and high are each multiplied by
index[to] / index[from] and kept to the øre. Nothing downstream (engine, analytic twin, finance) converts again, so
changing the price year scales every amount by the ratio of the index and changes nothing else.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .assumptions import ASSUMPTIONS_DIR, AssumptionError, Assumptions, error_message, read_toml

PRICES_PATH = ASSUMPTIONS_DIR / "prices.toml"
ORE = 2  # converted amounts are kept to the øre: legible, and the same whichever way they were converted


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class IndexYear(_Strict):
    value: float = Field(gt=0)
    status: Literal["published", "derived", "forecast"]
    derivation: str = ""

    @model_validator(mode="after")
    def _explained(self) -> "IndexYear":
        if self.status != "published" and not self.derivation.strip():
            raise ValueError(f'a "{self.status}" value needs a derivation saying how it was computed')
        return self


class PriceIndex(_Strict):
    """A price index by calendar year, with its source."""

    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    note: str = ""
    budget_year: int
    years: dict[int, IndexYear] = Field(min_length=1)

    @property
    def first(self) -> int:
        return min(self.years)

    @property
    def newest(self) -> int:
        return max(self.years)

    @property
    def default_year(self) -> int:
        """The budget year if the index has it, else its newest year."""
        return self.budget_year if self.budget_year in self.years else self.newest

    def check(self, year: int, where: str = "price_year") -> int:
        """The year, if the index covers it; else an AssumptionError naming `where`."""
        if isinstance(year, bool) or not isinstance(year, int) or year not in self.years:
            raise AssumptionError(f"{where}: expected a year the price index covers ({self.first} to {self.newest}, "
                                  f"assumptions/prices.toml), got {year!r}")
        return year

    def factor(self, from_year: int, to_year: int) -> float:
        """What an amount in `from_year` prices is multiplied by to be in `to_year` prices."""
        if from_year == to_year:
            return 1.0
        return self.years[self.check(to_year)].value / self.years[self.check(from_year)].value


@lru_cache(maxsize=4)
def load_price_index(path: Path | str = PRICES_PATH) -> PriceIndex:
    """The price index (read once per process); a bad file is an AssumptionError naming file and key."""
    data = read_toml(Path(path))
    if isinstance(data.get("years"), dict):
        try:
            data["years"] = {int(k): v for k, v in data["years"].items()}
        except ValueError:
            raise AssumptionError(f"{path}: years: keys must be calendar years (2015, 2016, ...)") from None
    try:
        return PriceIndex.model_validate(data)
    except ValidationError as exc:
        raise AssumptionError(f"{path}: {error_message(exc)}") from None


def default_price_year() -> int:
    return load_price_index().default_year


def reprice(assumptions: Assumptions, year: int, origin: str = "price_year") -> Assumptions:
    """The assumptions with every amount of money (each parameter with a `price_year`) in `year`'s
    prices: value, low and high times index[year] / index[its price year], to the øre."""
    index = load_price_index()
    index.check(year, origin)
    data = assumptions.model_dump()
    for key, p in assumptions.params().items():
        if p.price_year is None or p.price_year == year:
            continue
        f = index.factor(index.check(p.price_year, f"{key}.price_year"), year)
        group, name = key.split(".", 1)
        data[group][name].update(value=round(p.value * f, ORE), low=round(p.low * f, ORE), high=round(p.high * f, ORE),
                                 price_year=year)
    return type(assumptions).model_validate(data)
