"""Accounting from the transition log: fixed stays give the hand-computed days, costs, open cases
exactly (docs/sources.md §P3, item 6), and the results schema is pinned (item 15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.engine import NOTIFICATION_DTYPE, SEGMENT_DTYPE, WAIT_DTYPE, TransitionLog
from sim.rates import ASSESSMENT, COORDINATED, EARLY, FOSTER, WAITING
from sim.results import MONTHLY_COLUMNS, STOCK_COLUMNS, YEARLY_COLUMNS, monthly_frame, yearly_frame


@pytest.fixture(scope="module")
def one_family(request):
    """One family in district 0: notified on day 10, waits 5 days, assessment to day 45, early help
    to day 100, coordinated to day 400, foster care to day 500 (2023 has 365 days)."""
    from sim.scenario import load_scenario

    scenario = load_scenario("status-quo").with_overrides({"years": 2})
    stays = [(WAITING, 10, 15), (ASSESSMENT, 15, 45), (EARLY, 45, 100), (COORDINATED, 100, 400),
             (FOSTER, 400, 500)]
    segments = np.array([(1_000_000, 0, 0, s, t0, t1, 10.0, False, False) for s, t0, t1 in stays],
                        dtype=SEGMENT_DTYPE)
    log = TransitionLog(segments=segments,
                        waits=np.array([(0, 15.0, 5.0)], dtype=WAIT_DTYPE),
                        notifications=np.array([(0, 10.0, 2)], dtype=NOTIFICATION_DTYPE),
                        horizon=scenario.horizon_days)
    monthly = monthly_frame(scenario, log, 0)
    return scenario, monthly, yearly_frame(monthly)


def test_fixed_stays_cost_exactly_the_hand_sum(one_family):
    scenario, _, yearly = one_family
    c = scenario.assumptions.cost
    d0 = yearly[yearly["district"] == scenario.districts[0].name].set_index("year")
    assert d0.loc[2023, "cost_early_dkk"] == pytest.approx(55 * c.early_dkk_per_day.value, rel=1e-12)
    assert d0.loc[2023, "cost_coordinated_dkk"] == pytest.approx(265 * c.coordinated_dkk_per_day.value)
    assert d0.loc[2024, "cost_coordinated_dkk"] == pytest.approx(35 * c.coordinated_dkk_per_day.value)
    assert d0.loc[2024, "cost_intrusive_foster_dkk"] == pytest.approx(100 * c.foster_dkk_per_day.value)
    assert d0.loc[2024, "placement_days"] == pytest.approx(100)
    assert d0.loc[2023, "placement_days"] == 0
    assert d0.loc[2023, "notifications"] == 2 and d0.loc[2023, "notified_children"] == 1
    assert d0.loc[2023, "mean_wait_days"] == 5.0 and d0.loc[2023, "admissions"] == 1
    assert d0.loc[2023, "early_starts"] == 1 and d0.loc[2023, "coordinated_starts"] == 1
    assert d0.loc[2024, "intrusive_starts"] == 1
    others = yearly[yearly["district"] != scenario.districts[0].name]
    assert (others[["cost_early_dkk", "cost_coordinated_dkk", "placement_days", "notifications"]] == 0).all().all()


def test_open_cases_are_month_end_snapshots(one_family):
    scenario, monthly, _ = one_family
    rows = monthly[monthly["district"] == scenario.districts[0].name].set_index("month")
    # 31 January (day 31): in assessment since day 15
    assert rows.loc["2023-01", "open_assessment"] == 1
    assert rows.loc["2023-03", "open_early"] == 1 and rows.loc["2023-03", "open_assessment"] == 0
    assert rows.loc["2024-04", "open_intrusive"] == 1
    assert rows.loc["2024-06", "open_intrusive"] == 0 and rows.loc["2024-06", STOCK_COLUMNS].sum() == 0


def test_yearly_rollup_takes_open_cases_at_the_years_end(one_family):
    scenario, monthly, yearly = one_family
    d0 = yearly[yearly["district"] == scenario.districts[0].name].set_index("year")
    assert d0.loc[2023, "open_coordinated"] == 1 and d0.loc[2024, "open_intrusive"] == 0


def test_the_results_schema_is_pinned():
    """The dashboard, finance and exports read these columns; changing them is a breaking change."""
    assert YEARLY_COLUMNS == [
        "scenario", "replication", "year", "district",
        "notifications", "notified_children", "admissions", "early_starts", "coordinated_starts",
        "intrusive_starts", "placement_days", "foster_days", "residential_days",
        "open_waiting", "open_assessment", "open_early", "open_coordinated", "open_intrusive",
        "mean_wait_days",
        "cost_staff_dkk", "cost_early_dkk", "cost_coordinated_dkk", "cost_intrusive_foster_dkk",
        "cost_intrusive_residential_dkk", "cost_coordinator_dkk", "cost_implementation_dkk",
        "cost_total_dkk",
        "paid_msb_dkk", "paid_mbu_dkk", "paid_state_dkk",
        "cohort_children", "cohort_with_case", "cohort_placed_12m", "cohort_placed_24m",
        "cohort_placement_years", "cohort_home_years", "cohort_helped", "cohort_days_to_help_sum",
        "cohort_unhelped", "cohort_closed", "cohort_renotified_12m", "cohort_foster_starts",
        "cohort_residential_starts", "cohort_placements_ended", "cohort_placements_stepped_down",
        "cohort_city_days_to_help_p90",
    ]
    assert MONTHLY_COLUMNS == ["scenario", "replication", "month", "year", "district"] + YEARLY_COLUMNS[4:]


def test_real_frames_have_the_pinned_columns_and_types(plan):
    from sim.runner import run

    res = run(plan.with_overrides({"years": 1}), replications=1, seed=1, workers=1)
    assert list(res.yearly.columns) == YEARLY_COLUMNS
    assert list(res.monthly.columns) == MONTHLY_COLUMNS
    assert len(res.monthly) == 12 * 48 and len(res.yearly) == 48
    ints = ["replication", "year", "notifications", "early_starts", "open_intrusive", "cohort_children"]
    assert all(np.issubdtype(res.yearly[c].dtype, np.integer) for c in ints)
    assert all(np.issubdtype(res.yearly[c].dtype, np.floating) for c in YEARLY_COLUMNS if c.startswith("cost_"))


def test_the_yearly_rollup_is_the_months_grouped_by_budget_year():
    """The roll-up the workers make in numpy (sim.accounts.yearly_columns) against pandas' grouping of
    the same months, on a horizon that starts mid-year (half years at both ends) and with missing
    values: a district's whole first year of cohort and payer figures, and single months."""
    from sim.cohort import COHORT_P90_COLUMN, COHORT_SUM_COLUMNS
    from sim.replica import transition_log
    from sim.results import COST_COLUMNS, FLOW_COLUMNS, PAYER_COLUMNS
    from sim.scenario import load_scenario

    base = load_scenario("status-quo")
    scenario = base.with_overrides({"start": "2023-07-01", "years": 3} | {f"rollout.waves.{n}": "never" for n, _ in base.waves})
    monthly = monthly_frame(scenario, transition_log(scenario, 2, 0), 0, seed=2)
    first, second = (monthly["district"] == scenario.districts[i].name for i in (0, 1))
    gaps = PAYER_COLUMNS + ["cohort_placement_years", COHORT_P90_COLUMN]
    monthly.loc[first & (monthly["year"] == 2023), gaps] = np.nan
    monthly.loc[second & monthly["month"].isin(["2023-12", "2025-03"]), gaps] = np.nan
    yearly = yearly_frame(monthly)

    g = monthly.groupby(["scenario", "replication", "year", "district"], sort=False)
    expected = pd.concat([g[FLOW_COLUMNS + COST_COLUMNS].sum(), g[PAYER_COLUMNS + COHORT_SUM_COLUMNS].sum(min_count=1),
                          g[STOCK_COLUMNS + [COHORT_P90_COLUMN]].last()], axis=1).reset_index()
    expected["mean_wait_days"] = g.apply(lambda m: np.average(m["mean_wait_days"].dropna(),
                                                              weights=m.loc[m["mean_wait_days"].notna(), "admissions"])
                                         if m["admissions"].sum() else np.nan, include_groups=False).to_numpy()
    expected = expected[YEARLY_COLUMNS].sort_values(["district", "year"], kind="stable", ignore_index=True)
    assert sorted(yearly["year"].unique()) == [2023, 2024, 2025, 2026] and len(yearly) == 4 * len(scenario.districts)
    assert yearly.loc[yearly["district"] == scenario.districts[0].name, "paid_state_dkk"].isna().tolist() == [
        True, False, False, False]  # a year of missing values only is missing, the others are summed
    yearly = yearly.sort_values(["district", "year"], kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(yearly, expected, check_exact=False, rtol=1e-14, atol=0, check_dtype=False)
    whole = [c for c in YEARLY_COLUMNS[4:] if np.issubdtype(monthly[c].dtype, np.integer)]
    assert whole and (yearly[whole] == expected[whole]).all().all()  # whole numbers exactly
    assert (yearly[whole].dtypes == np.int64).all()  # a month's counts are int32, a year's int64
