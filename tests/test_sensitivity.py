"""Morris screening, the tornado and Sobol' indices over the assumptions' ranges: what moves the NPV,
and what cannot."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

import numpy as np
import pytest

from sim.experiment import Experiment
from sim.scenario import load_scenario
from sim.sensitivity import expected_npv, fixed_parameters, morris, sobol, tornado, varied_parameters


@pytest.fixture(scope="module")
def screening():
    plan = load_scenario("plan", {"years": 4})
    return plan, morris(Experiment(plan, load_scenario("status-quo"), seed=3, replications=1), trajectories=4)


def test_every_free_parameter_is_screened_and_calibrated_ones_are_held(screening):
    plan, result = screening
    screened = set(result.indices["parameter"])
    assert screened == set(varied_parameters(plan))
    assert not screened & fixed_parameters()
    assert {"herning.saving_dkk", "relational.effect_strength"} <= screened
    assert "caseload.escalation_elasticity" not in screened  # solved from the Herning saving at each point
    assert len(result.npv_dkk) == 4 * (len(screened) + 1)
    assert np.isfinite(result.indices[["mu_star_dkk", "mu_dkk", "sigma_dkk"]].to_numpy()).all()


def test_indices_point_the_way_the_model_works(screening):
    _, result = screening
    by = result.indices.set_index("parameter")
    # the discount rate after year 35 cannot change a shorter horizon's money
    assert by.loc["finance.discount_rate_after_35", "mu_star_dkk"] == pytest.approx(0, abs=1e-3)
    # a stronger relational effect saves more; dearer residential care makes avoiding it worth more
    assert by.loc["relational.effect_strength", "mu_dkk"] > 0
    assert by.loc["cost.residential_dkk_per_day", "mu_dkk"] > 0
    # more relational case slots per classic slot means more caseworkers to pay for
    assert by.loc["staff.relational_capacity_ratio", "mu_dkk"] < 0
    assert result.indices["mu_star_dkk"].is_monotonic_decreasing


def test_the_cli_prints_the_ranking(tmp_path):
    out = tmp_path / "sens.csv"
    proc = subprocess.run([sys.executable, "-m", "sim", "sensitivity", "--trajectories", "2", "--set", "years=2",
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "mu* (m DKK)" in proc.stdout and "NPV at the assumptions' values" in proc.stdout
    assert out.exists() and (tmp_path / "sens.csv.manifest.json").exists()
    bad = subprocess.run([sys.executable, "-m", "sim", "sensitivity", "--trajectories", "1"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "expected 2 or more" in bad.stderr


@pytest.fixture(scope="module")
def short_plan():
    return Experiment(load_scenario("plan", {"years": 2}), load_scenario("status-quo"), seed=3, replications=1)


@pytest.fixture(scope="module")
def swings(short_plan):
    return tornado(short_plan)


def test_the_tornado_moves_each_free_parameter_to_its_ends(short_plan, swings):
    table = swings.table
    assert list(table.columns) == ["parameter", "unit", "low", "high", "npv_low_dkk", "npv_high_dkk", "swing_dkk"]
    assert set(table["parameter"]) == set(varied_parameters(short_plan.scenario))
    assert table["swing_dkk"].is_monotonic_decreasing
    assert swings.base_npv_dkk == pytest.approx(expected_npv(short_plan))
    by = table.set_index("parameter")
    # the discount rate after year 35 cannot change a shorter horizon's money
    assert by.loc["finance.discount_rate_after_35", "swing_dkk"] == pytest.approx(0, abs=1e-3)
    # dearer foster care makes every avoided placement worth more (a world price: both arms pay it)
    foster = by.loc["cost.foster_dkk_per_day"]
    assert foster.npv_high_dkk > foster.npv_low_dkk
    # a higher relational caseload needs fewer caseworkers; more case slots need more
    relational, slots = by.loc["caseload.relational"], by.loc["staff.relational_capacity_ratio"]
    assert relational.npv_high_dkk > relational.npv_low_dkk
    assert slots.npv_high_dkk < slots.npv_low_dkk


def test_the_tornado_ends_are_the_expected_npv_there(short_plan, swings):
    by = swings.table.set_index("parameter")
    for name in ("cost.foster_dkk_per_day", "caseload.classic"):
        row = by.loc[name]
        assert row.npv_low_dkk == pytest.approx(expected_npv(short_plan, {name: row.low}), rel=1e-12)
        assert row.npv_high_dkk == pytest.approx(expected_npv(short_plan, {name: row.high}), rel=1e-12)
        assert row.swing_dkk == pytest.approx(abs(row.npv_high_dkk - row.npv_low_dkk))


def test_sobol_indices_on_a_few_parameters_rank_what_matters(short_plan):
    names = ["finance.discount_rate_after_35", "cost.foster_dkk_per_day", "relational.effect_strength"]
    result = sobol(short_plan, samples=8, names=names)
    assert list(result.indices.columns) == ["parameter", "unit", "low", "high", "S1", "S1_conf", "ST", "ST_conf"]
    assert set(result.indices["parameter"]) == set(names)
    assert result.samples == 8 and result.evaluations == 8 * (len(names) + 2)
    assert np.isfinite(result.indices[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()).all()
    by = result.indices.set_index("parameter")
    assert by.loc["relational.effect_strength", "ST"] > by.loc["finance.discount_rate_after_35", "ST"]
    assert by.loc["finance.discount_rate_after_35", "ST"] == pytest.approx(0, abs=1e-9)
    assert result.indices["parameter"].iloc[0] == "relational.effect_strength"
    with pytest.raises(ValueError, match="power of 2"):
        sobol(short_plan, samples=12, names=names)
    with pytest.raises(ValueError, match="city.children"):
        sobol(short_plan, samples=4, names=["city.children"])


def test_the_cli_writes_the_tornado_and_sobol_tables(tmp_path):
    out = tmp_path / "tornado.csv"
    proc = subprocess.run([sys.executable, "-m", "sim", "sensitivity", "--method", "tornado", "--set", "years=2",
                           "--parameters", "cost.foster_dkk_per_day,finance.discount_rate_after_35", "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "NPV at low" in proc.stdout and "swing (m DKK)" in proc.stdout
    table = pd.read_csv(out)
    assert list(table["parameter"]) == ["cost.foster_dkk_per_day", "finance.discount_rate_after_35"]
    assert {"npv_low_dkk", "npv_high_dkk", "swing_dkk"} <= set(table.columns)
    assert (tmp_path / "tornado.csv.manifest.json").exists()
    out = tmp_path / "sobol.csv"
    proc = subprocess.run([sys.executable, "-m", "sim", "sensitivity", "--method", "sobol", "--samples", "4",
                           "--set", "years=2", "--parameters", "relational.effect_strength,finance.discount_rate_after_35",
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "N = 4: 16 evaluations" in proc.stdout
    assert list(pd.read_csv(out).columns) == ["parameter", "unit", "low", "high", "S1", "S1_conf", "ST", "ST_conf"]
    bad = subprocess.run([sys.executable, "-m", "sim", "sensitivity", "--method", "tornado", "--parameters",
                          "nonsense"], capture_output=True, text=True)
    assert bad.returncode == 2 and "error: parameters: nonsense cannot be varied" in bad.stderr


def test_every_parameter_the_tornado_can_show_has_a_plain_name():
    from dashboard.i18n import TEXT
    missing = [k for k in varied_parameters(load_scenario("plan")) if f"param.{k}" not in TEXT]
    assert missing == []
