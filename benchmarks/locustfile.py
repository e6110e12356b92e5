"""The users of `make load` (benchmarks/load.py): each does what a budget analyst does on the
dashboard, as the page does it (callback requests). Runs under Locust in .venv-load; imports nothing
of the project: the request bodies come from the file in $RELVEL_LOAD_BODIES."""

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
NUMBERS = itertools.count()
CASELOAD = "in-caseload-relational.value"


class Analyst(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.saved: list[str] = []

    def post(self, name: str, body: dict, query: str = "", ok=(200, 204)):
        with self.client.post(CALLBACK + query, json=body, name=name, catch_response=True) as response:
            if response.status_code not in ok or "Traceback" in response.text:
                response.failure(f"{response.status_code}: {response.text[:120]}")
            return response

    @task(10)
    def preview(self) -> None:
        """Move the relational caseload slider; the page collects the inputs and draws the preview."""
        collect = copy.deepcopy(BODIES["collect"])
        i = BODIES["controls"].index(CASELOAD)
        collect["inputs"][i]["value"] = random.randint(12, 31)
        collect["changedPropIds"] = [CASELOAD]
        response = self.post("preview: collect", collect)
        if response.status_code != 200:
            return
        inputs = response.json()["response"]["inputs"]["data"]
        preview = copy.deepcopy(BODIES["preview"])
        preview["inputs"][0]["value"] = inputs
        self.post("preview: figures", preview)

    @task(4)
    def switch_page(self) -> None:
        path = random.choice(BODIES["pages"])
        self.client.get(path, name="page: html")
        router = copy.deepcopy(BODIES["router"])
        router["inputs"][0]["value"] = path
        self.post("page: content", router)

    @task(2)
    def overview(self) -> None:
        self.post("overview", BODIES["overview"])

    @task(3)
    def list_saved(self) -> None:
        self.post("saved: list", BODIES["list"])

    @task(2)
    def save(self) -> None:
        name = f"Load {os.getpid()} {next(NUMBERS)}"
        body = copy.deepcopy(BODIES["save"])
        body["state"][0]["value"] = name
        if "Gemt" in self.post("saved: save", body).text:
            self.saved.append(name)

    @task(2)
    def open_saved(self) -> None:
        """Open a saved scenario's link: the page with its query, and the router's content."""
        self.client.get("/scenarier" + BODIES["query"], name="saved: open html")
        router = copy.deepcopy(BODIES["router"])
        router["inputs"][0]["value"] = "/scenarier"
        router["inputs"][1]["value"] = BODIES["query"]
        self.post("saved: open content", router)

    @task(2)
    def compare(self) -> None:
        if not self.saved:
            return
        body = copy.deepcopy(BODIES["compare"])
        body["inputs"][0]["value"] = random.sample(self.saved, min(2, len(self.saved)))
        self.post("saved: compare", body)

    @task(2)
    def export(self) -> None:
        self.post("export: csv", BODIES["export"])

    @task(1)
    def simulate(self) -> None:
        """A background simulation (one year, two replications): start it and poll to the end."""
        body = BODIES["run"]
        response = self.post("run: start", body, ok=(200, 202, 204))
        if response.status_code != 200:
            return
        handles = response.json()
        if "cacheKey" not in handles:  # answered at once (a cached or refused run)
            return
        query = f"?cacheKey={handles['cacheKey']}&job={handles['job']}"
        deadline = time.time() + 180
        while time.time() < deadline:
            time.sleep(1.0)
            polled = self.post("run: poll", body, query, ok=(200, 202, 204))
            if polled.status_code == 200 and "response" in polled.json():
                return
        self.post("run: finished in 180 s", body, query, ok=())  # a failure on the record
