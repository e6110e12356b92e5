"""The tables of results: a replication's accounts (sim.accounts) as tidy monthly and yearly
frames, and when each district switched.

The schema is pinned in sim.accounts (MONTHLY_COLUMNS, YEARLY_COLUMNS, SWITCH_COLUMNS;
tests/test_accounting.py): one row per district and month, or per district and budget year, after the
keys scenario, replication (and month), year and district.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from .accounts import (COHORT_COLUMNS, COST_COLUMNS, FLOW_COLUMNS, KEY_COLUMNS, MEAN_COLUMNS, MONTHLY_COLUMNS,
                       PAYER_COLUMNS, STOCK_COLUMNS, SWITCH_COLUMNS, YEARLY_COLUMNS, monthly_columns,
                       yearly_columns)
from .engine import TransitionLog
from .months import Calendar
from .scenario import Scenario

__all__ = ["COHORT_COLUMNS", "COST_COLUMNS", "FLOW_COLUMNS", "KEY_COLUMNS", "MEAN_COLUMNS", "MONTHLY_COLUMNS",
           "PAYER_COLUMNS", "STOCK_COLUMNS", "SWITCH_COLUMNS", "YEARLY_COLUMNS", "monthly_frame", "yearly_frame",
           "tidy_frame", "switch_frame", "switch_statistics", "key_columns"]


def monthly_frame(scenario: Scenario, log: TransitionLog, replication: int, seed: int | None = None) -> pd.DataFrame:
    """One replication's tidy monthly table: one row per district and month (sim.accounts.monthly_columns)."""
    cal = Calendar(scenario)
    return tidy_frame(scenario, replication, cal, monthly_columns(scenario, log, replication, seed, cal))


def switch_frame(scenario: Scenario, switch_day: np.ndarray, replications: Sequence[int]) -> pd.DataFrame:
    """Per replication and district, the date its relational team started (SWITCH_COLUMNS):
    switch_day, [replication, district] (or [district] for one), in days since the start, inf if it
    did not."""
    day = np.atleast_2d(switch_day)
    days = pd.to_timedelta(np.where(np.isfinite(day), day, np.nan).ravel(), unit="D")
    names = [d.name for d in scenario.districts]
    return pd.DataFrame({"scenario": scenario.name,
                         "replication": np.repeat(np.asarray(replications, dtype=np.int64), len(names)),
                         "district": names * len(replications),
                         "switch_date": pd.Timestamp(scenario.start) + days})[SWITCH_COLUMNS]


def switch_statistics(switches: pd.DataFrame) -> pd.DataFrame:
    """Per district (in the frame's order): the median and the 5th and 95th percentiles of its switch
    date over the replications (each an actual date of a replication; NaT where it had not switched
    within the horizon) and the share of replications in which it switched."""
    day = (switches["switch_date"] - switches["switch_date"].min()).dt.days.astype(float).fillna(np.inf)
    first = switches["switch_date"].min()
    g = day.groupby(switches["district"], sort=False)

    def at(q: float) -> pd.Series:
        days = g.quantile(q, interpolation="nearest")
        return first + pd.to_timedelta(days.where(np.isfinite(days)), unit="D")

    return pd.DataFrame({"p05": at(0.05), "p50": at(0.5), "p95": at(0.95),
                         "switched": g.apply(lambda v: float(np.isfinite(v).mean()))})


def key_columns(name: str, districts: Sequence[str], replications: Sequence[int], years: np.ndarray,
                months: np.ndarray | None = None) -> dict[str, object]:
    """The key columns of consecutive replications' tidy rows: district by district within each, and
    month by month (labelled `months`) or year by year within each district; `years` is each
    period's budget year. {scenario, replication, [month,] year, district}, as the tables have them."""
    per, rows = len(years), len(replications) * len(districts) * len(years)
    keys: dict[str, object] = {"scenario": _names([name], np.zeros(rows, dtype=np.int32)),
                               "replication": np.repeat(np.asarray(replications, dtype=np.int64), len(districts) * per)}
    if months is not None:
        keys["month"] = _names(months, np.tile(np.arange(per, dtype=np.int32), rows // per))
    keys["year"] = np.tile(years, rows // per)
    keys["district"] = _names(districts, np.tile(np.repeat(np.arange(len(districts), dtype=np.int32), per),
                                                 len(replications)))
    return keys


def _names(names: Sequence[str], codes: np.ndarray) -> pd.Series:
    """A text column (pandas' str, Arrow strings) of names[code] for each code, decoded in Arrow: no
    Python object per row in between, which for a run's months (hundreds of thousands of rows)
    took twice the column's memory."""
    return pd.Series(pd.array(pa.array(list(names), pa.large_string()).take(pa.array(codes)), dtype="str"))


def tidy_frame(scenario: Scenario, replication: int, cal: Calendar, cols: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """[district, month] arrays as the tidy monthly table (MONTHLY_COLUMNS; a column not given is
    missing, NaN: the analytic twin has no cohort of children)."""
    keys = key_columns(scenario.name, [d.name for d in scenario.districts], [replication], cal.years, cal.labels)
    frame = pd.DataFrame({**keys, **{k: v.ravel() for k, v in cols.items()}})
    return frame.reindex(columns=MONTHLY_COLUMNS)


def yearly_frame(monthly: pd.DataFrame) -> pd.DataFrame:
    """One replication's tidy monthly table (`tidy_frame`) rolled up to budget years
    (sim.accounts.yearly_columns), with the same keys (YEARLY_COLUMNS)."""
    districts = monthly["district"].unique()
    months = len(monthly) // len(districts)
    if monthly["replication"].nunique() != 1 or len(monthly) != months * len(districts):
        raise ValueError("yearly_frame: expected one replication's tidy monthly table, district by district")
    years = monthly["year"].to_numpy()[:months]
    cols = yearly_columns({c: monthly[c].to_numpy().reshape(len(districts), months) for c in MONTHLY_COLUMNS[5:]},
                          years)
    keys = key_columns(monthly["scenario"].iloc[0], districts, [int(monthly["replication"].iloc[0])],
                       np.unique(years))
    return pd.DataFrame({**keys, **{k: v.ravel() for k, v in cols.items()}})[YEARLY_COLUMNS]
