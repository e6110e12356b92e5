"""Morris screening of the assumptions' ranges: what moves the NPV, and what cannot."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from sim.experiment import Experiment
from sim.scenario import load_scenario
from sim.sensitivity import fixed_parameters, morris, varied_parameters


@pytest.fixture(scope="module")
def screening():
    plan = load_scenario("plan", {"years": 4})
    return plan, morris(Experiment(plan, load_scenario("status-quo"), seed=3, replications=1), trajectories=2)


def test_every_free_parameter_is_screened_and_calibrated_ones_are_held(screening):
    plan, result = screening
    screened = set(result.indices["parameter"])
    assert screened == set(varied_parameters(plan))
    assert not screened & fixed_parameters()
    assert {"caseload.escalation_elasticity", "relational.effect_strength"} <= screened
    assert len(result.npv_dkk) == 2 * (len(screened) + 1)
    assert np.isfinite(result.indices[["mu_star_dkk", "mu_dkk", "sigma_dkk"]].to_numpy()).all()


def test_indices_point_the_way_the_model_works(screening):
    _, result = screening
    by = result.indices.set_index("parameter")
    # wellbeing assumptions cannot change money
    assert by.loc["wellbeing.good_threshold", "mu_star_dkk"] == pytest.approx(0, abs=1e-3)
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
