"""Replications: serial, in local worker processes, or on a Dask cluster, with the same numbers.

Each replication is a pure function of (scenario, seed, replication), so the order and place it
runs in cannot change its result; frames are put back in replication order before they are joined.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
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
    frame of strings; the parent joins the columns one at a time (`_join_monthly`)."""

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


def _join_monthly(parts: list[Replicated]) -> pd.DataFrame:
    """The replications' monthly columns joined in replication order, one column at a time, each
    part's arrays freed as soon as they are joined (peak: the joined frame and one column more)."""
    first = parts[0]
    order = list(first.dtypes)
    out: dict[str, object] = {}
    for name in order:
        if name in NAME_COLUMNS:
            categories = pd.Index(np.unique(np.concatenate([p.names[name][0] for p in parts])))
            codes = np.concatenate([categories.get_indexer(p.names[name][0])[p.names[name][1]] for p in parts])
            out[name] = pd.Series(pd.Categorical.from_codes(codes, categories)).astype(first.dtypes[name])
            for p in parts:
                del p.names[name]
        else:
            out[name] = np.concatenate([p.columns.pop(name) for p in parts])
    return pd.DataFrame(out, columns=order, copy=False)  # no copy: each joined column becomes the frame's


def default_workers() -> int:
    return os.cpu_count() or 1


def run(scenario: Scenario, replications: int = 1, seed: int = 1, workers: int | None = None,
        progress: Progress | None = None, show_progress: bool = False,
        scheduler: str | None = None, cache: ResultCache | None = None,
        variants: Sequence[Scenario] | None = None, draws_id: str | None = None) -> Results:
    """Run replications 0..n-1 and return monthly and yearly frames with their manifest.

    variants: one scenario per replication (the same scenario with that replication's draw of the
    uncertain assumptions, sim.uncertainty); replication r runs variants[r] on the random numbers
    of replication r. draws_id: what identifies the draws (required with variants).

    workers: local processes (default: all cores; 1 runs in this process). scheduler: the address
    of a Dask distributed scheduler to run on instead. progress: called as (done, total).
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
    bar = tqdm(total=replications, desc=scenario.name, unit="rep", disable=not show_progress)

    def done(rep: int, frame: Replicated) -> None:
        frames[rep] = frame
        bar.update(1)
        if progress:
            progress(len(frames), replications)

    reps = range(replications)
    if scheduler:
        _run_dask(scheduler, arms, seed, reps, done)
    else:
        workers = min(workers or default_workers(), replications)
        if workers <= 1:
            for rep in reps:
                done(rep, replicate_packed(arms[rep], seed, rep))
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = {pool.submit(replicate_packed, arms[rep], seed, rep): rep for rep in reps}
                for fut in as_completed(futures):
                    done(futures[fut], fut.result())
    bar.close()
    parts = [frames.pop(r) for r in reps]
    switches = pd.concat([p.switches for p in parts], ignore_index=True)
    yearly = pd.concat([p.yearly for p in parts], ignore_index=True)  # each replication rolled up in its worker
    results = Results(_join_monthly(parts), yearly, Manifest.of(scenario, seed, replications, draws_id), switches)
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
