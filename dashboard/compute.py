"""The dashboard's only door into the model: the instant preview, the full run, and finished runs.

Every figure asks `sim.Experiment` (the inputs' scenario against the status quo, with sim's
baseline rule), so the dashboard and `python -m sim compare` answer the same question the same
way. A finished run is found again through sim's result cache (keyed by scenario id, seed and
replications), so every worker process of the server sees the same results without shared memory;
the preview is kept per experiment in the process, so the pages that show it compute it once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dash import Dash, Input, State

import sim

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


@lru_cache(maxsize=32)
def _expected(experiment: sim.Experiment) -> sim.Comparison:
    return experiment.expected()


def preview(values: Mapping[str, Any], seed: int) -> Outcome:
    """Expected values from the analytic twin: fast enough for every slider move."""
    experiment = to_experiment(values, seed)
    return Outcome(experiment, _expected(experiment), 0)


def finished(values: Mapping[str, Any], seed: int, cache: sim.ResultCache) -> Outcome | None:
    """The simulated outcome of these inputs if both arms are in the cache, else None."""
    experiment = to_experiment(values, seed)
    comparison = experiment.cached(cache)
    return None if comparison is None else Outcome(experiment, comparison, experiment.replications)


def simulate(values: Mapping[str, Any], seed: int, cache: sim.ResultCache, workers: int | None,
             progress: Callable[[int, int], None]) -> Outcome:
    """The full discrete-event simulation of the scenario and the status quo, paired."""
    experiment = to_experiment(values, seed)
    comparison = experiment.run(workers=workers, cache=cache, progress=progress)
    return Outcome(experiment, comparison, experiment.replications)


def best(values: Mapping[str, Any], seed: int, cache: sim.ResultCache) -> Outcome:
    """The simulation if it has been run for these inputs, else the instant preview."""
    return finished(values, seed, cache) or preview(values, seed)


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
