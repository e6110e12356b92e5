"""The same question gives the same answer in the dashboard and on the command line.

A world change (the foster-care price: both arms) and a policy change (the relational caseload: the
plan only) are made in the dashboard's address, simulated with its Kør-button and exported; the
command line asks `compare --set` the same thing. The NPVs agree to the krone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from test_finance_journey import downloaded

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def cli_npv(tmp_path: Path, setting: str) -> float:
    out = tmp_path / "cli"
    subprocess.run([sys.executable, "-m", "sim", "compare", "--scenario", "plan", "--set", setting, "--set", "years=2",
                    "--replications", "2", "--seed", "1", "--workers", "1", "--no-cache",
                    "--out", str(out / "yearly.csv"), "--summary-json", str(out / "summary.json")],
                   cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["npv_dkk"]["mean"]


@pytest.mark.parametrize("setting", ["cost.foster_dkk_per_day=1500", "caseload.relational=15"])
def test_the_dashboard_and_the_command_line_give_the_same_npv(dash_duo, open_page, settled, tmp_path, setting):
    open_page(f"/scenarier?{setting}&years=2&replications=2")
    dash_duo.find_element("#run-button").click()
    dash_duo.wait_for_element("#run-done", timeout=90)
    dash_duo.find_element("#nav-export").click()
    dash_duo.wait_for_contains_text("#exp-status", "Klar: 2 kørsler", timeout=90)
    settled()
    dash_duo.find_element("#exp-xlsx").click()
    workbook = downloaded(Path(dash_duo.download_path), ".xlsx")
    dashboard = pd.read_excel(workbook, sheet_name="summary").set_index("measure").loc["npv_dkk", "mean"]

    command_line = cli_npv(tmp_path, setting)
    print(f"\n{setting}: dashboard NPV {dashboard:,.0f} DKK, command line {command_line:,.0f} DKK")
    assert abs(dashboard) > 1e6  # a real effect, not an empty comparison
    assert round(dashboard) == round(command_line)
