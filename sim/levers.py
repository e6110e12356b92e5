"""Where the savings come from: the levers, the split of the NPV by lever, and break-even.

A lever is one mechanism by which relational work saves money (`lever` in base.toml): (a)
caseload -> escalation, (b) caseload -> resolution of early and coordinated help, (c) placement
length, (d) placement type mix, (e) the relational practice's shifts at triage and assessment. A
lever at fraction f has each of its parameters at f times its value, set as the baseline rule puts
it (`Experiment.varied`); at 0 the lever does nothing, at 1 it is as assumed.

Everything here uses the analytic twin's expected values, which take a fraction of a second per
pair, so the split and the break-even need no simulation:

- The split of the NPV (and of the placements avoided) over the levers is their Shapley value:
  the mean, over every order in which the levers could be switched on, of what switching a lever
  on adds. It does not depend on an arbitrary order, and the levers' values add up exactly to the
  NPV with every lever on minus the NPV with none (5 levers: 32 pairs).
- The channels of `npv_by_channel_dkk` are the levers' Shapley values, then `capacity` (the
  avoided cost with no lever on: the relational teams' case slots alone), then the investment by
  item (`staff`, `coordinator`, `implementation`, negative), then `simulation` (the simulated mean
  NPV minus the expected one: capacity limits and chance; 0 for an expected comparison). They sum
  exactly to the comparison's NPV.
- The break-even effect fraction is the fraction of every lever together at which the expected
  NPV is zero; the payback fraction the one at which the undiscounted net over the horizon is zero
  (paid back by the horizon's end); per lever, the fraction of that lever alone (the others off)
  at which the NPV is zero, within its parameters' ranges. None when the NPV does not reach zero,
  with the reason.

The split and the break-even of every lever together take about twenty pairs (16 distinct
coalitions, as `placement_length` is 0 by default, and Brent's method for two roots), each lever
alone about twenty more (four roots): some 90 ms of a core a pair for the plan, nearly all of it
the twin's solves (two per pair, with the queues the levers' fractions bring). Each pair is computed
once per process while it is among the last it has asked for (`experiment.kept_expected`: the
coalitions of the split are where each lever's search alone starts), and `explain` keeps its
result in a result cache when given one, for every process that opens it; `run_explained` computes it while the simulation runs. Each
lever alone is asked for only where it is shown (`levers_alone`: the command line and the exports,
not Overblik).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from scipy.optimize import brentq

from .assumptions import LEVERS
from .cache import ResultCache
from .experiment import Experiment, kept_expected
from .finance import INVESTMENT_BY_CATEGORY, Comparison, discount_factors

CHANNELS = (*LEVERS, "capacity", "staff", "coordinator", "implementation", "simulation")


def lever_parameters(experiment: Experiment) -> dict[str, tuple[str, ...]]:
    """Each lever's parameters, as base.toml assigns them."""
    params = experiment.scenario.assumptions.params()
    return {lever: tuple(k for k, p in params.items() if p.lever == lever) for lever in LEVERS}


def at_fractions(experiment: Experiment, fractions: dict[str, float]) -> Experiment:
    """The experiment with each named lever at a fraction of its assumed strength."""
    params = experiment.scenario.assumptions.params()
    values = {k: f * params[k].value for lever, f in fractions.items() for k in lever_parameters(experiment)[lever]}
    return experiment.varied(values, "levers") if values else experiment


def shapley(value: Callable[[frozenset[str]], float], players: Iterable[str]) -> dict[str, float]:
    """Exact Shapley values of a game given by `value` of each coalition."""
    players = tuple(players)
    n = len(players)
    v = {frozenset(c): value(frozenset(c)) for k in range(n + 1) for c in combinations(players, k)}
    out = {}
    for p in players:
        others = [q for q in players if q != p]
        out[p] = sum(math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n) * (v[s | {p}] - v[s])
                     for k in range(n) for s in map(frozenset, combinations(others, k)))
    return out


@dataclass(frozen=True)
class BreakEven:
    fraction: float | None  # of every lever together: expected NPV = 0
    payback_fraction: float | None  # undiscounted net over the horizon = 0
    reason: str | None  # why fraction is None
    by_lever: dict[str, float | None] | None = None  # each lever alone, the others off (None: not asked for)


