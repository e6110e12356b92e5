"""Cohort outcomes: what happens to the children notified in a period, followed child by child.

The cohort (intention to treat) is every child notified for the first time within the horizon:
the arriving families, ids `engine.ARRIVAL_ID_OFFSET + i` in order of their notification times.
Those times come from the arrivals generator of (seed, replication, district) alone, so the same
id is the same child, notified on the same day in the same district, in both arms of a paired run
(common random numbers); the cohort is the same in both arms whatever the policy. Cases open at the
start and families re-notified after a case closed before the start are not in it (they were
notified before the horizon).

Everything is read from the transition log, over all of a child's episodes, up to the horizon, and
counted in the district and month in which the child was notified (the yearly table sums months:
a row there is the cohort notified in that district and budget year). The columns, all additive
over months, districts and replications:

    cohort_children                 children notified for the first time
    cohort_with_case                of them, with a case opened (triage did not close it at once)
    cohort_placed_12m, _24m         placed (foster or residential) within 12 / 24 months of the
                                    notification, and before the horizon's end
    cohort_placement_years          child-years in placement, notification to horizon
    cohort_home_years               child-years at home of the children with a case: the years from
                                    notification to the horizon's end less those in placement
    cohort_helped                   children with a case who got early or coordinated help before
                                    the horizon's end
    cohort_days_to_help_sum         their days from notification to that first help (the mean is
                                    cohort_days_to_help_sum / cohort_helped)
    cohort_unhelped                 children with a case and no early or coordinated help before the
                                    horizon's end (still waiting or in assessment, closed after
                                    assessment, or placed without help at home first): counted, not
                                    given a number of days
    cohort_closed                   first cases (episode 0) closed at least 12 months before the
                                    horizon's end (so that the 12 months after are all observed)
    cohort_renotified_12m           of those, children notified again within 12 months of closing
    cohort_foster_starts,           placements of the cohort's children started before the horizon's
    cohort_residential_starts       end, by type
    cohort_placements_ended         of those placements, ended before the horizon's end
    cohort_placements_stepped_down  of those ended, ended by a step down to coordinated help at home

One column is not additive: `cohort_city_days_to_help_p90`, the 90th percentile of the days to first
help of the whole city's cohort of the budget year (the same value on every district's row of that
year and replication; not to be summed or averaged over districts).

Windows reaching past the horizon are cut there, the same way in both arms, so a paired difference
is a difference on the same children over the same days. Re-notification is read from the
family's own random stream (whether it relapses and after how long, `engine.U_RELAPSE` and
`engine.U_RELAPSE_DELAY`), because a re-notification that opens no case leaves no stay in the log;
without a seed (a hand-made log) the cohort is the children with a case in the log and a
re-notification is seen only when it opened a case.
"""

from __future__ import annotations

import numpy as np

from .engine import ARRIVAL_ID_OFFSET, STREAM_BLOCK, U_RELAPSE, U_RELAPSE_DELAY, TransitionLog
from .rates import (ASSESSMENT, COORDINATED, DAYS_PER_YEAR, EARLY, FOSTER, RESIDENTIAL, WAITING,
                    Rates)
from .scenario import Scenario
from .streams import first_uniforms

# Additive columns, in order (results.COHORT_COLUMNS adds the city percentile after them).
COHORT_SUM_COLUMNS = [
    "cohort_children", "cohort_with_case", "cohort_placed_12m", "cohort_placed_24m",
    "cohort_placement_years", "cohort_home_years", "cohort_helped", "cohort_days_to_help_sum",
    "cohort_unhelped", "cohort_closed", "cohort_renotified_12m", "cohort_foster_starts",
    "cohort_residential_starts", "cohort_placements_ended", "cohort_placements_stepped_down",
]
COHORT_P90_COLUMN = "cohort_city_days_to_help_p90"
COHORT_COUNT_COLUMNS = [c for c in COHORT_SUM_COLUMNS
                        if c not in ("cohort_placement_years", "cohort_home_years", "cohort_days_to_help_sum")]
PLACED = (FOSTER, RESIDENTIAL)
HELP = (EARLY, COORDINATED)
YEAR = DAYS_PER_YEAR


