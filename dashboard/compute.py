"""The dashboard's only door into the model: the instant preview, the full run, finished runs, and
the slow analyses of the expected values (Overblik's split by lever and break-even, Usikkerhed's
tornado).

Every figure asks `sim.Experiment` (the inputs' scenario against the status quo, with sim's
baseline rule), so the dashboard and `python -m sim compare` answer the same question the same
way. A finished run is found again through sim's result cache (keyed by scenario id, seed and
replications), so every worker process of the server sees the same results without shared memory;
the preview is kept per experiment in the process, so the pages that show it compute it once.

The slow analyses take seconds of a core for a new set of inputs. Each is kept in the result cache
for every worker (`sim.Experiment.remembered`); one not found there is computed in the worker's
analysis process, a process of its own at lower priority (`ANALYSIS_NICENESS`), while the request's
thread waits. So the analyses use the cores the previews leave idle, and a worker's other threads
go on answering (a computation in one of the worker's own threads would hold the interpreter's
lock for half their time, and a fresh process per analysis would spend more time starting than
computing).
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

from dash import Dash, Input, State

import sim
from sim.experiment import kept_expected
from sim.sensitivity import Tornado, tornado

from . import i18n
from .inputs import checked, to_experiment

if TYPE_CHECKING:
    from .services import Services


@dataclass(frozen=True)
class Outcome:
    """An experiment and its comparison; `replications` is 0 for the analytic preview."""

    experiment: sim.Experiment
    comparison: sim.Comparison
    replications: int

    @property
    def scenario(self) -> sim.Scenario:
        return self.experiment.arms[0]

    @property
    def simulated(self) -> bool:
        return self.replications > 0


# Unix niceness below the server's workers (0), whose requests are answered click by click: first the
# analyses a page waits for, then the simulation runs, which show their progress (a run keeps a
# process per core busy for a while; at equal niceness it would take the analyses' share too).
ANALYSIS_NICENESS = 10
RUN_NICENESS = 15
SERVER_WATCH_S = 1.0  # how often the analysis process looks whether its server process is still there


def lower_priority(niceness: int) -> None:
    """Run this process below the server's workers."""
    os.nice(niceness)


def _analysis_process_started(niceness: int, server: int) -> None:
    """The analysis process's start: below the server's priority, and ending with its server process
    (`server`). A server process that ends without shutting the process down (a gunicorn worker
    killed for its timeout, a process the kernel kills for memory, `python app.py` stopped by
    SIGTERM) would otherwise leave it waiting for work that never comes, with the model's 270 MB."""
    lower_priority(niceness)
    threading.Thread(target=_end_with_server, args=(server,), name="end-with-server", daemon=True).start()


def _end_with_server(server: int) -> None:
    while os.getppid() == server:  # an orphan's parent becomes init (or a subreaper)
        time.sleep(SERVER_WATCH_S)
    os._exit(0)


