"""The relational-welfare model. This module names the public API that `dashboard/` may use.

Data flows one way: assumptions -> scenario -> engine -> results -> finance -> dashboard/exports.
"""

from .analytic import expected_monthly, expected_yearly
from .assumptions import AssumptionError, Assumptions, Param, load_assumptions, load_districts
from .cache import ResultCache
from .calibrate import Targets, load_targets
from .export import comparison_workbook, csv_bytes, xlsx_bytes
from .finance import Comparison, compare_scenarios, paired
from .results import MONTHLY_COLUMNS, YEARLY_COLUMNS
from .runner import Manifest, Results, project_version, run
from .scenario import Scenario, list_scenarios, load_scenario, parse_scenario_text, scenario_names

__all__ = [
    "ResultCache",
    "expected_yearly", "expected_monthly", "Targets", "load_targets",
    "AssumptionError", "Assumptions", "Param", "load_assumptions", "load_districts",
    "comparison_workbook", "csv_bytes", "xlsx_bytes", "Comparison", "compare_scenarios", "paired",
    "MONTHLY_COLUMNS", "YEARLY_COLUMNS", "Manifest", "Results", "project_version", "run",
    "Scenario", "list_scenarios", "load_scenario", "parse_scenario_text", "scenario_names",
]
