"""The accounts of a replication, in numpy: from a transition log to [district, month] columns with
costs, and their roll-up to budget years.

All accounting happens here, with numpy over the log, after the run: placement days and the cost
of each level are overlaps of stays with months; open cases are snapshots at each month's end; staff, coordinator and implementation costs follow from the rollout calendar;
the state's refusion is computed child by child and calendar year from the costs of each child's
stays (sim.payers), and who pays each cost follows. Neither pandas nor scipy: the worker processes
(sim.replica) import this module and not the frames made of it (sim.results).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from .cohort import COHORT_COUNT_COLUMNS, COHORT_P90_COLUMN, COHORT_SUM_COLUMNS, cohort_columns
from .engine import TransitionLog
from .months import Calendar
from .payers import PAID_BY, payer_columns, refusion
from .rates import (ASSESSMENT, COORDINATED, DAYS_PER_YEAR, EARLY, FOSTER, N_STATES, RESIDENTIAL,
                    WAITING, district_shares)
from .scenario import Scenario
from .staffing import Staffing

PAID_STATES = [EARLY, COORDINATED, FOSTER, RESIDENTIAL]  # the stays with a cost per day
BLOCK_ROWS = 1 << 16  # stays whose months are expanded at once (`_blocks`)

# The pinned schema: the columns of the monthly and yearly frames, in order (tests/test_accounting.py).
KEY_COLUMNS = ["scenario", "replication", "year", "district"]
FLOW_COLUMNS = [
    "notifications", "notified_children", "admissions", "early_starts", "coordinated_starts",
    "intrusive_starts", "placement_days", "foster_days", "residential_days",
]
STOCK_COLUMNS = ["open_waiting", "open_assessment", "open_early", "open_coordinated", "open_intrusive"]
MEAN_COLUMNS = ["mean_wait_days"]
COST_COLUMNS = [
    "cost_staff_dkk", "cost_early_dkk", "cost_coordinated_dkk", "cost_intrusive_foster_dkk",
    "cost_intrusive_residential_dkk", "cost_coordinator_dkk", "cost_implementation_dkk",
    "cost_total_dkk",
]
# Who pays the costs (sim.payers): together cost_total_dkk; MSB's and the state's are missing (NaN)
# where no child is followed (the analytic twin).
PAYER_COLUMNS = list(PAID_BY.values())
# Outcomes of the children notified in the month or year, followed to the horizon (sim.cohort): summed
# over months, districts and replications, except the city's 90th percentile of days to help.
COHORT_COLUMNS = COHORT_SUM_COLUMNS + [COHORT_P90_COLUMN]
YEARLY_COLUMNS = KEY_COLUMNS + FLOW_COLUMNS + STOCK_COLUMNS + MEAN_COLUMNS + COST_COLUMNS + PAYER_COLUMNS + COHORT_COLUMNS
MONTHLY_COLUMNS = ["scenario", "replication", "month", "year", "district"] + YEARLY_COLUMNS[4:]
# When each district's relational team started in each replication (NaT: not within the horizon);
# a savings-gated rollout's differ between replications (sim.gate).
SWITCH_COLUMNS = ["scenario", "replication", "district", "switch_date"]


def _per_month(cal: Calendar, n_districts: int, district: np.ndarray, t: np.ndarray,
               weights: np.ndarray | None = None) -> np.ndarray:
    """Sum of weights (or counts) of events by district and month of t."""
    idx = district * cal.n + cal.month_of(t)
    return np.bincount(idx, weights=weights, minlength=n_districts * cal.n).reshape(n_districts, cal.n)


def _expand(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For intervals of month indices [lo, hi): (row of each pair, month index of each pair)."""
    count = np.maximum(hi - lo, 0)
    rows = np.repeat(np.arange(len(lo)), count)
    starts = np.repeat(lo - np.cumsum(count) + count, count)
    return rows, starts + np.arange(count.sum())


