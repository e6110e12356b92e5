"""The relational-welfare model. This module names the public API that `dashboard/` may use.

Data flows one way: assumptions -> scenario -> engine -> results -> finance -> dashboard/exports.

Nothing is imported until it is first asked for (PEP 562: `sim.run` imports sim.runner then), so a
worker process that imports only what a replication needs (sim.replica) holds numpy, simpy and the
model, not pandas, scipy and the rest.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# the public name -> (its module in this package, its name there)
_PUBLIC = {
    "expected_monthly": ("analytic", "expected_monthly"),
    "expected_yearly": ("analytic", "expected_yearly"),
    "AssumptionError": ("assumptions", "AssumptionError"),
    "Assumptions": ("assumptions", "Assumptions"),
    "Param": ("assumptions", "Param"),
    "load_assumptions": ("assumptions", "load_assumptions"),
    "load_districts": ("assumptions", "load_districts"),
    "shown": ("assumptions", "shown"),
    "ResultCache": ("cache", "ResultCache"),
    "Targets": ("calibrate", "Targets"),
    "load_targets": ("calibrate", "load_targets"),
    "Experiment": ("experiment", "Experiment"),
    "budget_frame": ("export", "budget_frame"),
    "comparison_workbook": ("export", "comparison_workbook"),
    "csv_bytes": ("export", "csv_bytes"),
    "xlsx_bytes": ("export", "xlsx_bytes"),
    "yearly_frame": ("export", "yearly_frame"),
    "Comparison": ("finance", "Comparison"),
    "Interval": ("finance", "Interval"),
    "Summary": ("finance", "Summary"),
    "paired": ("finance", "paired"),
    "GOAL_LEVERS": ("goalseek", "LEVERS"),
    "GoalSeek": ("goalseek", "GoalSeek"),
    "check_goal": ("goalseek", "check"),
    "goal_seek": ("goalseek", "goal_seek"),
    "Explanation": ("levers", "Explanation"),
    "explain": ("levers", "explain"),
    "run_explained": ("levers", "run_explained"),
    "PAYERS": ("payers", "PAYERS"),
    "PriceIndex": ("prices", "PriceIndex"),
    "default_price_year": ("prices", "default_price_year"),
    "load_price_index": ("prices", "load_price_index"),
    "reprice": ("prices", "reprice"),
    "MONTHLY_COLUMNS": ("results", "MONTHLY_COLUMNS"),
    "SWITCH_COLUMNS": ("results", "SWITCH_COLUMNS"),
    "YEARLY_COLUMNS": ("results", "YEARLY_COLUMNS"),
    "switch_statistics": ("results", "switch_statistics"),
    "DEFAULT_UNCERTAINTY": ("uncertainty", "DEFAULT_UNCERTAINTY"),
    "UNCERTAINTIES": ("uncertainty", "UNCERTAINTIES"),
    "Manifest": ("runner", "Manifest"),
    "Results": ("runner", "Results"),
    "project_version": ("runner", "project_version"),
    "run": ("runner", "run"),
    "DEFAULT_GATE": ("scenario", "DEFAULT_GATE"),
    "GATE_BASES": ("scenario", "GATE_BASES"),
    "MAX_YEARS": ("scenario", "MAX_YEARS"),
    "NEVER": ("scenario", "NEVER"),
    "NONE": ("scenario", "NONE"),
    "Gate": ("scenario", "Gate"),
    "Scenario": ("scenario", "Scenario"),
    "ScenarioSpec": ("scenario", "ScenarioSpec"),
    "list_scenarios": ("scenario", "list_scenarios"),
    "load_scenario": ("scenario", "load_scenario"),
    "parse_scenario_text": ("scenario", "parse_scenario_text"),
    "parse_number": ("scenario", "parse_number"),
    "parse_whole_number": ("scenario", "parse_whole_number"),
    "scenario_names": ("scenario", "scenario_names"),
    "spec_from_overrides": ("scenario", "spec_from_overrides"),
}
__all__ = list(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    value = getattr(import_module(f".{module}", __name__), attribute)
    globals()[name] = value  # found once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
