"""Replications: serial, in local worker processes, or on a Dask cluster, with the same numbers.

Each replication is a pure function of (scenario, seed, replication), so the order and place it
runs in cannot change its result; frames are put back in replication order before they are joined.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
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
    monthly: pd.DataFrame
    yearly: pd.DataFrame
    manifest: Manifest
    switches: pd.DataFrame  # when each district switched in each replication (results.SWITCH_COLUMNS)


def cache_key(scenario: Scenario, seed: int, replications: int, draws_id: str | None = None) -> str:
    """What identifies a run in the result cache: every input that determines its frames (with
    parameter draws, the id of what determines the draws)."""
    return "|".join((scenario.id, scenario.name, str(seed), str(replications), str(draws_id),
                     project_version(), model_fingerprint()))


def cached(scenario: Scenario, seed: int, replications: int, cache: ResultCache,
           draws_id: str | None = None) -> "Results | None":
    """The run if the cache holds it, else None."""
    return cache.get(cache_key(scenario, seed, replications, draws_id))


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
    already started to run on instead (`worker_pool`: both arms of a comparison on one). scheduler:
    the address of a Dask distributed scheduler to run on instead. progress: called as (done, total).
    cache: a ResultCache that answers a run it has seen and keeps a new one.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if variants is not None and len(variants) != replications:
        raise ValueError(f"variants: expected one scenario per replication ({replications}), got {len(variants)}")
    if (variants is None) != (draws_id is None):
        raise ValueError("variants and draws_id go together")
    arms = tuple(variants) if variants else (scenario,) * replications
    if cache is not None:
        hit = cached(scenario, seed, replications, cache, draws_id)
        if hit is not None:
            if progress:
                progress(replications, replications)
            return hit
    frames: dict[int, Replicated] = {}
    months = _Months(arms)
    bar = tqdm(total=replications, desc=scenario.name, unit="rep", disable=not show_progress)

    def done(rep: int, frame: Replicated) -> None:
        months.add(rep, frame)  # its months go into place now; the yearly roll-up and switches stay
        frames[rep] = frame
        bar.update(1)
        if progress:
            progress(len(frames), replications)

    reps = range(replications)
    if scheduler:
        _run_dask(scheduler, arms, seed, reps, done)
    else:
        workers = min(workers or default_workers(), replications)
        if pool is None and workers <= 1:
            for rep in reps:
                done(rep, replicate_packed(arms[rep], seed, rep))
        else:
            with nullcontext(pool) if pool is not None else worker_pool(workers) as executor:
                futures = {executor.submit(replicate_packed, arms[rep], seed, rep): rep for rep in reps}
                for fut in as_completed(futures):
                    done(futures[fut], fut.result())
    bar.close()
    parts = [frames.pop(r) for r in reps]
    switches = pd.concat([p.switches for p in parts], ignore_index=True)
    yearly = pd.concat([p.yearly for p in parts], ignore_index=True)  # each replication rolled up in its worker
    results = Results(months.frame(), yearly, Manifest.of(scenario, seed, replications, draws_id), switches)
    if cache is not None:
        cache.put(cache_key(scenario, seed, replications, draws_id), results)
    return results


def _run_dask(address: str, arms: Sequence[Scenario], seed: int, reps: Iterable[int],
              done: Callable[[int, Replicated], None]) -> None:
    from dask.distributed import Client, as_completed as dask_completed

    with Client(address) as client:
        futures = {client.submit(replicate_packed, arms[rep], seed, rep, pure=False): rep for rep in reps}
        for fut in dask_completed(futures):
            done(futures[fut], fut.result())