@dataclass(frozen=True)
class Explanation:
    """Where an experiment's NPV comes from and how much of the effect it needs."""

    npv_by_channel_dkk: dict[str, float]
    placements_avoided_by_lever: dict[str, float]
    break_even: BreakEven

    def as_dict(self) -> dict[str, Any]:
        """The summary JSON's keys for the explanation (see the README)."""
        return {
            "npv_by_channel_dkk": self.npv_by_channel_dkk,
            "placements_avoided_by_lever": self.placements_avoided_by_lever,
            "break_even_effect_fraction": self.break_even.fraction,
            "break_even_reason": self.break_even.reason,
            "payback_effect_fraction": self.break_even.payback_fraction,
            **({} if self.break_even.by_lever is None else {"break_even_by_lever": self.break_even.by_lever}),
        }


def _root(f: Callable[[float], float], high: float, known: Iterable[float] = ()) -> float | None:
    """The zero of an increasing effect curve on [0, high] (0 if the curve starts at or above it),
    or None. `known`: fractions at which f is already computed (the comparisons are kept), which
    narrow the bracket before Brent's method starts; f is asked at them in order, from 0, until it
    reaches zero (a lever that breaks even at its assumed strength is not asked at its ceiling)."""
    below = None
    for x in sorted({0.0, high, *(x for x in known if 0.0 < x < high)}):  # up to the first at or above zero
        if f(x) >= 0:
            return 0.0 if below is None else float(brentq(f, below, x, xtol=1e-4))
        below = x
    return None


def break_even(experiment: Experiment) -> BreakEven:
    """The break-even fractions of every lever together (see the module docstring; `by_lever` is
    left to `levers_alone`). The payback search starts from the fractions the NPV search tried."""
    tried: list[float] = []

    def every(f: float) -> Comparison:
        tried.append(f)
        return kept_expected(at_fractions(experiment, dict.fromkeys(LEVERS, f)))

    fraction = _root(lambda f: every(f).summary.npv_dkk.mean, 1.0)
    payback = _root(lambda f: every(f).summary.net_dkk.mean, 1.0, tuple(tried))
    reason = None if fraction is not None else "the expected NPV is negative even with the full assumed effect"
    return BreakEven(fraction, payback, reason)


def levers_alone(experiment: Experiment) -> dict[str, float | None]:
    """Per lever, the fraction of that lever alone (the others off) at which the expected NPV is
    zero, within its parameters' ranges (None where it is not reached, or the lever is at zero).
    Each search starts from the lever at 1 with the others off, a Shapley coalition of the split."""
    params = experiment.scenario.assumptions.params()
    by_lever: dict[str, float | None] = {}
    for lever, keys in lever_parameters(experiment).items():
        if not keys or all(params[k].value == 0 for k in keys):
            by_lever[lever] = None
            continue
        ceiling = min(params[k].high / params[k].value for k in keys if params[k].value > 0)

        def alone(f: float, lever: str = lever) -> float:
            alone_at = at_fractions(experiment, {**dict.fromkeys(LEVERS, 0.0), lever: f})
            return kept_expected(alone_at).summary.npv_dkk.mean

        by_lever[lever] = _root(alone, ceiling, (1.0,))
    return by_lever


def present_value(comparison: Comparison, column: str, rate: float, rate_after_35: float) -> float:
    """The mean over replications of a yearly column's discounted sum."""
    wide = comparison.per_replication.pivot(index="replication", columns="year", values=column).sort_index(axis=1)
    return float((wide.to_numpy() @ discount_factors(wide.shape[1], rate, rate_after_35)).mean())


