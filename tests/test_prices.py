"""One price level (issue 11, point 1): every amount of money carries its price year and is converted
once, when the scenario is built, with the index of assumptions/prices.toml. Changing the price year
scales every amount by the index's ratio and changes nothing else."""

from __future__ import annotations

import json

import pytest

from sim.assumptions import AssumptionError, Param, load_assumptions
from sim.calibrate import load_targets
from sim.cli import main
from sim.experiment import Experiment
from sim.finance import BUDGET_COLUMNS
from sim.prices import load_price_index
from sim.runner import Manifest, cache_key
from sim.scenario import load_scenario, parse_scenario_text
from sim.uncertainty import draw

INDEX = load_price_index()
EARLY, LATE = 2019, INDEX.newest
RATIO = INDEX.years[LATE].value / INDEX.years[EARLY].value
MONEY = ["npv_dkk", "investment_dkk", "avoided_cost_dkk", "net_dkk", "scenario_cost_dkk", "baseline_cost_dkk"]
COUNTS = ["placements_avoided", "mean_wait_days_change"]


def test_every_amount_of_money_carries_its_price_year_and_only_money_does():
    params = load_assumptions().params()
    money = {k: p.price_year for k, p in params.items() if "DKK" in p.unit}
    assert money == {"staff.salary_dkk_per_year": 2022, "staff.team_leader_dkk_per_year": 2021, "cost.early_dkk_per_day": 2024,
                     "cost.coordinated_dkk_per_day": 2024, "cost.foster_dkk_per_day": 2019,
                     "cost.residential_dkk_per_day": 2019, "coordinator.first_year_dkk": 2023,
                     "coordinator.per_year_dkk": 2023, "implementation.per_district_dkk": 2023,
                     "refusion.lower_threshold_dkk": 2022, "refusion.middle_threshold_dkk": 2022,
                     "refusion.upper_threshold_dkk": 2022}
    assert all(p.price_year is None for k, p in params.items() if k not in money)
    assert load_targets().herning.price_year == 2015
    with pytest.raises(ValueError, match="needs its price_year"):
        Param(value=1.0, unit="DKK per day", kind="world", low=0.0, high=2.0, source="x")


def test_the_index_states_its_source_and_marks_what_is_not_published():
    assert "Danmarks Statistik" in INDEX.source and INDEX.note
    assert INDEX.years[2025].status == "forecast" and INDEX.years[2024].status == "derived"
    assert all(y.derivation for y in INDEX.years.values() if y.status != "published")
    # the budget year 2027 has no value in the index, so runs default to its newest year
    assert INDEX.budget_year == 2027 and INDEX.default_year == INDEX.newest == load_scenario("plan").price_year


def test_a_scenario_is_built_in_one_price_level():
    plan = load_scenario("plan")
    assert plan.assumptions.price_year == LATE
    with pytest.raises(AssumptionError, match="price years"):
        load_assumptions().price_year  # as read from base.toml: mixed, refused by anything that adds them up


def test_changing_the_price_year_scales_every_amount_by_the_index_ratio_and_nothing_else(plan, status_quo):
    early = Experiment(plan.with_overrides({"price_year": EARLY}), status_quo, 1, 1, "noise").expected()
    late = Experiment(plan.with_overrides({"price_year": LATE}), status_quo, 1, 1, "noise").expected()
    s, t = early.summary, late.summary
    assert (s.price_year, t.price_year) == (EARLY, LATE)
    for name in MONEY:
        assert getattr(t, name).mean == pytest.approx(getattr(s, name).mean * RATIO, rel=5e-5, abs=1e3), name
    for name in COUNTS:
        assert getattr(t, name).mean == pytest.approx(getattr(s, name).mean, rel=1e-9), name
    assert t.return_per_krone.mean == pytest.approx(s.return_per_krone.mean, rel=5e-5)  # amounts kept to the øre
    assert t.payback_year == s.payback_year and t.p_payback_by_year == s.p_payback_by_year
    for a, b in zip(s.budget, t.budget):
        assert a.year == b.year
        for name in BUDGET_COLUMNS[1:]:
            if getattr(a, name) is None:  # the twin's split by payer without refusion (sim.payers)
                assert getattr(b, name) is None, name
                continue
            assert getattr(b, name) == pytest.approx(getattr(a, name) * RATIO, rel=5e-5, abs=1e3)  # to the øre: within 1,000 DKK
    cost = [c for c in early.scenario_yearly if c.endswith("_dkk")]
    flows = [c for c in early.scenario_yearly if c not in cost and early.scenario_yearly[c].dtype.kind in "if"]
    assert late.scenario_yearly[cost].sum().to_numpy() == pytest.approx(
        early.scenario_yearly[cost].sum().to_numpy() * RATIO, rel=5e-5)
    assert late.scenario_yearly[flows].equals(early.scenario_yearly[flows])


