"""Requests that did not come from the page: hand-made callback posts, addresses and bodies.

Every callback that takes user input gets posts with out-of-range, wrong-typed, NaN/inf, huge,
missing or extra values. Each must be refused with a message, or ignored (204 / no update), or
answered 4xx: never a 5xx, never a traceback or a Python exception's name in the body, never more
than a few seconds, never a saved scenario outside the ranges, never a background process. A new
callback in `app.callback_map` fails `test_every_callback_is_covered` until it is listed here.
(No browser: Flask's test client, and one real HTTP server for the address tests.)
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request

import psutil
import pytest
from werkzeug.serving import make_server

from dash._utils import stringify_id

from dash_client import free_port
from dashboard import create_app
from dashboard.inputs import MAX_INPUTS, Limits, defaults, from_query, to_query, validate
from dashboard.pages.scenarios import CONTROL_KEYS, MONEY_CONTROLS, SCALE, control_id
from dashboard.store import ScenarioStore, check_name

LIMITS = Limits(max_replications=50, default_replications=2)
GOOD = defaults(LIMITS)
DA = "da"
SECONDS = 3.0  # the most any hostile request may take
LEAK = re.compile(r"Traceback|File \"|\b[A-Z]\w*(Error|Exception)\b|StopIteration|sqlite3|site-packages")
SEEDED = "Planen"

# Every callback as "outputs <- inputs" (Dash's allow_duplicate hashes left out), with what a
# hostile request to it exercises, or why it has no server side.
CLIENTSIDE = "runs in the browser only: a post to it is refused (no such callback)"
CALLBACKS = {
    "inputs.data <- page-inputs.data": "page-inputs",
    "nav.children,nav.aria-label,app-title.children,app-subtitle.children <- lang.value,url.pathname,query.data":
        "language",
    "goto.data <- goto.data": CLIENTSIDE,
    "lang.className <- lang.value": CLIENTSIDE,
    "query.data <- inputs.data": "follow-inputs",
    "query.data <- query.data": CLIENTSIDE,
    "ov-children.children,ov-kpis.children,ov-sentence.children,ov-savings.figure,ov-source.children"
    " <- inputs.data,run-finished.data": "outcome",
    "ov-budget.children <- inputs.data,run-finished.data": "outcome",
    "ov-break-even.children,ov-waterfall.figure <- inputs.data,run-finished.data": "outcome",
    "scn-kpis.children,scn-preview.figure,scn-staff.children,scn-source.children <- inputs.data,run-finished.data":
        "outcome",
    "inputs.data,scn-input-error.children,scn-extras.data,"
    + ",".join(f"{control_id(k)}.{prop}" for prop in ("value", "min", "max") for k in MONEY_CONTROLS)
    + " <- " + ",".join(f"{control_id(k)}.value" for k in CONTROL_KEYS): "collect",
    ",".join([f"in-rollout-waves-{n}.value" for n in range(1, 6)]
             + [f"in-rollout-gate-{k}.value" for k in ("enabled", "basis", "threshold_dkk", "floor_months", "ceiling_months")])
    + " <- in-base.value": "base-waves",
    "run-finished.data,run-status.children <- run-button.n_clicks": "run",
    "goal-result.children <- goal-button.n_clicks": "goal",
    "run-status.children <- cancel-button.n_clicks": "cancel",
    "save-status.children,saved-version.data <- save-button.n_clicks": "save",
    'save-status.children,saved-version.data <- {"name":["ALL"],"type":"delete-saved"}.n_clicks': "delete",
    "saved-list.children,compare-select.data <- saved-version.data": "saved-list",
    "compare-result.children <- compare-select.value,inputs.data": "compare",
    "dist-gantt.figure,dist-results.figure <- inputs.data,run-finished.data": "outcome",
    "unc-tornado.figure,unc-explain.children,unc-table.children <- inputs.data": "tornado",
    "ass-table.className <- ass-table.children": CLIENTSIDE,
    "ass-table.children <- inputs.data": "assumptions",
    "toml-download.data <- toml-download-button.n_clicks": "toml-download",
    "upload-status.children,goto.data <- toml-upload.contents": "upload",
    "exp-status.children,exp-csv-da.disabled,exp-csv.disabled,exp-budget-da.disabled,exp-xlsx.disabled"
    " <- inputs.data,run-finished.data":
        "outcome",
    "exp-download.data,exp-error.children <- exp-csv-da.n_clicks,exp-csv.n_clicks,exp-budget-da.n_clicks,"
    "exp-xlsx.n_clicks": "export",
    "cancel-button.id <- cancel-button.n_clicks": "dash-cancel",
    "_pages_content.children,_pages_store.data <- _pages_location.pathname,_pages_location.search,lang.value":
        "router",
    "_pages_dummy.children <- _pages_store.data": CLIENTSIDE,
}


def signature(key: str, callback: dict) -> str:
    outputs = ",".join(part.split("@")[0] for part in key.strip(".").split("..."))
    return f"{outputs} <- " + ",".join(f"{i['id']}.{i['property']}" for i in callback["inputs"])


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("hostile") / "data"
    app = create_app(data_dir, replications=2, max_replications=50, workers=1)
    app.data_dir = data_dir
    app.server.test_client().get("/")  # Dash adds its page router's callback on the first request
    app.keys = {signature(k, cb): k for k, cb in app.callback_map.items()}
    return app


@pytest.fixture
def client(app):
    store = ScenarioStore(app.data_dir / "scenarios.sqlite")
    for name, _ in store.list():
        store.delete(name)
    store.save(SEEDED, to_query(GOOD), "seeded")
    client = app.server.test_client()
    client.app = app
    client.store = store
    return client


class Raw(list):
    """An input entry sent as it is (a pattern-matching input's list of components)."""


def body(app, kind: str, inputs: list, state: list = (), changed: list | None = None) -> dict:
    """A callback request as the browser builds it, to the callback of that kind, with these values
    for its declared inputs and states (in order)."""
    key = app.keys[next(sig for sig, k in CALLBACKS.items() if k == kind)]
    callback = app.callback_map[key]
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in key.strip(".").split("...")]

    def entries(specs, values):  # values beyond the declared ones are sent as extra entries
        return [v if isinstance(v, Raw) else {"id": s["id"], "property": s["property"], "value": v}
                for s, v in zip(specs, values)] + [{"id": "extra", "property": "value", "value": v}
                                                   for v in values[len(specs):]]

    request = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
               "inputs": entries(callback["inputs"], inputs), "state": entries(callback["state"], state)}
    first = request["inputs"][0] if request["inputs"] else {"id": "", "property": ""}
    if isinstance(first, list) and first and isinstance(first[0], dict):  # a pattern-matching input: the first one
        first = first[0]
    first = {"id": stringify_id(first["id"]), "property": first["property"]} if isinstance(first, dict) else \
        callback["inputs"][0]
    request["changedPropIds"] = changed if changed is not None else [f"{first['id']}.{first['property']}"]
    return request


