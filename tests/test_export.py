"""Exports: CSV for Danish Excel and plain, formula neutralisation, xlsx sheets, and `sim compare`."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from sim.cli import main
from sim.export import comparison_workbook, csv_bytes, xlsx_bytes
from sim.finance import paired
from helpers import flows

DANGEROUS = ["=1+1", "+45 12 34 56", "-2+3", "@SUM(A1:A2)", "\tcmd", "\rcmd"]


def sample() -> pd.DataFrame:
    return pd.DataFrame({
        "district": ["Søndervang", "Åby", "Ærø-Nord", "Gellerup"],
        "year": [2023, 2024, 2025, 2026],
        "cost_dkk": [1234567.891, -0.5, 1e-7, np.nan],
        "share": [0.125, 1 / 3, 0.0, 1.0],
    })


def read_plain(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data))


def read_danish(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")


def test_danish_csv_reads_back_equal_to_the_plain_one():
    frame = sample()
    plain, danish = csv_bytes(frame), csv_bytes(frame, "da")
    assert danish.startswith(b"\xef\xbb\xbf") and not plain.startswith(b"\xef\xbb\xbf")
    assert b"1234567,891" in danish and b";" in danish
    pd.testing.assert_frame_equal(read_danish(danish), read_plain(plain))
    pd.testing.assert_frame_equal(read_plain(plain), frame, check_dtype=False)


def test_danish_compare_table_reads_back_equal_to_the_plain_one(plan):
    yearly = paired(*flows([[10.0, 5.0, 1.0]] * 3, [[1.0, 8.0, 30.0], [2, 9, 20], [0, 4, 40]]),
                    plan.assumptions).yearly
    pd.testing.assert_frame_equal(read_danish(csv_bytes(yearly, "da")), read_plain(csv_bytes(yearly)))
    pd.testing.assert_frame_equal(read_plain(csv_bytes(yearly)), yearly, check_dtype=False)


def test_unknown_csv_dialect_is_refused():
    with pytest.raises(ValueError, match="dialect"):
        csv_bytes(sample(), "excel")


@pytest.mark.parametrize("dialect", ["plain", "da"])
def test_text_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(dialect):
    frame = pd.DataFrame({"name": DANGEROUS + ["Viby"], "value": [-1.5] * 7})
    data = csv_bytes(frame, dialect)
    back = read_danish(data) if dialect == "da" else read_plain(data)
    assert list(back["name"]) == ["'" + text for text in DANGEROUS] + ["Viby"]
    assert (back["value"] == -1.5).all()  # numbers are not text, and stay numbers


def test_xlsx_has_its_sheets_and_stores_formula_like_text_as_text():
    data = xlsx_bytes({"summary": sample(), "risky": pd.DataFrame({"name": DANGEROUS})})
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["summary", "risky"]
    ws = wb["summary"]
    assert [c.value for c in ws[1]] == list(sample().columns)
    assert [c.value for c in ws[2]] == ["Søndervang", 2023, 1234567.891, 0.125]
    assert ws.cell(5, 3).value is None  # NaN becomes an empty cell
    cells = [row[0] for row in wb["risky"].iter_rows(min_row=2)]
    assert [c.value for c in cells] == DANGEROUS
    assert {c.data_type for c in cells} == {"s"}
    assert all(c.quotePrefix for c in cells)  # Excel shows them as text, even after an edit
    assert not ws.cell(2, 1).quotePrefix  # ordinary text keeps no prefix


def test_bad_sheet_name_is_refused():
    with pytest.raises(ValueError, match="sheet name"):
        xlsx_bytes({"a/b": sample()})


@pytest.fixture()
def short_files(tmp_path):
    """Two-year scenario files: the plan's rollout and the status quo."""
    (tmp_path / "plan2.toml").write_text('years = 2\n[rollout]\nenabled = true\n', encoding="utf-8")
    (tmp_path / "quo2.toml").write_text('years = 2\n[rollout]\nenabled = false\n', encoding="utf-8")
    return tmp_path


def compare(files, *extra: str) -> list[str]:
    return ["compare", "--scenario", str(files / "plan2.toml"), "--baseline", str(files / "quo2.toml"),
            "--replications", "3", "--seed", "7", "--workers", "1", *extra]


