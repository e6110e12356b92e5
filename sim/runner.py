"""Replications: serial, in local worker processes, or on a Dask cluster, with the same numbers.

Each replication is a pure function of (scenario, seed, replication), so the order and place it
runs in cannot change its result; frames are put back in replication order before they are joined.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pandas as pd
from tqdm import tqdm

from .cache import ResultCache, model_fingerprint
from .analytic import counterfactual_costs
from .engine import TransitionLog, simulate
from .gate import RunGate
from .results import monthly_frame, switch_frame, yearly_frame
from .scenario import Scenario

Progress = Callable[[int, int], None]  # (done, total)


def project_version() -> str:
    try:
        return version("relational-welfare")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@dataclass(frozen=True)
class Manifest:
    """What a result was made from; travels with every result and export."""

    project_version: str
    scenario: str
    scenario_id: str
    assumptions_hash: str
    seed: int
    replications: int
    start: str
    years: int
    price_year: int  # every amount of money is in this year's prices (sim.prices)
    uncertainty: str = "noise"  # "parameters": each replication ran with its own draw of the assumptions
    draws_id: str | None = None  # the draws' content id (None for "noise")

    @classmethod
    def of(cls, scenario: Scenario, seed: int, replications: int, draws_id: str | None = None) -> "Manifest":
        return cls(project_version(), scenario.name, scenario.id, scenario.assumptions.digest(),
                   seed, replications, scenario.start.isoformat(), scenario.years, scenario.price_year,
                   "parameters" if draws_id else "noise", draws_id)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Results:
    monthly: pd.DataFrame | None  # None: read from the cache without its months (`cached(months=False)`)
    yearly: pd.DataFrame
    manifest: Manifest
    switches: pd.DataFrame  # when each district switched in each replication (results.SWITCH_COLUMNS)


def cache_key(scenario: Scenario, seed: int, replications: int, draws_id: str | None = None) -> str:
    """What identifies a run in the result cache: every input that determines its frames (with
    parameter draws, the id of what determines the draws)."""
    return "|".join((scenario.id, scenario.name, str(seed), str(replications), str(draws_id),
                     project_version(), model_fingerprint()))


MONTHS = "|months"  # a run's monthly frame is kept under its cache key plus this


def store(cache: ResultCache, key: str, results: Results) -> None:
    """Keep a run in the cache under `key`: its monthly frame (some 2 MB a replication) as an entry
    of its own, stored first, then the rest. So the pages that show yearly figures do not read the
    months from disk (the dashboard's Overblik read 2 x 67 MB for each of its figures after a run of
    30 replications), and whoever finds the rest finds the months too, unless evicted since."""
    cache.put(key + MONTHS, results.monthly)
    cache.put(key, replace(results, monthly=None))


def cached(scenario: Scenario, seed: int, replications: int, cache: ResultCache,
           draws_id: str | None = None, months: bool = True) -> "Results | None":
    """The run if the cache holds it (with its monthly frame if `months`), else None."""
    key = cache_key(scenario, seed, replications, draws_id)
    found = cache.get(key)
    if found is None or not months:
        return found
    monthly = cache.get(key + MONTHS)
    return None if monthly is None else replace(found, monthly=monthly)


def transition_log(scenario: Scenario, seed: int, replication: int) -> TransitionLog:
    """One replication's log; a savings-gated rollout runs with its gate (sim.gate), whose
    counterfactual is the twin's status quo of the same world."""
    gate = RunGate(scenario, counterfactual_costs(scenario)) if scenario.gated_waves() else None
    return simulate(scenario, seed, replication, gate)


