"""Fixtures shared by the model tests (helpers that tests import live in helpers.py)."""

from __future__ import annotations

import pytest

from sim.scenario import Scenario, load_scenario


@pytest.fixture(scope="session")
def plan() -> Scenario:
    return load_scenario("plan")


@pytest.fixture(scope="session")
def status_quo() -> Scenario:
    return load_scenario("status-quo")
