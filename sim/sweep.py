"""A sweep: one scenario compared with a baseline at every point of a grid of overrides, into one
tidy yearly table of savings.

Finance and sensitivity work ask "what if caseload were 16, 20 or 24, at two capacity ratios and
three effect strengths?". A grid file names the axes; every combination is its own scenario
(`Scenario.with_overrides`), paired with the baseline as every comparison is (`sim.experiment`:
a world change at a point applies to both arms), and the comparisons' yearly tables are stacked
with the grid's values as columns.
The file format (see assumptions/grids/example.toml):

    scenario = "plan"                 # optional: a name from `python -m sim scenarios` or a path
    [grid]                            # one axis per key, every combination is a point
    "caseload.relational" = [16, 20, 24]
    "staff.relational_capacity_ratio" = [0.9, 1.0]
    "rollout.waves.3" = ["2024-03-01", "never"]

Every point is checked before any runs, so a typo fails in a second, not after an hour.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .assumptions import AssumptionError, parse_toml_text
from .experiment import Experiment
from .export import yearly_frame
from .runner import project_version
from .scenario import Scenario, load_scenario

DEFAULT_SCENARIO = "plan"
_GRID_KEYS = {"scenario", "description", "grid"}


@dataclass(frozen=True)
class Grid:
    """Axes of overrides (dotted key -> values) on a named scenario."""

    scenario: str
    axes: tuple[tuple[str, tuple[Any, ...]], ...]
    description: str = ""

    def points(self) -> list[dict[str, Any]]:
        """Every combination of the axes' values, the first axis varying slowest."""
        keys = [k for k, _ in self.axes]
        return [dict(zip(keys, combo)) for combo in itertools.product(*(v for _, v in self.axes))]


def parse_grid(data: dict[str, Any], origin: str) -> Grid:
    """A grid from parsed TOML; every problem is named with the file and key."""
    unknown = set(data) - _GRID_KEYS
    if unknown:
        raise AssumptionError(f"{origin}: {sorted(unknown)[0]}: unknown key (expected one of {sorted(_GRID_KEYS)})")
    scenario = data.get("scenario", DEFAULT_SCENARIO)
    if not isinstance(scenario, str) or not scenario.strip():
        raise AssumptionError(f"{origin}: scenario: expected a scenario name or path, got {scenario!r}")
    grid = data.get("grid")
    if not isinstance(grid, dict) or not grid:
        raise AssumptionError(f"{origin}: grid: expected a table of dotted.key = [values, ...]")
    axes = []
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise AssumptionError(f"{origin}: grid.{key}: expected a non-empty list of values, got {values!r}")
        if len(set(map(repr, values))) != len(values):
            raise AssumptionError(f"{origin}: grid.{key}: values repeat: {values!r}")
        axes.append((key, tuple(values)))
    return Grid(scenario.strip(), tuple(axes), str(data.get("description", "")))


def load_grid(path: str | Path) -> Grid:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssumptionError(f"{path}: grid file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssumptionError(f"{path}: cannot be read ({exc})") from None
    return parse_grid(parse_toml_text(text, str(path)), str(path))


def grid_scenarios(grid: Grid, overrides: dict[str, Any] | None = None) -> list[tuple[dict[str, Any], Scenario]]:
    """Each point with its scenario (base scenario, then `overrides`, then the point), all
    validated up front."""
    base = load_scenario(grid.scenario, overrides or {})
    out = []
    for point in grid.points():
        where = "grid point " + ", ".join(f"{k}={v}" for k, v in point.items())
        out.append((point, base.with_overrides(point, origin=where)))
    return out


def sweep(grid: Grid, baseline: Scenario, replications: int, seed: int, overrides: dict[str, Any] | None = None,
          **run_options: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Compare every point with the baseline (run_options go to `Experiment.run`: workers,
    scheduler, cache, ...) and return the stacked yearly comparison tables, with a `point` number
    and one column per axis, and their manifest."""
    points = grid_scenarios(grid, overrides)
    experiments = [Experiment(scenario, baseline, seed, replications) for _, scenario in points]  # all checked first
    frames = []
    manifest_points = []
    for i, ((point, scenario), experiment) in enumerate(zip(points, experiments)):
        comparison = experiment.run(**run_options)
        frames.append(yearly_frame(comparison).assign(point=i, **point))
        manifest_points.append({"point": i, **_plain(point), "scenario_id": experiment.arms[0].id,
                                "baseline_id": experiment.arms[1].id, "npv_dkk_mean": comparison.summary.npv_dkk.mean})
    keys = [k for k, _ in grid.axes]
    table = pd.concat(frames, ignore_index=True)
    table = table[["point", *keys, *[c for c in table.columns if c not in keys and c != "point"]]]
    manifest = {
        "project_version": project_version(),
        "scenario": grid.scenario,
        "baseline": baseline.name,
        "overrides": overrides or {},
        "seed": seed,
        "replications": replications,
        "price_year": experiments[0].arms[0].price_year,
        "grid": {k: list(_plain(dict(enumerate(v))).values()) for k, v in grid.axes},
        "points": manifest_points,
    }
    return table, manifest


def _plain(values: dict[Any, Any]) -> dict[Any, Any]:
    """Dates as ISO text, so a manifest is plain JSON."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
