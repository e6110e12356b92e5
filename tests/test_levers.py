"""The levers: the split of the savings by lever (Shapley values), break-even, and the theory
checks that tie them to the model (no lever, no avoided cost; lower caseload, no fewer placements
avoided)."""

from __future__ import annotations

import json
import multiprocessing
import re
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

from sim import Experiment, levers
from sim.assumptions import LEVERS
from sim.cache import ResultCache
from sim.levers import CHANNELS, at_fractions, break_even, explain, lever_parameters, present_value, shapley

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def experiment(plan, status_quo):
    return Experiment(plan.with_overrides({"years": 6}), status_quo)


@pytest.fixture(scope="module")
def explanation(experiment):
    return explain(experiment)


def test_every_lever_has_parameters_and_no_parameter_serves_two(experiment):
    levers = lever_parameters(experiment)
    assert set(levers) == set(LEVERS) and all(levers.values())
    keys = [k for ks in levers.values() for k in ks]
    assert len(keys) == len(set(keys))
    params = experiment.scenario.assumptions.params()
    cited = {lever: {url for k in ks for url in re.findall(r"https?://\S+", params[k].source)}
             for lever, ks in levers.items()}
    for a, b in combinations(LEVERS, 2):
        assert not cited[a] & cited[b], f"{a} and {b} rest on the same source {cited[a] & cited[b]}"
    for k in keys:  # an assumption says why (base.toml's validation), a source names where
        assert params[k].source == "assumption" or cited[params[k].lever], k


def test_shapley_values_of_known_games():
    additive = shapley(lambda s: sum({"a": 1.0, "b": 2.0, "c": 4.0}[p] for p in s), "abc")
    assert additive == pytest.approx({"a": 1.0, "b": 2.0, "c": 4.0})
    # Two players who only pay off together share the pay-off; a dummy gets nothing.
    pair = shapley(lambda s: 6.0 if {"a", "b"} <= s else 0.0, "abc")
    assert pair == pytest.approx({"a": 3.0, "b": 3.0, "c": 0.0})


def test_no_lever_no_avoided_cost_and_the_npv_is_minus_the_investment(experiment):
    none = at_fractions(experiment, dict.fromkeys(LEVERS, 0.0)).expected()
    s = none.summary
    assert abs(s.avoided_cost_dkk.mean) < 1e-6 * s.investment_dkk.mean
    assert abs(s.placements_avoided.mean) < 1e-6
    f = experiment.arms[0].assumptions.finance
    pv_investment = present_value(none, "investment_dkk", f.discount_rate.value, f.discount_rate_after_35.value)
    assert s.npv_dkk.mean == pytest.approx(-pv_investment, rel=1e-6)


def test_the_split_sums_to_the_npv_and_names_every_channel(experiment, explanation):
    channels = explanation.npv_by_channel_dkk
    assert tuple(channels) == CHANNELS
    npv = experiment.expected().summary.npv_dkk.mean
    assert sum(channels.values()) == pytest.approx(npv, rel=1e-3)
    assert channels["simulation"] == 0.0  # the expected comparison explains itself
    assert channels["staff"] < 0 and channels["coordinator"] < 0 and channels["implementation"] < 0
    assert channels["escalation"] > 0 and channels["practice"] > 0
    assert channels["placement_length"] == 0.0  # its default is no effect
    placements = explanation.placements_avoided_by_lever
    assert sum(placements.values()) == pytest.approx(experiment.expected().summary.placements_avoided.mean, rel=1e-6)


def test_the_split_of_a_simulated_comparison_sums_to_its_npv(experiment):
    short = Experiment(experiment.scenario.with_overrides({"years": 2}), experiment.baseline, seed=3, replications=2)
    comparison = short.run(workers=1)
    channels = explain(short, comparison).npv_by_channel_dkk
    assert sum(channels.values()) == pytest.approx(comparison.summary.npv_dkk.mean, rel=1e-3)
    assert channels["simulation"] != 0.0


def test_the_explanation_is_kept_in_the_cache_and_found_again(experiment, explanation, tmp_path, monkeypatch):
    cache = ResultCache(tmp_path / "cache")
    assert explain(experiment, cache=cache) == explanation

    def recomputed(_experiment):
        raise AssertionError("the explanation was computed again instead of found in the cache")

    monkeypatch.setattr(levers, "_expected_explanation", recomputed)
    assert explain(experiment, cache=ResultCache(tmp_path / "cache")) == explanation
    comparison = experiment.expected()  # the simulation channel is the comparison's own, on top of the stored split
    channels = explain(experiment, comparison, cache).npv_by_channel_dkk
    assert sum(channels.values()) == pytest.approx(comparison.summary.npv_dkk.mean, rel=1e-9)
    assert abs(channels["simulation"]) < 1.0  # kroner: the expected comparison explains itself


