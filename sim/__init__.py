"""The relational-welfare model. This module names the public API that `dashboard/` may use.

Data flows one way: assumptions -> scenario -> engine -> results -> finance -> dashboard/exports.
"""

from .assumptions import AssumptionError, Assumptions, Param, load_assumptions, load_districts
from .results import MONTHLY_COLUMNS, YEARLY_COLUMNS
from .runner import Manifest, Results, project_version, run
from .scenario import Scenario, list_scenarios, load_scenario, parse_scenario_text, scenario_names

__all__ = [
    "AssumptionError", "Assumptions", "Param", "load_assumptions", "load_districts",
    "MONTHLY_COLUMNS", "YEARLY_COLUMNS", "Manifest", "Results", "project_version", "run",
    "Scenario", "list_scenarios", "load_scenario", "parse_scenario_text", "scenario_names",
]
