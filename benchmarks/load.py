"""`make load`: simulated users against `gunicorn -w 2` on loopback, driven by Locust (headless).

Not part of `make test`: it takes minutes. By default 20 users for 5 minutes (`make load
LOAD_USERS=5 LOAD_TIME=1m` for a short run). The users send what the page sends (callback requests to
/_dash-update-component): previews with varied slider values, page switches, listing, saving,
opening and comparing saved scenarios, exports and a few background simulation runs
(benchmarks/locustfile.py). The request bodies are built here from the app's own callback map and
handed to Locust as a file, so Locust runs in its own virtual environment (.venv-load: it needs a
newer urllib3 than the browser tests' Selenium). Prints requests, errors and p50/p95/p99 latency per
kind, and the server's memory (master and workers) after the first minute and at the end; writes
benchmarks/load-results.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
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
from dashboard.inputs import Limits, defaults, to_query
from dashboard.pages.scenarios import CONTROL_KEYS, SCALE, control_id

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "load-results.json"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
LANG = "da"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def callback(app, output: str, values: dict[str, object]) -> dict:
    """The body of the callback whose outputs include `output`, with `values` by "id.property" for
    its inputs and states (as the browser builds it)."""
    key = next(k for k in app.callback_map if output in k.strip(".").split("..."))
    cb = app.callback_map[key]
    outputs = [dict(zip(("id", "property"), part.split("@")[0].rsplit(".", 1))) for part in key.strip(".").split("...")]

    def entries(specs):
        return [{"id": s["id"], "property": s["property"], "value": values.get(f"{s['id']}.{s['property']}")}
                for s in specs]

    inputs = entries(cb["inputs"])
    return {"output": key, "outputs": outputs if key.startswith("..") else outputs[0], "inputs": inputs,
            "state": entries(cb.get("state", [])), "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def templates(app) -> dict:
    """Every request body the users send, with the default inputs; the users change what varies."""
    inputs = defaults(Limits(500, 30))
    controls = {f"{control_id(k)}.value": inputs[k] * SCALE.get(k, 1) for k in CONTROL_KEYS}
    common = {"inputs.data": inputs, "run-finished.data": None, "lang.value": LANG}
    run_inputs = {**inputs, "years": 1, "replications": 2}
    return {
        "controls": [f"{control_id(k)}.value" for k in CONTROL_KEYS],
        "collect": callback(app, "inputs.data", {**controls, "scn-extras.data": {}, "lang.value": LANG}),
        "preview": callback(app, "scn-kpis.children", common),
        "overview": callback(app, "ov-children.children", common),
        "router": callback(app, "_pages_content.children", {"_pages_location.pathname": "/",
                                                            "_pages_location.search": "", "lang.value": LANG}),
        "list": callback(app, "saved-list.children", {"saved-version.data": 1, "lang.value": LANG}),
        "save": callback(app, "save-status.children", {"save-button.n_clicks": 1, "save-name.value": "",
                                                       "inputs.data": inputs, "saved-version.data": 0,
                                                       "lang.value": LANG}),
        "compare": callback(app, "compare-result.children", {"compare-select.value": [], **common}),
        "export": callback(app, "exp-download.data", {"exp-csv-da.n_clicks": 1, **common}),
        "run": callback(app, "run-finished.data", {"run-button.n_clicks": 1, "inputs.data": run_inputs,
                                                   "lang.value": LANG}),
        "query": "?" + to_query(inputs),
        "pages": ["/", "/scenarier", "/distrikter", "/antagelser", "/eksport"],
    }


class Memory(threading.Thread):
    """The server's resident memory every few seconds: the master and its workers (what must stay
    flat), and with the background runs' own processes (which come and go) on top."""

    def __init__(self, pid: int, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.samples = pid, every, []
        self.stop = threading.Event()
        self.start_time = time.time()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                master = psutil.Process(self.pid)
                server = [master, *master.children()]
                runs = [p for w in server[1:] for p in w.children(recursive=True)]
                mb = [sum(p.memory_info().rss for p in group) / 2**20 for group in (server, runs)]
                self.samples.append((time.time() - self.start_time, mb[0], mb[0] + mb[1]))
            except psutil.Error:
                pass
            self.stop.wait(self.every)

    def at(self, seconds: float) -> float:
        """The server's memory (master and workers) at that time into the run."""
        return next((mb for t, mb, _ in self.samples if t >= seconds), self.samples[-1][1])


def serve(data_dir: Path, port: int, log) -> subprocess.Popen:
    server = subprocess.Popen([GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "300",
                               f"dashboard:wsgi(data_dir={str(data_dir)!r})"],
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


def report(stats_csv: Path, memory: Memory, users: int, duration: str) -> dict:
    with open(stats_csv, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Name"] != "Aggregated"]
    kinds = {r["Name"]: {"requests": int(r["Request Count"]), "errors": int(r["Failure Count"]),
                         "p50_ms": float(r["50%"]), "p95_ms": float(r["95%"]), "p99_ms": float(r["99%"])}
             for r in rows}
    return {
        "users": users, "duration": duration, "server": "gunicorn -w 2, 127.0.0.1",
        "machine_cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d"),
        "requests": sum(k["requests"] for k in kinds.values()), "errors": sum(k["errors"] for k in kinds.values()),
        "kinds": kinds,
        "memory_mb_after_1_min": round(memory.at(60), 1), "memory_mb_at_end": round(memory.samples[-1][1], 1),
        "memory_mb_max": round(max(mb for _, mb, _ in memory.samples), 1),
        "memory_mb_max_with_runs": round(max(mb for _, _, mb in memory.samples), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locust", required=True, help="the locust executable (of .venv-load)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--time", default="5m", help="run time, e.g. 5m or 90s")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="relvel-load-"))
    (work / "data").mkdir()
    bodies = work / "bodies.json"
    app = create_app(work / "map")
    app.server.test_client().get("/")  # Dash registers the pages' router callback on the first request
    bodies.write_text(json.dumps(templates(app)), encoding="utf-8")
    port = free_port()
    with open(work / "gunicorn.log", "ab") as log:
        server = serve(work / "data", port, log)
    memory = Memory(server.pid)
    memory.start()
    try:
        locust = subprocess.run([args.locust, "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(args.users),
                        "-r", str(max(1, args.users // 5)), "-t", args.time, "--host", f"http://127.0.0.1:{port}",
                        "--csv", str(work / "load"), "--only-summary"],
                       env={**os.environ, "RELVEL_LOAD_BODIES": str(bodies)}, check=False)
        if not (work / "load_stats.csv").exists():
            raise SystemExit(f"locust wrote no statistics (exit {locust.returncode}); see its output above")
    finally:
        memory.stop.set()
        memory.join()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    result = report(work / "load_stats.csv", memory, args.users, args.time)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\n{args.users} users, {args.time}, gunicorn -w 2 on {os.cpu_count()} cores: "
          f"{result['requests']:,} requests, {result['errors']} errors")
    print(f"{'kind':<22} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, k in sorted(result["kinds"].items()):
        print(f"{name:<22} {k['requests']:>9,} {k['errors']:>7} {k['p50_ms']:>8.0f} {k['p95_ms']:>8.0f} {k['p99_ms']:>8.0f}")
    print(f"server memory (master and workers): {result['memory_mb_after_1_min']:,.0f} MB after the first minute, "
          f"{result['memory_mb_at_end']:,.0f} MB at the end (max {result['memory_mb_max']:,.0f} MB; "
          f"{result['memory_mb_max_with_runs']:,.0f} MB with the background runs' processes); wrote {RESULTS}")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