def test_break_even_is_where_the_expected_npv_is_zero(experiment, explanation):
    b = explanation.break_even
    assert 0 < b.fraction < 1 and b.reason is None
    at = at_fractions(experiment, dict.fromkeys(LEVERS, b.fraction)).expected().summary
    assert abs(at.npv_dkk.mean) < 1e-3 * at.investment_dkk.mean
    assert b.payback_fraction is not None and 0 < b.payback_fraction < 1
    assert b.by_lever["placement_length"] is None  # a lever at zero carries nothing
    for lever, fraction in b.by_lever.items():
        if fraction is not None:
            alone = at_fractions(experiment, {**dict.fromkeys(LEVERS, 0.0), lever: fraction}).expected().summary
            assert abs(alone.npv_dkk.mean) < 1e-3 * alone.investment_dkk.mean


def test_a_plan_that_never_pays_back_has_no_break_even_and_says_why(experiment):
    costly = experiment.varied({"implementation.per_district_dkk": 1_000_000, "years": 2})
    b = break_even(costly)
    assert b.fraction is None and "negative even with the full assumed effect" in b.reason


def test_placements_avoided_do_not_fall_when_the_relational_caseload_falls(experiment):
    avoided = [experiment.varied({"caseload.relational": c}).expected().summary.placements_avoided.mean
               for c in (25, 20, 15, 12)]
    assert all(b >= a - 1e-6 for a, b in zip(avoided, avoided[1:])), avoided


def test_compare_writes_the_explanation_into_the_summary_json(tmp_path):
    out = tmp_path / "summary.json"
    subprocess.run([sys.executable, "-m", "sim", "compare", "--scenario", "plan", "--set", "years=2",
                    "--replications", "2", "--workers", "1", "--no-cache", "--out", str(tmp_path / "y.csv"),
                    "--summary-json", str(out)], cwd=ROOT, check=True, capture_output=True, text=True)
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert sum(summary["npv_by_channel_dkk"].values()) == pytest.approx(summary["npv_dkk"]["mean"], rel=1e-3)
    assert "break_even_effect_fraction" in summary and "break_even_reason" in summary
    if summary["break_even_effect_fraction"] is None:
        assert summary["break_even_reason"]


def test_a_run_explained_beside_the_simulation_is_the_run_then_its_explanation(experiment, explanation):
    """run_explained computes the expected split in a thread while the simulation runs: the same
    comparison and the same explanation as running first and explaining after."""
    short = Experiment(experiment.scenario, experiment.baseline, seed=3, replications=2, uncertainty="noise")
    comparison, explained = levers.run_explained(short, workers=1)
    alone = short.run(workers=1)
    pd.testing.assert_frame_equal(comparison.per_replication, alone.per_replication, check_exact=True)
    assert json.dumps(comparison.summary.as_dict()) == json.dumps(alone.summary.as_dict())  # NaN as NaN
    assert explained == explain(short, alone)
    assert explained.break_even == explanation.break_even  # the twin's part does not depend on seed or runs


def test_run_explained_starts_its_workers_before_the_split_and_runs_both_arms_on_them(experiment, monkeypatch):
    """A process forked beside a running thread may inherit a lock that thread holds, and wait for it
    for ever. The split's thread starts after the run's workers, which serve both arms; the numbers
    are those of a run on its own."""
    short = Experiment(experiment.scenario.with_overrides({"years": 1}), experiment.baseline,
                       seed=4, replications=2, uncertainty="noise")
    def children() -> set[int]:
        return {p.pid for p in multiprocessing.active_children()}

    before = children()  # other tests in this process may have left processes of their own
    seen: list[set[int]] = []
    real = levers.explain

    def split(*args):
        seen.append(children() - before)
        return real(*args)

    monkeypatch.setattr(levers, "explain", split)
    comparison, _ = levers.run_explained(short, workers=2)
    assert len(seen) == 1 and len(seen[0]) == 2, seen  # both workers were there when the split began
    assert not children() - before  # and are gone
    alone = short.run(workers=1)
    pd.testing.assert_frame_equal(comparison.per_replication, alone.per_replication, check_exact=True)
