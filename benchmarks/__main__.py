"""`python -m benchmarks`: measure, print one table, write benchmarks/results.json."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path

from sim.runner import default_workers, project_version
from sim.scenario import load_scenario

from . import engine_speed, interactive, throughput

OUT = Path(__file__).resolve().parent / "results.json"
SCENARIO = "plan"


def measure() -> dict[str, dict]:
    """Every figure with its note; prints progress to stdout as it goes."""
    scenario = load_scenario(SCENARIO)
    rows: dict[str, dict] = {}

    def put(name: str, value, note: str) -> None:
        rows[name] = {"value": value, "note": note}
        shown = "-" if value is None else f"{value:,.4g}" if isinstance(value, float) else f"{value:,}"
        print(f"  {name:<34} {shown:>14}  {note}", flush=True)

    events = engine_speed.count_events(scenario)
    put("events", events, "events one replication processes (counted: Environment.step wrapped)")
    engine_s = engine_speed.engine_seconds(scenario)
    put("engine_s", engine_s, "simulate() alone, median of 3")
    put("events_per_s", events / engine_s, "events / engine_s")
    ref_s = engine_speed.simpy_reference_seconds(events)
    put("simpy_reference_events_per_s", events / ref_s,
        "bare simpy: 3,000 processes of timeouts, same event count, median of 3")
    put("overhead_vs_simpy", engine_s / ref_s, "engine_s / bare simpy seconds (target <= 1.5)")

    ours_s, ours_n, ours_w = engine_speed.engine_mmc()
    ciw_s, ciw_n, ciw_w = engine_speed.ciw_mmc()
    put("mmc_engine_us_per_customer", ours_s / ours_n * 1e6,
        f"engine reduced to M/M/{engine_speed.SERVERS}, rho 0.8, {engine_speed.MMC_YEARS} years, {ours_n:,} customers; "
        f"mean wait {ours_w:.3f} d (Erlang C {engine_speed.erlang_c_wait():.3f})")
    put("mmc_ciw_us_per_customer", ciw_s / ciw_n * 1e6, f"ciw, same queue and horizon, {ciw_n:,} customers; mean wait {ciw_w:.3f} d")
    put("ciw_ratio", (ciw_s / ciw_n) / (ours_s / ours_n), "ciw time per customer / engine time per customer (target >= 2)")

    one = throughput.one_replication_seconds(scenario)
    put("one_replication_s", one, "run(plan, 1 replication, workers=1): engine + monthly + yearly, median of 3 (target <= 1.5)")
    workers = default_workers()
    thirty, results = throughput.replications_seconds(scenario, 30)
    put("thirty_replications_s", thirty, f"run(plan, 30, workers={workers}), median of 3 (target <= 20)")
    put("parallel_speedup", 30 * one / thirty, "30 x one_replication_s / thirty_replications_s (target >= 1.8 on 2 cores)")

    total, draws, explaining = throughput.comparison_seconds(scenario, load_scenario("status-quo"), 30, "parameters")
    put("parameter_comparison_s", total,
        f"plan vs status quo as `compare` runs it by default: 30 replications, each with its own draw of the "
        f"assumptions (drawing and solving Herning {draws:.1f} s), paired, explained by lever ({explaining:.1f} s)")
    put("analytic_s", interactive.analytic_seconds(scenario),
        "sim.analytic.expected_yearly(plan), median of 7 (target <= 0.05)")
    preview = interactive.preview_latency()
    how = preview[2] if preview else "no preview callback in dashboard/ yet"
    put("preview_latency_p50_s", preview[0] if preview else None, how)
    put("preview_latency_p95_s", preview[1] if preview else None, "20 slider values (target <= 0.2)")
    put("cached_revisit_s", interactive.cached_revisit_seconds(scenario, results),
        "run(plan, 30) again, answered by a ResultCache on disk, median of 5 (target <= 0.2)")

    mem = throughput.peak_rss_mb(SCENARIO, 100)
    put("peak_rss_mb_100_replications", mem["total_mb"],
        f"child process, run(plan, 100, workers={mem['workers']}): parent {mem['parent_mb']:.0f} MB + "
        f"{mem['workers']} x worker {mem['worker_mb']:.0f} MB peak RSS; {mem['monthly_rows']:,} monthly rows (target <= 1024)")
    return rows


def main() -> None:
    print(f"benchmarks: scenario {SCENARIO}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    rows = measure()
    OUT.write_text(json.dumps({
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "project_version": project_version(),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "scenario": SCENARIO,
        "figures": rows,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
