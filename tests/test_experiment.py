"""One paired experiment: the baseline rule is data (each assumption's kind), written once, and the
same question gives the same answer through every door."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from sim.assumptions import AssumptionError, load_assumptions
from sim.cache import ResultCache
from sim.cli import main
from sim.experiment import Experiment
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
POLICY = {"caseload.relational", "staff.relational_capacity_ratio", "relational.effect_strength", "coordinator.first_year_dkk",
          "coordinator.per_year_dkk", "implementation.per_district_dkk", "payer.mbu_coordinator_share",
          "payer.mbu_implementation_share"}
WORLD_CHANGE, POLICY_CHANGE = ("cost.foster_dkk_per_day", 1500), ("caseload.relational", 15)


def test_every_assumption_says_whether_it_is_world_or_policy():
    kinds = load_assumptions().kinds()
    assert {k for k, kind in kinds.items() if kind == "policy"} == POLICY
    assert {"cost.foster_dkk_per_day", "caseload.classic", "staff.salary_dkk_per_year",
            "finance.discount_rate", "city.children", "caseload.pilot", "relational.early_shift"} <= {k for k, kind in kinds.items() if kind == "world"}


def test_a_world_change_reaches_both_arms_and_a_policy_change_only_the_scenario(plan, status_quo):
    key, value = WORLD_CHANGE
    scenario, baseline = Experiment(plan.with_overrides({key: value, "years": 3}), status_quo).arms
    assert scenario.assumptions.value(key) == baseline.assumptions.value(key) == value
    assert baseline.years == 3 and not baseline.relational
    key, value = POLICY_CHANGE
    scenario, baseline = Experiment(plan.with_overrides({key: value}), status_quo).arms
    assert scenario.assumptions.value(key) == value
    assert baseline.assumptions.value(key) == status_quo.assumptions.value(key) != value


def test_a_world_change_in_the_baseline_file_reaches_the_scenario_too(plan, status_quo):
    scenario, baseline = Experiment(plan, status_quo.with_overrides({"staff.salary_dkk_per_year": 520000})).arms
    assert scenario.assumptions.value("staff.salary_dkk_per_year") == 520000


def test_two_worlds_are_refused_before_anything_runs(plan, status_quo):
    with pytest.raises(AssumptionError, match="cost.foster_dkk_per_day is 1500.0 in plan but 1400.0 in status-quo"):
        Experiment(plan.with_overrides({"cost.foster_dkk_per_day": 1500}),
                   status_quo.with_overrides({"cost.foster_dkk_per_day": 1400}))


def test_varied_settings_follow_the_rule(plan, status_quo):
    e = Experiment(plan, status_quo).varied({"cost.residential_dkk_per_day": 4000, "relational.effect_strength": 0.5})
    scenario, baseline = e.arms
    assert scenario.assumptions.value("cost.residential_dkk_per_day") == baseline.assumptions.value(
        "cost.residential_dkk_per_day") == 4000
    assert scenario.assumptions.value("relational.effect_strength") == 0.5
    assert baseline.assumptions.value("relational.effect_strength") == 1.0


def test_an_analysis_of_the_expected_values_is_found_again_by_the_arms_not_the_seed(plan, status_quo, tmp_path):
    cache, calls = ResultCache(tmp_path / "cache"), []

    def analysis(experiment: Experiment) -> int:
        calls.append(experiment)
        return len(calls)

    e = Experiment(plan.with_overrides({"years": 2}), status_quo, seed=1, replications=2)
    assert e.remembered("count", analysis, cache) == 1
    assert replace(e, seed=7, replications=9).remembered("count", analysis, cache) == 1  # same arms: found
    assert e.remembered("count", analysis, ResultCache(tmp_path / "cache")) == 1  # as another process would
    assert e.varied(dict([POLICY_CHANGE])).remembered("count", analysis, cache) == 2  # another policy
    assert e.varied(dict([WORLD_CHANGE])).remembered("count", analysis, cache) == 3  # another world
    assert e.remembered("other", analysis, cache) == 4  # another analysis
    assert e.remembered("count", analysis, None) == 5  # no cache: computed each time


def test_the_twin_gives_one_answer_for_the_set_and_for_files(plan, status_quo, tmp_path):
    for key, value in (WORLD_CHANGE, POLICY_CHANGE):
        by_set = Experiment(plan.with_overrides({key: value}), status_quo).expected().summary.npv_dkk.mean
        a, b = tmp_path / "a.toml", tmp_path / "b.toml"
        a.write_text(f'[rollout]\nenabled = true\n[set]\n"{key}" = {value}\n', encoding="utf-8")
        world = f'[set]\n"{key}" = {value}\n' if key == WORLD_CHANGE[0] else ""
        b.write_text(f'[rollout]\nenabled = false\n{world}', encoding="utf-8")
        by_files = Experiment(load_scenario(a), load_scenario(b)).expected().summary.npv_dkk.mean
        assert by_files == by_set, key


def _cli_summary(tmp_path: Path, name: str, *args: str) -> dict:
    out, summary = tmp_path / f"{name}.csv", tmp_path / f"{name}.json"
    assert main(["compare", "--replications", "2", "--seed", "1", "--workers", "1", "--no-cache",
                 "--out", str(out), "--summary-json", str(summary), *args]) == 0
    return json.loads(summary.read_text(encoding="utf-8"))


@pytest.mark.parametrize("key, value", [WORLD_CHANGE, POLICY_CHANGE])
def test_cli_set_and_scenario_files_give_the_same_npv_to_the_krone(tmp_path, key, value):
    by_set = _cli_summary(tmp_path, "set", "--scenario", "plan", "--set", f"{key}={value}", "--set", "years=2")
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(f'years = 2\n[rollout]\nenabled = true\n[set]\n"{key}" = {value}\n', encoding="utf-8")
    world = f'[set]\n"{key}" = {value}\n' if key == WORLD_CHANGE[0] else ""
    b.write_text(f'years = 2\n[rollout]\nenabled = false\n{world}', encoding="utf-8")
    by_files = _cli_summary(tmp_path, "files", "--scenario", str(a), "--baseline", str(b))
    assert round(by_set["npv_dkk"]["mean"]) == round(by_files["npv_dkk"]["mean"])
    assert by_set["npv_dkk"] == by_files["npv_dkk"]
    plain = _cli_summary(tmp_path, "plain", "--scenario", "plan", "--set", "years=2")
    moved = by_set["baseline_cost_dkk"]["mean"] != plain["baseline_cost_dkk"]["mean"]
    assert moved == (key == WORLD_CHANGE[0])  # the world moves the status quo's cost, the policy does not


def test_a_scenario_file_nested_thousands_of_levels_deep_is_refused_in_one_line(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sim", "compare", "--scenario", str(deep), "--out",
                           str(tmp_path / "c.csv")], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "nested too deeply" in proc.stderr and "deep.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("overrides, message", [
    ({"years": "1000"}, "years: expected a whole number of years from 1 to 30, got 1000"),
    ({"rollout.waves.3": "2024-13"}, 'rollout.waves.3: expected a date (YYYY-MM-DD), a month (YYYY-MM) or "never"'),
    ({"caseload.relational": "nan"}, "caseload.relational: expected a number, got 'nan'"),
    ({"caseload.relational": True}, "caseload.relational: expected a number, got True"),
    ({"caseload.relational": 10**400}, "caseload.relational: expected a number, got 1000"),
    ({"caseload.relational": -5}, "caseload.relational: value -5 is outside its plausible range 12 to 31"),
    ({"rollout.waves.9": "2024-03"}, "rollout.waves.9: unknown wave"),
    ({"years": 2.5}, "years: expected a whole number, got 2.5"),
    ({"rollout.enabled": "perhaps"}, "rollout.enabled: expected true or false"),
    ({"rollout.district_waves.Atlantis": 3}, "rollout.district_waves.Atlantis: unknown district"),
    ({"rollout.waves.3": list(range(100_000))}, "got [0, 1, 2"),
])
def test_the_one_scenario_description_refuses_bad_values_in_one_format(plan, overrides, message):
    with pytest.raises(AssumptionError) as err:
        plan.with_overrides(overrides, "input")
    assert str(err.value).startswith("input: ") and message in str(err.value)
    assert len(str(err.value)) < 300


def test_text_from_urls_and_the_command_line_means_the_same_as_numbers(plan):
    as_text = plan.with_overrides({"caseload.relational": "24,0", "years": "5", "rollout.waves.3": "2024-03"})
    as_values = plan.with_overrides({"caseload.relational": 24, "years": 5, "rollout.waves.3": "2024-03-01"})
    assert as_text.id == as_values.id
