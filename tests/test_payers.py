"""Who pays and who saves (sim.payers): the state's refusion is computed child by child and calendar
year against the thresholds of Barnets lov § 198, MBU pays its shares of the joint rollout, and the
payers' parts add up to the costs and to the net (issue 11, point 3)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analytic import expected_yearly
from sim.engine import NOTIFICATION_DTYPE, SEGMENT_DTYPE, WAIT_DTYPE, TransitionLog
from sim.experiment import Experiment
from sim.payers import PAYERS, refusion
from sim.rates import FOSTER, RESIDENTIAL
from sim.results import PAYER_COLUMNS, monthly_frame, yearly_frame
from sim.scenario import load_scenario

# Barnets lov § 198, stk. 1, in 2022 prices (the law's "2022-niveau").
LOWER, MIDDLE, UPPER = 860_000, 1_680_000, 2_120_000
RESIDENTIAL_PER_DAY = 5_840.0  # priced so that a whole year (365 days) lies above the upper threshold


def placed(stays: list[tuple[int, int, int, float, float]]):
    """The status quo over two years in 2022 prices with residential care at RESIDENTIAL_PER_DAY,
    and the yearly frame of a hand-made log: (family, district, state, t0, t1) stays."""
    scenario = load_scenario("status-quo", {"price_year": 2022}).with_overrides(
        {"years": 2, "cost.residential_dkk_per_day": RESIDENTIAL_PER_DAY})
    segments = np.array([(f, 0, d, state, t0, t1, t0, False, False) for f, d, state, t0, t1 in stays],
                        dtype=SEGMENT_DTYPE)
    log = TransitionLog(segments=segments, waits=np.empty(0, dtype=WAIT_DTYPE),
                        notifications=np.empty(0, dtype=NOTIFICATION_DTYPE), horizon=scenario.horizon_days)
    return scenario, yearly_frame(monthly_frame(scenario, log, 0))


def test_one_child_in_residential_care_a_whole_year_gets_the_refusion_worked_out_by_hand():
    scenario, yearly = placed([(1_000_000, 0, RESIDENTIAL, 0.0, 365.0)])  # all of 2023
    assert scenario.price_year == 2022 and scenario.assumptions.refusion.lower_threshold_dkk.value == LOWER
    cost = 365 * RESIDENTIAL_PER_DAY  # 2,131,600 DKK
    by_hand = 0.25 * (MIDDLE - LOWER) + 0.50 * (UPPER - MIDDLE) + 0.75 * (cost - UPPER)
    assert by_hand == pytest.approx(433_700)
    row = yearly[(yearly["year"] == 2023) & (yearly["district"] == scenario.districts[0].name)].iloc[0]
    assert row["cost_intrusive_residential_dkk"] == pytest.approx(cost)
    assert row["paid_state_dkk"] == pytest.approx(by_hand, abs=1e-6)
    # MSB pays the rest, the classic caseworkers' salaries too; the status quo has no joint rollout for MBU
    assert row["paid_mbu_dkk"] == 0
    assert row["paid_msb_dkk"] == pytest.approx(row["cost_total_dkk"] - by_hand, rel=1e-12)
    assert yearly["paid_state_dkk"].sum() == pytest.approx(by_hand, abs=1e-6)  # nothing in 2024, nowhere else


def test_refusion_is_per_child_not_on_the_average():
    # Three children a third of the year each cost what one child costs in a whole year, but each
    # stays below the lower threshold (710,533 DKK): no refusion. A child's stays in one year are added
    # up across levels, and a year's costs are the year's alone.
    third = 365 / 3
    _, thirds = placed([(1_000_000 + i, 0, RESIDENTIAL, i * third, (i + 1) * third) for i in range(3)])
    assert thirds["cost_intrusive_residential_dkk"].sum() == pytest.approx(365 * RESIDENTIAL_PER_DAY)
    assert thirds["paid_state_dkk"].sum() == 0
    scenario, mixed = placed([(1_000_000, 0, RESIDENTIAL, 0.0, 100.0), (1_000_000, 0, FOSTER, 100.0, 365.0),
                              (1_000_000, 0, RESIDENTIAL, 300.0 + 365.0, 365.0 + 365.0)])
    foster = scenario.assumptions.cost.foster_dkk_per_day.value
    first = 100 * RESIDENTIAL_PER_DAY + 265 * foster
    second = 65 * RESIDENTIAL_PER_DAY  # 2024 has 366 days: day 665 to 730 is 65 days, below every threshold
    expected = refusion(np.array([first, second]), scenario.assumptions)
    assert expected[0] == pytest.approx(0.25 * (first - LOWER)) and expected[1] == 0
    got = mixed.groupby("year")["paid_state_dkk"].sum()
    assert got[2023] == pytest.approx(expected[0]) and got[2024] == 0


def test_the_rule_steps_its_marginal_rate_at_each_threshold(plan):
    a = load_scenario("plan", {"price_year": 2022}).assumptions
    cost = np.array([0, LOWER, LOWER + 100, MIDDLE, MIDDLE + 100, UPPER, UPPER + 100], dtype=float)
    np.testing.assert_allclose(refusion(cost, a), [0, 0, 25, 205_000, 205_050, 425_000, 425_075])
    # at another price year the thresholds are converted like every amount (sim.prices)
    assert plan.price_year == 2025
    assert plan.assumptions.refusion.lower_threshold_dkk.value == pytest.approx(LOWER * 120.76 / 113.46, rel=1e-4)


@pytest.fixture(scope="module")
def comparison():
    plan = load_scenario("plan").with_overrides({"years": 3})
    return Experiment(plan, load_scenario("status-quo"), seed=1, replications=2, uncertainty="noise").run(workers=1)


def test_the_payers_add_up_to_the_costs_and_to_the_net(comparison):
    y = comparison.scenario_yearly
    np.testing.assert_allclose(y[PAYER_COLUMNS].sum(axis=1), y["cost_total_dkk"], rtol=1e-12)
    assert (y["paid_state_dkk"] >= 0).all() and y["paid_state_dkk"].sum() > 0
    s = comparison.summary
    for kind in (s.net_by_payer_dkk, s.investment_by_payer_dkk, s.savings_by_payer_dkk):
        assert list(kind) == list(PAYERS)
    assert sum(s.net_by_payer_dkk[p].mean for p in PAYERS) == pytest.approx(s.net_dkk.mean, rel=1e-9)
    assert sum(s.investment_by_payer_dkk[p].mean for p in PAYERS) == pytest.approx(s.investment_dkk.mean, rel=1e-9)
    assert sum(s.savings_by_payer_dkk[p].mean for p in PAYERS) == pytest.approx(s.avoided_cost_dkk.mean, rel=1e-9)
    assert s.municipality_net_dkk.mean == pytest.approx(s.net_dkk.mean - s.net_by_payer_dkk["state"].mean, rel=1e-9)
    # MBU pays half the coordinator funding and a quarter of the implementation, the state no investment
    inv = comparison.per_replication.groupby("replication")[["investment_coordinator_dkk",
                                                               "investment_implementation_dkk"]].sum().mean()
    assert s.investment_by_payer_dkk["MBU"].mean == pytest.approx(
        0.5 * inv["investment_coordinator_dkk"] + 0.25 * inv["investment_implementation_dkk"], rel=1e-9)
    assert s.investment_by_payer_dkk["state"].mean == 0 and s.savings_by_payer_dkk["MBU"].mean == 0
    for b in s.budget:  # the budget view carries the split, year by year
        assert b.net_msb_dkk + b.net_mbu_dkk + b.net_state_dkk == pytest.approx(b.net_dkk, rel=1e-9, abs=1e-3)
        assert b.net_municipality_dkk == pytest.approx(b.net_msb_dkk + b.net_mbu_dkk, rel=1e-12)


def test_the_analytic_twin_knows_mbus_part_but_no_refusion(plan):
    twin = expected_yearly(plan.with_overrides({"years": 2}))
    assert twin["paid_state_dkk"].isna().all() and twin["paid_msb_dkk"].isna().all()
    assert twin["paid_mbu_dkk"].sum() > 0
    s = Experiment(plan.with_overrides({"years": 2}), load_scenario("status-quo")).expected().summary
    assert s.net_by_payer_dkk["MBU"].mean < 0
    assert s.net_by_payer_dkk["MSB"].mean is None and s.municipality_net_dkk.mean is None
    assert s.budget[0].net_state_dkk is None and s.budget[0].net_mbu_dkk < 0