def _stay_months(cal: Calendar, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each stay's overlap with each month within the horizon: (row of the stay, month index, days)."""
    t0 = np.maximum(seg["t0"], 0.0)
    t1 = seg["t1"]
    lo = cal.month_of(t0)
    hi = cal.month_of(np.maximum(t1 - 1e-9, t0)) + 1
    rows, m = _expand(lo, hi)
    days = np.minimum(t1[rows], cal.bounds[m + 1]) - np.maximum(t0[rows], cal.bounds[m])
    return rows, m, np.maximum(days, 0.0)


def _blocks(seg: np.ndarray, by_family: bool = False) -> Iterator[np.ndarray]:
    """The stays in blocks of about BLOCK_ROWS (whole families if `by_family`; the log is in family
    order). A stay spans a few months on average, some dozens: expanded all at once, the stay-months
    of a large city take hundreds of MB of new memory, which costs more than the arithmetic."""
    starts = np.arange(0, len(seg), BLOCK_ROWS)
    if by_family and len(seg):
        starts = np.unique(np.searchsorted(seg["family"], seg["family"][starts], side="left"))
    for a, b in zip(starts, [*starts[1:], len(seg)]):
        yield seg[a:b]


def days_in_months(cal: Calendar, n_districts: int, seg: np.ndarray) -> np.ndarray:
    """Days each stay overlaps each month, summed by state, district and month: [S, D, M]
    (rows of states without stays are zero)."""
    out = np.zeros(N_STATES * n_districts * cal.n)
    for block in _blocks(seg):
        out += _days(cal, n_districts, block, *_stay_months(cal, block))
    return out.reshape(N_STATES, n_districts, cal.n)


def _days(cal: Calendar, n_districts: int, block: np.ndarray, rows: np.ndarray, m: np.ndarray,
          days: np.ndarray) -> np.ndarray:
    """A block's stay-months (`_stay_months`) summed by state, district and month, flat."""
    idx = (block["state"][rows].astype(np.int64) * n_districts + block["district"][rows]) * cal.n + m
    return np.bincount(idx, weights=days, minlength=N_STATES * n_districts * cal.n)


def unit_costs(scenario: Scenario) -> np.ndarray:
    """The cost per day of each state (zero for the stays without one), in the price year. A day of
    early or coordinated help costs the provider price, or for the part delivered in-house
    (`cost.in_house_delivery`) the in-house marginal cost (`cost.in_house_share` of the price)."""
    c = scenario.assumptions.cost
    in_house = c.in_house_delivery.value
    help_price = (1.0 - in_house) + in_house * c.in_house_share.value
    out = np.zeros(N_STATES)
    out[[EARLY, COORDINATED, FOSTER, RESIDENTIAL]] = [c.early_dkk_per_day.value * help_price,
                                                      c.coordinated_dkk_per_day.value * help_price,
                                                      c.foster_dkk_per_day.value, c.residential_dkk_per_day.value]
    return out


def paid_days(scenario: Scenario, cal: Calendar, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The paid stays' days in each month, [state, district, month] (`days_in_months`), and the
    state's refusion, [district, month]: per child (family) and calendar year, the rule of
    sim.payers.refusion on the cost of the child's paid stays in the year (every episode), booked
    to the months in proportion to the child's costs in them. Both from one expansion of the stays
    into their months, block by block of whole families."""
    n = len(scenario.districts)
    unit = unit_costs(scenario)
    n_years = int(cal.years[-1] - cal.years[0]) + 1
    days_out = np.zeros(N_STATES * n * cal.n)
    refusion_out = np.zeros(n * cal.n)
    # np.compress and np.take, not indexing: a structured array indexed by a mask or rows copies them
    # one by one, six to ten times slower
    paid = np.compress(np.isin(seg["state"], PAID_STATES), seg)
    if np.any(paid["family"][1:] < paid["family"][:-1]):  # not a log's order (a log made by hand)
        paid = np.take(paid, np.argsort(paid["family"], kind="stable"))
    for block in _blocks(paid, by_family=True):
        rows, m, days = _stay_months(cal, block)
        days_out += _days(cal, n, block, rows, m, days)
        cost = days * unit[block["state"][rows]]
        child = np.concatenate([[0], np.cumsum(block["family"][1:] != block["family"][:-1])])  # 0, 1, ... by family
        child_year = child[rows] * n_years + (cal.years[m] - cal.years[0])
        yearly = np.bincount(child_year, weights=cost)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(yearly > 0, refusion(yearly, scenario.assumptions) / yearly, 0.0)
        idx = block["district"][rows].astype(np.int64) * cal.n + m
        refusion_out += np.bincount(idx, weights=cost * share[child_year], minlength=len(refusion_out))
    return days_out.reshape(N_STATES, n, cal.n), refusion_out.reshape(n, cal.n)


def _open_at_month_ends(cal: Calendar, n_districts: int, seg: np.ndarray) -> np.ndarray:
    """Stays open at each month's end, [state, district, month]. A stay is open at month end T when
    t0 <= T < t1, or it is censored and T is the horizon: from the first month end at or after t0 to
    the last before t1, counted as +1 and -1 at those two month ends and summed over the months."""
    ends = cal.bounds[1:]
    t1 = np.where(seg["censored"], np.inf, seg["t1"])
    first = np.searchsorted(ends, seg["t0"], side="left")
    after = np.searchsorted(ends, t1, side="left")  # the first month end it is no longer open at
    cell = (seg["state"].astype(np.int64) * n_districts + seg["district"]) * (cal.n + 1)
    size = N_STATES * n_districts * (cal.n + 1)
    change = np.bincount(cell + first, minlength=size) - np.bincount(cell + after, minlength=size)
    return np.cumsum(change.reshape(N_STATES, n_districts, cal.n + 1), axis=2)[:, :, :cal.n]


def fixed_costs(scenario: Scenario, cal: Calendar | None = None,
                switch_day: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Costs that follow from the rollout calendar alone, [district, month]: staff (the caseworkers
    employed and their team leaders, `staffing.Staffing`), coordinator funding and one-off
    implementation. switch_day: per district, the day its relational team
    started in the run (inf if not; a savings-gated rollout's differ between runs); by default the
    scenario's calendar (`Staffing.rollout_day`)."""
    cal = cal or Calendar(scenario)
    a = scenario.assumptions
    st = Staffing.from_scenario(scenario)
    rollout_day = st.rollout_day if switch_day is None else switch_day
    # a caseworker's day, with the overhead and the share of a team leader (staff.caseworkers_per_leader)
    overhead = 1 + a.staff.overhead_share.value
    per_fte_day = overhead * (a.staff.salary_dkk_per_year.value + a.staff.team_leader_dkk_per_year.value
                              / a.staff.caseworkers_per_leader.value) / DAYS_PER_YEAR
    lo, hi = cal.bounds[:-1], cal.bounds[1:]
    switch = rollout_day[:, None]
    relational_days = np.clip(hi - np.maximum(lo, switch), 0.0, None)
    first_days = (hi - lo) - relational_days
    # the caseworkers employed: a relational team's once its recruitment is done (Staffing.relational_fte)
    relational_fte = st.relational_fte(rollout_day)
    staff = per_fte_day * (st.first_caseworkers[:, None] * first_days + relational_fte * relational_days)

    n = len(scenario.districts)
    coordinator = np.zeros((n, cal.n))
    implementation = np.zeros((n, cal.n))
    started = np.isfinite(rollout_day)
    if started.any():
        first_year = cal.years[cal.month_of(np.array([rollout_day.min()]))[0]]
        days_in_year = np.array([366.0 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 365.0
                                 for y in cal.years])
        yearly = np.where(cal.years == first_year, a.coordinator.first_year_dkk.value,
                          np.where(cal.years > first_year, a.coordinator.per_year_dkk.value, 0.0))
        coordinator = district_shares(scenario)[:, None] * (yearly * (hi - lo) / days_in_year)[None, :]
        months = cal.month_of(rollout_day[started])
        implementation[np.flatnonzero(started), months] = a.implementation.per_district_dkk.value
    return {"cost_staff_dkk": staff, "cost_coordinator_dkk": coordinator,
            "cost_implementation_dkk": implementation}


def monthly_columns(scenario: Scenario, log: TransitionLog, replication: int, seed: int | None = None,
                    cal: Calendar | None = None) -> dict[str, np.ndarray]:
    """One replication's monthly accounts: each column of MONTHLY_COLUMNS after the keys, as a
    [district, month] array. seed: the run's seed, for the cohort columns (sim.cohort; without it
    they are read from the log alone)."""
    cal = cal or Calendar(scenario)
    n = len(scenario.districts)
    seg = log.segments
    fixed = fixed_costs(scenario, cal, log.switches)

    notif = log.notifications
    notifications = _per_month(cal, n, notif["district"], notif["t"], notif["count"].astype(float))
    notified = _per_month(cal, n, notif["district"], notif["t"])
    w = log.waits
    admissions = _per_month(cal, n, w["district"], w["t"])
    wait_sum = _per_month(cal, n, w["district"], w["t"], w["wait"])

    new = ~seg["initial"]  # stays that start within the run, counted by state, district and month
    by_state = _per_month(cal, N_STATES * n, seg["state"][new].astype(np.int64) * n + seg["district"][new],
                          seg["t0"][new]).reshape(N_STATES, n, cal.n)
    starts = {"early_starts": by_state[EARLY], "coordinated_starts": by_state[COORDINATED],
              "intrusive_starts": by_state[FOSTER] + by_state[RESIDENTIAL]}

    days, state_refusion = paid_days(scenario, cal, seg)
    counts = _open_at_month_ends(cal, n, seg)
    costs = cost_columns(scenario, days, fixed)

    with np.errstate(invalid="ignore", divide="ignore"):
        cols = {
            "notifications": notifications,
            "notified_children": notified,
            "admissions": admissions,
            **starts,
            "placement_days": days[FOSTER] + days[RESIDENTIAL],
            "foster_days": days[FOSTER],
            "residential_days": days[RESIDENTIAL],
            "open_waiting": counts[WAITING],
            "open_assessment": counts[ASSESSMENT],
            "open_early": counts[EARLY],
            "open_coordinated": counts[COORDINATED],
            "open_intrusive": counts[FOSTER] + counts[RESIDENTIAL],
            "mean_wait_days": np.where(admissions > 0, wait_sum / admissions, np.nan),
            **costs,
            **payer_columns(scenario.assumptions, costs, state_refusion),
            **cohort_columns(scenario, log, cal.month_of, cal.n, cal.years, seed, replication),
        }
    for name in ("notifications", "notified_children", "admissions", "early_starts", "coordinated_starts",
                 "intrusive_starts", *STOCK_COLUMNS, *COHORT_COUNT_COLUMNS):
        # counts: whole numbers, of a district's month (hundreds at most), so int32: a run's months
        # take a quarter less memory (the yearly roll-up counts in int64)
        cols[name] = np.rint(cols[name]).astype(np.int32)
    return cols


def cost_columns(scenario: Scenario, days: dict[int, np.ndarray] | np.ndarray,
                 fixed: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Cost by category, [district, month]: days at each level times its unit cost, the fixed
    costs, and their total (COST_COLUMNS, in order). `days` is indexed by state code."""
    unit = unit_costs(scenario)
    cols = {
        "cost_staff_dkk": fixed["cost_staff_dkk"],
        "cost_early_dkk": days[EARLY] * unit[EARLY],
        "cost_coordinated_dkk": days[COORDINATED] * unit[COORDINATED],
        "cost_intrusive_foster_dkk": days[FOSTER] * unit[FOSTER],
        "cost_intrusive_residential_dkk": days[RESIDENTIAL] * unit[RESIDENTIAL],
        "cost_coordinator_dkk": fixed["cost_coordinator_dkk"],
        "cost_implementation_dkk": fixed["cost_implementation_dkk"],
    }
    cols["cost_total_dkk"] = sum(cols.values())
    return cols


def weighted_mean(value: np.ndarray, weight: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group (0 .. n_groups - 1), the mean of `value` weighted by `weight`, ignoring missing
    values (NaN where a group has no weight): the mean wait of a year, or of the city."""
    value, weight = np.asarray(value, dtype=float), np.asarray(weight, dtype=float)
    known = ~np.isnan(value)
    w = np.where(known, weight, 0.0)
    num = np.bincount(group, weights=np.where(known, value, 0.0) * w, minlength=n_groups)
    den = np.bincount(group, weights=w, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def yearly_columns(cols: Mapping[str, np.ndarray], years: np.ndarray) -> dict[str, np.ndarray]:
    """Roll [district, month] columns (MONTHLY_COLUMNS after the keys; `years`: each month's budget
    year, in order) up to [district, year] columns (YEARLY_COLUMNS after the keys): flows and costs
    summed, open cases at the year's end, waiting weighted by admissions; the cohort columns summed
    over the months of notification, the city's percentile of days to help the year's last known
    value; who pays summed. A missing value (NaN) is skipped; a sum of missing values only is
    missing for who pays and the cohort, zero for the rest. Sums of fractions are compensated
    (Kahan), month by month; pandas' grouped sums, which this replaced, agree to 4e-16."""
    first = np.flatnonzero(np.r_[True, years[1:] != years[:-1]])  # each year's first month
    last = np.r_[first[1:], len(years)] - 1
    n_years = len(first)
    out: dict[str, np.ndarray] = {}
    for names, min_count in ((FLOW_COLUMNS + COST_COLUMNS, 0), (PAYER_COLUMNS + COHORT_SUM_COLUMNS, 1)):
        for name in names:
            out[name] = _year_sums(cols[name], first, last, min_count)
    for name in STOCK_COLUMNS + [COHORT_P90_COLUMN]:
        out[name] = _year_last(cols[name], first, last)
    n_districts = cols["admissions"].shape[0]
    group = np.arange(n_districts)[:, None] * n_years + np.searchsorted(years[first], years)[None, :]
    out["mean_wait_days"] = weighted_mean(cols["mean_wait_days"].ravel(), cols["admissions"].ravel(),
                                          group.ravel(), n_districts * n_years).reshape(n_districts, n_years)
    return {name: out[name] for name in YEARLY_COLUMNS[len(KEY_COLUMNS):]}


def _year_sums(values: np.ndarray, first: np.ndarray, last: np.ndarray, min_count: int) -> np.ndarray:
    """[district, month] -> [district, year] sums (see `yearly_columns`); whole numbers exactly, as
    int64."""
    if values.dtype.kind in "iu":
        return np.add.reduceat(values, first, axis=1, dtype=np.int64)
    total = np.zeros((values.shape[0], len(first)))
    compensation = np.zeros_like(total)
    seen = np.zeros(total.shape, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        for value, take in _known_in_order(values, first, last):
            y = value - compensation
            t = total + y
            c = t - total - y
            compensation = np.where(take, np.where(np.isnan(c), 0.0, c), compensation)  # +-inf: NaN
            total = np.where(take, t, total)
            seen += take
    return np.where(seen >= min_count, total, np.nan)


def _year_last(values: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """[district, month] -> [district, year]: each year's last value that is not missing (whole
    numbers as int64)."""
    if values.dtype.kind in "iu":
        return values[:, last].astype(np.int64)
    out = np.full((values.shape[0], len(first)), np.nan)
    for value, take in _known_in_order(values, first, last):
        out = np.where(take, value, out)
    return out


def _known_in_order(values: np.ndarray, first: np.ndarray, last: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The k-th month of every year at once, k = 0, 1, ...: its values, [district, year], and where
    they count (the year has a k-th month and the value is not missing)."""
    for k in range(int((last - first).max()) + 1):
        value = values[:, np.minimum(first + k, last)]
        yield value, (first + k <= last)[None, :] & ~np.isnan(value)