class AnalysisProcess(Executor):
    """One process at lower priority per server process, started with the app (`start`) or on first
    use in a process that did not start it (so that each gunicorn worker has its own, after the fork),
    as a fresh interpreter (a fork of the threaded server could copy a lock another thread holds); a
    process that died is replaced at the next analysis, and one whose server process died ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._pid = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._start()
            try:
                return self._pool.submit(fn, *args, **kwargs)
            except BrokenProcessPool:  # the process died (killed, out of memory): a new one
                self._start()
                return self._pool.submit(fn, *args, **kwargs)

    def start(self) -> None:
        """Start the process now, without waiting for it: a fresh interpreter takes about 1.8 s to
        import the model, which the first analysis (an export's workbook after a run, a new set of
        inputs on Overblik) would otherwise wait for."""
        self.submit(int)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.shutdown(wait, cancel_futures=cancel_futures)
            self._pool = None

    def _start(self) -> None:
        self._pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=_analysis_process_started,
                                         initargs=(ANALYSIS_NICENESS, os.getpid()))
        self._pid = os.getpid()


ANALYSES = AnalysisProcess()


def preview(values: Mapping[str, Any], seed: int) -> Outcome:
    """Expected values from the analytic twin: fast enough for every slider move."""
    experiment = to_experiment(values, seed)
    return Outcome(experiment, kept_expected(experiment), 0)


class FinishedRuns:
    """The simulated comparisons this server process has found in the result cache (without the
    months), the last FOUND_KEPT of them. A page's figures ask for the same run at once after it
    finishes (Overblik: three callbacks); the first reads both arms and pairs them while the others
    wait for it, instead of each doing it again beside the others (0.6 s a figure, 0.1 s alone).
    Only what was found is kept: a run not in the cache yet may be there at the next question."""

    FOUND_KEPT = 8  # a comparison without its months: well under a megabyte

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: OrderedDict[tuple[str, sim.Experiment], sim.Comparison] = OrderedDict()

    def get(self, experiment: sim.Experiment, cache: sim.ResultCache) -> sim.Comparison | None:
        key = (str(cache.directory), experiment)  # an app per data folder may share the process (tests)
        with self._lock:
            if key in self._found:
                self._found.move_to_end(key)
                return self._found[key]
            comparison = experiment.cached(cache, months=False)
            if comparison is not None:
                self._found[key] = comparison
                if len(self._found) > self.FOUND_KEPT:
                    self._found.popitem(last=False)
            return comparison


FINISHED = FinishedRuns()


def finished(values: Mapping[str, Any], seed: int, cache: sim.ResultCache, months: bool = False) -> Outcome | None:
    """The simulated outcome of these inputs if both arms are in the cache, else None; with the
    scenario's monthly frame if `months` (the export's workbook: the pages show years, `FINISHED`)."""
    experiment = to_experiment(values, seed)
    comparison = experiment.cached(cache, months=True) if months else FINISHED.get(experiment, cache)
    return None if comparison is None else Outcome(experiment, comparison, experiment.replications)


def simulate(values: Mapping[str, Any], seed: int, cache: sim.ResultCache, workers: int | None,
             progress: Callable[[int, int], None]) -> Outcome:
    """The full discrete-event simulation of the scenario and the status quo, paired, with the split
    by lever and the break-even that Overblik shows of it computed beside it (`sim.run_explained`):
    they are in the cache when the run's message appears."""
    experiment = to_experiment(values, seed)
    comparison, _ = sim.run_explained(experiment, cache, alone=False, workers=workers, progress=progress)
    return Outcome(experiment, comparison, experiment.replications)


def best(values: Mapping[str, Any], seed: int, cache: sim.ResultCache) -> Outcome:
    """The simulation if it has been run for these inputs, else the instant preview."""
    return finished(values, seed, cache) or preview(values, seed)


def explanation(outcome: Outcome, cache: sim.ResultCache, alone: bool) -> sim.Explanation:
    """Where the outcome's NPV comes from, by lever and cost item, and the break-even, of each lever
    alone too if `alone` (sim.explain)."""
    return sim.explain(outcome.experiment, outcome.comparison, cache, ANALYSES, alone)


def prepare_workbook(outcome: Outcome, cache: sim.ResultCache) -> Future:
    """Start computing what the workbook shows beyond Overblik (each lever's break-even alone, about
    3.5 s) in the analysis process, without waiting: Eksport asks when it shows a finished run, so
    that the download is mostly ready by the click. A download asked for sooner waits for it there,
    and then finds the twin's comparisons in that process's memory; one found in the cache returns
    at once."""
    return ANALYSES.submit(_kept_explanation, outcome.experiment, str(cache.directory))


def _kept_explanation(experiment: sim.Experiment, directory: str) -> None:
    """In the analysis process: the explanation with each lever alone, kept in the result cache."""
    cache = sim.ResultCache(directory)
    try:
        sim.explain(experiment, cache=cache)
    finally:
        cache.close()


def swings(experiment: sim.Experiment, cache: sim.ResultCache) -> Tornado:
    """The tornado of the expected NPV, one assumption at a time (sim.sensitivity.tornado)."""
    return experiment.remembered("tornado", tornado, cache, ANALYSES)


def on_outcome(app: Dash, services: "Services", *outputs: Any):
    """Register `draw(outcome, values, lang)` as the callback that redraws `outputs` from the best
    outcome of the shared inputs whenever they change or a run finishes (invalid inputs: nothing)."""
    def register(draw: Callable[[Outcome, dict[str, Any], str], Any]):
        @app.callback(*outputs, Input("inputs", "data"), Input("run-finished", "data"), State("lang", "value"))
        def redraw(values: Any, _finished: Any, lang: Any):
            values = checked(values, services.limits)
            return draw(best(values, services.seed, services.cache), values, i18n.language(lang))
        return draw
    return register
