"""Goal-seek (issue 11, point 6): the least costly lever value that meets a savings target by a year
with a probability, searched with the analytic twin and confirmed with the simulation."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.experiment import Experiment
from sim.goalseek import at, goal_seek
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def experiment():
    return Experiment(load_scenario("plan"), load_scenario("status-quo"), seed=1)


def test_a_reachable_target_gets_the_least_costly_value_and_the_simulation_confirms_it(experiment):
    result = goal_seek(experiment, "pace", 20e6, 2027, 0.5, draws=8, replications=3, workers=1)
    assert result.value is not None and result.price_year == experiment.scenario.price_year
    tried = [c for c in result.candidates if c.probability is not None]
    assert tried[-1].value == result.value and tried[-1].probability >= 0.5
    assert all(c.probability < 0.5 for c in tried[:-1])  # every cheaper value fell short
    costs = [c.investment_dkk for c in result.candidates]
    assert costs == sorted(costs)  # least costly first
    c = result.confirmation
    assert c.replications == 3 and 0 <= c.probability <= 1 and c.probability_mc_se >= 0
    assert c.meets(0.5)  # the simulation meets the stated probability within its standard error


def test_an_unreachable_target_says_so(experiment):
    result = goal_seek(experiment, "caseload.relational", 10e9, 2025, 0.8, draws=4, replications=2, workers=1)
    assert result.value is None and result.confirmation is None
    assert all(c.probability == 0 for c in result.candidates)  # every value in the range was tried
    assert [c.value for c in result.candidates] != [] and result.best is not None


def test_pace_moves_the_waves_from_wave_one(experiment):
    waves = dict(at(experiment, "pace", 9).scenario.waves)
    assert [d.isoformat() for _, d in sorted(waves.items())] == [
        "2023-02-01", "2023-11-01", "2024-08-01", "2025-05-01", "2026-02-01"]


def test_the_cli_answers_and_says_plainly_when_nothing_meets_the_target(capsys):
    common = ["goal-seek", "--by-year", "2025", "--probability", "0.8", "--draws", "4", "--replications", "2",
              "--workers", "1", "--no-cache"]
    assert main([*common, "--target-dkk", "10e9", "--lever", "caseload.relational"]) == 1
    out = capsys.readouterr().out
    assert "no value of caseload.relational from 12 to 31 meets the target" in out and "2025 prices" in out
    assert main([*common, "--target-dkk=-1e9", "--lever", "caseload.relational"]) == 0
    out = capsys.readouterr().out
    assert "answer: caseload.relational = 31" in out and "simulation, 2 replications" in out


@pytest.mark.parametrize("args, message", [
    (["--probability", "1.5"], "argument --probability: expected a probability above 0 and at most 1 (e.g. 0.8), got '1.5'"),
    (["--probability", "0"], "argument --probability: expected a probability above 0 and at most 1"),
    (["--target-dkk", "lots"], "argument --target-dkk: expected an amount in DKK such as 50000000 or 50e6, got 'lots'"),
    (["--target-dkk", "nan"], "argument --target-dkk: expected a finite amount in DKK, got 'nan'"),
    (["--lever", "speed"], "argument --lever: invalid choice: 'speed'"),
    (["--by-year", "1999"], "by-year: expected a budget year from 2023 to 2052 (the horizon starts in 2023), got 1999"),
    (["--scenario", "status-quo"], "scenario: status-quo rolls nothing out"),
    (["--scenario", "gated"], "lever: the waves after the first of gated are savings-gated"),
    (["--price-year", "1990"], "--price-year: price_year: expected a year the price index covers"),
])
def test_bad_arguments_get_one_clear_line_and_exit_status_2(args, message, capsys):
    base = {"--target-dkk": "50e6", "--by-year": "2027", "--probability": "0.8", "--lever": "pace"}
    base.update(dict(zip(args[::2], args[1::2])))
    assert main(["goal-seek", *[x for kv in base.items() for x in kv]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
