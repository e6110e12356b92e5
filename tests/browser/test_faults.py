"""Faults: the server killed mid-save or mid-run, a read-only data folder and a full disk.

Every test runs the real `gunicorn -w 2` over its own data folder and talks to it as the page does
(callback requests). What the client saw succeed must be on disk after a restart, SQLite's integrity
check must pass, no background job may be left stuck and the result cache may hold no half-written
entry; a data folder that cannot be written gives the save's refusal in the page, not an error.
The read-only folder and the full disk are real: a small tmpfs, remounted read-only or filled up
(root only; without root the read-only case falls back to chmod and the full disk is skipped).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import psutil
import pytest
import requests

import sim
from dash_client import callback_body, free_port
from dashboard import create_app
from dashboard.inputs import Limits, defaults

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
INPUTS = defaults(Limits(500, 30))
TINY = {**INPUTS, "years": 1, "replications": 1}
SAVE = [("save-status", "children"), ("saved-version", "data")]
LIST = [("saved-list", "children"), ("compare-select", "data")]
RUN = [("run-finished", "data"), ("run-status", "children")]


@lru_cache(maxsize=1)
def callbacks():
    return create_app(Path(tempfile.mkdtemp(prefix="faults-map-"))).callback_map


def body(outputs, inputs, state) -> dict:
    return callback_body(callbacks(), outputs, inputs, state)


def save_body(name: str, values=INPUTS) -> dict:
    return body(SAVE, [("save-button", "n_clicks", 1)],
                [("save-name", "value", name), ("inputs", "data", values), ("saved-version", "data", 0),
                 ("lang", "value", "da")])


def list_body() -> dict:
    return body(LIST, [("saved-version", "data", 1)], [("lang", "value", "da")])


def run_body(values=TINY) -> dict:
    return body(RUN, [("run-button", "n_clicks", 1)], [("inputs", "data", values), ("lang", "value", "da")])


class Server:
    """gunicorn -w 2 over a data folder, in its own session (so the whole server can be killed)."""

    def __init__(self, data_dir: Path, log: Path, user: tuple[int, int] | None = None) -> None:
        self.data_dir, self.log, self.user = data_dir, log, user
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> "Server":
        port = free_port()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5",
                 *(["--user", str(self.user[0]), "--group", str(self.user[1])] if self.user else []),
                 f"dashboard:wsgi(data_dir={str(self.data_dir)!r})"],
                stdout=log, stderr=log, start_new_session=True)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/", timeout=5).status_code == 200 and len(self.workers()) == 2:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.kill_all()
        pytest.fail("gunicorn did not start within 60 s: " + self.log.read_text()[-2000:])

    def workers(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children()
        except psutil.NoSuchProcess:
            return []

    def everything(self) -> list[psutil.Process]:
        """The master, its workers and their background jobs."""
        try:
            master = psutil.Process(self.proc.pid)
            return [master, *master.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def post(self, request: dict, query: str = "", timeout: float = 30) -> requests.Response:
        return requests.post(self.url + "/_dash-update-component" + query, json=request,
                             headers={"Connection": "close"}, timeout=timeout)

    def kill_all(self) -> None:
        """kill -9 the whole server (master, workers, background jobs) and reap it."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        psutil.wait_procs([p for p in self.everything()], timeout=5)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        self.kill_all()


@pytest.fixture
def server(data_dir: Path, tmp_path: Path):
    servers: list[Server] = []
    callbacks()  # built here, in the main thread (Dash registers pages there)

    def start(folder: Path = data_dir, user: tuple[int, int] | None = None) -> Server:
        servers.append(Server(folder, tmp_path / "gunicorn.log", user).start())
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


def stored(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "scenarios.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {name for (name,) in db.execute("SELECT name FROM scenario")}


def listed(s: Server) -> list[str]:
    r = s.post(list_body())
    assert r.status_code == 200, r.text[:300]
    return r.json()["response"]["compare-select"]["data"]


class Savers:
    """Threads posting the save callback with fresh names until stopped; a save counts as seen to
    succeed only on HTTP 200 with the page's "Gemt" message."""

    def __init__(self, server: Server, threads: int = 4) -> None:
        self.server, self.acked, self.failed = server, [], 0
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.loop, args=(t,), daemon=True) for t in range(threads)]

    def loop(self, thread: int) -> None:
        i = 0
        while not self.stopped.is_set():
            name = f"T{thread} save {i}"
            i += 1
            try:
                r = self.server.post(save_body(name), timeout=10)
                ok = r.status_code == 200 and f"Gemt: {name}" in r.text
            except requests.RequestException:
                ok = False
                time.sleep(0.05)
            with self.lock:
                if ok:
                    self.acked.append(name)
                else:
                    self.failed += 1

    def __enter__(self) -> "Savers":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        for t in self.threads:
            t.join(timeout=15)

    def wait_for(self, n: int, timeout: float = 20) -> None:
        deadline = time.time() + timeout
        while len(self.acked) < n:
            assert time.time() < deadline, f"only {len(self.acked)} saves in {timeout} s"
            time.sleep(0.02)


