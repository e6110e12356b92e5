"""Replications: serial, in local worker processes, or on a Dask cluster, with the same numbers.

Each replication is a pure function of (scenario, seed, replication) (sim.replica), so the order and
place it runs in cannot change its result; its columns are written into the replication's place in
the arm's joined columns, and the frames are made once all have come (`_Gathered`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pandas as pd
from tqdm import tqdm

from .cache import ResultCache, model_fingerprint
from .months import Calendar
from .replica import Replicated, replicate
from .results import MONTHLY_COLUMNS, YEARLY_COLUMNS, key_columns, switch_frame
from .scenario import Scenario

Progress = Callable[[int, int], None]  # (done, total)


@cache
def project_version() -> str:
    """The installed version, read once per process (half a millisecond from the package metadata;
    every run and cache key asks for it)."""
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


class _Gathered:
    """An arm's replications, each written into its place in the arm's joined columns as soon as it
    arrives, and then dropped: the parent holds the months of all replications once (plus the one
    in transit), never a list of frames beside their join. Replication r's rows follow those of
    0..r-1 (district by district, month by month or year by year within), so the order of arrival
    does not matter. Every replication of an arm has the same districts and calendar (a variant
    differs in its assumptions only)."""

    def __init__(self, arm: Arm, replications: int) -> None:
        self.arm, self.replications = arm, replications
        self.cal = Calendar(arm.scenario)
        self.months: dict[str, np.ndarray] = {}
        self.years: dict[str, np.ndarray] = {}
        self.switch_day = np.empty((replications, len(arm.scenario.districts)))
        self.arrived: set[int] = set()  # the replications written in (one sent twice counts once)

    def add(self, rep: int, part: Replicated) -> None:
        for joined, columns in ((self.months, part.months), (self.years, part.years)):
            for c, values in columns.items():
                if c not in joined:
                    joined[c] = np.empty((self.replications, *values.shape), dtype=values.dtype)
                if values.shape != joined[c].shape[1:]:
                    raise ValueError(f"replication {rep}: {c} has shape {values.shape}, expected {joined[c].shape[1:]}")
                joined[c][rep] = values
        self.switch_day[rep] = part.switch_day
        self.arrived.add(rep)

    def results(self, seed: int) -> Results:
        """The arm's frames (the numeric columns as they are, no copy), with their manifest."""
        scenario, reps = self.arm.scenario, range(self.replications)
        districts = [d.name for d in scenario.districts]
        monthly = pd.DataFrame({**key_columns(scenario.name, districts, reps, self.cal.years, self.cal.labels),
                                **{c: v.reshape(-1) for c, v in self.months.items()}}, copy=False)
        yearly = pd.DataFrame({**key_columns(scenario.name, districts, reps, np.unique(self.cal.years)),
                               **{c: v.reshape(-1) for c, v in self.years.items()}}, copy=False)
        switches = switch_frame(scenario, self.switch_day, reps)
        self.months, self.years = {}, {}
        return Results(monthly[MONTHLY_COLUMNS], yearly[YEARLY_COLUMNS],
                       Manifest.of(scenario, seed, self.replications, self.arm.draws_id), switches)


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
    todo = {a: _Gathered(arms[a], replications) for a in range(len(arms)) if a not in results}
    finished = replications * len(results)
    if progress and finished:  # the arms the cache answered
        progress(finished, total)
    bar = tqdm(total=total, initial=finished, desc=" vs ".join(arm.scenario.name for arm in arms), unit="rep",
               disable=not show_progress)

    def done(a: int, rep: int, part: Replicated) -> None:
        nonlocal finished
        todo[a].add(rep, part)
        finished += 1
        bar.update(1)
        if progress:
            progress(finished, total)
        if len(todo[a].arrived) == replications:
            results[a] = todo.pop(a).results(seed)
            if cache is not None:
                store(cache, cache_key(arms[a].scenario, seed, replications, arms[a].draws_id), results[a])

    tasks = [(a, rep) for a in todo for rep in range(replications)]
    if scheduler:
        _run_dask(scheduler, scenarios, seed, tasks, done)
    elif tasks:
        workers = min(workers or default_workers(), len(tasks))
        if pool is None and workers <= 1:
            for a, rep in tasks:
                done(a, rep, replicate(scenarios[a][rep], seed, rep))
        else:
            with nullcontext(pool) if pool is not None else worker_pool(workers) as executor:
                futures = {executor.submit(replicate, scenarios[a][rep], seed, rep): (a, rep) for a, rep in tasks}
                for fut in as_completed(futures):
                    done(*futures.pop(fut), fut.result())
    bar.close()
    return [results[a] for a in range(len(arms))]


def _run_dask(address: str, scenarios: Sequence[Sequence[Scenario]], seed: int, tasks: Iterable[tuple[int, int]],
              done: Callable[[int, int, Replicated], None]) -> None:
    from dask.distributed import Client, as_completed as dask_completed

    with Client(address) as client:
        futures = {client.submit(replicate, scenarios[a][rep], seed, rep, pure=False): (a, rep)
                   for a, rep in tasks}
        for fut in dask_completed(futures):
            done(*futures[fut], fut.result())
