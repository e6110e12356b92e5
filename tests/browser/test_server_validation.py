"""Trust the server, not the browser: crafted callback requests with out-of-range or malformed
values are refused with a message, and nothing is saved. (No browser: straight HTTP to Dash.)"""

from __future__ import annotations

import json

import pytest

from dash_client import callback_body
from dashboard import create_app
from dashboard.inputs import Limits, defaults, from_query
from dashboard.store import ScenarioStore


@pytest.fixture
def client(data_dir):
    app = create_app(data_dir, replications=2, max_replications=50, workers=1)
    client = app.server.test_client()
    client.callback_map = app.callback_map
    return client


def call(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
         state: list[tuple[str, str, object]]) -> dict:
    """POST one callback request as the browser would, and return Dash's response."""
    body = callback_body(client.callback_map, outputs, inputs, state)
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.data[:500]
    return json.loads(response.data)["response"]


def save(client, name: object, values: object) -> dict:
    return call(client, [("save-status", "children"), ("saved-version", "data")],
                [("save-button", "n_clicks", 1)],
                [("save-name", "value", name), ("inputs", "data", values), ("saved-version", "data", 0),
                 ("lang", "value", "da")])


@pytest.mark.parametrize("key, value, message", [
    ("caseload.relational", 99, "caseload.relational: value 99 is outside its plausible range 12 to 31"),
    ("replications", 10**9, "replications: expected a whole number from 1 to 50"),
    ("finance.discount_rate", "NaN", "finance.discount_rate: expected a number"),
    ("rollout.waves.3", "2019-01", "rollout.waves.3: 2019-01-01 is before the simulation start"),
    ("no.such.parameter", 1, "unknown parameter 'no.such.parameter'"),
    ("replications", 10**400, "replications: expected a number"),  # was a 500: sim overflowed on it
    ("caseload.relational", 10**400, "caseload.relational: expected a number"),
])
def test_a_crafted_save_is_refused_and_nothing_is_saved(client, data_dir, key, value, message):
    values = defaults(Limits(50, 2)) | {key: value}
    response = save(client, "Crafted", values)
    assert message in json.dumps(response["save-status"]["children"], ensure_ascii=False)
    assert ScenarioStore(data_dir / "scenarios.sqlite").list() == []


def test_a_crafted_name_is_refused(client, data_dir):
    response = save(client, "<script>alert(1)</script>", defaults(Limits(50, 2)))
    assert "name: at most 60 letters" in json.dumps(response["save-status"]["children"])
    assert ScenarioStore(data_dir / "scenarios.sqlite").list() == []


def test_a_valid_save_is_stored(client, data_dir):
    response = save(client, "Planen", defaults(Limits(50, 2)))
    assert response["saved-version"]["data"] == 1
    assert [name for name, _ in ScenarioStore(data_dir / "scenarios.sqlite").list()] == ["Planen"]


def test_a_crafted_slider_value_is_refused_before_it_reaches_the_inputs(client):
    from dashboard.pages.scenarios import CONTROL_KEYS, MONEY_CONTROLS, control_id

    values = defaults(Limits(50, 2)) | {"caseload.classic": -5}
    controls = [(control_id(k), "value", values[k] * 100 if k == "finance.discount_rate" else values[k]) for k in CONTROL_KEYS]
    outputs = [("inputs", "data"), ("scn-input-error", "children"), ("scn-extras", "data"),
               *((control_id(k), prop) for prop in ("value", "min", "max") for k in MONEY_CONTROLS)]
    response = call(client, outputs, controls, [("scn-extras", "data", {}), ("inputs", "data", None), ("lang", "value", "da")])
    assert "inputs" not in response  # no_update: the inputs stay as they were
    assert "caseload.classic: value -5 is outside" in json.dumps(response["scn-input-error"]["children"])


def test_an_oversized_upload_is_refused_and_nothing_is_saved(client, data_dir):
    import base64

    big = base64.b64encode(b"# padding\n" * 20_000).decode()
    response = call(client, [("upload-status", "children"), ("goto", "data")],
                    [("toml-upload", "contents", f"data:application/octet-stream;base64,{big}")],
                    [("toml-upload", "filename", "big.toml"), ("lang", "value", "da")])
    assert "larger than 64 kB" in json.dumps(response["upload-status"]["children"])
    assert "goto" not in response
    assert ScenarioStore(data_dir / "scenarios.sqlite").list() == []


def test_a_malformed_callback_request_is_a_400_not_a_500(client):
    """Dash trusts a request's shape; dashboard.guard refuses a wrong one before Dash reads it."""
    body = callback_body(client.callback_map, [("save-status", "children"), ("saved-version", "data")],
                         [("save-button", "n_clicks", 1)], [("save-name", "value", "x")])  # three states missing
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert b"Traceback" not in response.data and b"Error" not in response.data



def test_a_scenario_saved_before_the_price_level_keeps_what_its_amounts_meant(data_dir):
    """A scenario saved before issue 11 carries every control's amount at its source's price year and
    no price_year: it is read with them converted, not as amounts in today's prices. A link typed by
    hand means what `--set` means: amounts in the default price year."""
    limits = Limits(50, 2)
    data_dir.mkdir(parents=True)
    store = ScenarioStore(data_dir / "scenarios.sqlite")
    store.save("Gammel", "?base=plan&caseload.relational=24&cost.foster_dkk_per_day=1288"
                         "&staff.salary_dkk_per_year=490000", "old")
    [(name, query)] = store.list()
    assert query == store.get("Gammel") and "price_year=" in query
    old, problems = from_query(query, limits)
    now = defaults(limits)
    assert problems == [] and old["price_year"] == now["price_year"] and old["caseload.relational"] == 24
    assert old["cost.foster_dkk_per_day"] == now["cost.foster_dkk_per_day"] == 1510.09  # 2019 prices, converted
    assert old["staff.salary_dkk_per_year"] == now["staff.salary_dkk_per_year"]  # 2022 prices, converted
    typed, _ = from_query("?cost.foster_dkk_per_day=1500", limits)
    assert typed["cost.foster_dkk_per_day"] == 1500