def test_cli_compare_writes_a_workbook_and_a_summary_with_the_manifest(short_files, capsys):
    out, summary_path = short_files / "c.xlsx", short_files / "s.json"
    assert main(compare(short_files, "--out", str(out), "--summary-json", str(summary_path),
                        "--set", "caseload.relational=20")) == 0
    assert "NPV" in capsys.readouterr().out
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert set(summary["npv_dkk"]) == {"mean", "p05", "p50", "p95"}
    assert set(summary["p_payback_by_year"]) == {"2023", "2024"}
    payers = summary["net_by_payer_dkk"]  # who pays and who saves (sim.payers), adding up to the net
    assert list(payers) == ["MSB", "MBU", "state"]
    assert sum(p["mean"] for p in payers.values()) == pytest.approx(summary["net_dkk"]["mean"], rel=1e-9)
    assert summary["municipality_net_dkk"]["mean"] == pytest.approx(
        summary["net_dkk"]["mean"] - payers["state"]["mean"], rel=1e-9)
    manifest = summary["manifest"]
    assert (manifest["scenario"], manifest["baseline"], manifest["seed"], manifest["replications"]) == (
        "plan2", "quo2", 7, 3)
    assert manifest["scenario_id"] != manifest["baseline_id"] and manifest["project_version"]

    wb = load_workbook(out)
    assert wb.sheetnames == ["summary", "budget", "explained", "yearly", "monthly", "assumptions", "manifest"]
    explained = {row[0]: row[1] for row in wb["explained"].iter_rows(min_row=2, values_only=True)}
    channels = sum(v for k, v in explained.items() if k.startswith("npv_by_channel_dkk."))
    assert channels == pytest.approx(summary["npv_dkk"]["mean"], rel=1e-3)  # the split adds up to the NPV
    assert explained["break_even_effect_fraction"] == summary["break_even_effect_fraction"]
    assert wb["monthly"].max_row == 1 + 24
    sheet_manifest = {k: v for k, v in wb["manifest"].iter_rows(min_row=2, values_only=True)}
    assert sheet_manifest["scenario_id"] == manifest["scenario_id"]
    assert sheet_manifest["seed"] == 7
    params = {row[0]: row for row in wb["assumptions"].iter_rows(min_row=2, values_only=True)}
    assert params["caseload.relational"][1] == 20  # --set reached the scenario
    assert params["finance.discount_rate"][7].startswith("Finansministeriet")
    assert params["cost.foster_dkk_per_day"][6] == summary["price_year"] and params["finance.discount_rate"][6] is None
    budget = list(wb["budget"].iter_rows(values_only=True))  # the budget view, its own sheet
    assert budget[0] == ("year", "price_year", "investment_dkk", "gross_savings_dkk", "net_dkk", "cumulative_net_dkk",
                         "net_msb_dkk", "net_mbu_dkk", "net_state_dkk", "net_municipality_dkk")
    assert [row[:2] for row in budget[1:]] == [(b["year"], summary["price_year"]) for b in summary["budget"]]
    assert budget[-1][5] == pytest.approx(summary["net_dkk"]["mean"])  # the cumulative net adds the years up
    assert params["finance.discount_rate"][3] == "world" and params["caseload.relational"][3] == "policy"
    measures = [row[0] for row in wb["summary"].iter_rows(min_row=2, values_only=True)]
    assert {"npv_dkk", "payback_year", "p_payback_by_2024", "return_per_krone", "net_by_payer_dkk.state",
            "municipality_net_dkk"} <= set(measures)


def test_cli_compare_writes_danish_csv_with_its_manifest_beside_it(short_files):
    out = short_files / "c.csv"
    assert main(compare(short_files, "--out", str(out), "--dialect", "da", "--replications", "2")) == 0
    table = read_danish(out.read_bytes())
    assert list(table.columns[:2]) == ["year", "statistic"]
    assert list(table["statistic"][:4]) == ["mean", "p05", "p50", "p95"]
    assert {"investment_dkk", "avoided_cost_dkk", "net_dkk", "cumulative_net_dkk", "discounted_cumulative_net_dkk",
            "placements_avoided", "children_placed_avoided"} <= set(table.columns)
    manifest = json.loads((short_files / "c.csv.manifest.json").read_text(encoding="utf-8"))
    assert (manifest["scenario"], manifest["baseline"], manifest["replications"]) == ("plan2", "quo2", 2)


@pytest.mark.parametrize("args, message", [
    (["--baseline", "nowhere"], "unknown scenario"),
    (["--out", "c.txt"], ".csv or .xlsx"),
    (["--dialect", "excel"], "dialect"),
    (["--set", "caseload.relational=1000"], "caseload.relational"),
])
def test_cli_compare_bad_input_exits_2_with_one_line(short_files, capsys, args, message):
    out = short_files / "c.csv"
    argv = ["compare", "--scenario", "plan", "--out", str(out), "--replications", "1", *args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1 and message in err, err
    assert not out.exists()


def test_cli_compare_refuses_two_horizons_before_running(short_files, capsys):
    """The horizon is part of the world: both arms share it, so two different ones are refused."""
    out = short_files / "c.csv"
    (short_files / "quo3.toml").write_text('years = 3\n[rollout]\nenabled = false\n', encoding="utf-8")
    assert main(["compare", "--scenario", str(short_files / "plan2.toml"), "--baseline",
                 str(short_files / "quo3.toml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "years is 2 in plan2 but 3 in quo3" in err and err.count("\n") == 1
    assert not out.exists()


def test_workbook_without_results_has_no_monthly_sheet(plan):
    c = paired(*flows([[1.0]], [[2.0]]), plan.assumptions)
    assert list(comparison_workbook(c, plan)) == ["summary", "budget", "yearly", "assumptions", "manifest"]
