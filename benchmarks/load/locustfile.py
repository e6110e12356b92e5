"""The users of `make load` (benchmarks/load/__main__.py): each does what a budget analyst does on the
dashboard, as the page does it (callback requests to /_dash-update-component). Imports nothing of the
project: the request bodies come from the file in $RELVEL_LOAD_BODIES, built from the app's callback map.

Kinds (Locust's names): `preview: *` a slider moved (the inputs collected, the preview drawn, the
address updated; `preview (collect + figures)` is what the analyst waits for), `page: *` a page
switch (the page, the router's content), `figures: *` what the page then draws for the user's inputs
(by page; Overblik's break-even and Usikkerhed's tornado apart), `list`, `save`, `open: *` a saved
scenario's link, `compare`, `export: *` (CSV for Danish Excel, plain CSV, xlsx of a finished run),
`run: *` a background simulation started and polled to its end (`run (start to result)` in all).
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import random
import time

from locust import HttpUser, between, task

BODIES = json.loads(open(os.environ["RELVEL_LOAD_BODIES"], encoding="utf-8").read())
CALLBACK = "/_dash-update-component"
NUMBERS = itertools.count(1)
SAVED: list[tuple[str, str]] = []  # (name, address) of every saved scenario: the list is shared
FINISHED: list[dict] = []  # the inputs of every finished run: exportable
RUN_TIMEOUT_S = 300


def with_values(body: dict, inputs: list | None = None, state: dict | None = None) -> dict:
    """A copy of a body with these input values (in order) and states (by index)."""
    out = copy.deepcopy(body)
    for entry, value in zip(out["inputs"], inputs or []):
        entry["value"] = value
    for i, value in (state or {}).items():
        out["state"][i]["value"] = value
    return out


class Analyst(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.variant = random.choice(BODIES["variants"])

    def record(self, name: str, started: float, failure: str | None = None) -> None:
        """A user's wait over several requests, as its own line in the statistics (type USER)."""
        self.environment.events.request.fire(
            request_type="USER", name=name, response_time=(time.perf_counter() - started) * 1000,
            response_length=0, exception=Exception(failure) if failure else None, context={})

    def post(self, name: str, body: dict, query: str = "", ok=(200, 204), expect: str | None = None):
        with self.client.post(CALLBACK + query, json=body, name=name, catch_response=True) as response:
            if response.status_code not in ok or "Traceback" in response.text:
                response.failure(f"{response.status_code}: {response.text[:160]}")
            elif expect is not None and expect not in response.text:
                response.failure(f"no {expect!r} in {response.status_code}: {response.text[:160]}")
            return response

    def inputs(self) -> dict:
        return self.variant["inputs"]

    @task(30)
    def preview(self) -> None:
        """Move one to three sliders: the page collects the inputs, draws the preview and updates the address."""
        started = time.perf_counter()
        self.variant = random.choice(BODIES["variants"])
        collect = with_values(BODIES["collect"], self.variant["controls"])
        collect["changedPropIds"] = [self.variant["changed"]]
        response = self.post("preview: collect", collect, expect='"inputs"')
        if response.status_code != 200 or '"inputs"' not in response.text:
            self.record("preview (collect + figures)", started, "collect failed")
            return
        inputs = response.json()["response"]["inputs"]["data"]
        figures = self.post("preview: figures", with_values(BODIES["preview"], [inputs, None]), expect="scn-kpis")
        self.record("preview (collect + figures)", started, None if figures.status_code == 200 else "figures failed")
        self.post("preview: address", with_values(BODIES["address"], [inputs]))

    @task(10)
    def switch_page(self) -> None:
        """Go to another page: its HTML (a reload) or only the router's content, then its figures."""
        path = random.choice(BODIES["pages"])
        self.client.get(path, name="page: html")
        router = with_values(BODIES["router"], [path, "", "da"])
        self.post("page: content", router, expect="_pages_content")
        for name, body in BODIES["page_figures"][path].items():
            self.post(f"figures: {name}", with_values(body, [self.inputs(), None]))

    @task(6)
    def list_saved(self) -> None:
        self.post("list", BODIES["list"], expect="saved-list")

    @task(4)
    def save(self) -> None:
        name = f"Belastning {next(NUMBERS):04d}"
        body = with_values(BODIES["save"], [1], {0: name, 1: self.inputs()})
        if self.post("save", body, expect="Gemt").status_code == 200:
            SAVED.append((name, self.variant["query"]))

    @task(4)
    def open_saved(self) -> None:
        """Open a saved scenario's link (a full page load of /scenarier with its address)."""
        if not SAVED:
            return
        _name, query = random.choice(SAVED)
        self.client.get("/scenarier" + query, name="open: html")
        self.post("open: content", with_values(BODIES["router"], ["/scenarier", query, "da"]), expect="_pages_content")

    @task(4)
    def compare(self) -> None:
        """The current inputs beside one to three saved scenarios."""
        if not SAVED:
            return
        names = [name for name, _ in random.sample(SAVED, min(len(SAVED), random.randint(1, 3)))]
        self.post("compare", with_values(BODIES["compare"], [names, self.inputs()]), expect="compare-rows")

    @task(4)
    def export(self) -> None:
        """Download a finished run's tables (the Eksport page needs a finished run)."""
        if not FINISHED:
            return
        button = random.choice(list(BODIES["export"]))
        body = with_values(BODIES["export"][button], [1 if b == button else 0 for b in BODIES["export"]],
                           {0: random.choice(FINISHED)})
        body["changedPropIds"] = [f"{button}.n_clicks"]
        self.post(f"export: {button.removeprefix('exp-')}", body, expect='"content"')

    @task(1)
    def simulate(self) -> None:
        """A background simulation (one or two years, two replications): start it and poll to the end."""
        started = time.perf_counter()
        values = random.choice(BODIES["runs"])
        body = with_values(BODIES["run"], [1], {0: values})
        response = self.post("run: start", body, ok=(200, 202, 204))
        if response.status_code != 200:
            self.record("run (start to result)", started, f"start: {response.status_code}")
            return
        handles = response.json()
        if "cacheKey" not in handles:  # answered at once
            self.record("run (start to result)", started, None if "run-done" in response.text else "refused")
            return
        query = f"?cacheKey={handles['cacheKey']}&job={handles['job']}"
        deadline = time.time() + RUN_TIMEOUT_S
        while time.time() < deadline:
            time.sleep(1.0)
            polled = self.post("run: poll", body, query, ok=(200, 202, 204))
            if polled.status_code == 200 and "response" in polled.json():
                done = "run-done" in polled.text
                if done:
                    FINISHED.append(values)
                self.record("run (start to result)", started, None if done else f"no result: {polled.text[:160]}")
                return
        self.record("run (start to result)", started, f"not finished in {RUN_TIMEOUT_S} s")