def _expected_explanation(experiment: Experiment) -> Explanation:
    """The explanation of the experiment's expected comparison (its `simulation` channel is 0), each
    lever alone not asked for."""
    off = dict.fromkeys(LEVERS, 0.0)

    def coalition(on: frozenset[str]) -> Comparison:
        return kept_expected(at_fractions(experiment, {**off, **dict.fromkeys(on, 1.0)}))

    npv = shapley(lambda on: coalition(on).summary.npv_dkk.mean, LEVERS)
    placements = shapley(lambda on: coalition(on).summary.placements_avoided.mean, LEVERS)
    none = coalition(frozenset())
    finance = experiment.arms[0].assumptions.finance
    rates = (finance.discount_rate.value, finance.discount_rate_after_35.value)
    investment = {item.removeprefix("investment_").removesuffix("_dkk"): -present_value(none, item, *rates)
                  for item in INVESTMENT_BY_CATEGORY}
    channels = {**npv, "capacity": none.summary.npv_dkk.mean - sum(investment.values()), **investment,
                "simulation": 0.0}
    return Explanation({k: float(channels[k]) for k in CHANNELS}, {k: float(v) for k, v in placements.items()},
                       break_even(experiment))


def explain(experiment: Experiment, comparison: Comparison | None = None,
            cache: ResultCache | None = None, executor: Executor | None = None,
            alone: bool = True) -> Explanation:
    """The split of `comparison`'s NPV (the experiment's expected comparison if None) by channel
    and of its placements avoided by lever, and the break-even fractions (of each lever alone too,
    if `alone`). Everything but the `simulation` channel (the comparison's NPV minus the other
    channels) comes from the expected values alone: with a `cache`, each part is computed once for
    every process that opens the cache, in `executor` if given (`Experiment.remembered`)."""
    expected = experiment.remembered("explanation", _expected_explanation, cache, executor)
    if alone:
        by_lever = experiment.remembered("break_even_by_lever", levers_alone, cache, executor)
        expected = replace(expected, break_even=replace(expected.break_even, by_lever=by_lever))
    return expected if comparison is None else _with_simulation(expected, comparison)


def _with_simulation(expected: Explanation, comparison: Comparison) -> Explanation:
    """The expected explanation with its `simulation` channel: the comparison's NPV minus the rest."""
    channels = expected.npv_by_channel_dkk
    simulation = comparison.summary.npv_dkk.mean - sum(v for k, v in channels.items() if k != "simulation")
    return replace(expected, npv_by_channel_dkk={**channels, "simulation": float(simulation)})


def run_explained(experiment: Experiment, cache: ResultCache | None = None, alone: bool = True, **options: Any
                  ) -> tuple[Comparison, Explanation]:
    """`experiment.run(cache=cache, **options)` and its explanation (`explain`, each lever alone if
    `alone`), whose expected part is computed
    beside the simulation, in a thread of this process, instead of after it: the simulation's
    workers are other processes, so the two share the cores rather than take turns. Unless the run
    is cached, the parameters are drawn and the workers started before that thread starts: the draws
    are solved in this process too, and two threads of one process would take turns; and a process
    forked beside a running thread may inherit a lock it holds (`runner.worker_pool`)."""
    fresh = cache is None or not experiment.in_cache(cache)  # run() reads it, if it is there
    if fresh:
        experiment.variants
    processes = experiment.processes(options.get("workers"), options.get("scheduler")) if fresh else nullcontext()
    with processes as pool, ThreadPoolExecutor(1) as beside:
        expected = beside.submit(explain, experiment, None, cache, None, alone)
        comparison = experiment.run(cache=cache, pool=pool, **options)
        return comparison, _with_simulation(expected.result(), comparison)


def _share(fraction: float | None) -> str:
    return "never" if fraction is None else f"{fraction:.0%}"


def format_explanation(e: Explanation) -> str:
    """The split by channel and the break-even, as the command line prints them."""
    b = e.break_even
    lines = ["NPV by channel (m DKK): " + ", ".join(f"{k} {v / 1e6:,.1f}" for k, v in e.npv_by_channel_dkk.items())]
    if b.fraction is None:
        lines.append(f"break-even: none ({b.reason})")
    else:
        lines.append(f"break-even: the expected NPV is positive if at least {_share(b.fraction)} of the assumed "
                     f"effect materialises (paid back by the horizon's end at {_share(b.payback_fraction)})"
                     + ("" if b.by_lever is None else
                        "; each lever alone: " + ", ".join(f"{k} {_share(v)}" for k, v in b.by_lever.items())))
    return "\n".join(lines)
