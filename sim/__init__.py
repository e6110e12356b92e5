"""The relational-welfare model. This module names the public API that `dashboard/` may use.

Data flows one way: assumptions -> scenario -> engine -> results -> finance -> dashboard/exports.
"""

from .analytic import expected_monthly, expected_yearly
from .assumptions import AssumptionError, Assumptions, Param, load_assumptions, load_districts, shown
from .cache import ResultCache
from .calibrate import Targets, load_targets
from .experiment import Experiment
from .export import budget_frame, comparison_workbook, csv_bytes, xlsx_bytes, yearly_frame
from .finance import Comparison, Interval, Summary, paired
from .goalseek import LEVERS as GOAL_LEVERS, GoalSeek, check as check_goal, goal_seek
from .levers import Explanation, explain, run_explained
from .payers import PAYERS
from .prices import PriceIndex, default_price_year, load_price_index, reprice
from .results import MONTHLY_COLUMNS, SWITCH_COLUMNS, YEARLY_COLUMNS, switch_statistics
from .uncertainty import DEFAULT_UNCERTAINTY, UNCERTAINTIES
from .runner import Manifest, Results, project_version, run
from .scenario import (DEFAULT_GATE, GATE_BASES, MAX_YEARS, NEVER, NONE, Gate, Scenario, ScenarioSpec, list_scenarios, load_scenario, parse_scenario_text,
                       parse_number, parse_whole_number, scenario_names, spec_from_overrides)

__all__ = [
    "ResultCache", "Experiment",
    "expected_yearly", "expected_monthly", "Targets", "load_targets",
    "AssumptionError", "Assumptions", "Param", "load_assumptions", "load_districts", "shown",
    "GOAL_LEVERS", "GoalSeek", "check_goal", "goal_seek", "Explanation", "explain", "run_explained", "PAYERS", "PriceIndex", "default_price_year", "load_price_index", "reprice", "budget_frame", "yearly_frame", "comparison_workbook", "csv_bytes", "xlsx_bytes", "Comparison", "Interval", "Summary", "paired",
    "MONTHLY_COLUMNS", "SWITCH_COLUMNS", "YEARLY_COLUMNS", "switch_statistics", "DEFAULT_UNCERTAINTY", "UNCERTAINTIES", "Manifest", "Results", "project_version", "run",
    "DEFAULT_GATE", "GATE_BASES", "MAX_YEARS", "NEVER", "NONE", "Gate", "Scenario", "ScenarioSpec", "list_scenarios", "load_scenario", "parse_scenario_text",
    "parse_number", "parse_whole_number", "scenario_names", "spec_from_overrides",
]
