"""Replications on a Dask distributed cluster give the same numbers as local processes."""

from __future__ import annotations

import pandas as pd
import pytest
from dask.distributed import LocalCluster

from sim.cli import main
from sim.runner import run
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def scheduler():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_dask_cluster_gives_the_numbers_of_local_processes(scheduler):
    scenario = load_scenario("plan").with_overrides({"years": 2})
    local = run(scenario, 3, 11, workers=2)
    remote = run(scenario, 3, 11, scheduler=scheduler)
    pd.testing.assert_frame_equal(local.monthly, remote.monthly)
    pd.testing.assert_frame_equal(local.yearly, remote.yearly)
    assert local.manifest == remote.manifest


def test_cli_run_with_scheduler_writes_the_local_table(scheduler, tmp_path):
    args = ["run", "--scenario", "status-quo", "--replications", "2", "--seed", "4", "--set", "years=1", "--no-cache"]
    assert main([*args, "--workers", "1", "--out", str(tmp_path / "local.csv")]) == 0
    assert main([*args, "--scheduler", scheduler, "--out", str(tmp_path / "dask.csv")]) == 0
    assert (tmp_path / "local.csv").read_bytes() == (tmp_path / "dask.csv").read_bytes()
