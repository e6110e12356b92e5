"""Several server processes behave as one: under `gunicorn -w 2`, a scenario saved through one
worker is listed by every worker, because all state lives in the data folder."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import requests

from dash_client import callback_body, free_port
from dashboard import create_app
from dashboard.inputs import Limits, defaults


@pytest.fixture
def gunicorn(data_dir: Path):
    port = free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-w", "2", "-b", f"127.0.0.1:{port}",
         f"dashboard:wsgi(data_dir={str(data_dir)!r})"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(url + "/", timeout=5).status_code == 200:
                break
        except requests.RequestException:  # not listening yet, or a worker still booting
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("gunicorn did not start within 60 s")
    yield proc, url
    proc.terminate()
    proc.wait(timeout=20)


def test_two_gunicorn_workers_share_saved_scenarios(gunicorn, data_dir):
    proc, url = gunicorn
    assert len(psutil.Process(proc.pid).children()) == 2, "gunicorn should run two workers"
    callbacks = create_app(data_dir / "map-only").callback_map
    session = requests.Session()

    def post(outputs, inputs, state) -> dict:
        r = session.post(url + "/_dash-update-component", json=callback_body(callbacks, outputs, inputs, state),
                         headers={"Connection": "close"}, timeout=30)
        assert r.status_code == 200, r.text[:300]
        return r.json()["response"]

    names = [f"Scenarie {i}" for i in range(4)]
    for version, name in enumerate(names):
        response = post([("save-status", "children"), ("saved-version", "data")],
                        [("save-button", "n_clicks", version + 1)],
                        [("save-name", "value", name), ("inputs", "data", defaults(Limits(500, 30))),
                         ("saved-version", "data", version), ("lang", "value", "da")])
        assert response["saved-version"]["data"] == version + 1
    for _ in range(12):  # fresh connections land on both workers
        listed = post([("saved-list", "children"), ("compare-select", "data")],
                      [("saved-version", "data", 4)], [("lang", "value", "da")])
        assert listed["compare-select"]["data"] == names, json.dumps(listed)[:300]