def test_kill_9_of_the_master_mid_save_loses_no_acknowledged_save(server, data_dir):
    s = server()
    with Savers(s) as savers:
        savers.wait_for(20)
        master = s.proc.pid
        os.kill(master, signal.SIGKILL)  # the workers notice their parent is gone and stop
        time.sleep(1.0)
    s.proc.wait(timeout=10)
    gone, alive = psutil.wait_procs(s.everything()[1:], timeout=3)
    for p in alive:  # a worker still busy: killed too, mid-request (a crash of the whole server)
        p.kill()
    acked = set(savers.acked)
    assert len(acked) >= 20
    assert acked <= stored(data_dir)  # and the database is intact
    again = server()
    assert acked <= set(listed(again))
    r = again.post(save_body("after restart"))
    assert r.status_code == 200 and "Gemt: after restart" in r.text, r.text[:300]


def test_kill_9_of_one_worker_mid_save_loses_no_acknowledged_save(server, data_dir):
    s = server()
    with Savers(s) as savers:
        savers.wait_for(20)
        victim = s.workers()[0]
        victim.kill()
        before = len(savers.acked)
        savers.wait_for(before + 20)  # the other worker, then the master's replacement, go on saving
    psutil.wait_procs([victim], timeout=30)  # reaped by the master (once, on a loaded machine, it was not yet)
    assert victim.pid not in [w.pid for w in s.workers()]
    acked = set(savers.acked)
    assert acked <= stored(data_dir)
    assert acked <= set(listed(s))
    s.stop()
    assert acked <= set(listed(server()))
    assert acked <= stored(data_dir)


def start_run(s: Server) -> str:
    r = s.post(run_body())
    assert r.status_code == 200, r.text[:300]
    handles = r.json()
    assert not handles["job"].startswith("-1~"), "the tiny run should get a background process"
    return f"?cacheKey={handles['cacheKey']}&job={handles['job']}"


