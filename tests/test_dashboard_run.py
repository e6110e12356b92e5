"""What "Kør simuleringen" leaves behind for Overblik (dashboard.compute.simulate), without a browser."""

from __future__ import annotations

from concurrent.futures import Executor

import pytest

import sim
from dashboard.compute import finished, simulate
from dashboard.inputs import Limits, from_query, to_experiment


class Refusing(Executor):
    """An executor that computes nothing: an analysis handed to it was not found in the cache."""

    def submit(self, fn, /, *args, **kwargs):
        raise LookupError("not in the cache")


@pytest.fixture
def values():
    return from_query("years=2&replications=2", Limits(max_replications=50, default_replications=2))[0]


def test_a_run_leaves_overbliks_split_by_lever_in_the_cache(tmp_path, values):
    cache = sim.ResultCache(tmp_path / "cache")
    outcome = simulate(values, seed=1, cache=cache, workers=1, progress=lambda done, n: None)
    assert outcome.simulated and outcome.replications == 2
    # Overblik's question after the run is answered from the cache: nothing is handed to Refusing
    split = sim.explain(to_experiment(values, 1), outcome.comparison, cache, Refusing(), alone=False)
    assert sum(split.npv_by_channel_dkk.values()) == pytest.approx(outcome.comparison.summary.npv_dkk.mean, abs=1.0)
    assert split.break_even.by_lever is None


def test_a_run_leaves_each_lever_alone_to_the_export(tmp_path, values):
    """Overblik does not show each lever's break-even alone: the run does not spend its cores on it,
    and the export, which shows it, has it computed when asked."""
    cache = sim.ResultCache(tmp_path / "cache")
    outcome = simulate(values, seed=1, cache=cache, workers=1, progress=lambda done, n: None)
    with pytest.raises(LookupError):
        sim.explain(to_experiment(values, 1), outcome.comparison, cache, Refusing(), alone=True)
    split = sim.explain(to_experiment(values, 1), outcome.comparison, cache)
    assert set(split.break_even.by_lever) == set(sim.levers.LEVERS)
    assert sim.explain(to_experiment(values, 1), outcome.comparison, cache, Refusing()) == split  # kept now


def test_the_simulation_alone_leaves_no_split_to_find(tmp_path, values):
    """The check above can fail: after the simulation alone, the split is not in the cache."""
    cache = sim.ResultCache(tmp_path / "cache")
    experiment = to_experiment(values, 1)
    comparison = experiment.run(workers=1, cache=cache)
    with pytest.raises(LookupError):
        sim.explain(experiment, comparison, cache, Refusing())


def test_a_finished_run_is_found_once_it_is_there_and_only_in_its_own_data_folder(tmp_path, values):
    """The server keeps the comparisons it has found (several figures ask at once): a run not
    there yet is found after it finishes, and another data folder's app does not see it."""
    cache, other = sim.ResultCache(tmp_path / "a"), sim.ResultCache(tmp_path / "b")
    assert finished(values, 1, cache) is None
    ran = simulate(values, seed=1, cache=cache, workers=1, progress=lambda done, n: None)
    found = finished(values, 1, cache)
    assert found is not None and found.comparison.scenario_monthly is None  # the pages show years
    assert found.comparison.summary.npv_dkk == ran.comparison.summary.npv_dkk
    assert finished(values, 1, other) is None
    assert finished(values, 1, cache, months=True).comparison.scenario_monthly is not None  # the workbook's


def test_eksport_prepares_the_workbooks_analysis_in_the_background(tmp_path, values):
    """When Eksport shows a finished run it starts each lever's break-even alone in the analysis
    process; once that is done, the download finds it in the cache (nothing handed to Refusing)."""
    from dashboard.compute import prepare_workbook

    cache = sim.ResultCache(tmp_path / "cache")
    outcome = simulate(values, seed=1, cache=cache, workers=1, progress=lambda done, n: None)
    with pytest.raises(LookupError):
        sim.explain(outcome.experiment, outcome.comparison, cache, Refusing(), alone=True)
    prepare_workbook(outcome, cache).result(timeout=300)
    split = sim.explain(outcome.experiment, outcome.comparison, cache, Refusing(), alone=True)
    assert set(split.break_even.by_lever) == set(sim.levers.LEVERS)
