"""The paired experiment: one scenario against a baseline on common random numbers, the one way
every front end (command line, dashboard, sensitivity, sweep, validation) asks for savings.

The baseline rule, written once: each assumption in base.toml is either a fact about the world
(`kind = "world"`: prices, salaries, base rates, the classic organisation, the children; and the
horizon) or a policy choice (`kind = "policy"`: relational caseload and case slots, the relational
practice's effects, coordinator and implementation spending; and the rollout). A world change made
on either arm applies to both arms; a policy change stays with the arm that makes it. Two arms that
set the same world assumption to different values describe two worlds, not one decision, and are
refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any, TypeVar

import pandas as pd

from .analytic import expected_switches, expected_yearly
from .assumptions import WORLD, AssumptionError, _digest
from .cache import ResultCache, model_fingerprint
from .calibrate import load_targets
from .finance import Comparison, paired
from .runner import (Arm, Manifest, Progress, Results, cache_key, cached, default_workers, project_version,
                     run_arms, worker_pool)
from .scenario import Scenario
from .uncertainty import DEFAULT_UNCERTAINTY, UNCERTAINTIES, Draws, draw


def shared_world(scenario: Scenario, baseline: Scenario) -> dict[str, Any]:
    """The world changes of both arms, merged; a conflict is an AssumptionError naming it. The
    price year is a world setting too: set in one arm, both arms are converted to it before their
    amounts of money are compared and shared."""
    s, b = scenario.world_changes(), baseline.world_changes()
    for key in s.keys() & b.keys():
        if s[key] != b[key]:
            raise AssumptionError(
                f"paired comparison: {key} is {s[key]!r} in {scenario.name} but {b[key]!r} in {baseline.name}; "
                "a world assumption must be the same in both arms (set it in one of them, or the same in both)")
    year = s.get("price_year", b.get("price_year"))
    if year is not None and (scenario.price_year != year or baseline.price_year != year):
        return shared_world(scenario.with_overrides({"price_year": year}, "price_year"),
                            baseline.with_overrides({"price_year": year}, "price_year"))
    return {**b, **s}


def comparison_manifest(scenario: Manifest, baseline: Manifest) -> dict[str, Any]:
    """One flat manifest for a comparison: what both arms were made from."""
    return {
        "project_version": scenario.project_version,
        "scenario": scenario.scenario,
        "scenario_id": scenario.scenario_id,
        "scenario_assumptions_hash": scenario.assumptions_hash,
        "baseline": baseline.scenario,
        "baseline_id": baseline.scenario_id,
        "baseline_assumptions_hash": baseline.assumptions_hash,
        "seed": scenario.seed,
        "replications": scenario.replications,
        "start": scenario.start,
        "years": scenario.years,
        "price_year": scenario.price_year,
        "uncertainty": scenario.uncertainty,
        "draws_id": scenario.draws_id,
    }

T = TypeVar("T")


@lru_cache(maxsize=128)
def _baseline_expected(baseline: Scenario) -> pd.DataFrame:
    """The analytic twin's yearly table of a baseline arm, kept per process: the questions asked
    one after another (the dashboard's previews, the levers' split and break-even, a tornado's
    eighty worlds) mostly vary the policy, and a policy change leaves the baseline arm as it was
    (the baseline rule). Keyed by the arm itself (its assumptions, districts, rollout, horizon and
    name), so an arm whose world changed is a new key; the table (about 0.2 MB) is shared, never
    changed by its readers."""
    return expected_yearly(baseline)


@dataclass(frozen=True)
class Experiment:
    """A scenario, a baseline, a seed, a number of replications and the uncertainty to show: one
    paired question.

    `arms` applies the baseline rule; `run` simulates both arms on common random numbers (or
    answers from the cache), with one draw of the uncertain assumptions per replication when
    `uncertainty` is "parameters" (sim.uncertainty); `expected` gives the analytic twin's answer
    at the assumptions' values."""

    scenario: Scenario
    baseline: Scenario
    seed: int = 1
    replications: int = 10
    uncertainty: str = DEFAULT_UNCERTAINTY

    def __post_init__(self) -> None:
        if isinstance(self.replications, bool) or not isinstance(self.replications, int) or self.replications < 1:
            raise ValueError(f"replications must be a whole number of at least 1, got {self.replications!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative whole number, got {self.seed!r}")
        if self.uncertainty not in UNCERTAINTIES:
            raise ValueError(f"uncertainty: expected one of {', '.join(UNCERTAINTIES)}, got {self.uncertainty!r}")
        self.arms  # the rule is checked when the question is asked, not when it is run

    @cached_property
    def arms(self) -> tuple[Scenario, Scenario]:
        """(scenario arm, baseline arm): each arm with its own policy and the shared world."""
        world = shared_world(self.scenario, self.baseline)
        return (self.scenario.with_overrides(world, "world"), self.baseline.with_overrides(world, "world"))

    def varied(self, values: Mapping[str, Any], origin: str = "override") -> "Experiment":
        """The same question with some settings changed: each one where the baseline rule puts it
        (a world value in both arms, a policy value in the scenario). Amounts of money are in the
        arms' price year: the values go to the arms, in which the shared world is already set."""
        scenario, baseline = self.arms
        params = scenario.assumptions.params()
        world = {k: v for k, v in values.items()
                 if k in ("start", "years", "price_year") or (k in params and params[k].kind == WORLD)}
        return replace(self, scenario=scenario.with_overrides(values, origin),
                       baseline=baseline.with_overrides(world, origin))

    @cached_property
    def draws(self) -> Draws | None:
        """The replications' draws of the uncertain assumptions (None for "noise"), made in the
        baseline arm's world."""
        return draw(self.arms[1], self.replications, self.seed) if self.uncertainty == "parameters" else None

    @cached_property
    def draws_id(self) -> str | None:
        """What determines the draws (the baseline arm's world with its distributions, the Herning
        prior, seed and replications), cheap to compute: finds a run in the cache without drawing."""
        if self.uncertainty != "parameters":
            return None
        world = self.arms[1]
        return _digest([world.id, world.assumptions.digest(), load_targets().herning.model_dump(), self.seed,
                        self.replications])[:16]

    @cached_property
    def variants(self) -> tuple[tuple[Scenario, ...], tuple[Scenario, ...]] | tuple[None, None]:
        """Per arm, one scenario per replication with its draw set as the baseline rule puts it."""
        if self.draws is None:
            return None, None
        pairs = [self.varied(values, "parameter draw").arms for values in self.draws.values]
        return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)

    def _pair(self, scenario: Results, baseline: Results) -> Comparison:
        comparison = paired(scenario.yearly, baseline.yearly, self.arms[0].assumptions,
                            comparison_manifest(scenario.manifest, baseline.manifest))
        return replace(comparison, scenario_monthly=scenario.monthly, switches=scenario.switches)

    def run(self, workers: int | None = None, scheduler: str | None = None, cache: ResultCache | None = None,
            progress: Progress | None = None, show_progress: bool = False,
            pool: Executor | None = None) -> Comparison:
        """Simulate both arms with the same seed and replications, then pair them, both arms' replications
        handed at once to one set of local worker processes (`pool` if given, else started here;
        `runner.run_arms`). `progress` sees both arms as one task of 2 x replications."""
        n = self.replications
        hit = self.cached(cache) if cache is not None else None
        if hit is not None:  # answered without drawing the parameters again
            if progress:
                progress(2 * n, 2 * n)
            return hit

        (scenario, baseline), (s_variants, b_variants) = self.arms, self.variants
        arms = [Arm(scenario, s_variants, self.draws_id), Arm(baseline, b_variants, self.draws_id, months=False)]
        with nullcontext(pool) if pool is not None else self.processes(workers, scheduler) as processes:
            return self._pair(*run_arms(arms, n, self.seed, workers, progress, show_progress, scheduler, cache,
                                        processes))

    def processes(self, workers: int | None = None, scheduler: str | None = None
                ) -> AbstractContextManager[Executor | None]:
        """The local worker processes a run of this experiment uses, started now (`worker_pool`):
        none for one worker or a Dask scheduler."""
        n = min(workers or default_workers(), self.replications)
        return worker_pool(n) if scheduler is None and n > 1 else nullcontext()

    def in_cache(self, cache: ResultCache) -> bool:
        """Whether the cache holds both arms' runs (nothing is read)."""
        return all(cache_key(arm, self.seed, self.replications, self.draws_id) in cache for arm in self.arms)

    def cached(self, cache: ResultCache, months: bool = True) -> Comparison | None:
        """The simulated comparison if the cache holds both arms, else None (nothing runs). months:
        with the scenario arm's monthly frame (`Comparison.scenario_monthly`, which only the
        workbook's monthly sheet shows); the baseline's is never read."""
        scenario = cached(self.arms[0], self.seed, self.replications, cache, self.draws_id, months)
        baseline = cached(self.arms[1], self.seed, self.replications, cache, self.draws_id, months=False)
        if scenario is None or baseline is None:
            return None
        return self._pair(scenario, baseline)

    def expected(self) -> Comparison:
        """The analytic twin's expected values for the same pair (no capacity limits, no noise)."""
        scenario, baseline = self.arms
        return replace(paired(expected_yearly(scenario), _baseline_expected(baseline), scenario.assumptions),
                       switches=expected_switches(scenario))

    def remembered(self, name: str, analysis: "Callable[[Experiment], T]", cache: ResultCache | None,
                   executor: Executor | None = None) -> T:
        """`analysis(self)`, an analysis of the expected values named `name` (the split by lever, the
        tornado), kept in `cache` for every process that opens it (the dashboard's workers): found
        again by both arms' assumptions (values, ranges, sources), districts, rollout and horizon,
        the Herning prior the sensitivity analyses solve for, the project version and the model
        code. Not by the seed, replications or uncertainty: expected values do not depend on them.
        Without a cache, computed each time. `executor`: where it is computed when it is not found
        (e.g. a process of lower priority; `analysis` must then be a module-level function), else
        here."""
        def compute() -> T:
            return analysis(self) if executor is None else executor.submit(analysis, self).result()

        if cache is None:
            return compute()
        key = "|".join((name, _digest([[arm.id, arm.assumptions.digest()] for arm in self.arms]
                                       + [load_targets().herning.model_dump()])[:32],
                        project_version(), model_fingerprint()))
        found = cache.get(key)
        if found is None:
            found = compute()
            cache.put(key, found)
        return found


EXPECTED_KEPT = 64  # an explanation and each lever's search alone ask for about fifty (some 0.4 MB each)


@lru_cache(maxsize=EXPECTED_KEPT)
def kept_expected(experiment: Experiment) -> Comparison:
    """`experiment.expected()`, kept per process for the last EXPECTED_KEPT experiments asked for:
    the dashboard's previews, the split by lever's coalitions, its break-even searches and each
    lever's search alone (sim.levers) ask for the same ones again, the last possibly later (an
    export after Overblik). The comparison is shared, never changed by its readers."""
    return experiment.expected()
