"""Finance: the paired comparison's definitions, discounting, payback, and the value of pairing."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment import Experiment
from sim.finance import STATISTICS, Interval, discount_factors, paired, payback_years

from helpers import flows, yearly

RATE, RATE_AFTER_35 = 0.035, 0.025


def test_discount_factors_follow_the_stepped_rate_year_by_year():
    f = discount_factors(45, RATE, RATE_AFTER_35)
    step = np.cumprod([1.0] + [1 / (1 + (RATE if t <= 35 else RATE_AFTER_35)) for t in range(1, 45)])
    np.testing.assert_allclose(f, step, rtol=1e-13)
    assert f[0] == 1.0
    assert f[35] == pytest.approx(1.035 ** -35)
    assert f[36] == pytest.approx(1.035 ** -35 / 1.025)
    assert f[44] == pytest.approx(1.035 ** -35 * 1.025 ** -9)


def test_npv_of_a_constant_net_is_the_annuity_closed_form_across_the_35_year_break(plan):
    years, net = 40, 1_000_000.0
    s, b = flows([[0.0] * years], [[net] * years])
    c = paired(s, b, plan.assumptions)
    v, w = 1 / 1.035, 1 / 1.025
    closed = net * (1 - v ** 36) / (1 - v) + net * v ** 35 * w * (1 - w ** 4) / (1 - w)
    assert c.summary.npv_dkk.mean == pytest.approx(closed, rel=1e-12)
    assert c.per_replication["discounted_cumulative_net_dkk"].iloc[-1] == pytest.approx(closed, rel=1e-12)
    # Within 35 years the break does not show: a 10-year annuity at 3.5 %.
    s10, b10 = flows([[0.0] * 10], [[net] * 10])
    assert paired(s10, b10, plan.assumptions).summary.npv_dkk.mean == pytest.approx(
        net * (1 - v ** 10) / (1 - v), rel=1e-12)


def test_npv_follows_the_scenarios_discount_rate(plan):
    s, b = flows([[100.0, 0.0, 0.0]], [[0.0, 0.0, 121.0]])
    zero = plan.with_overrides({"finance.discount_rate": 0.0})
    assert paired(s, b, zero.assumptions).summary.npv_dkk.mean == pytest.approx(21.0)
    ten = plan.with_overrides({"finance.discount_rate": 0.07})
    assert paired(s, b, ten.assumptions).summary.npv_dkk.mean == pytest.approx(-100 + 121 / 1.07 ** 2)


def test_investment_avoided_costs_and_net_follow_their_definitions(plan):
    key = {"replication": 0, "year": 2023}
    s = yearly("plan", [
        {**key, "district": "Nord", "cost_staff_dkk": 300, "cost_coordinator_dkk": 20, "cost_implementation_dkk": 5,
         "cost_early_dkk": 60, "cost_coordinated_dkk": 40, "cost_intrusive_foster_dkk": 100,
         "cost_intrusive_residential_dkk": 200, "intrusive_starts": 3,
         "mean_wait_days": 10, "admissions": 1},
        {**key, "district": "Syd", "cost_staff_dkk": 100, "intrusive_starts": 1,
         "mean_wait_days": 2, "admissions": 3},
    ])
    b = yearly("status-quo", [
        {**key, "district": "Nord", "cost_staff_dkk": 250, "cost_early_dkk": 50, "cost_coordinated_dkk": 30,
         "cost_intrusive_foster_dkk": 150, "cost_intrusive_residential_dkk": 400, "intrusive_starts": 6,
         "mean_wait_days": 1, "admissions": 2},
        {**key, "district": "Syd", "cost_staff_dkk": 100, "intrusive_starts": 2,
         "mean_wait_days": 1, "admissions": 2},
    ])
    row = paired(s, b, plan.assumptions).per_replication.iloc[0]
    assert row["investment_staff_dkk"] == 50
    assert row["investment_coordinator_dkk"] == 20
    assert row["investment_implementation_dkk"] == 5
    assert row["investment_dkk"] == 75
    assert (row["avoided_early_dkk"], row["avoided_coordinated_dkk"]) == (-10, -10)
    assert (row["avoided_intrusive_foster_dkk"], row["avoided_intrusive_residential_dkk"]) == (50, 200)
    assert row["avoided_cost_dkk"] == 230
    assert row["net_dkk"] == 155 == row["cumulative_net_dkk"] == row["discounted_cumulative_net_dkk"]
    assert row["placements_avoided"] == 4
    # Waits weighted by admissions: (10*1 + 2*3)/4 - (1*2 + 1*2)/4.
    assert row["mean_wait_days_change"] == pytest.approx(4 - 1)


@pytest.mark.parametrize("cumulative, expected", [
    ([-5, -2, 1, 3], 2025),          # turns positive and stays
    ([-5, -3, -1, -0.5], None),      # never within the horizon
    ([-5, 2, -1, 4], 2026),          # paid back, negative again, then back for good
    ([-1, 1, 2, -1], None),          # paid back but negative at the horizon
    ([0, 1, 2, 3], 2023),            # never below zero
])
def test_payback_is_the_first_year_from_which_the_cumulative_net_stays_non_negative(cumulative, expected):
    got = payback_years(np.arange(2023, 2027), np.array([cumulative], dtype=float))[0]
    assert (None if np.isnan(got) else int(got)) == expected


def test_payback_year_is_the_median_and_probabilities_count_replications(plan):
    # Nets per year for four replications: pay back in 2024, in 2025, in 2026, never.
    avoided = [[0, 20, 0, 0], [0, 5, 10, 0], [0, 5, 3, 5], [0, 0, 0, 0]]
    s, b = flows([[10, 0, 0, 0]] * 4, avoided)
    summary = paired(s, b, plan.assumptions).summary
    assert summary.p_payback_by_year == {2023: 0.0, 2024: 0.25, 2025: 0.5, 2026: 0.75}
    assert summary.payback_year == 2025
    never = paired(*flows([[10, 0, 0, 0]] * 3, [[0, 0, 0, 0], [0, 0, 0, 0], [0, 20, 0, 0]]), plan.assumptions)
    assert never.summary.payback_year is None


def test_one_replication_gives_percentiles_equal_to_the_mean(plan):
    s, b = flows([[10.0, 5.0, 0.0]], [[2.0, 8.0, 9.0]])
    c = paired(s, b, plan.assumptions)
    for measure in ("npv_dkk", "return_per_krone", "investment_dkk", "avoided_cost_dkk", "placements_avoided"):
        values = getattr(c.summary, measure)
        assert values.p05 == values.p50 == values.p95 == values.mean, measure
    by_stat = c.yearly.set_index(["year", "statistic"])["net_dkk"].unstack()
    assert list(by_stat.columns) == list(STATISTICS)
    assert (by_stat.nunique(axis=1) == 1).all()


def test_return_per_krone_is_discounted_avoided_over_discounted_investment(plan):
    s, b = flows([[100.0, 0.0]], [[0.0, 207.0]])
    assert paired(s, b, plan.assumptions).summary.return_per_krone.mean == pytest.approx(2.0)
    no_investment = paired(*flows([[0.0, 0.0]], [[5.0, 5.0]]), plan.assumptions)
    assert no_investment.summary.return_per_krone == Interval(None, None, None, None)


def test_pairing_refuses_frames_with_different_replications(plan):
    s, _ = flows([[1.0]] * 3, [[0.0]] * 3)
    _, b = flows([[1.0]] * 2, [[0.0]] * 2)
    with pytest.raises(ValueError, match="same replications"):
        paired(s, b, plan.assumptions)


def test_pairing_refuses_frames_with_different_years(plan):
    s, _ = flows([[1.0, 1.0]], [[0.0, 0.0]])
    _, b = flows([[1.0]], [[0.0]])
    with pytest.raises(ValueError, match="same years"):
        paired(s, b, plan.assumptions)


@pytest.fixture(scope="module")
def short_comparison(plan, status_quo):
    seen: list[tuple[int, int]] = []
    c = Experiment(plan.with_overrides({"years": 2}), status_quo, 1, 4).run(
        workers=1, progress=lambda done, total: seen.append((done, total)))
    return c, seen


def test_an_experiment_reports_both_runs_as_one_progress_bar(short_comparison):
    _, seen = short_comparison
    assert seen == [(k, 8) for k in range(1, 9)]


def test_an_experiment_carries_both_results_and_a_manifest(short_comparison, plan, status_quo):
    c, _ = short_comparison
    m = c.summary.manifest
    assert (m["scenario"], m["baseline"], m["seed"], m["replications"], m["years"]) == ("plan", "status-quo", 1, 4, 2)
    assert m["scenario_id"] == plan.with_overrides({"years": 2}).id
    assert m["baseline_id"] == status_quo.with_overrides({"years": 2}).id
    assert set(c.scenario_yearly["scenario"]) == {"plan"} and set(c.baseline_yearly["scenario"]) == {"status-quo"}
    assert c.scenario_monthly is not None and len(c.scenario_monthly) > 0
    assert m["project_version"] and m["scenario_assumptions_hash"]
    assert sorted(c.per_replication["replication"].unique()) == [0, 1, 2, 3]


def test_the_paired_difference_varies_less_than_an_unpaired_one(short_comparison, plan):
    """Common random numbers: replication r against r shares the families' luck; r against r+1 does not."""
    c, _ = short_comparison
    s, b = c.scenario_yearly, c.baseline_yearly
    shifted = b.assign(replication=(b["replication"] + 1) % 4)
    unpaired = paired(s, shifted, plan.assumptions)
    net_paired = c.per_replication.groupby("replication")["net_dkk"].sum()
    net_unpaired = unpaired.per_replication.groupby("replication")["net_dkk"].sum()
    ratio = net_paired.var() / net_unpaired.var()
    print(f"variance of the net, paired / unpaired: {ratio:.3f}")
    assert ratio < 0.5, f"paired/unpaired variance ratio {ratio:.3f} (expected well below 1)"
