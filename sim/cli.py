"""The command line: `python -m sim COMMAND`. Bad input gives one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from .assumptions import AssumptionError, load_assumptions
from .runner import Manifest, run
from .scenario import Scenario, list_scenarios, load_scenario


class UsageError(Exception):
    """A bad command line; reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage + message
        raise UsageError(message)


def parse_set(items: list[str] | None) -> dict[str, Any]:
    """`--set key=value` pairs; numbers become floats, anything else stays text for validation."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {item!r}: expected dotted.key=value")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            out[key.strip()] = value.strip()
    return out


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {n}")
    return n


def seed_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {n}")
    return n


def out_path(text: str, suffixes: tuple[str, ...]) -> Path:
    path = Path(text)
    if path.suffix.lower() not in suffixes:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a file ending in {' or '.join(suffixes)}")
    return path


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Options shared by every command that runs the model."""
    p.add_argument("--replications", type=positive_int, default=10)
    p.add_argument("--seed", type=seed_int, default=1)
    p.add_argument("--workers", type=positive_int, default=None, help="local processes (default: all cores)")
    p.add_argument("--scheduler", default=None, help="address of a Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a parameter (repeatable)")


def scenario_from(args: argparse.Namespace, name: str) -> Scenario:
    return load_scenario(name, parse_set(args.set))


def write_table(frame: pd.DataFrame, path: Path, manifest: Manifest) -> None:
    """Write CSV or Parquet, with the manifest beside it as FILE.manifest.json."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False, lineterminator="\n")
    manifest_path = path.with_name(path.name + ".manifest.json")
    manifest_path.write_text(json.dumps(manifest.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def cmd_run(args: argparse.Namespace) -> int:
    scenario = scenario_from(args, args.scenario)
    res = run(scenario, args.replications, args.seed, args.workers, show_progress=sys.stderr.isatty(),
              scheduler=args.scheduler)
    write_table(res.monthly if args.level == "month" else res.yearly, args.out, res.manifest)
    print(f"wrote {args.out} ({args.level}ly, {args.replications} replications, scenario {scenario.name} {scenario.id})")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name, description in list_scenarios():
        print(f"{name:<12} {description}")
    return 0


def cmd_assumptions(args: argparse.Namespace) -> int:
    rows = [{"parameter": k, "value": p.value, "unit": p.unit, "low": p.low, "high": p.high, "source": p.source}
            for k, p in load_assumptions().params().items()]
    with pd.option_context("display.max_rows", None, "display.width", 250, "display.max_colwidth", 70):
        print(pd.DataFrame(rows).to_string(index=False))
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
