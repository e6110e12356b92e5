"""`python -m sim sweep`: a grid of overrides runs point by point into one tidy yearly table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.assumptions import AssumptionError
from sim.cli import main
from sim.experiment import Experiment
from sim.finance import COMPARISON_COLUMNS
from sim.scenario import load_scenario
from sim.sweep import grid_scenarios, load_grid, parse_grid, sweep

EXAMPLE = Path(__file__).resolve().parent.parent / "assumptions" / "grids" / "example.toml"


def test_example_grid_has_every_combination_first_axis_slowest():
    grid = load_grid(EXAMPLE)
    points = grid.points()
    assert grid.scenario == "plan"
    assert len(points) == 3 * 2 * 2
    assert points[0] == {"caseload.relational": 16, "staff.relational_capacity_ratio": 0.9,
                         "relational.effect_strength": 0.5}
    assert points[1]["relational.effect_strength"] == 1.0 and points[1]["caseload.relational"] == 16
    assert points[-1] == {"caseload.relational": 24, "staff.relational_capacity_ratio": 1.0,
                          "relational.effect_strength": 1.0}
    ids = {s.id for _, s in grid_scenarios(grid)}
    assert len(ids) == len(points)


def test_sweep_table_equals_separate_experiments_with_grid_columns_added():
    grid = parse_grid({"grid": {"caseload.relational": [16, 24]}}, "test grid")
    status_quo = load_scenario("status-quo")
    table, manifest = sweep(grid, status_quo, 1, 3, {"years": 1}, workers=1)
    columns = ["year", "statistic", *COMPARISON_COLUMNS]
    assert list(table.columns) == ["point", "caseload.relational", "year", "statistic", "price_year", *COMPARISON_COLUMNS]
    assert (table["price_year"] == status_quo.price_year).all()
    for point, value in enumerate((16, 24)):
        scenario = load_scenario("plan", {"years": 1, "caseload.relational": value})
        alone = Experiment(scenario, status_quo, 3, 1).run(workers=1).yearly
        part = table[table["point"] == point]
        assert (part["caseload.relational"] == value).all()
        pd.testing.assert_frame_equal(part[columns].reset_index(drop=True), alone)
    assert [p["caseload.relational"] for p in manifest["points"]] == [16, 24]
    # a lower relational caseload means more caseworkers to pay for
    invest = table[table["statistic"] == "mean"].groupby("point")["investment_staff_dkk"].sum()
    assert invest[0] > invest[1] > 0


@pytest.mark.parametrize("data, message", [
    ({"grid": {"caseload.relational": [16, 99]}}, "outside its plausible range"),
    ({"grid": {"caseload.nonsense": [1]}}, "unknown parameter"),
    ({"grid": {"caseload.relational": []}}, "non-empty list"),
    ({"grid": {}}, "grid"),
    ({"scenario": "plan", "grids": {}}, "unknown key"),
])
def test_bad_grids_are_refused_before_anything_runs(data, message):
    with pytest.raises(AssumptionError, match=message):
        grid_scenarios(parse_grid(data, "bad.toml"))


def test_cli_sweep_writes_one_tidy_file_and_refuses_a_bad_grid(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text('scenario = "plan"\n[grid]\n"staff.classic_caseworkers" = [105, 120]\n', encoding="utf-8")
    out = tmp_path / "sweep.csv"
    code = main(["sweep", "--grid", str(grid), "--replications", "1", "--seed", "2", "--set", "years=1",
                 "--workers", "1", "--no-cache", "--out", str(out)])
    assert code == 0
    table = pd.read_csv(out)
    assert sorted(table["staff.classic_caseworkers"].unique()) == [105, 120]
    assert len(table) == 2 * 4  # two points x one year x four statistics
    # a world assumption reaches the baseline too: more classic caseworkers cost both arms the same
    means = table[table["statistic"] == "mean"].set_index("staff.classic_caseworkers")
    assert means.loc[105, "investment_staff_dkk"] == pytest.approx(means.loc[120, "investment_staff_dkk"], rel=0.25)
    assert (out.parent / "sweep.csv.manifest.json").exists()

    bad = tmp_path / "bad.toml"
    bad.write_text('[grid]\n"caseload.relational" = [5]\n', encoding="utf-8")
    before = out.read_bytes()
    code = main(["sweep", "--grid", str(bad), "--no-cache", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and "caseload.relational" in err
    assert out.read_bytes() == before
