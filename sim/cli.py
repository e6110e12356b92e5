"""The command line: `python -m sim COMMAND`. Bad input gives one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from .assumptions import AssumptionError, load_assumptions
from .calibrate import (BASE_PATH, TARGETS_PATH, calibrate, format_calibration, format_herning, format_table,
                        herning_check, load_targets, validation_table)
from .export import DIALECTS, budget_frame, comparison_workbook, csv_bytes, xlsx_bytes, yearly_frame
from .cache import ResultCache
from .experiment import Experiment
from .goalseek import DEFAULT_DRAWS, DEFAULT_REPLICATIONS, LEVERS, format_goal_seek, goal_seek
from .levers import format_explanation, run_explained
from .runner import Manifest, run
from .uncertainty import DEFAULT_UNCERTAINTY, UNCERTAINTIES
from .sensitivity import format_sensitivity, format_sobol, format_tornado, morris, sobol, tornado
from .sweep import load_grid, sweep
from .prices import default_price_year
from .results import switch_statistics
from .scenario import Scenario, list_scenarios, load_scenario


class UsageError(Exception):
    """A bad command line; reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage + message
        raise UsageError(message)


def parse_set(items: list[str] | None) -> dict[str, str]:
    """`--set key=value` pairs as text; the scenario description (`sim.scenario.ScenarioSpec`)
    reads the values, as it does for files, URLs and grids."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {item!r}: expected dotted.key=value")
        out[key.strip()] = value.strip()
    return out


def whole_number(minimum: int):
    """An argparse type: a whole number of at least `minimum`."""
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if n < minimum:
            raise argparse.ArgumentTypeError(f"expected {'at least 1' if minimum == 1 else f'{minimum} or more'}, got {n}")
        return n
    return parse


def amount(text: str) -> float:
    """An argparse type: a finite amount (50000000, 50e6 or -2.5e6)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an amount in DKK such as 50000000 or 50e6, got {text!r}") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"expected a finite amount in DKK, got {text!r}")
    return x


def share(text: str) -> float:
    """An argparse type: a probability above 0 and at most 1."""
    try:
        x = float(text)
    except ValueError:
        x = math.nan
    if not 0 < x <= 1:
        raise argparse.ArgumentTypeError(f"expected a probability above 0 and at most 1 (e.g. 0.8), got {text!r}")
    return x


positive_int = whole_number(1)
seed_int = whole_number(0)


def out_path(text: str, suffixes: tuple[str, ...]) -> Path:
    path = Path(text)
    if path.suffix.lower() not in suffixes:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a file ending in {' or '.join(suffixes)}")
    return path


def add_scenario_options(p: argparse.ArgumentParser) -> None:
    """--set and --price-year: what every command that builds a scenario takes."""
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a parameter (repeatable); amounts of money in the price year's prices")
    p.add_argument("--price-year", type=whole_number(0), default=None, metavar="YYYY",
                   help=f"every amount of money in this year's prices (default {default_price_year()}: the budget "
                        "year if assumptions/prices.toml has it, else its newest year)")


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Options shared by every command that runs the model."""
    p.add_argument("--replications", type=positive_int, default=10)
    p.add_argument("--seed", type=seed_int, default=1)
    p.add_argument("--workers", type=positive_int, default=None, help="local processes (default: all cores)")
    p.add_argument("--scheduler", default=None, help="address of a Dask scheduler, e.g. tcp://host:8786")
    add_scenario_options(p)
    p.add_argument("--no-cache", action="store_true",
                   help="run even if the result cache holds this run, and do not store it")


def cache_from(args: argparse.Namespace) -> ResultCache | None:
    """The shared result cache (data/cache or $RELVEL_CACHE_DIR) unless --no-cache."""
    return None if args.no_cache else ResultCache()


def scenario_from(args: argparse.Namespace, name: str) -> Scenario:
    """The scenario file `name` in the --price-year's prices, then --set (whose amounts are in them)."""
    scenario = load_scenario(name)
    if args.price_year is not None:
        scenario = scenario.with_overrides({"price_year": args.price_year}, "--price-year")
    overrides = parse_set(args.set)
    return scenario.with_overrides(overrides, "--set") if overrides else scenario


def experiment_from(args: argparse.Namespace, replications: int) -> Experiment:
    """The paired question of --scenario (with --set) against --baseline; the baseline rule
    (`sim.experiment`) decides which of the overrides the baseline shares."""
    return Experiment(scenario_from(args, args.scenario), load_scenario(args.baseline), args.seed, replications,
                      getattr(args, "uncertainty", DEFAULT_UNCERTAINTY))


