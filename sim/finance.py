"""The investment-model view: a scenario paired with a baseline on the same random numbers.

Both runs use the same seed and replication numbers, so family f of replication r meets the same
luck in both (common random numbers); the difference of replication r with replication r is the
effect of the scenario, not noise. All money is in one price level, the scenario's price year
(`price_year`: every amount was converted to it when the scenario was built, sim.prices), by
budget (calendar) year, for the whole city.

Definitions, per replication and budget year:

- investment = scenario minus baseline of staff + coordinator + implementation costs;
- avoided costs = baseline minus scenario of early + coordinated + foster + residential costs
  (also given by category);
- net = avoided costs - investment (equal to baseline minus scenario of the total cost);
- cumulative net, and discounted cumulative net;
- placements avoided = baseline minus scenario intrusive starts;
- waiting change = scenario minus baseline of the city's mean wait for a case slot (weighted by
  admissions);
- the children's outcomes, on the cohort notified in the year (sim.cohort: the same children in
  both arms), followed to the horizon: children placed avoided = baseline minus scenario of the
  children placed within 24 months of notification; child-years at home gained = scenario minus
  baseline of the child-years at home of the children with a case; days to help change = scenario
  minus baseline of the mean days from notification to the first early or coordinated help (of the
  children who got it); re-notified change = scenario minus baseline of the share of first cases
  closed (at least 12 months before the horizon's end) that were notified again within 12 months.

Who pays and who saves (sim.payers: MSB, MBU, the state through its refusion for particularly costly
individual cases), per replication and budget year: a payer's net = baseline minus scenario of what
it pays (the arms' paid_*_dkk columns), so the three add up to the net. MBU pays only part of the
investment (coordinator and implementation) and the state only refunds the costs of help, so MBU's
investment is minus its net and the state's savings its net; MSB has the rest of each. The
municipality's net after refusion = MSB's + MBU's net = net - the state's. The analytic twin has no
refusion (it follows no child): there MSB's, the state's and the municipality's nets are missing.

Discounting follows Finansministeriet's real social discount rate (finance.discount_rate, 3.5 %,
for years 0-35; finance.discount_rate_after_35, 2.5 %, after). Year 0 is the first budget year of
the horizon and is not discounted: the flows of budget year t are discounted by t whole years
(start-of-year convention; the present value is in year 0's terms). NPV = the discounted sum of net.

Uncertainty: with parameter draws (sim.uncertainty) the replications differ in their assumptions as
well as their random numbers, and the percentiles are the whole uncertainty the model knows of;
with "noise" only the random numbers. The Monte Carlo standard errors say how far the mean NPV and
the probability of paying back by the horizon could move with more replications (sd / sqrt(n) and
sqrt(p (1 - p) / n)).

The budget view (`budget`): per budget year, the mean over the replications of the investment, the
gross savings (avoided costs), the net and the cumulative net, and the net per payer and the
municipality's net after refusion, undiscounted, in the price year: the table a budget is written in. The NPV is the same flows discounted to year 0, one figure for their
value over time; the two sit side by side and answer different questions.

Summary over the horizon: NPV, payback year, return per krone (discounted avoided costs over
discounted investment), totals of investment, avoided costs, net and placements avoided, and the
horizon's waiting change, the investment, savings and net per payer and the municipality's net after
refusion, and the children's outcomes over all the horizon's cohorts
(children_placed_avoided, child_years_at_home_gained, days_to_help_change, renotified_12m_change;
the two changes of a mean or share are those of the horizon's pooled cohorts), each as mean and 5th/50th/95th percentiles over the
replications. A replication has paid back in the first budget year from which its cumulative net
stays >= 0 to the end of the horizon; p_payback_by_year[y] is the share of replications that have
paid back by y, and payback_year is the first year where that share reaches one half (the median
payback year, with "never" counted as beyond the horizon; None if it is never reached).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from .assumptions import Assumptions
from .cohort import COHORT_P90_COLUMN, COHORT_SUM_COLUMNS
from .payers import PAID_BY, PAYERS
from .accounts import weighted_mean
from .results import COST_COLUMNS, FLOW_COLUMNS, PAYER_COLUMNS, STOCK_COLUMNS

INVESTMENT_COSTS = ["cost_staff_dkk", "cost_coordinator_dkk", "cost_implementation_dkk"]
AVOIDABLE_COSTS = ["cost_early_dkk", "cost_coordinated_dkk", "cost_intrusive_foster_dkk",
                   "cost_intrusive_residential_dkk"]
INVESTMENT_BY_CATEGORY = [c.replace("cost_", "investment_") for c in INVESTMENT_COSTS]
AVOIDED_BY_CATEGORY = [c.replace("cost_", "avoided_") for c in AVOIDABLE_COSTS]
NET_BY_PAYER = {payer: f"net_{payer.lower()}_dkk" for payer in PAYERS}
# The columns of Comparison.per_replication and .yearly after the keys, in order.
COMPARISON_COLUMNS = [
    "investment_dkk", "avoided_cost_dkk", "net_dkk", "cumulative_net_dkk",
    "discounted_cumulative_net_dkk", "placements_avoided",
    "mean_wait_days_change", *INVESTMENT_BY_CATEGORY, *AVOIDED_BY_CATEGORY,
    *NET_BY_PAYER.values(), "net_municipality_dkk",
    "children_placed_avoided", "child_years_at_home_gained", "days_to_help_change", "renotified_12m_change",
]
STATISTICS = {"mean": None, "p05": 0.05, "p50": 0.50, "p95": 0.95}
_WEIGHTED_MEANS = {"mean_wait_days": "admissions"}


@dataclass(frozen=True)
class Interval:
    """A quantity over the replications: mean and 5th/50th/95th percentiles (None if undefined)."""

    mean: float | None
    p05: float | None
    p50: float | None
    p95: float | None

    @classmethod
    def of(cls, values: np.ndarray | pd.Series) -> "Interval":
        """Mean and percentiles over replications, ignoring NaN."""
        v = np.asarray(values, dtype=float)
        v = v[~np.isnan(v)]
        if v.size == 0:
            return cls(None, None, None, None)
        percentiles = iter(np.percentile(v, [100 * q for q in STATISTICS.values() if q is not None]))
        return cls(**{name: float(v.mean() if q is None else next(percentiles)) for name, q in STATISTICS.items()})


@dataclass(frozen=True)
class Horizon:
    first_year: int
    last_year: int
    years: int


@dataclass(frozen=True)
class Discounting:
    rate: float
    rate_after_35: float
    convention: str = "year 0 = first budget year, undiscounted; year t discounted t years"


@dataclass(frozen=True)
class BudgetYear:
    """One row of the budget view: means over the replications, undiscounted, in the price year
    (None: not known, as the per-payer split of the analytic twin)."""

    year: int
    investment_dkk: float
    gross_savings_dkk: float  # the avoided costs
    net_dkk: float
    cumulative_net_dkk: float
    net_msb_dkk: float | None  # the net per payer (sim.payers), adding up to net_dkk
    net_mbu_dkk: float | None
    net_state_dkk: float | None  # the change in the state's refusion, baseline minus scenario
    net_municipality_dkk: float | None  # after refusion: MSB's and MBU's


BUDGET_COLUMNS = [f.name for f in fields(BudgetYear)]


@dataclass(frozen=True, eq=False)
class Summary:
    """The headline of a paired comparison (see the module docstring); `as_dict()` is the summary
    JSON, whose keys the README documents."""

    price_year: int  # every amount below is in this year's prices (sim.prices)
    budget: tuple[BudgetYear, ...]  # the budget view, per budget year
    npv_dkk: Interval
    payback_year: int | None
    p_payback_by_year: Mapping[int, float]
    return_per_krone: Interval
    investment_dkk: Interval
    avoided_cost_dkk: Interval
    net_dkk: Interval
    placements_avoided: Interval
    mean_wait_days_change: Interval
    investment_by_payer_dkk: Mapping[str, Interval]  # MSB, MBU, state (sim.payers); over the horizon, undiscounted
    savings_by_payer_dkk: Mapping[str, Interval]
    net_by_payer_dkk: Mapping[str, Interval]  # adds up to net_dkk
    municipality_net_dkk: Interval  # the net after refusion: MSB's and MBU's
    children_placed_avoided: Interval  # the children's outcomes on the horizon's cohorts (sim.cohort)
    child_years_at_home_gained: Interval
    days_to_help_change: Interval
    renotified_12m_change: Interval
    scenario_cost_dkk: Interval  # each arm's total cost over the horizon, undiscounted
    baseline_cost_dkk: Interval
    horizon: Horizon
    discounting: Discounting
    replications: int
    uncertainty: str  # "parameters" (assumptions drawn per replication), "noise" (random numbers only), "expected"
    npv_dkk_mc_se: float  # Monte Carlo standard error of the mean NPV
    p_payback_mc_se: float  # ... of the probability of having paid back by the horizon's last year
    manifest: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class Comparison:
    """A paired comparison: per replication x year, its statistics by year, and a summary; with
    the two arms' yearly results it was made from (per district), the scenario's switch dates (when
    each district's relational team started, per replication: results.SWITCH_COLUMNS) and, when
    simulated, the scenario's monthly results."""

    per_replication: pd.DataFrame  # replication, year, COMPARISON_COLUMNS
    yearly: pd.DataFrame  # year, statistic (mean/p05/p50/p95), COMPARISON_COLUMNS: the compare CSV
    summary: Summary
    scenario_yearly: pd.DataFrame
    baseline_yearly: pd.DataFrame
    scenario_monthly: pd.DataFrame | None = None
    switches: pd.DataFrame | None = None


def _groups(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct combinations of `keys` in the frame, sorted (a frame of the keys), and each
    row's group (its position among them)."""
    codes, levels = zip(*(pd.factorize(frame[k], sort=True) for k in keys))
    shape = tuple(len(level) for level in levels)
    present, group = np.unique(np.ravel_multi_index(codes, shape), return_inverse=True)
    where = np.unravel_index(present, shape)
    return pd.DataFrame({k: level[i] for k, level, i in zip(keys, levels, where)}), group.ravel()


def city_columns(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """`city_totals` as arrays: the groups of `keys` (sorted), and each total's value per group.
    Grouped with numpy (bincount), not pandas: a pairing groups four tables, and the analytic
    twin's pairings (a slider move, every lever coalition) must take milliseconds."""
    groups, group = _groups(frame, keys)
    n = len(groups)

    def total(column: str, missing_if_none: bool) -> np.ndarray:
        values = frame[column].to_numpy()
        if np.issubdtype(values.dtype, np.integer):  # counts stay whole numbers, as pandas sums them
            return np.bincount(group, weights=values, minlength=n).round().astype(values.dtype)
        missing = np.isnan(values)
        out = np.bincount(group, weights=np.where(missing, 0.0, values), minlength=n)
        if missing_if_none:
            out[np.bincount(group, weights=~missing, minlength=n) == 0] = np.nan
        return out

    out = {c: total(c, False) for c in FLOW_COLUMNS + STOCK_COLUMNS + COST_COLUMNS if c in frame}
    out.update({c: total(c, True) for c in PAYER_COLUMNS + COHORT_SUM_COLUMNS if c in frame})
    if COHORT_P90_COLUMN in frame and "year" in keys and "district" not in keys:
        values = frame[COHORT_P90_COLUMN].to_numpy(dtype=float)
        known = np.flatnonzero(~np.isnan(values))
        first = np.full(n, np.nan)
        found, at = np.unique(group[known], return_index=True)  # each group's first known value
        first[found] = values[known[at]]
        out[COHORT_P90_COLUMN] = first
    for value, weight in _WEIGHTED_MEANS.items():
        if value in frame:
            out[value] = weighted_mean(frame[value], frame[weight], group, n)
    return groups, out


def city_totals(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Districts added up to the city per keys (e.g. replication and year), one row per
    combination in sorted order: counts and costs summed, waiting weighted by admissions; who pays
    and the cohort columns summed (missing if missing, as in the analytic twin), and the city's
    percentile of days to help kept when the keys are within a year."""
    groups, columns = city_columns(frame, keys)
    return pd.concat([groups, pd.DataFrame(columns)], axis=1)


def cohort_changes(s: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """The children's outcomes of city totals s (scenario) against b (baseline), element by element
    (columns of frames, or arrays: see the module docstring); NaN where an arm has no cohort
    columns or a share has no children."""
    def col(totals: Mapping[str, Any], name: str) -> Any:
        return totals[name] if name in totals else np.nan

    def ratio(totals: Mapping[str, Any], num: str, den: str) -> Any:
        d = col(totals, den)
        with np.errstate(divide="ignore", invalid="ignore"):
            return col(totals, num) / np.where(d > 0, d, np.nan)

    return {
        "children_placed_avoided": col(b, "cohort_placed_24m") - col(s, "cohort_placed_24m"),
        "child_years_at_home_gained": col(s, "cohort_home_years") - col(b, "cohort_home_years"),
        "days_to_help_change": (ratio(s, "cohort_days_to_help_sum", "cohort_helped")
                                - ratio(b, "cohort_days_to_help_sum", "cohort_helped")),
        "renotified_12m_change": (ratio(s, "cohort_renotified_12m", "cohort_closed")
                                  - ratio(b, "cohort_renotified_12m", "cohort_closed")),
    }


def discount_factors(years: int, rate: float, rate_after_35: float) -> np.ndarray:
    """Present-value factor of each budget year t = 0..years-1: (1+r)^-t up to t = 35, then
    (1+r)^-35 (1+r35)^-(t-35) (Finansministeriet's stepped rate; year 0 is not discounted)."""
    t = np.arange(years, dtype=float)
    return (1 + rate) ** -np.minimum(t, 35) * (1 + rate_after_35) ** -np.maximum(t - 35, 0)


def payback_years(years: np.ndarray, cumulative_net: np.ndarray) -> np.ndarray:
    """Per row of cumulative_net [replication, year]: the first budget year from which the
    cumulative net stays >= 0 to the horizon, or NaN if it is negative at the horizon."""
    stays = np.logical_and.accumulate((cumulative_net >= 0)[:, ::-1], axis=1)[:, ::-1]
    first = np.argmax(stays, axis=1)
    return np.where(stays[:, -1], np.asarray(years, dtype=float)[first], np.nan)


def _yearly_statistics(years: np.ndarray, columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Per year, the mean and percentiles (STATISTICS) over the replications of each comparison
    column [replication, year], ignoring missing values: one row per year and statistic."""
    x = np.stack([np.asarray(columns[c], dtype=float) for c in COMPARISON_COLUMNS], axis=-1)  # [rep, year, column]
    levels = [q for q in STATISTICS.values() if q is not None]
    quantiles = np.quantile(x, levels, axis=0)  # all at once; NaN where a replication's value is missing
    missing = np.isnan(x)
    for y, c in zip(*np.nonzero(missing.any(axis=0) & ~missing.all(axis=0))):  # the few cells to take without them
        quantiles[:, y, c] = np.nanquantile(x[:, y, c], levels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the mean of a cell missing in every replication: NaN
        mean = np.nanmean(x, axis=0)
    taken = iter(quantiles)
    stats = np.stack([mean if q is None else next(taken) for q in STATISTICS.values()], axis=1)
    return pd.DataFrame({"year": np.repeat(years, len(STATISTICS)), "statistic": list(STATISTICS) * len(years),
                         **dict(zip(COMPARISON_COLUMNS, stats.reshape(-1, len(COMPARISON_COLUMNS)).T))})


def _by_replication_and_year(yearly: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The city totals of an arm's yearly table as [replication, year] arrays, with the
    replications and years (sorted)."""
    groups, columns = city_columns(yearly, ["replication", "year"])
    reps, years = groups["replication"].unique(), groups["year"].unique()
    if len(groups) != len(reps) * len(years):
        raise ValueError(f"paired comparison: {yearly['scenario'].iloc[0]}: every replication must have every year")
    return reps, years, {c: v.reshape(len(reps), len(years)) for c, v in columns.items()}


def _check_pairable(what: str, s: np.ndarray, b: np.ndarray) -> None:
    """The scenario's and the baseline's replications (or years), sorted, must be the same."""
    if not np.array_equal(s, b):
        raise ValueError(f"paired comparison: the scenario and the baseline must have the same {what}s "
                         f"(scenario {s[0]}..{s[-1]}, {len(s)}; baseline {b[0]}..{b[-1]}, {len(b)})")


def paired(scenario_yearly: pd.DataFrame, baseline_yearly: pd.DataFrame, assumptions: Assumptions,
           manifest: dict | None = None) -> Comparison:
    """Pair replication r of the scenario with replication r of the baseline (see the module
    docstring for the definitions). Works on one replication too (then percentiles equal the mean).
    assumptions: where the discount rates and the price year come from (normally the scenario's)."""
    reps, years, s = _by_replication_and_year(scenario_yearly)
    b_reps, b_years, b = _by_replication_and_year(baseline_yearly)
    _check_pairable("replication", reps, b_reps)
    _check_pairable("year", years, b_years)
    shape = (len(reps), len(years))
    d: dict[str, np.ndarray] = {}  # the comparison's columns, [replication, year]
    for col, name in zip(INVESTMENT_COSTS, INVESTMENT_BY_CATEGORY):
        d[name] = s[col] - b[col]
    for col, name in zip(AVOIDABLE_COSTS, AVOIDED_BY_CATEGORY):
        d[name] = b[col] - s[col]
    d["investment_dkk"] = np.nansum([d[c] for c in INVESTMENT_BY_CATEGORY], axis=0)
    d["avoided_cost_dkk"] = np.nansum([d[c] for c in AVOIDED_BY_CATEGORY], axis=0)
    d["net_dkk"] = d["avoided_cost_dkk"] - d["investment_dkk"]
    for payer, name in NET_BY_PAYER.items():
        d[name] = b[PAID_BY[payer]] - s[PAID_BY[payer]]
    d["net_municipality_dkk"] = d[NET_BY_PAYER["MSB"]] + d[NET_BY_PAYER["MBU"]]

    f = assumptions.finance
    factor = discount_factors(len(years), f.discount_rate.value, f.discount_rate_after_35.value)
    d["cumulative_net_dkk"] = np.cumsum(d["net_dkk"], axis=1)
    d["discounted_cumulative_net_dkk"] = np.cumsum(d["net_dkk"] * factor, axis=1)
    d["placements_avoided"] = b["intrusive_starts"] - s["intrusive_starts"]
    d["mean_wait_days_change"] = s["mean_wait_days"] - b["mean_wait_days"]
    for name, values in cohort_changes(s, b).items():
        d[name] = np.broadcast_to(values, shape)  # NaN for an arm without cohort columns
    per_replication = pd.DataFrame({"replication": np.repeat(reps, len(years)), "year": np.tile(years, len(reps)),
                                    **{c: d[c].ravel() for c in COMPARISON_COLUMNS}})

    npv = d["discounted_cumulative_net_dkk"][:, -1]
    disc_investment = d["investment_dkk"] @ factor
    disc_avoided = d["avoided_cost_dkk"] @ factor
    with np.errstate(divide="ignore", invalid="ignore"):
        per_krone = np.where(disc_investment > 0, disc_avoided / disc_investment, np.nan)
    payback = payback_years(years, d["cumulative_net_dkk"])
    p_by_year = {int(y): float(np.mean(payback <= y)) for y in years}
    median_year = next((y for y, p in p_by_year.items() if p >= 0.5), None)

    horizon = ["replication"]  # the whole horizon per replication, as the city sees it
    s_all, b_all = city_columns(scenario_yearly, horizon)[1], city_columns(baseline_yearly, horizon)[1]
    children = cohort_changes(s_all, b_all)
    budget = tuple(BudgetYear(int(y), *(None if np.isnan(x) else float(x) for x in row))
                   for y, row in zip(years, np.column_stack([
                       d[c].mean(axis=0) for c in ("investment_dkk", "avoided_cost_dkk", "net_dkk",
                                                   "cumulative_net_dkk", *NET_BY_PAYER.values(),
                                                   "net_municipality_dkk")])))
    total = {name: d[name].sum(axis=1) for name in ("investment_dkk", "avoided_cost_dkk", "net_municipality_dkk",
                                                     *NET_BY_PAYER.values())}
    net = {payer: total[NET_BY_PAYER[payer]] for payer in PAYERS}
    none = np.zeros(len(reps))
    investment = {"MSB": total["investment_dkk"] + net["MBU"], "MBU": -net["MBU"], "state": none}
    savings = {"MSB": total["avoided_cost_dkk"] - net["state"], "MBU": none, "state": net["state"]}
    summary = Summary(
        price_year=assumptions.price_year,
        budget=budget,
        npv_dkk=Interval.of(npv),
        payback_year=median_year,
        p_payback_by_year=p_by_year,
        return_per_krone=Interval.of(per_krone),
        investment_dkk=Interval.of(total["investment_dkk"]),
        avoided_cost_dkk=Interval.of(total["avoided_cost_dkk"]),
        net_dkk=Interval.of(d["net_dkk"].sum(axis=1)),
        placements_avoided=Interval.of(d["placements_avoided"].sum(axis=1)),
        mean_wait_days_change=Interval.of(s_all["mean_wait_days"] - b_all["mean_wait_days"]),
        investment_by_payer_dkk={payer: Interval.of(v) for payer, v in investment.items()},
        savings_by_payer_dkk={payer: Interval.of(v) for payer, v in savings.items()},
        net_by_payer_dkk={payer: Interval.of(v) for payer, v in net.items()},
        municipality_net_dkk=Interval.of(total["net_municipality_dkk"]),
        **{name: Interval.of(values) for name, values in children.items()},
        scenario_cost_dkk=Interval.of(s_all["cost_total_dkk"]),
        baseline_cost_dkk=Interval.of(b_all["cost_total_dkk"]),
        horizon=Horizon(int(years[0]), int(years[-1]), int(len(years))),
        discounting=Discounting(f.discount_rate.value, f.discount_rate_after_35.value),
        replications=int(len(reps)),
        uncertainty=str(manifest.get("uncertainty", "noise")) if manifest is not None else "expected",
        npv_dkk_mc_se=float(np.std(npv, ddof=1) / np.sqrt(len(npv))) if len(npv) > 1 else 0.0,
        p_payback_mc_se=float(np.sqrt(p_by_year[int(years[-1])] * (1 - p_by_year[int(years[-1])]) / len(reps))),
        manifest=manifest if manifest is not None else {
            "scenario": str(scenario_yearly["scenario"].iloc[0]),
            "baseline": str(baseline_yearly["scenario"].iloc[0]),
            "replications": int(len(reps)),
        },
    )
    return Comparison(per_replication, _yearly_statistics(years, d), summary, scenario_yearly, baseline_yearly)