def finish_run(s: Server, query: str, timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = s.post(run_body(), query)
        assert r.status_code in (200, 202, 204), r.text[:300]
        if r.status_code == 200 and "response" in r.json():
            return r.json()["response"]
        time.sleep(0.3)
    pytest.fail(f"the run did not finish within {timeout} s")


def every_entry_loads(folder: Path) -> int:
    cache = sim.ResultCache(folder)
    try:
        keys = list(cache._store.iterkeys())
        for key in keys:
            assert cache.get(key) is not None, f"cache entry {key!r} does not load"
        return len(keys)
    finally:
        cache.close()


def analysis_process(worker: psutil.Process, timeout: float = 30) -> psutil.Process:
    """The worker's analysis process (dashboard.compute.AnalysisProcess, a spawned interpreter), once up."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        spawned = [p for p in worker.children() if "spawn_main" in " ".join(p.cmdline())]
        if spawned:
            assert len(spawned) == 1, [p.cmdline() for p in spawned]
            return spawned[0]
        time.sleep(0.1)
    pytest.fail(f"worker {worker.pid} has no analysis process: {[p.cmdline() for p in worker.children()]}")


def test_a_worker_killed_takes_its_analysis_process_along(server):
    """gunicorn kills a worker past its timeout with -9, and the kernel one that runs out of memory:
    its analysis process must not stay behind waiting for work that never comes, with the model's
    memory, at every such kill until the service restarts."""
    s = server()
    victim, other = s.workers()
    orphan, kept = analysis_process(victim), analysis_process(other)
    victim.kill()
    gone, alive = psutil.wait_procs([orphan], timeout=15)
    assert not alive, f"the killed worker's analysis process {orphan.pid} is still running"
    assert kept.is_running() and kept.status() != psutil.STATUS_ZOMBIE  # the other worker's is untouched
    r = s.post(save_body("after the kill"))  # and the server goes on answering
    assert r.status_code == 200 and "Gemt: after the kill" in r.text, r.text[:300]


def run_processes(s: Server) -> list[psutil.Process]:
    """The background runs under way: forked by a worker's fork server (dashboard.factory.FreshProcessJobs)."""
    servers = [p for w in s.workers() for p in w.children() if "forkserver" in " ".join(p.cmdline())]
    return [job for fork_server in servers for job in fork_server.children()]


def test_kill_9_of_the_server_mid_run_leaves_no_stuck_job_and_no_partial_result(server, data_dir):
    s = server()
    assert not run_processes(s)
    start_run(s)
    deadline = time.time() + 20
    while not run_processes(s):  # the run's own process is up (the workers' other children start with them)
        assert time.time() < deadline, "no background process appeared"
        time.sleep(0.05)
    time.sleep(1.0)  # into the run
    s.kill_all()
    every_entry_loads(data_dir / "cache")
    again = server()
    response = finish_run(again, start_run(again))
    assert response["run-finished"]["data"].endswith(":1"), json.dumps(response)[:300]
    assert "run-done" in json.dumps(response)
    assert every_entry_loads(data_dir / "cache") >= 2  # both arms, each whole


def test_a_writer_killed_mid_put_leaves_no_half_entry(tmp_path):
    folder = tmp_path / "cache"
    code = ("import sys, numpy as np, sim; c = sim.ResultCache(sys.argv[1]); print('open', flush=True); "
            "c.put('big', np.ones(40_000_000)); print('done', flush=True)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    deadline = time.time() + 30
    while not any(p.suffix == ".val" and p.stat().st_size > 0 for p in folder.rglob("*.val")):
        assert time.time() < deadline and proc.poll() is None, "the value file never appeared"
        time.sleep(0.001)
    proc.kill()  # mid-write of the 320 MB value
    proc.wait()
    cache = sim.ResultCache(folder)
    try:
        value = cache.get("big")
        assert value is None or (value.shape == (40_000_000,) and float(value.sum()) == 40_000_000)
        cache.put("small", [1, 2, 3])
        assert cache.get("small") == [1, 2, 3]
    finally:
        cache.close()
    every_entry_loads(folder)


@contextmanager
def tmpfs(where: Path, size: str):
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                                           capture_output=True).returncode != 0:
        yield None
        return
    try:
        yield where
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(where)], capture_output=True)
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def assert_refused_in_page(s: Server, name: str) -> str:
    r = s.post(save_body(name))
    assert r.status_code == 200, r.text[:500]
    text = json.dumps(r.json(), ensure_ascii=False)
    assert "refusal" in text and "Gemt" not in text, text[:500]
    assert "Traceback" not in text and "sqlite3" not in text
    return text


def test_a_read_only_data_folder_refuses_the_save_with_a_message(server, tmp_path):
    """The data folder's file system made read-only (a read-only mount binds root too; without root,
    the folder's permissions are taken away instead), and the server started on it."""
    with tmpfs(tmp_path / "ro", "16m") as mount:
        folder = (mount or tmp_path / "ro") / "data"
        s = server(folder)
        assert s.post(save_body("before")).status_code == 200
        s.stop()  # a mount with files open for writing cannot be remounted read-only
        if mount is not None:
            assert subprocess.run(["mount", "-o", "remount,ro", str(mount)]).returncode == 0
        else:
            for p in [folder, *folder.rglob("*")]:
                p.chmod(0o555 if p.is_dir() else 0o444)
        s = server(folder)
        try:
            text = assert_refused_in_page(s, "after")
            assert "read-only" in text, text[:500]
            assert listed(s) == ["before"]  # reading goes on
            assert requests.get(s.url + "/scenarier", timeout=10).status_code == 200
        finally:
            s.stop()
            if mount is None:
                for p in [folder, *folder.rglob("*")]:
                    p.chmod(0o755 if p.is_dir() else 0o644)


def test_a_full_disk_refuses_the_save_with_a_message(server, tmp_path):
    with tmpfs(tmp_path / "full", "4m") as mount:
        # `make test` runs as root (it installs Chromium), so a small tmpfs can always be mounted
        assert mount is not None, "a full disk needs a small tmpfs: run the tests as root, as `make test` does"
        folder = mount / "data"
        s = server(folder)
        assert s.post(save_body("before")).status_code == 200
        with open(mount / "filler", "wb", buffering=0) as filler:  # fill the disk to the last byte
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass
        text = assert_refused_in_page(s, "after " + "x" * 50)
        assert "full" in text, text[:500]
        assert listed(s) == ["before"]
        (mount / "filler").unlink()  # room again: saving works again
        r = s.post(save_body("after"))
        assert r.status_code == 200 and "Gemt: after" in r.text, r.text[:300]
        s.stop()