def test_the_parameter_draws_scale_their_amounts_and_keep_the_rest(status_quo):
    early, late = (draw(status_quo.with_overrides({"price_year": y}), 3, 7) for y in (EARLY, LATE))
    money = {k for k, p in status_quo.assumptions.params().items() if p.price_year is not None}
    for a, b in zip(early.values, late.values):
        for key in a:
            expected = a[key] * RATIO if key in money else a[key]
            assert b[key] == pytest.approx(expected, rel=5e-5), key  # the Herning elasticity included


def test_the_price_year_is_part_of_the_identity_and_the_cache_key(plan):
    other = plan.with_overrides({"price_year": EARLY})
    assert other.id != plan.id and other.canonical()["price_year"] == EARLY
    assert cache_key(other, 1, 2) != cache_key(plan, 1, 2)
    assert Manifest.of(other, 1, 2).price_year == EARLY


def test_amounts_set_with_a_price_year_are_in_its_prices_and_survive_a_file_round_trip(plan):
    scenario = plan.with_overrides({"price_year": EARLY, "cost.foster_dkk_per_day": 1300})
    assert scenario.assumptions.value("cost.foster_dkk_per_day") == 1300
    assert scenario.assumptions.value("cost.residential_dkk_per_day") == 3178  # the source's own 2019 price
    again = parse_scenario_text(scenario.to_toml(), "again", "again.toml")
    assert again.id == scenario.id and again.price_year == EARLY
    assert 'price_year = 2019' in scenario.to_toml() and 'price_year = ' in plan.to_toml()


def test_a_price_year_set_in_one_arm_converts_the_other_arms_amounts(plan, status_quo):
    scenario, baseline = Experiment(plan.with_overrides({"price_year": EARLY}),
                                    status_quo.with_overrides({"cost.foster_dkk_per_day": 1600})).arms
    assert scenario.price_year == baseline.price_year == EARLY
    assert scenario.assumptions.value("cost.foster_dkk_per_day") == baseline.assumptions.value(
        "cost.foster_dkk_per_day") == pytest.approx(1600 / RATIO, abs=0.01)


def test_a_year_outside_the_index_is_refused_with_what_and_where(plan, capsys):
    with pytest.raises(AssumptionError, match=r"input: price_year: expected a year the price index covers "
                                              rf"\({INDEX.first} to {INDEX.newest}, assumptions/prices.toml\), got 2030"):
        plan.with_overrides({"price_year": 2030}, "input")
    assert main(["compare", "--scenario", "plan", "--price-year", "2030", "--out", "x.csv"]) == 2
    assert "--price-year: price_year: expected a year the price index covers" in capsys.readouterr().err


def test_compare_states_the_price_year_in_every_output(tmp_path, capsys):
    out = tmp_path / "c.csv"
    assert main(["compare", "--scenario", "plan", "--replications", "1", "--workers", "1", "--set", "years=1",
                 "--price-year", str(EARLY), "--uncertainty", "noise", "--no-cache", "--out", str(out),
                 "--summary-json", str(tmp_path / "s.json")]) == 0
    assert f"{EARLY} prices" in capsys.readouterr().out
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["price_year"] == EARLY and summary["manifest"]["price_year"] == EARLY
    assert [b["year"] for b in summary["budget"]] == [2023]
    assert out.read_text().splitlines()[0].startswith("year,statistic,price_year,")
    budget = (tmp_path / "c.budget.csv").read_text().splitlines()
    assert budget[0] == ("year,price_year,investment_dkk,gross_savings_dkk,net_dkk,cumulative_net_dkk,"
                         "net_msb_dkk,net_mbu_dkk,net_state_dkk,net_municipality_dkk")
    assert budget[1].startswith(f"2023,{EARLY},")
    assert json.loads((tmp_path / "c.budget.csv.manifest.json").read_text())["price_year"] == EARLY
