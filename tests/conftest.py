"""Shared helpers for the tests: scenarios that go beyond the plausible ranges on purpose."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from sim.assumptions import parse_assumptions
from sim.scenario import Scenario, load_scenario


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


# A single-level queue: every notified child goes straight to early help, which never escalates,
# nobody relapses, need levels are all medium, and the system starts empty.
QUEUE_ONLY = dict(
    triage__no_measure_share=0.0, triage__early_share=1.0, early__escalation_share=0.0,
    relapse__probability=0.0, severity__low_share=0.0, severity__high_share=0.0,
    initial__assessment=0, initial__early=0, initial__coordinated=0, initial__intrusive=0,
    initial__relapse_pending=0,
    city__children_growth_per_year=0.0, waiting__escalation_increase_per_month=0.0,
)


@pytest.fixture(scope="session")
def plan() -> Scenario:
    return load_scenario("plan")


@pytest.fixture(scope="session")
def status_quo() -> Scenario:
    return load_scenario("status-quo")
