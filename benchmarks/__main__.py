"""`python -m benchmarks`: measure, print one table, write benchmarks/results.json."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
from pathlib import Path

from sim.runner import default_workers, project_version
from sim.scenario import load_scenario

from . import dashboard_run, engine_speed, interactive, scale, throughput

OUT = Path(__file__).resolve().parent / "results.json"
SCENARIO = "plan"


# The targets of issue 12 ("Fast enough to ask many questions") and the earlier ones, by figure:
# (comparison, bound). A figure without a target is context (counts, medians beside a p95).
TARGETS: dict[str, tuple[str, float]] = {
    "overhead_vs_simpy": ("<=", 1.5),
    "ciw_ratio": (">=", 3.0),
    "one_replication_s": ("<=", 0.4),
    "thirty_replications_s": ("<=", 20.0),
    "paired_thirty_s": ("<=", 15.0),
    "parallel_speedup": (">=", 1.8),
    "parameter_uncertainty_s": ("<=", 10.0),
    "analytic_s": ("<=", 0.05),
    "preview_latency_p95_s": ("<=", 0.1),
    "cached_revisit_s": ("<=", 0.2),
    "peak_rss_mb_100_replications": ("<=", 600.0),
    "dashboard_run_s": ("<=", 20.0),
    "scale_10x_ratio": ("<=", 11.0),
}


def meets(value, target: tuple[str, float] | None) -> bool | None:
    """Whether a value meets its target (None: no target, or nothing measured)."""
    if target is None or value is None:
        return None
    op, bound = target
    return value <= bound if op == "<=" else value >= bound


def shown(value) -> str:
    return "-" if value is None else f"{value:,.4g}" if isinstance(value, float) else f"{value:,}"


def load_note() -> str:
    """The machine's load when a figure was taken: the timings are wall time on shared cores."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return ""
    return f"; load average {one:.1f} (1 min) / {five:.1f} (5 min) on {os.cpu_count()} cores when taken"


