"""Helpers shared by the test modules: scenarios beyond the plausible ranges, hand-made frames, and
the month-by-month Herning check that the vectorised one is tested against.

(Not in conftest.py: tests/ and tests/browser/ each have one, and a module imported by name must
be unique across both.)"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from sim.analytic import _IX, _generator, _initial_state, trajectory
from sim.assumptions import parse_assumptions
from sim.calibrate import Herning
from sim.prices import load_price_index
from sim.rates import FOSTER, RESIDENTIAL, Rates
from sim.accounts import unit_costs
from sim.results import COST_COLUMNS, PAYER_COLUMNS, YEARLY_COLUMNS
from sim.scenario import Scenario, load_scenario
from sim.staffing import Staffing


def extreme(scenario: Scenario | str, **values: Any) -> Scenario:
    """A scenario with parameter values set as given (double underscores for dots), widening each
    parameter's plausible range to include its new value. Test configurations like 'no escalation'
    or 'capacity far above demand' lie outside the ranges the loader accepts from users."""
    base = load_scenario(scenario) if isinstance(scenario, str) else scenario
    data = base.assumptions.model_dump()
    for key, value in values.items():
        if key == "years":
            continue
        group, name = key.split("__", 1)
        p = data[group][name]
        p["value"] = float(value)
        p["low"] = min(p["low"], float(value))
        p["high"] = max(p["high"], float(value))
    assumptions = parse_assumptions(data, "test")
    years = values.get("years", base.years)
    return dataclasses.replace(base, assumptions=assumptions, years=int(years))


def classic_only(scenario: Scenario | str) -> Scenario:
    """The scenario without its pilot districts: every district starts in the classic city-wide pool
    (tests of one queue, or of the classic organisation's rates alone)."""
    base = load_scenario(scenario) if isinstance(scenario, str) else scenario
    districts = tuple(d.model_copy(update={"pilot_since": None}) for d in base.districts)
    return dataclasses.replace(base, districts=districts)


# A single-level queue: every notified child goes straight to early help, which never escalates,
# nobody relapses, need levels are all medium, and the system starts empty.
QUEUE_ONLY = dict(
    triage__no_measure_share=0.0, triage__early_share=1.0, early__escalation_share=0.0,
    relapse__probability=0.0, severity__low_share=0.0, severity__high_share=0.0,
    initial__assessment=0, initial__early=0, initial__coordinated=0, initial__intrusive=0,
    initial__relapse_pending=0,
    city__children_growth_per_year=0.0, waiting__escalation_increase_per_month=0.0,
)


def yearly(name: str, rows: list[dict]) -> pd.DataFrame:
    """A hand-made yearly frame: the given cells, zero elsewhere; MSB pays every cost not given to
    another payer (sim.payers)."""
    frame = pd.DataFrame(rows)
    for col in YEARLY_COLUMNS:
        if col not in frame:
            frame[col] = "Nord" if col == "district" else 0.0
    frame = frame.fillna({c: 0.0 for c in PAYER_COLUMNS})
    if "paid_msb_dkk" not in rows[0]:
        categories = [c for c in COST_COLUMNS if c != "cost_total_dkk"]
        frame["paid_msb_dkk"] = frame[categories].sum(axis=1) - frame["paid_mbu_dkk"] - frame["paid_state_dkk"]
    frame["scenario"] = name
    return frame[YEARLY_COLUMNS]


def flows(investment: list[list[float]], avoided: list[list[float]], first_year: int = 2023):
    """Scenario and baseline frames with the given investment (staff) and avoided (foster) costs
    per [replication][year]."""
    s, b = [], []
    for rep, (inv, av) in enumerate(zip(investment, avoided)):
        for t, (i, a) in enumerate(zip(inv, av)):
            key = {"replication": rep, "year": first_year + t}
            s.append({**key, "cost_staff_dkk": 1000.0 + i, "cost_intrusive_foster_dkk": 5000.0})
            b.append({**key, "cost_staff_dkk": 1000.0, "cost_intrusive_foster_dkk": 5000.0 + a})
    return yearly("scenario", s), yearly("baseline", b)


# -- the Herning check month by month: the reference for the vectorised calibrate.HerningWorlds -------

def steady_state(scenario: Scenario) -> np.ndarray:
    """The capacity-free state [EXT_SIZE, district] in which every district's flows balance under
    its first team with the notification source held at its start: where the scenario's population
    stands after years under today's organisation and no growth (the before-period of an evaluation
    that compares with the level before). Nobody waits; the month's accumulators are empty."""
    ix = _IX
    rates = Rates.from_scenario(scenario)
    x = _initial_state(scenario, rates)
    x[:ix.source] = 0.0
    first = Staffing.from_scenario(scenario).first_team
    held = slice(0, ix.source)  # every compartment and the relapse pool; the source stays
    for team in np.unique(first):
        m = _generator(rates, int(team), 0.0)
        cols = first == team
        x[held, cols] = np.linalg.solve(m[held, held], -np.outer(m[held, ix.source], x[ix.source, cols]))
    return x


def herning_saving_by_months(status_quo: Scenario, h: Herning) -> float:
    """`calibrate.herning_saving` as it was computed before `HerningWorlds`: the twin's trajectory
    month by month (`analytic.trajectory`, capacity-free) from the before-period's steady state, per
    district, with the pilot districts made classic. The reference the vectorised form must match."""
    world = status_quo.with_overrides({"years": h.years, "city.children_growth_per_year": 0.0}, "Herning check")
    world = classic_only(world)
    before = world.with_overrides({"caseload.classic": h.caseload_before}, "Herning check")
    level = steady_state(before)

    def placement_cost(at: Scenario) -> float:
        """Foster and residential days times their prices, from the twin's trajectory."""
        path, unit = trajectory(at, capacity=False, start=level), unit_costs(at)
        return float(sum(path.days(kind).sum() * unit[kind] for kind in (FOSTER, RESIDENTIAL)))

    pilot = world.with_overrides({"caseload.classic": h.caseload_after}, "Herning check")
    scale = h.children / world.assumptions.city.children.value * load_price_index().factor(status_quo.price_year,
                                                                                           h.price_year)
    return (placement_cost(before) - placement_cost(pilot)) * scale
