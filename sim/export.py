"""Exports for the budget documents: CSV (plain, or for Danish Excel) and xlsx workbooks.

A text cell that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) is neutralised: in CSV with a leading apostrophe, in xlsx by storing it as text with
Excel's quote prefix, so an exported scenario name can never execute anything.
"""

from __future__ import annotations

import io
import math
from dataclasses import asdict, fields, is_dataclass
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .finance import BUDGET_COLUMNS, Comparison, Interval, Summary, city_totals
from .levers import Explanation
from .results import MONTHLY_COLUMNS
from .scenario import Scenario

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# "da": what Danish Excel opens right with a double click: semicolons, decimal comma, UTF-8 with BOM.
DIALECTS: dict[str, dict[str, str]] = {
    "plain": {"sep": ",", "decimal": ".", "encoding": "utf-8"},
    "da": {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"},
}
_BAD_SHEET_CHARS = set("[]:*?/\\")


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and headers cannot run as spreadsheet formulas (leading apostrophe)."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if _is_formula(v) else v, na_action="ignore")
    out.columns = ["'" + str(c) if _is_formula(str(c)) else str(c) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame, dialect: str = "plain") -> bytes:
    """The frame as CSV: "plain" (comma, decimal dot, UTF-8) or "da" (semicolon, decimal comma,
    UTF-8 with BOM, for Danish Excel). Formula-like text is neutralised."""
    if dialect not in DIALECTS:
        raise ValueError(f"CSV dialect: expected one of {', '.join(DIALECTS)}, got {dialect!r}")
    d = DIALECTS[dialect]
    # CRLF rows (RFC 4180): then a text cell holding a lone CR or LF is quoted, not split.
    text = neutralise(frame).to_csv(index=False, sep=d["sep"], decimal=d["decimal"], lineterminator="\r\n")
    return text.encode(d["encoding"])


def _cell_value(value: Any) -> Any:
    """What openpyxl can store: None for missing, plain Python numbers, text otherwise."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """A workbook with one sheet per frame (header row bold and frozen). Text is stored as text,
    never as a formula."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        if not name or len(name) > 31 or set(name) & _BAD_SHEET_CHARS:
            raise ValueError(f"xlsx sheet name {name!r}: expected 1-31 characters without []:*?/\\")
        ws = wb.create_sheet(name)
        ws.append([str(c) for c in frame.columns])
        for row in frame.astype(object).itertuples(index=False, name=None):
            ws.append([_cell_value(v) for v in row])
        for row in ws.iter_rows():
            for cell in row:
                if _is_formula(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for i, col in enumerate(frame.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(col)) + 2))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def summary_frame(summary: Summary) -> pd.DataFrame:
    """The comparison summary as rows: intervals with mean and percentiles, other values in
    `value` (a table of values as one row per entry)."""
    rows: list[dict[str, Any]] = []
    for f in fields(summary):
        value = getattr(summary, f.name)
        if f.name in ("manifest", "budget"):  # the budget view is a table of its own (budget_frame)
            continue
        if isinstance(value, Interval):
            rows.append({"measure": f.name, **asdict(value)})
        elif f.name.endswith("_by_payer_dkk"):
            rows += [{"measure": f"{f.name}.{payer}", **asdict(v)} for payer, v in value.items()]
        elif f.name == "p_payback_by_year":
            rows += [{"measure": f"p_payback_by_{year}", "value": p} for year, p in value.items()]
        elif is_dataclass(value):
            rows += [{"measure": f"{f.name}.{k}", "value": v} for k, v in asdict(value).items()]
        else:
            rows.append({"measure": f.name, "value": value})
    return pd.DataFrame(rows, columns=["measure", "mean", "p05", "p50", "p95", "value"])


def budget_frame(summary: Summary) -> pd.DataFrame:
    """The budget view (sim.finance): per budget year, investment, gross savings, net and cumulative
    net, and the net per payer and the municipality's after refusion, undiscounted, in the price
    year that the `price_year` column states."""
    frame = pd.DataFrame([asdict(b) for b in summary.budget], columns=BUDGET_COLUMNS)
    frame.insert(1, "price_year", summary.price_year)
    return frame


def yearly_frame(comparison: Comparison) -> pd.DataFrame:
    """The comparison's yearly statistics (the compare CSV) with the price year of its amounts."""
    frame = comparison.yearly.copy()
    frame.insert(2, "price_year", comparison.summary.price_year)
    return frame


def monthly_city_frame(monthly: pd.DataFrame) -> pd.DataFrame:
    """Monthly city totals, averaged over the replications."""
    per_rep = city_totals(monthly, ["replication", "month", "year"])
    columns = [c for c in MONTHLY_COLUMNS if c in per_rep and c not in ("scenario", "replication", "month", "year")]
    return per_rep.groupby(["month", "year"], sort=True)[columns].mean().reset_index()


def assumptions_frame(scenario: Scenario) -> pd.DataFrame:
    """Every parameter of the scenario with value, unit, range, the price year of an amount of money,
    source and note."""
    return pd.DataFrame([{"parameter": k, **p.model_dump()} for k, p in scenario.assumptions.params().items()],
                        columns=["parameter", "value", "unit", "kind", "low", "high", "price_year", "source", "note"])


def explanation_frame(explanation: Explanation) -> pd.DataFrame:
    """Where the NPV comes from (by channel, sim.levers) and the placements avoided by lever, then
    the break-even fractions, one row each."""
    placements = explanation.placements_avoided_by_lever
    rows = [{"item": f"npv_by_channel_dkk.{k}", "value": v, "placements_avoided": placements.get(k)}
            for k, v in explanation.npv_by_channel_dkk.items()]
    b = explanation.break_even
    rows += [{"item": "break_even_effect_fraction", "value": b.fraction},
             {"item": "payback_effect_fraction", "value": b.payback_fraction},
             {"item": "break_even_reason", "value": b.reason}]
    rows += [{"item": f"break_even_by_lever.{k}", "value": v} for k, v in (b.by_lever or {}).items()]
    return pd.DataFrame(rows, columns=["item", "value", "placements_avoided"])


def comparison_workbook(comparison: Comparison, scenario: Scenario,
                        explanation: Explanation | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of a comparison export: summary, budget (the budget view), explained (if given:
    the split by lever and the break-even), yearly, monthly (if the scenario's results are at
    hand), assumptions (with sources) and manifest. Every sheet with money states its price year."""
    sheets = {"summary": summary_frame(comparison.summary), "budget": budget_frame(comparison.summary)}
    if explanation is not None:
        sheets["explained"] = explanation_frame(explanation).assign(price_year=comparison.summary.price_year)
    sheets["yearly"] = yearly_frame(comparison)
    if comparison.scenario_monthly is not None:
        sheets["monthly"] = monthly_city_frame(comparison.scenario_monthly).assign(price_year=comparison.summary.price_year)
    sheets["assumptions"] = assumptions_frame(scenario)
    sheets["manifest"] = pd.DataFrame(
        [{"key": k, "value": v} for k, v in comparison.summary.manifest.items()], columns=["key", "value"])
    return sheets
