"""One replication, the unit of work of every executor: its transition log, and from it the
replication's accounts by month and by year as numpy arrays, and when each district switched.

A pure function of (scenario, seed, replication). This module and what it imports need neither
pandas nor scipy (unless the rollout is savings-gated: the gate's counterfactual is the analytic
twin's), so that a worker process holds numpy, simpy and the model, some 60 MB, not the 190 MB of
everything `sim` imports; the parent makes the frames (sim.runner).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .accounts import monthly_columns, yearly_columns
from .engine import TransitionLog, simulate
from .gate import RunGate
from .months import Calendar
from .scenario import Scenario


@dataclass
class Replicated:
    """One replication's results as a worker sends them back: its monthly accounts
    (sim.accounts.monthly_columns, [district, month]), their roll-up to years (made here, so the
    parent never groups months; [district, year]) and each district's switch day (inf if none)."""

    months: dict[str, np.ndarray]
    years: dict[str, np.ndarray]
    switch_day: np.ndarray


def transition_log(scenario: Scenario, seed: int, replication: int) -> TransitionLog:
    """One replication's log; a savings-gated rollout runs with its gate (sim.gate), whose
    counterfactual is the twin's status quo of the same world."""
    gate = None
    if scenario.gated_waves():
        from .analytic import counterfactual_costs  # the twin: scipy and pandas, only for a gated run

        gate = RunGate(scenario, counterfactual_costs(scenario))
    return simulate(scenario, seed, replication, gate)


def replicate(scenario: Scenario, seed: int, replication: int) -> Replicated:
    """Replication `replication` of `scenario` on `seed`'s random numbers."""
    log = transition_log(scenario, seed, replication)
    cal = Calendar(scenario)
    months = monthly_columns(scenario, log, replication, seed, cal)
    return Replicated(months, yearly_columns(months, cal.years), np.asarray(log.switches, dtype=float))