def write_table(frame: pd.DataFrame, path: Path, manifest: Manifest) -> None:
    """Write CSV or Parquet, with the manifest beside it as FILE.manifest.json."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False, lineterminator="\n")
    write_manifest(path, manifest.as_dict())


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """The manifest of a written table beside it, as FILE.manifest.json."""
    manifest_path = path.with_name(path.name + ".manifest.json")
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def cmd_run(args: argparse.Namespace) -> int:
    scenario = scenario_from(args, args.scenario)
    res = run(scenario, args.replications, args.seed, args.workers, show_progress=sys.stderr.isatty(),
              scheduler=args.scheduler, cache=cache_from(args))
    write_table(res.monthly if args.level == "month" else res.yearly, args.out, res.manifest)
    print(f"wrote {args.out} ({args.level}ly, {args.replications} replications, scenario {scenario.name} {scenario.id})")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Paired comparison of a scenario (with --set) against a baseline; yearly table and summary."""
    experiment = experiment_from(args, args.replications)
    comparison, explanation = run_explained(experiment, cache_from(args), workers=args.workers,
                                            scheduler=args.scheduler, show_progress=sys.stderr.isatty())
    scenario = experiment.arms[0]
    s = comparison.summary
    written = [args.out]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.suffix.lower() == ".xlsx":
        args.out.write_bytes(xlsx_bytes(comparison_workbook(comparison, scenario, explanation)))
    else:
        args.out.write_bytes(csv_bytes(yearly_frame(comparison), args.dialect))
        budget = args.out.with_name(args.out.stem + ".budget.csv")
        budget.write_bytes(csv_bytes(budget_frame(s), args.dialect))
        written.append(budget)
        if scenario.gated_waves():
            switches = args.out.with_name(args.out.stem + ".switches.csv")
            switches.write_bytes(csv_bytes(comparison.switches, args.dialect))
            written.append(switches)
        for path in written:
            write_manifest(path, dict(s.manifest))
    if args.summary_json:
        args.summary_json.parent.mkdir(parents=True, exist_ok=True)
        args.summary_json.write_text(json.dumps(s.as_dict() | explanation.as_dict(), indent=2, ensure_ascii=False)
                                     + "\n", encoding="utf-8")
    print(f"{scenario.name} vs {experiment.baseline.name}, {args.replications} replications, "
          f"uncertainty: {s.uncertainty}, {s.price_year} prices: "
          f"NPV {s.npv_dkk.mean / 1e6:,.1f} m DKK (90 % interval {s.npv_dkk.p05 / 1e6:,.1f} to "
          f"{s.npv_dkk.p95 / 1e6:,.1f}), payback {s.payback_year or 'not within the horizon'}, "
          f"placements avoided {s.placements_avoided.mean:,.0f}; Monte Carlo standard error of the mean NPV "
          f"{s.npv_dkk_mc_se / 1e6:,.1f} m DKK, of P(paid back by {s.horizon.last_year}) "
          f"{s.p_payback_mc_se:.2f}; wrote {' and '.join(map(str, written))}")
    if scenario.gated_waves():
        print(format_gated_waves(scenario, comparison.switches))
    print(format_explanation(explanation))
    return 0