def replicate(scenario: Scenario, seed: int, replication: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One replication's monthly frame and switch dates; the unit of work for every executor."""
    log = transition_log(scenario, seed, replication)
    return monthly_frame(scenario, log, replication, seed), switch_frame(scenario, log.switches, replication)


NAME_COLUMNS = ("scenario", "month", "district")  # the monthly frame's names: sent as codes, rebuilt at the end


@dataclass
class Replicated:
    """One replication as a worker sends it back: its yearly roll-up (made in the worker, so the
    parent never groups the months), its monthly columns as numpy arrays with the names
    (NAME_COLUMNS) as categorical codes, and its switch dates. A few MB of arrays instead of a
    frame of strings; the parent puts them into place as they arrive (`_Months`)."""

    yearly: pd.DataFrame
    columns: dict[str, np.ndarray]
    names: dict[str, tuple[np.ndarray, np.ndarray]]  # column -> (categories, codes)
    dtypes: dict[str, object]
    switches: pd.DataFrame


def replicate_packed(scenario: Scenario, seed: int, replication: int) -> Replicated:
    """`replicate` for the executors: the monthly frame packed, its yearly roll-up made here."""
    monthly, switches = replicate(scenario, seed, replication)
    names = {}
    for name in NAME_COLUMNS:
        codes, categories = pd.factorize(monthly[name])
        names[name] = (np.asarray(categories, dtype=object), codes.astype(np.int32))
    columns = {c: monthly[c].to_numpy() for c in monthly.columns if c not in NAME_COLUMNS}
    return Replicated(yearly_frame(monthly), columns, names, dict(monthly.dtypes), switches)


class _Months:
    """The replications' monthly columns, each written into its place in the joined columns as soon as
    it arrives, and then dropped: the parent holds the months of all replications once (plus the one
    in transit), never a list of frames beside their join. Replication r's rows follow those of
    0..r-1 (12 x years x districts rows each), so the order of arrival does not matter."""

    def __init__(self, arms: Sequence[Scenario]) -> None:
        self.offsets = np.concatenate([[0], np.cumsum([12 * a.years * len(a.districts) for a in arms])])
        self.columns: dict[str, np.ndarray] = {}
        self.dtypes: dict[str, object] = {}

    def add(self, rep: int, part: Replicated) -> None:
        lo, hi = int(self.offsets[rep]), int(self.offsets[rep + 1])
        if not self.columns:
            total = int(self.offsets[-1])
            self.dtypes = part.dtypes
            self.columns = {c: np.empty(total, dtype=object if c in NAME_COLUMNS else part.columns[c].dtype)
                            for c in part.dtypes}
        for c, values in part.columns.items():
            if len(values) != hi - lo:
                raise ValueError(f"replication {rep}: {len(values)} monthly rows, expected {hi - lo}")
            self.columns[c][lo:hi] = values
        for c, (categories, codes) in part.names.items():
            self.columns[c][lo:hi] = categories[codes]
        part.columns.clear()
        part.names.clear()

    def frame(self) -> pd.DataFrame:
        """The joined monthly frame: the numeric columns as they are (no copy), the names as the
        worker's frame had them."""
        out = {c: pd.Series(v, copy=False).astype(self.dtypes[c]) if c in NAME_COLUMNS else v
               for c, v in self.columns.items()}
        self.columns = {}
        return pd.DataFrame(out, columns=list(self.dtypes), copy=False)


def default_workers() -> int:
    return os.cpu_count() or 1


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """`workers` local processes, every one started (forked) now, before whatever the caller starts
    next: a process forked while another thread of this one holds a lock inherits it held, and waits
    for it for ever (in Python 3.11 every cached_property has one; BLAS has its own). The split by
    lever's thread (`levers.run_explained`) starts after its run's workers."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pool.submit(int).result()  # with fork, the first task starts all the processes
        yield pool


@dataclass(frozen=True)
class Arm:
    """What one set of replications runs: a scenario, and with parameter uncertainty one variant of
    it per replication (the same scenario with that replication's draw of the uncertain assumptions,
    sim.uncertainty; replication r runs variants[r] on the random numbers of replication r) and the
    id of what determines the draws. months: whether a run found in the cache is read with its
    monthly frame (a comparison's baseline needs only its years)."""

    scenario: Scenario
    variants: Sequence[Scenario] | None = None
    draws_id: str | None = None
    months: bool = True

    def per_replication(self, replications: int) -> tuple[Scenario, ...]:
        """The scenario each of the replications runs (its variant, or the scenario itself)."""
        if self.variants is not None and len(self.variants) != replications:
            raise ValueError(f"variants: expected one scenario per replication ({replications}), "
                             f"got {len(self.variants)}")
        if (self.variants is None) != (self.draws_id is None):
            raise ValueError("variants and draws_id go together")
        return tuple(self.variants) if self.variants else (self.scenario,) * replications


def run(scenario: Scenario, replications: int = 1, seed: int = 1, workers: int | None = None,
        progress: Progress | None = None, show_progress: bool = False,
        scheduler: str | None = None, cache: ResultCache | None = None,
        variants: Sequence[Scenario] | None = None, draws_id: str | None = None,
        pool: Executor | None = None) -> Results:
    """Run replications 0..n-1 and return monthly and yearly frames with their manifest.

    variants: one scenario per replication (the same scenario with that replication's draw of the
    uncertain assumptions, sim.uncertainty); replication r runs variants[r] on the random numbers
    of replication r. draws_id: what identifies the draws (required with variants).

    workers: local processes (default: all cores; 1 runs in this process). pool: local processes
    already started to run on instead (`worker_pool`). scheduler: the address of a Dask distributed
    scheduler to run on instead. progress: called as (done, total). cache: a ResultCache that
    answers a run it has seen and keeps a new one.
    """
    return run_arms([Arm(scenario, variants, draws_id)], replications, seed, workers, progress, show_progress,
                    scheduler, cache, pool)[0]


def run_arms(arms: Sequence[Arm], replications: int = 1, seed: int = 1, workers: int | None = None,
             progress: Progress | None = None, show_progress: bool = False,
             scheduler: str | None = None, cache: ResultCache | None = None,
             pool: Executor | None = None) -> list[Results]:
    """`run` for several arms at once, on the same seed and replications (a paired comparison's
    two): every replication of every arm not in the cache is handed to the workers at the start,
    so that no worker waits while an arm's results are joined and stored. `progress` sees the arms
    as one task of len(arms) x replications."""
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    scenarios = [arm.per_replication(replications) for arm in arms]
    total = len(arms) * replications
    results: dict[int, Results] = {}
    if cache is not None:
        for a, arm in enumerate(arms):
            hit = cached(arm.scenario, seed, replications, cache, arm.draws_id, arm.months)
            if hit is not None:
                results[a] = hit
    todo = [a for a in range(len(arms)) if a not in results]
    months = {a: _Months(scenarios[a]) for a in todo}
    parts: dict[int, dict[int, Replicated]] = {a: {} for a in todo}
    finished = replications * len(results)
    if progress and finished:  # the arms the cache answered
        progress(finished, total)
    bar = tqdm(total=total, initial=finished, desc=" vs ".join(arm.scenario.name for arm in arms), unit="rep",
               disable=not show_progress)

    def done(a: int, rep: int, part: Replicated) -> None:
        nonlocal finished
        months[a].add(rep, part)  # its months go into place now; the yearly roll-up and switches stay
        parts[a][rep] = part
        finished += 1
        bar.update(1)
        if progress:
            progress(finished, total)
        if len(parts[a]) == replications:
            results[a] = _joined(arms[a], seed, replications, months.pop(a), parts.pop(a), cache)

    tasks = [(a, rep) for a in todo for rep in range(replications)]
    if scheduler:
        _run_dask(scheduler, scenarios, seed, tasks, done)
    elif tasks:
        workers = min(workers or default_workers(), len(tasks))
        if pool is None and workers <= 1:
            for a, rep in tasks:
                done(a, rep, replicate_packed(scenarios[a][rep], seed, rep))
        else:
            with nullcontext(pool) if pool is not None else worker_pool(workers) as executor:
                futures = {executor.submit(replicate_packed, scenarios[a][rep], seed, rep): (a, rep) for a, rep in tasks}
                for fut in as_completed(futures):
                    done(*futures.pop(fut), fut.result())
    bar.close()
    return [results[a] for a in range(len(arms))]


def _joined(arm: Arm, seed: int, replications: int, months: _Months, parts: dict[int, Replicated],
            cache: ResultCache | None) -> Results:
    """An arm's results from its replications (stored in the cache, if given)."""
    ordered = [parts.pop(r) for r in range(replications)]
    switches = pd.concat([p.switches for p in ordered], ignore_index=True)
    yearly = pd.concat([p.yearly for p in ordered], ignore_index=True)  # each replication rolled up in its worker
    results = Results(months.frame(), yearly, Manifest.of(arm.scenario, seed, replications, arm.draws_id), switches)
    if cache is not None:
        store(cache, cache_key(arm.scenario, seed, replications, arm.draws_id), results)
    return results


def _run_dask(address: str, scenarios: Sequence[Sequence[Scenario]], seed: int, tasks: Iterable[tuple[int, int]],
              done: Callable[[int, int, Replicated], None]) -> None:
    from dask.distributed import Client, as_completed as dask_completed

    with Client(address) as client:
        futures = {client.submit(replicate_packed, scenarios[a][rep], seed, rep, pure=False): (a, rep)
                   for a, rep in tasks}
        for fut in dask_completed(futures):
            done(*futures[fut], fut.result())
