"""The result cache: a repeated run is answered from disk, other runs miss, and several processes
can write to it at once."""

from __future__ import annotations

import multiprocessing

import pandas as pd
import pytest

from sim.cache import ResultCache
from sim.runner import MONTHS, cache_key, cached, run, store
from sim.scenario import Scenario, load_scenario


@pytest.fixture(scope="module")
def short_plan() -> Scenario:
    return load_scenario("plan").with_overrides({"years": 1})


def test_second_identical_run_is_served_from_the_cache_and_equals_the_first(tmp_path, short_plan):
    cache = ResultCache(tmp_path)
    first = run(short_plan, 2, 5, workers=1, cache=cache)
    assert cache_key(short_plan, 5, 2) in cache and len(cache) == 2  # a run: its months, and the rest
    second = run(short_plan, 2, 5, workers=1, cache=cache)
    pd.testing.assert_frame_equal(first.monthly, second.monthly)
    pd.testing.assert_frame_equal(first.yearly, second.yearly)
    assert first.manifest == second.manifest
    assert len(cache) == 2


def test_a_run_in_the_cache_is_returned_without_simulating(tmp_path, short_plan):
    cache = ResultCache(tmp_path)
    real = run(short_plan, 1, 3, workers=1)
    marked = type(real)(real.monthly.assign(notifications=-1), real.yearly, real.manifest, real.switches)
    store(cache, cache_key(short_plan, 3, 1), marked)
    served = run(short_plan, 1, 3, workers=1, cache=cache)
    assert (served.monthly["notifications"] == -1).all()


def test_other_seed_replications_or_scenario_miss(tmp_path, short_plan):
    cache = ResultCache(tmp_path)
    run(short_plan, 1, 5, workers=1, cache=cache)
    other = short_plan.with_overrides({"caseload.relational": 24})
    renamed = load_scenario("faster").with_overrides({"years": 1})
    assert cached(short_plan, 5, 1, cache) is not None
    for item in ((short_plan, 6, 1), (short_plan, 5, 2), (other, 5, 1), (renamed, 5, 1)):
        assert cache_key(*item) not in cache
        assert cached(*item, cache) is None
    progress = []
    run(short_plan, 2, 5, workers=1, cache=cache, progress=lambda done, total: progress.append(done))
    assert progress == [1, 2]  # the two-replication run was simulated, not served
    assert len(cache) == 4


def _write_many(folder: str, scenario: Scenario, results, seeds: list[int]) -> None:
    cache = ResultCache(folder)
    for _ in range(3):
        for seed in seeds:
            store(cache, cache_key(scenario, seed, 1), results)
    cache.close()


def test_two_processes_writing_at_once_leave_every_entry_whole(tmp_path, short_plan):
    results = run(short_plan, 1, 1, workers=1)
    ctx = multiprocessing.get_context("fork")
    seeds = list(range(12))
    writers = [ctx.Process(target=_write_many, args=(str(tmp_path), short_plan, results, order))
               for order in (seeds, seeds[::-1])]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=120)
        assert w.exitcode == 0
    cache = ResultCache(tmp_path)
    assert len(cache) == 2 * len(seeds)
    for seed in seeds:
        got = cached(short_plan, seed, 1, cache)
        pd.testing.assert_frame_equal(got.monthly, results.monthly)
        pd.testing.assert_frame_equal(got.yearly, results.yearly)


def test_the_yearly_results_are_read_without_the_months(tmp_path, short_plan):
    """The pages show years: a run is read from the cache without its monthly frame when asked so,
    and with it otherwise; a run whose months were evicted is not found with them."""
    cache = ResultCache(tmp_path)
    full = run(short_plan, 2, 5, workers=1, cache=cache)
    years = cached(short_plan, 5, 2, cache, months=False)
    assert years.monthly is None
    pd.testing.assert_frame_equal(years.yearly, full.yearly)
    pd.testing.assert_frame_equal(cached(short_plan, 5, 2, cache).monthly, full.monthly)
    cache._store.delete(cache_key(short_plan, 5, 2) + MONTHS)
    assert cached(short_plan, 5, 2, cache) is None
    assert cached(short_plan, 5, 2, cache, months=False) is not None


def test_a_comparison_reads_neither_arms_months_it_does_not_show(tmp_path, short_plan):
    """A comparison whose baseline is in the cache runs the scenario arm and takes the baseline's
    years from the cache without reading its monthly frame (only the scenario's months are shown)."""
    from sim.experiment import Experiment

    cache = ResultCache(tmp_path)
    baseline = load_scenario("status-quo").with_overrides({"years": 1})
    first = Experiment(short_plan, baseline, 5, 2, "noise")
    first.run(workers=1, cache=cache)
    cache._store.delete(cache_key(first.arms[1], 5, 2) + MONTHS)  # the baseline's months: gone
    other = Experiment(short_plan.with_overrides({"caseload.relational": 24}), baseline, 5, 2, "noise")
    comparison = other.run(workers=1, cache=cache)
    assert comparison.scenario_monthly is not None
    assert cache_key(other.arms[1], 5, 2) + MONTHS not in cache  # served from its years, not simulated again
    afresh = Experiment(other.scenario, baseline, 5, 2, "noise").run(workers=1)
    pd.testing.assert_frame_equal(comparison.yearly, afresh.yearly)