def format_gated_waves(scenario: Scenario, switches: pd.DataFrame) -> str:
    """When the gated waves started over the replications: median and 90 % interval per wave."""
    stats = switch_statistics(switches)
    lines = ["savings-gated waves (when the net reached the threshold; median and 90 % interval over the replications):"]
    for wave in (1, *scenario.gated_waves()):
        names = [d.name for d in scenario.districts if d.wave == wave]
        if not names:
            continue
        row = stats.loc[names[0]]
        shown = {k: "after the horizon" if pd.isna(row[k]) else row[k].strftime("%Y-%m") for k in ("p05", "p50", "p95")}
        lines.append(f"  wave {wave}: {shown['p50']} ({shown['p05']} to {shown['p95']}), "
                     f"started within the horizon in {row['switched']:.0%} of the replications")
    return "\n".join(lines)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Every point of a grid of overrides as a scenario; one tidy yearly table with the grid's columns."""
    grid = load_grid(args.grid)
    overrides = ({"price_year": args.price_year} if args.price_year is not None else {}) | parse_set(args.set)
    table, manifest = sweep(grid, load_scenario(args.baseline), args.replications, args.seed, overrides,
                            workers=args.workers, scheduler=args.scheduler, show_progress=sys.stderr.isatty(),
                            cache=cache_from(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.suffix.lower() == ".parquet":
        table.to_parquet(args.out, index=False)
    else:
        table.to_csv(args.out, index=False, lineterminator="\n")
    write_manifest(args.out, manifest)
    print(f"wrote {args.out} ({len(manifest['points'])} points x {args.replications} replications, "
          f"scenario {grid.scenario})")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name, description in list_scenarios():
        print(f"{name:<12} {description}")
    return 0


def cmd_assumptions(args: argparse.Namespace) -> int:
    """Every parameter as base.toml gives it: amounts of money at their source's price_year (each run
    converts them to its own price year first)."""
    rows = [{"parameter": k, "kind": p.kind, "value": p.value, "unit": p.unit, "low": p.low, "high": p.high,
             "price_year": p.price_year or "", "source": p.source} for k, p in load_assumptions().params().items()]
    with pd.option_context("display.max_rows", None, "display.width", 250, "display.max_colwidth", 70,
                           "display.float_format", "{:,.6g}".format):
        print(pd.DataFrame(rows).to_string(index=False))
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit the unsourced base rates to the targets and write them into the assumptions."""
    result = calibrate(args.targets, args.base)
    print(format_calibration(result))
    print(f"wrote the fitted values into {args.base}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """How the scenario's expected NPV against the baseline moves with the assumptions' ranges:
    Morris screening (default), a one-at-a-time tornado, or Sobol' indices."""
    experiment = experiment_from(args, 1)
    names = [n.strip() for n in args.parameters.split(",") if n.strip()] if args.parameters is not None else None
    if args.method == "tornado":
        result, n = tornado(experiment, names), 1
        table, text = result.table, format_tornado(result)
    elif args.method == "sobol":
        result, n = sobol(experiment, args.samples, names), args.samples
        table, text = result.indices, format_sobol(result)
    else:
        result, n = morris(experiment, args.trajectories, names), args.trajectories
        table, text = result.indices, format_sensitivity(result)
    print(text)
    if args.out:
        write_table(table, args.out, Manifest.of(experiment.arms[0], args.seed, n))
        print(f"wrote {args.out}")
    return 0


def cmd_goal_seek(args: argparse.Namespace) -> int:
    """The least costly lever value that meets a savings target by a year with a probability; exit
    status 1 when no value in the lever's range does."""
    experiment = Experiment(scenario_from(args, args.scenario), load_scenario(args.baseline), args.seed)
    result = goal_seek(experiment, args.lever, args.target_dkk, args.by_year, args.probability, args.draws,
                       args.replications, workers=args.workers, cache=cache_from(args),
                       show_progress=sys.stderr.isatty())
    print(format_goal_seek(result))
    return 0 if result.value is not None else 1


def cmd_validate(args: argparse.Namespace) -> int:
    """The simulation's status quo against the real figures; exit 1 if a target is missed."""
    targets = load_targets(args.targets)
    table = validation_table(targets, args.replications, args.seed, args.workers, show_progress=sys.stderr.isatty())
    print(format_table(table, targets, args.replications, args.seed))
    print()
    print(format_herning(herning_check(targets), targets))
    fitted, held = table[table["group"] == "fitted"], table[table["group"] == "held out"]
    print(f"fitted: {int(fitted['ok'].sum())} of {len(fitted)} within {targets.tolerance:.0%}; "
          f"held out: {int(held['ok'].sum())} of {len(held)} within {targets.tolerance:.0%}")
    missed = table.loc[~table["ok"], "target"].tolist()
    if missed:
        print(f"FAILED: off by more than {targets.tolerance:.0%}: {', '.join(missed)}")
        return 1
    print(f"all {len(table)} targets within {targets.tolerance:.0%}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m sim", description="Relational-welfare investment simulator for Aarhus")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="simulate a scenario and write its monthly or yearly table")
    p.add_argument("--scenario", required=True, help="a name from `scenarios` or a path to a .toml file")
    add_run_options(p)
    p.add_argument("--level", choices=("month", "year"), default="year")
    p.add_argument("--out", required=True, type=lambda t: out_path(t, (".csv", ".parquet")))
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="paired comparison of a scenario with a baseline: savings, NPV, payback")
    p.add_argument("--scenario", required=True, help="a name from `scenarios` or a path to a .toml file")
    p.add_argument("--baseline", default="status-quo", help="the scenario to compare with (default status-quo)")
    add_run_options(p)
    p.add_argument("--out", required=True, type=lambda t: out_path(t, (".csv", ".xlsx")))
    p.add_argument("--summary-json", type=lambda t: out_path(t, (".json",)), default=None)
    p.add_argument("--dialect", choices=tuple(DIALECTS), default="plain",
                   help="CSV only: plain, or da for Danish Excel (; and decimal comma, UTF-8 with BOM)")
    p.add_argument("--uncertainty", choices=UNCERTAINTIES, default=DEFAULT_UNCERTAINTY,
                   help="parameters (default): each replication draws the uncertain assumptions (the same draw "
                        "in both arms); noise: the assumptions stay at their values, only chance varies")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("sensitivity", help="which assumptions move the NPV: Morris, tornado or Sobol' over the ranges (analytic twin)")
    p.add_argument("--scenario", default="plan", help="a name from `scenarios` or a path to a .toml file (default plan)")
    p.add_argument("--baseline", default="status-quo", help="the scenario to compare with (default status-quo)")
    p.add_argument("--method", choices=("morris", "tornado", "sobol"), default="morris",
                   help="morris: screening (default); tornado: each assumption at its low and high, one at a time; "
                        "sobol: variance shares (first and total order)")
    p.add_argument("--trajectories", type=whole_number(2), default=10, help="Morris trajectories (default 10)")
    p.add_argument("--samples", type=whole_number(2), default=64,
                   help="Sobol' base sample size N, a power of 2 (default 64; N x (parameters + 2) evaluations)")
    p.add_argument("--parameters", default=None, metavar="A,B,...",
                   help="move only these parameters (comma-separated; default: every one with a range)")
    p.add_argument("--seed", type=seed_int, default=1)
    add_scenario_options(p)
    p.add_argument("--out", type=lambda t: out_path(t, (".csv", ".parquet")), default=None,
                   help="write the table, one row per parameter (CSV or Parquet)")
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser("goal-seek", help="the least costly caseload or rollout pace that meets a savings target by "
                                         "a year with a probability (analytic twin, confirmed by the simulation)")
    p.add_argument("--target-dkk", required=True, type=amount, metavar="X",
                   help="the cumulative net (avoided costs minus investment, undiscounted, in the price year) to reach")
    p.add_argument("--by-year", required=True, type=whole_number(0), metavar="YEAR",
                   help="by the end of this budget year")
    p.add_argument("--probability", required=True, type=share, metavar="P", help="with at least this probability")
    p.add_argument("--lever", required=True, choices=LEVERS,
                   help="caseload.relational: cases per relational caseworker; pace: months between rollout waves")
    p.add_argument("--scenario", default="plan", help="a name from `scenarios` or a path to a .toml file (default plan)")
    p.add_argument("--baseline", default="status-quo", help="the scenario to compare with (default status-quo)")
    p.add_argument("--draws", type=positive_int, default=DEFAULT_DRAWS,
                   help=f"draws of the assumptions the analytic twin searches on (default {DEFAULT_DRAWS})")
    p.add_argument("--replications", type=positive_int, default=DEFAULT_REPLICATIONS,
                   help=f"replications of the simulation that confirms the answer (default {DEFAULT_REPLICATIONS})")
    p.add_argument("--seed", type=seed_int, default=1)
    p.add_argument("--workers", type=positive_int, default=None, help="local processes (default: all cores)")
    p.add_argument("--no-cache", action="store_true",
                   help="run even if the result cache holds this run, and do not store it")
    add_scenario_options(p)
    p.set_defaults(func=cmd_goal_seek)

    p = sub.add_parser("calibrate", help="fit the unsourced base rates to real figures and write them into base.toml")
    p.add_argument("--targets", type=Path, default=TARGETS_PATH, help="the targets file (default assumptions/targets.toml)")
    p.add_argument("--base", type=Path, default=BASE_PATH, help="the assumptions file to fit and write (default assumptions/base.toml)")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("validate", help="compare the status quo with real figures; exit 1 if any is off by more than 10 %%")
    p.add_argument("--replications", type=positive_int, default=20)
    p.add_argument("--seed", type=seed_int, default=1)
    p.add_argument("--workers", type=positive_int, default=None, help="local processes (default: all cores)")
    p.add_argument("--targets", type=Path, default=TARGETS_PATH, help="the targets file (default assumptions/targets.toml)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("sweep", help="compare a scenario with a baseline at every point of a grid of overrides")
    p.add_argument("--grid", required=True, type=Path, help="a grid file (see assumptions/grids/example.toml)")
    p.add_argument("--baseline", default="status-quo", help="the scenario to compare with (default status-quo)")
    add_run_options(p)
    p.add_argument("--out", required=True, type=lambda t: out_path(t, (".csv", ".parquet")))
    p.set_defaults(func=cmd_sweep)

    sub.add_parser("scenarios", help="list the scenarios with one-line descriptions").set_defaults(func=cmd_scenarios)
    sub.add_parser("assumptions", help="every parameter with unit, range and source").set_defaults(func=cmd_assumptions)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except (UsageError, AssumptionError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `python -m sim assumptions | head`
        sys.stderr.close()
        return 0
