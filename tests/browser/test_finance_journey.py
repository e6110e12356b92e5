"""Finance downloads the Danish CSV and the xlsx, and the totals in them match the engine's."""

from __future__ import annotations

import io
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import sim

pytestmark = pytest.mark.browser


def downloaded(folder: Path, suffix: str, timeout: float = 90) -> Path:
    deadline = time.time() + timeout
    while time.time() < deadline:
        files = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if files:
            return files[0]
        time.sleep(0.1)
    raise TimeoutError(f"no {suffix} file in {folder}")


def test_finance_downloads_danish_csv_and_xlsx_matching_the_engine(dash_duo, open_page, short, screenshot, settled):
    open_page(f"/scenarier?{short}")
    dash_duo.find_element("#run-button").click()
    dash_duo.wait_for_element("#run-done", timeout=90)
    dash_duo.find_element("#nav-export").click()
    dash_duo.wait_for_contains_text("#exp-status", "Klar: 2 kørsler", timeout=20)
    settled()
    folder = Path(dash_duo.download_path)
    dash_duo.find_element("#exp-csv-da").click()
    csv_file = downloaded(folder, "-dansk-excel.csv")
    dash_duo.find_element("#exp-xlsx").click()
    xlsx_file = downloaded(folder, ".xlsx")
    dash_duo.find_element("#exp-budget-da").click()
    budget_file = downloaded(folder, "-budget-dansk-excel.csv")
    screenshot("finance-eksport")

    raw = csv_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Danish Excel needs
    yearly = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    workbook = openpyxl.load_workbook(xlsx_file, read_only=True)
    assert {"summary", "yearly", "monthly", "assumptions", "manifest"} <= set(workbook.sheetnames)
    summary = pd.read_excel(xlsx_file, sheet_name="summary").set_index("measure")
    explained = pd.read_excel(xlsx_file, sheet_name="explained")  # each lever's break-even alone: the export asks for it
    assert explained["item"].str.startswith("break_even_by_lever.").sum() == len(sim.levers.LEVERS)

    # The engine, asked directly: the plan against the status quo over two years, two replications.
    plan = sim.load_scenario("plan").with_overrides({"years": 2})
    engine = sim.Experiment(plan, sim.load_scenario("status-quo"), seed=1, replications=2).run(workers=1)
    net_total = engine.summary.net_dkk.mean
    assert abs(net_total) > 1_000  # a real sum, not an empty frame
    csv_total = yearly.loc[yearly["statistic"] == "mean", "net_dkk"].sum()
    assert csv_total == pytest.approx(net_total, rel=1e-9)
    assert summary.loc["npv_dkk", "mean"] == pytest.approx(engine.summary.npv_dkk.mean, rel=1e-9)
    # The budget view: per budget year, undiscounted, in the price year it states.
    budget = pd.read_csv(budget_file, sep=";", decimal=",", encoding="utf-8-sig")
    assert list(budget["year"]) == [2023, 2024] and set(budget["price_year"]) == {engine.summary.price_year}
    assert budget["net_dkk"].sum() == pytest.approx(net_total, rel=1e-9)
    assert set(yearly["price_year"]) == {engine.summary.price_year}