def post(client, request: dict | str, query: str = ""):
    data = request if isinstance(request, (str, bytes)) else json.dumps(request)
    start = time.perf_counter()
    response = client.post("/_dash-update-component" + query, data=data, content_type="application/json")
    return response, time.perf_counter() - start


def controls(**changed) -> list:
    """The Scenarier controls' values as the page sends them (the discount rate in per cent)."""
    return [changed[k] if k in changed else GOOD[k] * SCALE.get(k, 1) if k in SCALE else GOOD[k]
            for k in CONTROL_KEYS]


def save_state(name="Crafted", values=GOOD, version=0, lang=DA):
    return [name, values, version, lang]


BIG = 10**400  # a whole number no float holds (JSON carries it; sim overflows on it)
MB = "9" * 1_000_000
NAN, INF = float("nan"), float("inf")
DELETE_ID = '{{"name":{},"type":"delete-saved"}}.n_clicks'


def delete_entries(name, clicks=1):
    return Raw([{"id": {"name": name, "type": "delete-saved"}, "property": "n_clicks", "value": clicks}])


def upload(text: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(text).decode()


# (id, kind, inputs, state, expected): expected is a status (400, 413) or 204 (nothing changes),
# or text the 200 response must contain (the refusal's message).
CASES = [
    # The Scenarier controls (collect): every value checked before it reaches the shared inputs.
    ("collect-caseload-negative", "collect", controls(**{"caseload.classic": -5}), [{}, None, DA],
     "caseload.classic: value -5 is outside"),
    ("collect-gate-basis", "collect", controls(**{"rollout.gate.basis": "yearly"}), [{}, None, DA],
     "rollout.gate.basis: expected 'cumulative' or 'rolling_12m', got 'yearly'"),
    ("collect-gate-ceiling-below-floor", "collect",
     controls(**{"rollout.gate.enabled": "true", "rollout.gate.ceiling_months": 3}), [{}, None, DA],
     "rollout.gate.ceiling_months: 3 is below floor_months (6)"),
    ("collect-gate-threshold-inf", "collect", controls(**{"rollout.gate.threshold_dkk": "1e400"}), [{}, None, DA],
     "rollout.gate.threshold_dkk: expected a number"),
    ("collect-replications-1e9", "collect", controls(replications=10**9), [{}, None, DA],
     "replications: expected a whole number from 1 to 50, got 1000000000"),
    ("collect-horizon-1000-years", "collect", controls(years=1000), [{}, None, DA], "years: expected a whole number"),
    ("collect-nan", "collect", controls(**{"staff.relational_capacity_ratio": NAN}), [{}, None, DA], "expected a number"),
    ("collect-inf", "collect", controls(**{"finance.discount_rate": INF}), [{}, None, DA], "expected a number, got inf"),
    ("collect-string-for-number", "collect", controls(**{"cost.foster_dkk_per_day": "lots"}), [{}, None, DA],
     "expected a number, got 'lots'"),
    ("collect-dict-for-number", "collect", controls(**{"caseload.relational": {"$gt": 1}}), [{}, None, DA],
     "unknown parameter 'caseload.relational.$gt'"),
    ("collect-huge-whole-number", "collect", controls(**{"caseload.relational": BIG}), [{}, None, DA],
     "caseload.relational: expected a number"),
    ("collect-unknown-wave-date", "collect", controls(**{"rollout.waves.2": "2023-02-31"}), [{}, None, DA],
     "rollout.waves.2: expected a date"),
    ("collect-uncertainty-bogus", "collect", controls(uncertainty="bogus"), [{}, None, DA],
     "uncertainty: expected one of parameters, noise, got 'bogus'"),
    ("collect-unknown-base", "collect", controls(base="../../etc/passwd"), [{}, None, DA], "base: expected one of"),
    ("collect-extras-100k-keys", "collect", controls(), [{f"k{i}": 1 for i in range(100_000)}, None, DA],
     "too many inputs"),
    ("collect-extras-unknown-key", "collect", controls(), [{"__class__": 1}, None, DA], "unknown parameter '__class__'"),
    ("collect-missing-inputs", "collect", controls()[:3], [{}, None, DA], 400),
    ("collect-extra-inputs", "collect", controls() + [1, 2], [{}, None, DA], 400),
    ("collect-price-year-2099", "collect", controls(price_year="2099"), [{}, None, DA],
     "price_year: expected a year the price index covers"),
    ("collect-price-year-markup", "collect", controls(price_year="<b>x</b>"), [{}, None, DA], "price_year: expected a number"),
    ("collect-current-inputs-garbage", "collect", controls(price_year="2019"), [{}, {"price_year": [1]}, DA],
     "outside its plausible range"),
    ("base-waves-unknown-base", "base-waves", [{"base": "plan"}], [], 204),
    # Save: the name and every input checked; nothing stored on refusal.
    ("save-replications-1e9", "save", [1], save_state(values=GOOD | {"replications": 10**9}),
     "replications: expected a whole number from 1 to 50"),
    ("save-horizon-1000", "save", [1], save_state(values=GOOD | {"years": 1000}), "years: expected a whole number"),
    ("save-huge-replications", "save", [1], save_state(values=GOOD | {"replications": BIG}),
     "replications: expected a number"),
    ("save-nan-discount", "save", [1], save_state(values=GOOD | {"finance.discount_rate": NAN}),
     "expected a number, got nan"),
    ("save-inputs-a-list", "save", [1], save_state(values=[GOOD]), "expected the scenario inputs as a mapping"),
    ("save-inputs-missing", "save", [1], save_state(values=None), "expected the scenario inputs as a mapping"),
    ("save-unknown-wave", "save", [1], save_state(values=GOOD | {"rollout.waves.9": "2024-01-01"}),
     "rollout.waves.9: unknown wave"),
    ("save-megabyte-value", "save", [1], save_state(values=GOOD | {"caseload.relational": MB}),
     "expected a number"),
    ("save-huge-name", "save", [1], save_state(name="N" * 1_000_000), "name: at most 60"),
    ("save-script-name", "save", [1], save_state(name="<img src=x onerror=alert(1)>"), "name: at most 60"),
    ("save-name-a-dict", "save", [1], save_state(name={"name": "x"}), "name: give the scenario a name"),
    ("save-version-a-string-lang-a-list", "save", [1], save_state(values=GOOD | {"years": -1}, version="x",
                                                                     lang=["en"]), "years: expected a whole number"),
    ("save-missing-state", "save", [1], ["Crafted"], 400),
    # Delete: only a name that exists, given as the page's buttons give it.
    ("delete-name-that-does-not-exist", "delete", [delete_entries("Findes ikke")], [0, DA],
     "no saved scenario called 'Findes ikke'"),
    ("delete-name-a-list", "delete", [delete_entries(["Planen"])], [0, DA], "name: give the scenario a name"),
    ("delete-clicks-not-a-list", "delete", [Raw([5])], [0, DA], 400),
    # Compare: at most four saved names.
    ("compare-100k-names", "compare", [[f"n{i}" for i in range(100_000)], GOOD], [DA], "at most 4"),
    ("compare-a-dict", "compare", [{"Planen": 1}, GOOD], [DA], "at most 4"),
    ("compare-unknown-name", "compare", [["Findes ikke"], GOOD], [DA], "no saved scenario called"),
    ("compare-bad-current-inputs", "compare", [[SEEDED], GOOD | {"years": 1000}], [DA], "years: expected"),
    # Run (background): refused before a process starts.
    ("run-replications-1e9", "run", [1], [GOOD | {"replications": 10**9}, DA], "replications: expected"),
    ("run-inputs-a-string", "run", [1], ["caseload.relational=99", DA], "expected the scenario inputs as a mapping"),
    ("run-not-clicked", "run", [0], [GOOD, DA], 204),
    # Hvad skal der til? (goal-seek): the question's fields and the inputs, checked before any process.
    ("goal-probability-150", "goal", [1], [100, "2027", 150, "pace", GOOD, DA], "goal.probability: expected a per cent"),
    ("goal-unknown-lever", "goal", [1], [100, "2027", 80, "__import__", GOOD, DA], "goal.lever: expected one of"),
    ("goal-year-1900", "goal", [1], [100, "1900", 80, "pace", GOOD, DA], "goal.by-year: expected a budget year"),
    ("goal-target-inf", "goal", [1], [INF, "2027", 80, "pace", GOOD, DA], "goal.target: expected a number"),
    ("goal-status-quo", "goal", [1], [100, "2027", 80, "pace", defaults(LIMITS, "status-quo"), DA],
     "status-quo rolls nothing out"),
    ("goal-bad-inputs", "goal", [1], [100, "2027", 80, "pace", GOOD | {"replications": 10**9}, DA], "replications"),
    ("goal-not-clicked", "goal", [0], [100, "2027", 80, "pace", GOOD, DA], 204),
    ("cancel-clicks-a-dict", "cancel", [{"n": 1}], [["da"]], "Simuleringen blev afbrudt"),
    ("dash-cancel-forged", "dash-cancel", [1], [], '"response": {}'),
    # Upload: size, encoding, TOML and every key through sim.
    ("upload-not-base64", "upload", ["data:application/octet-stream;base64,!!!not base64!!!"], ["x.toml", DA],
     "upload: the file could not be read"),
    ("upload-not-a-data-url", "upload", [{"contents": "x"}], ["x.toml", DA], "upload: expected a file"),
    ("upload-too-large", "upload", [upload(b"# padding\n" * 20_000)], ["big.toml", DA], "larger than 64 kB"),
    ("upload-not-utf8", "upload", [upload(b"\xff\xfe\x00bad")], ["x.toml", DA], "not UTF-8"),
    ("upload-not-toml", "upload", [upload(b"[[[")], ["x.toml", DA], "x.toml"),
    ("upload-path-in-filename", "upload", [upload(b'years = 1000\n')], ["../../etc/passwd", DA], "years"),
    ("upload-out-of-range", "upload", [upload(b'[set]\n"caseload.relational" = 99\n')], ["hi.toml", DA],
     "caseload.relational"),
    # Downloads: only from valid inputs (and an export only of a finished run).
    ("toml-download-bad-inputs", "toml-download", [1], [GOOD | {"years": 1000}], 204),
    ("toml-download-inputs-a-list", "toml-download", [1], [[1, 2]], 204),
    ("export-bad-inputs", "export", [1, 0, 0, 0], [GOOD | {"replications": 10**9}, DA], 204),
    ("export-not-run", "export", [1, 0, 0, 0], [GOOD, DA], "Kør simuleringen"),
    ("export-clicks-wrong-order", "export", [0, 0, 0, 1], [GOOD, DA, "extra"], 400),
    # Everything drawn from the shared inputs ignores bad ones (the inputs' own callback refuses).
    ("page-inputs-out-of-range", "page-inputs", [GOOD | {"caseload.relational": -5}], [], 204),
    ("follow-inputs-nan", "follow-inputs", [GOOD | {"finance.discount_rate": NAN}], [], 204),
    ("outcome-horizon-1000", "outcome", [GOOD | {"years": 1000}, {"forged": True}], [DA], 204),
    ("tornado-bad-uncertainty", "tornado", [GOOD | {"uncertainty": "bogus"}], [DA], 204),
    ("assumptions-huge-number", "assumptions", [GOOD | {"staff.salary_dkk_per_year": BIG}], [DA], 204),
    ("saved-list-version-a-dict", "saved-list", [{"v": 1}], [{"lang": 1}], "Planen"),
    # The language value: anything unknown is Danish.
    ("language-a-dict", "language", [{"da": 1}, {"path": 1}, ["?x"]], [], "Overblik"),
    ("language-megabyte", "language", ["x" * 1_000_000, "/", ""], [], "Overblik"),
    # The page router (a page's layout from its address): bad state refused with a message.
    ("router-10000-parameters", "router", ["/scenarier", "?" + "&".join(f"p{i}={i}" for i in range(10_000)), DA],
     [None], "too many parameters in the address"),
    ("router-megabyte-value", "router", ["/scenarier", "?caseload.relational=" + MB, DA], [None],
     "caseload.relational: expected a number"),
    ("router-search-a-dict", "router", ["/", {"years": 2}, DA], [None], 400),
    ("router-unknown-base", "router", ["/scenarier", "?base=bogus&years=1000&lang=xx", DA], [None],
     "base: expected one of"),
]


def stored(client) -> list[tuple[str, str]]:
    return client.store.list()


def assert_safe(response, seconds: float) -> str:
    text = response.get_data(as_text=True)
    assert response.status_code < 500, text[:500]
    assert not LEAK.search(text), LEAK.search(text).group(0)
    assert seconds < SECONDS, f"took {seconds:.1f} s"
    return text


def assert_store_in_range(client) -> None:
    """Every saved scenario has a valid name and inputs within the ranges (only the seeded one here)."""
    rows = stored(client)
    for name, query in rows:
        check_name(name)
        values, problems = from_query(query, LIMITS)
        assert problems == [], (name, problems)
        validate(values, LIMITS)
    assert [name for name, _ in rows] == [SEEDED]


@pytest.mark.parametrize("kind, inputs, state, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_hostile_callback_request_is_refused_or_ignored(client, kind, inputs, state, expected):
    processes = len(psutil.Process().children(recursive=True))
    response, seconds = post(client, body(client.app, kind, inputs, state))
    text = assert_safe(response, seconds)
    if kind in ("run", "goal") and response.status_code == 200:  # a background job: its handle, then its result
        handles = json.loads(text)
        assert handles["job"].startswith("-1~")  # run in the request: no process
        response, more = post(client, body(client.app, kind, inputs, state),
                              f"?cacheKey={handles['cacheKey']}&job={handles['job']}")
        text = assert_safe(response, seconds + more)
    assert len(psutil.Process().children(recursive=True)) == processes  # no work started elsewhere
    if isinstance(expected, int):
        assert response.status_code == expected, text[:300]
    else:
        assert response.status_code == 200, text[:300]
        assert expected in json.dumps(json.loads(text), ensure_ascii=False), text[:500]
    assert_store_in_range(client)


def test_every_callback_is_covered(app):
    """Each callback is listed; each one with a server side has at least one hostile case."""
    assert set(app.keys) == set(CALLBACKS), "a callback was added or changed: give it hostile cases here"
    kinds = {c[1] for c in CASES}
    assert {k for k in CALLBACKS.values() if k != CLIENTSIDE} <= kinds
    assert len(CASES) >= 40


@pytest.mark.parametrize("key", [k for k, kind in CALLBACKS.items() if kind == CLIENTSIDE])
def test_a_post_to_a_browser_only_callback_is_refused(client, key):
    request = {"output": client.app.keys[key], "outputs": {"id": "x", "property": "y"}, "inputs": [], "state": []}
    response, seconds = post(client, request)
    assert_safe(response, seconds)
    assert response.status_code == 400


@pytest.mark.parametrize("data", [
    "{not json", "[1, 2]", "[" * 100_000 + "]" * 100_000, json.dumps({}), json.dumps({"output": "nope.children"}),
    json.dumps({"output": "query.data", "outputs": {"id": "query", "property": "data"}, "inputs": "x"}),
    json.dumps({"output": "query.data", "outputs": [], "inputs": [{"id": "inputs", "property": "data"}]}),
], ids=["not-json", "a-list", "nested-100k-deep", "empty", "unknown-output", "inputs-a-string", "outputs-wrong"])
def test_a_malformed_body_is_a_400(client, data):
    response, seconds = post(client, data)
    assert_safe(response, seconds)
    assert response.status_code == 400


def test_a_malformed_changed_id_is_a_400(client):
    request = body(client.app, "delete", [delete_entries(SEEDED)], [0, DA], changed=['{"name": "Planen".n_clicks'])
    response, seconds = post(client, request)
    assert_safe(response, seconds)
    assert response.status_code == 400
    assert_store_in_range(client)


def test_a_ten_megabyte_post_is_refused_with_413(client):
    request = body(client.app, "upload", [upload(b"x" * 10 * 1024 * 1024)], ["big.toml", DA])
    response, seconds = post(client, request)
    assert_safe(response, seconds)
    assert response.status_code == 413


def test_a_name_with_markup_is_shown_as_text(client):
    """Names are restricted (no < >), and what is allowed travels as text, never as HTML."""
    name = "Q&A 'plan' (2.0) + x"
    response, _ = post(client, body(client.app, "save", [1], save_state(name=name)))
    assert "Gemt" in response.get_data(as_text=True)
    response, _ = post(client, body(client.app, "saved-list", [1], [DA]))
    text = response.get_data(as_text=True)

    def texts(node):  # every component's children that are plain text
        if isinstance(node, dict):
            children = node.get("props", {}).get("children")
            if isinstance(children, str):
                yield node.get("type"), children
            for value in node.values():
                yield from texts(value)
        elif isinstance(node, list):
            for value in node:
                yield from texts(value)

    assert ("Span", name) in list(texts(json.loads(text)))  # a text node, which React escapes
    assert "dangerously_allow_html" not in text and "Markdown" not in text
    client.store.delete(name)


def test_a_deleted_name_with_a_dot_is_found(client):
    """Dash reads the clicked button's id from `{"name":"Plan 2.0",...}.n_clicks` (the last dot)."""
    client.store.save("Plan 2.0", to_query(GOOD), "x")
    response, seconds = post(client, body(client.app, "delete", [delete_entries("Plan 2.0")], [0, DA],
                                          changed=[DELETE_ID.format(json.dumps("Plan 2.0"))]))
    assert "Plan 2.0" in assert_safe(response, seconds)
    assert_store_in_range(client)


# -- Addresses: a shared link with bad or oversized state --------------------------------------------

@pytest.mark.parametrize("query, message", [
    ("?" + "&".join(f"p{i}={i}" for i in range(10_000)), "too many parameters in the address"),
    ("?" + "&".join(f"caseload.relational={i}" for i in range(MAX_INPUTS + 1)), "too many parameters"),
    ("?caseload.relational=" + MB, "caseload.relational: expected a number"),
    ("?years=1000&replications=1000000000", "years: expected a whole number"),
    ("?replications=" + "9" * 5000, "replications: expected"),
    ("?uncertainty=bogus&base=nope", "base: expected one of"),
    ("?rollout.waves.1=2023-13&rollout.waves.7=2024-01", "rollout.waves.1"),
    ("?finance.discount_rate=nan&cost.foster_dkk_per_day=inf", "expected a number"),
])
def test_a_bad_address_is_refused_with_a_message(query, message):
    start = time.perf_counter()
    values, problems = from_query(query, LIMITS)
    assert time.perf_counter() - start < SECONDS
    assert any(message in p for p in problems), problems
    assert all(len(p) < 300 for p in problems)  # a megabyte value is not echoed back
    assert validate(values, LIMITS) == values  # what is used instead is valid


@pytest.fixture(scope="module")
def server(app):
    port = free_port()
    http = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    http.shutdown()


@pytest.mark.parametrize("query", [
    "?" + "&".join(f"p{i}={i}" for i in range(10_000)), "?caseload.relational=" + "9" * 1_000_000,
    "?years=1000&base=%3Cscript%3E"])
def test_a_bad_address_over_http(server, query):
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(server + "/scenarier" + query, timeout=SECONDS) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode(errors="replace")
    assert time.perf_counter() - start < SECONDS
    assert status in (200, 414), status  # the page (its router refuses the state) or "URI too long"
    assert not LEAK.search(text)
    assert "%3Cscript" not in text and "9999999999" not in text  # the address is not echoed into the page


# -- Security ------------------------------------------------------------------------------------------

def test_app_py_binds_to_loopback_without_debug(monkeypatch, tmp_path):
    import importlib.util
    from pathlib import Path

    from dash import Dash

    spec = importlib.util.spec_from_file_location("entry_app", Path(__file__).resolve().parents[2] / "app.py")
    entry = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(entry)

    seen = {}
    monkeypatch.setattr(Dash, "run", lambda self, **kwargs: seen.update(kwargs))
    entry.main(["--data", str(tmp_path / "data")])
    assert seen["host"] == "127.0.0.1"
    assert seen["debug"] is False


def test_the_wsgi_server_is_not_in_debug_mode(tmp_path):
    from dashboard.factory import wsgi

    server = wsgi(str(tmp_path / "data"))
    assert server.debug is False
    assert not server.config.get("PROPAGATE_EXCEPTIONS")


def test_an_unexpected_error_is_a_generic_500_and_logged(tmp_path, caplog):
    app = create_app(tmp_path / "data", replications=2, max_replications=50, workers=1)

    def boom():
        raise RuntimeError("secret detail /etc/passwd")

    app.server.add_url_rule("/boom", "boom", boom)
    with caplog.at_level(logging.ERROR):
        response = app.server.test_client().get("/boom")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert text == "Internal error. The details are in the server's log."
    assert "secret detail" in caplog.text and "Traceback" in caplog.text  # on the server, not in the response
