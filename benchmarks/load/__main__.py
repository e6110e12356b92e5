"""`make load` (`python -m benchmarks.load`): simulated users against gunicorn on loopback, with Locust.

Not part of `make test`: it takes minutes. By default 20 users for 5 minutes (`make load LOAD_USERS=5
LOAD_TIME=1m` for a short run) against the server as the README deploys it (`GUNICORN`: two worker
processes of sixteen threads each). The users send what the page sends (callback requests to
/_dash-update-component, see locustfile.py): previews with varied slider values, page switches (each
page's figures for the user's current inputs, Overblik's break-even and waterfall and Usikkerhed's
tornado among them), listing, saving, opening and comparing saved scenarios, exports (CSV for Danish
Excel, plain CSV, xlsx) and a few background simulation runs (one or two years, two replications).
The request bodies are built here, once, from the app's own callback map, and handed to Locust as a
file, so the users import nothing of the project. Prints requests, errors and p50/p95/p99 latency per
kind, and the server's resident memory (gunicorn's master and workers, sampled every few seconds)
after the first minute (warm-up) and at the end; writes benchmarks/load/results.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

from dashboard import create_app
from dashboard.inputs import Limits, base_params, defaults, to_query, validate
from dashboard.pages.scenarios import CONTROL_KEYS, SCALE, control_id

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
BIN = Path(sys.executable).parent
LANG = "da"
LIMITS = Limits(max_replications=500, default_replications=30)  # what `dashboard:wsgi()` serves
# The Scenarier page's sliders and their steps (the number fields are left at their values).
SLIDERS = {"caseload.relational": 1, "caseload.classic": 1, "staff.relational_capacity_ratio": 0.05,
           "relational.effect_strength": 0.05, "finance.discount_rate": 0.005}
PAGES = ["/", "/scenarier", "/distrikter", "/usikkerhed", "/antagelser", "/eksport"]
# The README's deployment line: a request waiting for an analysis (Overblik's break-even, Usikkerhed's
# tornado for inputs not yet in the result cache) holds one of its worker's threads, not the worker;
# sixteen a worker, so that twenty users all waiting at once still leave threads for the previews;
# an idle connection kept 10 s (gunicorn's 2 s raced the users' next request: a reset, status 0).
GUNICORN = ["-w", "2", "--threads", "16", "--keep-alive", "10"]
WARM_UP_S = 60.0
# At the end of the run time the users finish what they are doing (and it is counted), rather than
# being cut off mid-request (which Locust would count as a failed request with status 0).
STOP_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def callback(app, output: str, values: dict[str, object], trigger: str | None = None) -> dict:
    """The body of the server callback whose outputs include `output` (and whose first input is
    `trigger`, if given), with `values` by "id.property" for its inputs and states (as the browser
    builds it)."""
    key = next(k for k, cb in app.callback_map.items()
               if "callback" in cb and output in [p.split("@")[0] for p in k.strip(".").split("...")]
               and (trigger is None or f"{cb['inputs'][0]['id']}.{cb['inputs'][0]['property']}" == trigger))
    cb = app.callback_map[key]
    outputs = [dict(zip(("id", "property"), part.split("@")[0].rsplit(".", 1))) for part in key.strip(".").split("...")]

    def entries(specs):
        return [{"id": s["id"], "property": s["property"], "value": values.get(f"{s['id']}.{s['property']}")}
                for s in specs]

    inputs = entries(cb["inputs"])
    return {"output": key, "outputs": outputs if key.startswith("..") else outputs[0], "inputs": inputs,
            "state": entries(cb.get("state", [])), "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def variants(n: int, rng: random.Random) -> list[dict]:
    """Slider settings as an analyst tries them: one to three sliders moved from the defaults to a
    random step of their range. Each with the controls' values as the page sends them, the slider
    that moved, the inputs the server makes of them and their address (a saved scenario's link)."""
    params, base, out = base_params(), defaults(LIMITS), []
    while len(out) < n:
        values, moved = dict(base), rng.sample(list(SLIDERS), rng.randint(1, 3))
        for key in moved:
            p, step = params[key], SLIDERS[key]
            values[key] = round(p.low + step * rng.randint(0, round((p.high - p.low) / step)), 6)
        inputs = validate(values, LIMITS)
        out.append({"controls": [round(inputs[k] * SCALE.get(k, 1), 6) if k in SCALE else inputs[k] for k in CONTROL_KEYS],
                    "changed": f"{control_id(moved[0])}.value", "inputs": inputs, "query": to_query(inputs)})
    return out


def bodies(app, rng: random.Random) -> dict:
    """Every request body the users send, with the default inputs, and the inputs they vary."""
    inputs = defaults(LIMITS)
    controls = {f"{control_id(k)}.value": inputs[k] * SCALE.get(k, 1) for k in CONTROL_KEYS}
    common = {"inputs.data": inputs, "run-finished.data": None, "lang.value": LANG}
    runs = [{**inputs, "years": years, "replications": 2, "caseload.relational": caseload}
            for years in (1, 2) for caseload in (16.0, 20.0, 24.0)]
    return {
        "collect": callback(app, "inputs.data", {**controls, "scn-extras.data": {}, "lang.value": LANG},
                            trigger=f"{control_id(CONTROL_KEYS[0])}.value"),
        "preview": callback(app, "scn-kpis.children", common),
        "address": callback(app, "query.data", {"inputs.data": inputs}, trigger="inputs.data"),
        "router": callback(app, "_pages_content.children", {"_pages_location.pathname": "/",
                                                            "_pages_location.search": "", "lang.value": LANG}),
        # what each page draws from the inputs once its content is there, by the name it is reported under
        "page_figures": {
            "/": {"Overblik": callback(app, "ov-children.children", common),
                  "Overblik break-even": callback(app, "ov-break-even.children", common)},
            "/scenarier": {"Scenarier": callback(app, "scn-kpis.children", common)},
            "/distrikter": {"Distrikter": callback(app, "dist-gantt.figure", common)},
            "/usikkerhed": {"Usikkerhed tornado": callback(app, "unc-tornado.figure", common)},
            "/antagelser": {"Antagelser": callback(app, "ass-table.children", common)},
            "/eksport": {"Eksport": callback(app, "exp-status.children", common)},
        },
        "list": callback(app, "saved-list.children", {"saved-version.data": 1, "lang.value": LANG}),
        "save": callback(app, "save-status.children", {"save-button.n_clicks": 1, "save-name.value": "",
                                                       "inputs.data": inputs, "saved-version.data": 0,
                                                       "lang.value": LANG}, trigger="save-button.n_clicks"),
        "compare": callback(app, "compare-result.children", {"compare-select.value": [], **common}),
        "export": {button: callback(app, "exp-download.data", {f"{button}.n_clicks": 1, **common})
                   for button in ("exp-csv-da", "exp-csv", "exp-xlsx")},
        "run": callback(app, "run-finished.data", {"run-button.n_clicks": 1, "inputs.data": inputs,
                                                   "lang.value": LANG}),
        "runs": runs,
        "variants": variants(400, rng),
        "pages": PAGES,
    }


def check_collect(app, body: dict, variant: dict) -> None:
    """The server makes of a variant's controls the inputs the users will save and open."""
    request = json.loads(json.dumps(body))
    for entry, value in zip(request["inputs"], variant["controls"]):
        entry["value"] = value
    response = app.server.test_client().post("/_dash-update-component", json=request)
    got = response.get_json()["response"]["inputs"]["data"]
    if got != json.loads(json.dumps(variant["inputs"])):
        raise SystemExit(f"the collect callback made other inputs of a variant: {got} != {variant['inputs']}")


def is_helper(process: psutil.Process) -> bool:
    """A worker's long-lived helper: its analysis process or multiprocessing's resource tracker (both
    started by the standard library's spawn; a background run's process by Dash's `multiprocess`)."""
    try:
        return "from multiprocessing." in " ".join(process.cmdline())
    except psutil.Error:  # a run's process that has just ended
        return False


class Memory(threading.Thread):
    """The server's resident memory every few seconds: the master, its workers and their analysis
    processes (what must stay flat), and with the background runs' own processes (which come and go)
    on top."""

    def __init__(self, pid: int, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.samples = pid, every, []
        self.stop = threading.Event()
        self.start_time = time.time()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                master = psutil.Process(self.pid)
                workers = master.children()
                children = [p for w in workers for p in w.children()]
                helpers = [p for p in children if is_helper(p)]
                server = [master, *workers, *helpers]
                runs = [p for c in children if c not in helpers for p in (c, *c.children(recursive=True))]
                mb = []
                for group in (server, runs):
                    total = 0
                    for p in group:
                        try:
                            total += p.memory_info().rss
                        except psutil.Error:  # a run's process that has just ended
                            pass
                    mb.append(total / 2**20)
                self.samples.append((round(time.time() - self.start_time, 1), round(mb[0], 1),
                                     round(mb[0] + mb[1], 1)))
            except psutil.Error:
                pass
            self.stop.wait(self.every)

    def summary(self) -> dict:
        after = [s for s in self.samples if s[0] >= WARM_UP_S] or self.samples[-1:]
        warm, end = after[0][1], self.samples[-1][1]
        return {
            "memory_mb_warm_up": warm, "memory_mb_warm_up_at_s": after[0][0], "memory_mb_end": end,
            "memory_mb_change_after_warm_up": round(end - warm, 1),
            "memory_mb_min_after_warm_up": min(s[1] for s in after),
            "memory_mb_max_after_warm_up": max(s[1] for s in after),
            "memory_mb_max_with_runs": max(s[2] for s in self.samples),
            "memory_samples": [{"s": t, "server_mb": a, "with_runs_mb": b} for t, a, b in self.samples],
        }


def serve(data_dir: Path, port: int, log) -> subprocess.Popen:
    server = subprocess.Popen([str(BIN / "gunicorn"), *GUNICORN, "-b", f"127.0.0.1:{port}", "--timeout", "300",
                               "--graceful-timeout", "10", f"dashboard:wsgi(data_dir={str(data_dir)!r})"],
                              stdout=log, stderr=log, start_new_session=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.3)
    os.killpg(server.pid, signal.SIGKILL)
    raise SystemExit("gunicorn did not start within 90 s")


def stop(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


def report(stats_csv: Path, memory: Memory, users: int, duration: str, left_out: list[str]) -> dict:
    with open(stats_csv, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Name"] != "Aggregated"]
    kinds = {r["Name"]: {"type": r["Type"], "requests": int(r["Request Count"]), "errors": int(r["Failure Count"]),
                         "p50_ms": float(r["50%"]), "p95_ms": float(r["95%"]), "p99_ms": float(r["99%"]),
                         "max_ms": round(float(r["Max Response Time"]))}
             for r in rows}
    http = [k for k in kinds.values() if k["type"] != "USER"]  # USER: a user's wait over several requests
    return {
        "users": users, "duration": duration, "server": f"gunicorn {' '.join(GUNICORN)}, 127.0.0.1",
        "machine_cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d"),
        "requests": sum(k["requests"] for k in http), "errors": sum(k["errors"] for k in kinds.values()),
        "left_out": left_out, "kinds": kinds, **memory.summary(),
    }


def failures(failures_csv: Path) -> list[dict]:
    if not failures_csv.exists():
        return []
    with open(failures_csv, newline="") as fh:
        return [{"name": r["Name"], "error": r["Error"][:300], "occurrences": int(r["Occurrences"])}
                for r in csv.DictReader(fh)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locust", default=str(BIN / "locust"), help="the locust executable")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--time", default="5m", help="run time, e.g. 5m or 90s")
    parser.add_argument("--seed", type=int, default=1, help="for the slider settings the users try")
    parser.add_argument("--leave-out", action="append", default=[], metavar="ID",
                        help="leave out the page figures drawn into this component (to find what is slow), "
                             "e.g. --leave-out ov-break-even; repeatable")
    args = parser.parse_args(argv)
    if not Path(args.locust).exists():
        raise SystemExit(f"no {args.locust}: install the load extra (`.venv/bin/pip install -e '.[load]'`)")
    load_before = os.getloadavg()  # the machine's own load before anything starts (other work on a shared machine)
    work = Path(tempfile.mkdtemp(prefix="relvel-load-"))
    (work / "data").mkdir()
    app = create_app(work / "map")
    app.server.test_client().get("/")  # Dash registers the pages' router callback on the first request
    templates = bodies(app, random.Random(args.seed))
    for path, figures in templates["page_figures"].items():
        templates["page_figures"][path] = {name: b for name, b in figures.items()
                                           if not any(f"{leave}." in b["output"] for leave in args.leave_out)}
    for variant in templates["variants"][:3]:
        check_collect(app, templates["collect"], variant)
    (work / "bodies.json").write_text(json.dumps(templates), encoding="utf-8")
    port = free_port()
    print(f"gunicorn {' '.join(GUNICORN)} on 127.0.0.1:{port}, data in {work / 'data'}; {args.users} users for {args.time}", flush=True)
    with open(work / "gunicorn.log", "ab") as log:
        server = serve(work / "data", port, log)
    memory = Memory(server.pid)
    memory.start()
    try:
        locust = subprocess.run([args.locust, "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(args.users),
                                 "-r", str(max(1, args.users // 5)), "-t", args.time,
                                 "--stop-timeout", str(STOP_TIMEOUT_S),
                                 "--host", f"http://127.0.0.1:{port}", "--csv", str(work / "load"), "--only-summary"],
                                env={**os.environ, "RELVEL_LOAD_BODIES": str(work / "bodies.json")}, check=False)
        if not (work / "load_stats.csv").exists():
            raise SystemExit(f"locust wrote no statistics (exit {locust.returncode}); see its output above")
    finally:
        memory.stop.set()
        memory.join()
        stop(server)
    result = report(work / "load_stats.csv", memory, args.users, args.time, args.leave_out)
    result["load_average_start"], result["load_average_end"] = ([round(x, 2) for x in load] for load in
                                                                (load_before, os.getloadavg()))
    result["failures"] = failures(work / "load_failures.csv")
    result["server_log"] = str(work / "gunicorn.log")
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\n{args.users} users, {args.time}, gunicorn {' '.join(GUNICORN)} on {os.cpu_count()} cores: "
          f"{result['requests']:,} requests, {result['errors']} errors; load average (1, 5, 15 min) before "
          f"{result['load_average_start']}, at the end {result['load_average_end']}")
    print(f"{'kind':<34} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, k in sorted(result["kinds"].items()):
        print(f"{name:<34} {k['requests']:>9,} {k['errors']:>7} {k['p50_ms']:>8.0f} {k['p95_ms']:>8.0f} {k['p99_ms']:>8.0f}")
    for f in result["failures"]:
        print(f"failed {f['occurrences']}x {f['name']}: {f['error']}")
    print(f"server memory (gunicorn master, 2 workers and their analysis processes): {result['memory_mb_warm_up']:,.0f} MB after warm-up "
          f"({result['memory_mb_warm_up_at_s']:.0f} s), {result['memory_mb_end']:,.0f} MB at the end "
          f"({result['memory_mb_change_after_warm_up']:+,.0f} MB; {result['memory_mb_min_after_warm_up']:,.0f} to "
          f"{result['memory_mb_max_after_warm_up']:,.0f} MB after warm-up); with the background runs' processes at most "
          f"{result['memory_mb_max_with_runs']:,.0f} MB")
    print(f"wrote {RESULTS}; the server's log: {work / 'gunicorn.log'}")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