def cohort_columns(scenario: Scenario, log: TransitionLog, month_of, n_months: int, years: np.ndarray,
                   seed: int | None = None, replication: int = 0) -> dict[str, np.ndarray]:
    """The cohort columns as [district, month of notification] arrays (see the module docstring).
    month_of: days -> month index; years: the budget year of each month."""
    n_d = len(scenario.districts)
    horizon = log.horizon
    seg = log.segments
    # np.compress, not a mask as index: a structured array indexed so copies row by row, six times slower
    mine = np.compress(seg["family"] >= ARRIVAL_ID_OFFSET, seg)
    child = (mine["family"] - ARRIVAL_ID_OFFSET).astype(np.int64)
    ep0 = mine["episode"] == 0

    if seed is not None:
        if log.arrivals is None:
            raise ValueError("a cohort with the run's seed needs the run's arrivals (TransitionLog.arrivals)")
        t_n, district = log.arrivals
        n = len(t_n)
        known = np.ones(n, dtype=bool)
    else:  # a hand-made log: the children with a case, notified when their first case opened
        n = int(child.max()) + 1 if len(child) else 0
        t_n = np.full(n, np.nan)
        district = np.zeros(n, dtype=np.int64)
        t_n[child[ep0]] = mine["opened"][ep0]
        district[child[ep0]] = mine["district"][ep0]
        known = ~np.isnan(t_n)

    has_case = np.zeros(n, dtype=bool)
    has_case[child[ep0]] = True

    # placements: first start, years, starts by type, how they end
    is_placed = np.isin(mine["state"], PLACED)
    pc, p = child[is_placed], np.compress(is_placed, mine)
    first_placed = np.full(n, np.inf)
    np.minimum.at(first_placed, pc, p["t0"])
    placement_years = np.bincount(pc, weights=p["t1"] - p["t0"], minlength=n) / YEAR
    since = first_placed - np.where(known, t_n, 0.0)
    placed_12m = since <= YEAR
    placed_24m = since <= 2 * YEAR
    idx = np.flatnonzero(is_placed)
    nxt = np.minimum(idx + 1, len(mine) - 1)
    follows = ((idx + 1 < len(mine)) & (mine["family"][nxt] == p["family"])
               & (mine["episode"][nxt] == p["episode"]))
    stepped = follows & (mine["state"][nxt] == COORDINATED)
    ended = ~p["censored"]

    # first early or coordinated help
    is_help = np.isin(mine["state"], HELP)
    first_help = np.full(n, np.inf)
    np.minimum.at(first_help, child[is_help], mine["t0"][is_help])
    helped = has_case & np.isfinite(first_help)
    days_to_help = np.where(helped, first_help - np.where(known, t_n, 0.0), 0.0)

    # the first case's closing and re-notification within 12 months
    rc, r = child[ep0], np.compress(ep0, mine)
    open_at_end = np.zeros(n, dtype=bool)
    open_at_end[rc[r["censored"]]] = True
    t_close = np.full(n, -np.inf)
    np.maximum.at(t_close, rc, r["t1"])
    last = np.flatnonzero(np.r_[rc[1:] != rc[:-1], True]) if len(rc) else np.empty(0, dtype=np.int64)
    by_help = np.zeros(n, dtype=bool)  # closed from help (only those can relapse), not after assessment
    by_help[rc[last]] = ~np.isin(r["state"][last], (WAITING, ASSESSMENT))
    closed = has_case & ~open_at_end & (t_close <= horizon - YEAR)
    renotified = np.zeros(n, dtype=bool)
    if seed is not None:
        rates = Rates.from_scenario(scenario)
        ids = np.flatnonzero(closed & by_help)
        if rates.relapse_probability > 0:
            for block in np.split(ids, np.arange(STREAM_BLOCK, len(ids), STREAM_BLOCK)):  # small arrays, reused
                u = first_uniforms(seed, replication, block + ARRIVAL_ID_OFFSET, 0, n=U_RELAPSE_DELAY + 1)
                delay = -np.log(u[:, U_RELAPSE_DELAY]) * rates.relapse_mean_days
                renotified[block] = (u[:, U_RELAPSE] < rates.relapse_probability) & (delay <= YEAR)
    else:
        again = np.compress(mine["episode"] == 1, mine)
        first_again = np.full(n, np.inf)
        np.minimum.at(first_again, child[mine["episode"] == 1], again["opened"])
        renotified = closed & (first_again - t_close <= YEAR)

    # per district and month of notification
    t_safe = np.where(known, t_n, 0.0)
    cell = district.astype(np.int64) * n_months + month_of(t_safe)
    size = n_d * n_months

    def per_cell(values, cells=cell, mask=known) -> np.ndarray:
        w = np.asarray(values, dtype=float)[mask]
        return np.bincount(cells[mask], weights=w, minlength=size).reshape(n_d, n_months)

    p_cell = cell[pc]
    p_known = known[pc]
    home_years = np.where(has_case, (horizon - t_safe) / YEAR - placement_years, 0.0)
    cols = {
        "cohort_children": per_cell(np.ones(n)),
        "cohort_with_case": per_cell(has_case),
        "cohort_placed_12m": per_cell(placed_12m),
        "cohort_placed_24m": per_cell(placed_24m),
        "cohort_placement_years": per_cell(placement_years),
        "cohort_home_years": per_cell(home_years),
        "cohort_helped": per_cell(helped),
        "cohort_days_to_help_sum": per_cell(days_to_help),
        "cohort_unhelped": per_cell(has_case & ~helped),
        "cohort_closed": per_cell(closed),
        "cohort_renotified_12m": per_cell(renotified),
        "cohort_foster_starts": per_cell(p["state"] == FOSTER, p_cell, p_known),
        "cohort_residential_starts": per_cell(p["state"] == RESIDENTIAL, p_cell, p_known),
        "cohort_placements_ended": per_cell(ended, p_cell, p_known),
        "cohort_placements_stepped_down": per_cell(ended & stepped, p_cell, p_known),
    }
    # the city's 90th percentile of days to help, per budget year of notification
    p90 = np.full(n_months, np.nan)
    year_of_child = years[month_of(t_safe)]
    for y in np.unique(years):
        d = days_to_help[helped & known & (year_of_child == y)]
        if d.size:
            p90[years == y] = np.percentile(d, 90)
    cols[COHORT_P90_COLUMN] = np.broadcast_to(p90, (n_d, n_months)).copy()
    return cols
