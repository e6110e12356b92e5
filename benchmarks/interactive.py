"""What an analyst waits for in the dashboard: the analytic twin, the preview after a slider move,
and a revisit served from the result cache. Parts that do not exist yet are reported as missing."""

from __future__ import annotations

import statistics
import tempfile
import time

import numpy as np
import psutil

from sim.cache import ResultCache
from sim.runner import Results, cache_key, run, store
from sim.scenario import Scenario

from .timing import median_time, tree_total


def analytic_seconds(scenario: Scenario, repeat: int = 7) -> float | None:
    """sim.analytic.expected_yearly(scenario), when the analytic twin exists."""
    try:
        from sim.analytic import expected_yearly
    except ImportError:
        return None
    return median_time(lambda: expected_yearly(scenario), repeat)


def cached_revisit_seconds(scenario: Scenario, results: Results, repeat: int = 5) -> float:
    """run() asked again for a finished run (`results`, stored as run() stores it) in a fresh
    on-disk cache: key, read from disk, unpickle."""
    replications = results.manifest.replications
    with tempfile.TemporaryDirectory() as folder:
        cache = ResultCache(folder)
        store(cache, cache_key(scenario, results.manifest.seed, replications), results)
        seconds = median_time(lambda: run(scenario, replications, results.manifest.seed, cache=cache), repeat)
        cache.close()
    return seconds


def preview_latency(caseloads: list[float] | None = None) -> tuple[float, float, str] | None:
    """p50 and p95 seconds of the dashboard's preview callback for a sequence of slider values,
    when the dashboard has one (see dashboard_preview for how it is called)."""
    call = dashboard_preview()
    if call is None:
        return None
    fn, how = call
    values = caseloads or list(np.linspace(12, 31, 20))
    fn(values[0])  # first call pays imports and caches of the process, not the slider
    times = []
    for v in values:
        t = time.perf_counter()
        fn(v)
        times.append(time.perf_counter() - t)
    return statistics.median(times), float(np.percentile(times, 95)), how


PREVIEW_OUTPUT = "scn-preview.figure"


def _helpers_started(timeout: float = 60.0) -> None:
    """Wait until the processes the app starts beside itself (the run's fork server and the analysis
    process, each importing the model for about two seconds of a core) have started, as a user
    meets the server: their CPU time no longer grows over half a second."""
    me, spent, deadline = psutil.Process(), None, time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = tree_total(me, lambda p: sum(p.cpu_times()[:2]))  # user + system
        if spent is not None and now - spent < 0.02:
            return
        spent = now
        time.sleep(0.5)


def dashboard_preview():
    """(function of a relational caseload -> the preview callback's outputs, description), or None.

    The app is built by dashboard.factory.create_app on an empty data folder (so no finished
    simulation is found and the callback answers from the analytic twin), the callback that
    outputs the preview figure is looked up in app.callback_map, and the function under Dash's
    wrapper (`__wrapped__`) is called with the default inputs and a new caseload, as Dash would
    call it after the slider's input callback. Browser and HTTP time are not included."""
    try:
        from dashboard.factory import create_app
        from dashboard.inputs import Limits, defaults
    except ImportError:
        return None
    app = create_app(tempfile.mkdtemp(prefix="bench-dashboard-"))
    _helpers_started()
    entry = next((v for k, v in app.callback_map.items() if PREVIEW_OUTPUT in k), None)
    if entry is None or not hasattr(entry["callback"], "__wrapped__"):
        return None
    callback = entry["callback"].__wrapped__
    values = defaults(Limits(max_replications=500, default_replications=30))

    def slide(caseload: float):
        return callback({**values, "caseload.relational": round(float(caseload))}, None, "da")

    return slide, (f"callback for {PREVIEW_OUTPUT} called directly (app.callback_map), 20 caseloads, once the "
                   "app's fork server and analysis process have started, median")