def measure() -> dict[str, dict]:
    """Every figure with its target and note; prints progress to stdout as it goes."""
    scenario = load_scenario(SCENARIO)
    status_quo = load_scenario("status-quo")
    rows: dict[str, dict] = {}

    def put(name: str, value, note: str) -> None:
        target = TARGETS.get(name)
        ok = meets(value, target)
        rows[name] = {"value": value, "target": f"{target[0]} {target[1]:g}" if target else None,
                      "meets": ok, "note": note + load_note()}
        verdict = "" if ok is None else "meets" if ok else "MISSES"
        print(f"  {name:<34} {shown(value):>14} {rows[name]['target'] or '':>9} {verdict:<6}  {note}", flush=True)

    events = engine_speed.count_events(scenario)
    put("events", events, "events one replication processes (counted: Environment.step wrapped)")
    engine_s = engine_speed.engine_seconds(scenario)
    put("engine_s", engine_s, "simulate() alone, median of 3")
    put("events_per_s", events / engine_s, "events / engine_s")
    ref_s = engine_speed.simpy_reference_seconds(events)
    put("simpy_reference_events_per_s", events / ref_s,
        "bare simpy: 3,000 processes of timeouts, same event count, median of 3")
    put("overhead_vs_simpy", engine_s / ref_s, "engine_s / bare simpy seconds")

    ours_s, ours_n, ours_w = engine_speed.engine_mmc()
    ciw_s, ciw_n, ciw_w = engine_speed.ciw_mmc()
    put("mmc_engine_us_per_customer", ours_s / ours_n * 1e6,
        f"engine reduced to M/M/{engine_speed.SERVERS}, rho 0.8, {engine_speed.MMC_YEARS} years, {ours_n:,} customers; "
        f"mean wait {ours_w:.3f} d (Erlang C {engine_speed.erlang_c_wait():.3f})")
    put("mmc_ciw_us_per_customer", ciw_s / ciw_n * 1e6, f"ciw, same queue and horizon, {ciw_n:,} customers; mean wait {ciw_w:.3f} d")
    put("ciw_ratio", (ciw_s / ciw_n) / (ours_s / ours_n),
        "ciw time per customer / engine time per customer on the same M/M/c queue, medians of 3")

    one = throughput.one_replication_seconds(scenario)
    put("one_replication_s", one,
        "run(plan, full city, 10 years, 1 replication, workers=1): engine + monthly + yearly, median of 3")
    workers = default_workers()
    thirty, results = throughput.replications_seconds(scenario, 30)
    put("thirty_replications_s", thirty, f"run(plan, 30, workers={workers}), one run (each takes minutes), no cache")
    put("parallel_speedup", 30 * one / thirty, f"30 x one_replication_s / thirty_replications_s ({workers} cores)")
    paired_s = throughput.paired_seconds(scenario, status_quo, 30)
    put("paired_thirty_s", paired_s,
        f"Experiment(plan, status quo, 30 replications, uncertainty 'noise').run(workers={workers}): both arms "
        "on common random numbers, paired; chance only, no cache, one run")

    total, draws = throughput.comparison_seconds(scenario, status_quo, 30, "parameters")
    put("parameter_comparison_s", total,
        f"plan vs status quo with parameter uncertainty, 30 replications, each with its own draw of the "
        f"assumptions (drawing and solving Herning alone: {draws:.1f} s), paired, explained by lever "
        "beside the draws and the simulation (sim.run_explained); one run")
    default = throughput.compare_defaults()
    total, draws = throughput.comparison_seconds(scenario, status_quo, default["replications"], default["uncertainty"])
    put("parameter_uncertainty_s", total,
        f"plan vs status quo as `python -m sim compare` runs it by default ({default['replications']} replications, "
        f"uncertainty '{default['uncertainty']}': a draw of the assumptions per replication; drawing and solving "
        f"Herning alone: {draws:.1f} s), all cores, no cache, paired and explained by lever beside the draws and the "
        "simulation; one run")
    put("parameter_draws_300_s", throughput.draws_seconds(scenario, status_quo, 300),
        "the draws of 300 replications (what a stable probability of paying back needs): each draw's assumptions "
        "and its Herning elasticity, solved for all draws at once (calibrate.HerningWorlds); one run")
    put("analytic_s", interactive.analytic_seconds(scenario), "sim.analytic.expected_yearly(plan), median of 7")
    preview = interactive.preview_latency()
    how = preview[2] if preview else "no preview callback in dashboard/ yet"
    put("preview_latency_p50_s", preview[0] if preview else None, how)
    put("preview_latency_p95_s", preview[1] if preview else None,
        "95th percentile of the same 20 calls of the preview callback (server side, no browser or HTTP)")
    put("cached_revisit_s", interactive.cached_revisit_seconds(scenario, results),
        "run(plan, 30) again, answered by a ResultCache on disk, median of 5")

    mem = throughput.peak_rss_mb(SCENARIO, 100)
    put("peak_rss_mb_100_replications", mem["total_mb"],
        f"child process, run(plan, 100, workers={mem['workers']}): parent {mem['parent_mb']:.0f} MB + "
        f"{mem['workers']} x worker {mem['worker_mb']:.0f} MB peak RSS (own VmHWM; workers by getrusage); {mem['monthly_rows']:,} monthly rows")
    put("peak_pss_mb_100_replications", mem["pss_mb"],
        f"the same run: the largest sum of proportional set sizes of the child and its workers, sampled every "
        f"{throughput.PSS_SAMPLE_S} s (pages shared by the forked workers counted once in all)")

    small, large, ratios = scale.measure()
    put("scale_1x_s", small["seconds"], f"run(plan, 1 replication, workers=1) in a fresh process, median of {len(ratios)}: {small['children']:,} "
        f"children, {small['districts']} districts; peak RSS {small['peak_rss_mb']:.0f} MB")
    put("scale_10x_s", large["seconds"], f"the same for the city {scale.FACTOR}x as large (benchmarks/scale.py): "
        f"{large['children']:,} children, {large['districts']} districts; peak RSS {large['peak_rss_mb']:.0f} MB")
    put("scale_10x_ratio", statistics.median(ratios),
        f"median of {len(ratios)} pairs, each the 1x city then the 10x city in fresh processes: the pairs' ratios "
        + ", ".join(f"{r:.2f}" for r in ratios))
    put("scale_10x_memory_ratio", large["peak_rss_mb"] / small["peak_rss_mb"],
        "peak RSS of the 10x process / of the 1x process (imports included in both)")

    try:
        dash = dashboard_run.dashboard_run_seconds()
    except Exception as exc:  # noqa: BLE001 - no Chromium here: say so, measure the rest
        put("dashboard_run_s", None, f"not measured: {type(exc).__name__}: {exc}")
    else:
        put("dashboard_run_s", dash["total_s"],
            f"headless Chromium, `python app.py` on an empty data folder: click 'Kør simuleringen' (30 replications, "
            f"the page's default uncertainty, all cores) to the finished Overblik; run message after "
            f"{dash['run_s']:.1f} s, Overblik at rest {dash['overview_s']:.1f} s later; one run")
    return rows


def table(rows: dict[str, dict]) -> str:
    """The figures as a Markdown table: value, target, whether it meets it."""
    lines = ["| figure | value | target | meets |", "|---|---:|---:|---|"]
    for name, row in rows.items():
        verdict = "" if row["meets"] is None else "yes" if row["meets"] else "**no**"
        lines.append(f"| {name} | {shown(row['value'])} | {row['target'] or ''} | {verdict} |")
    return "\n".join(lines)


def main() -> None:
    print(f"benchmarks: scenario {SCENARIO}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    try:
        one, five, fifteen = os.getloadavg()
        print(f"load average before: {one:.1f} {five:.1f} {fifteen:.1f}", flush=True)
    except OSError:
        pass
    rows = measure()
    print()
    print(table(rows))
    OUT.write_text(json.dumps({
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "project_version": project_version(),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_after": list(os.getloadavg()) if hasattr(os, "getloadavg") else None},
        "caveat": "wall-clock times on shared cores: other work on the machine inflates them (see each note's load)",
        "scenario": SCENARIO,
        "figures": rows,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
