"""Security: headers on every response, a Content-Security-Policy the pages run under without a
violation, hostile text shown as text (never run), and no user input in a file path.

The header and file-path checks use Flask's test client; the CSP and XSS ones real headless Chromium.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from dash_client import callback_body
from dashboard import create_app
from dashboard.store import ScenarioStore

pytestmark = pytest.mark.browser

HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}
# Sets a global if it ever runs; the tests check it never does and that no such element exists.
PAYLOAD = "<img src=x onerror=window.__xss=1>"


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def client(tmp_path):
    data_dir = tmp_path / "data"
    app = create_app(data_dir, replications=2, max_replications=50, workers=1)
    client = app.server.test_client()
    client.get("/")  # Dash adds its page router's callback on the first request
    client.app, client.data_dir = app, data_dir
    return client


def upload_request(client, filename: str, text: str) -> dict:
    contents = "data:application/octet-stream;base64," + base64.b64encode(text.encode()).decode()
    return callback_body(client.app.callback_map, [("upload-status", "children"), ("goto", "data")],
                         [("toml-upload", "contents", contents)], [("toml-upload", "filename", filename),
                                                                   ("lang", "value", "da")])


def post(client, body: dict | str):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/_dash-update-component", data=data, content_type="application/json")


def assert_secure(response) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers)
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert csp["default-src"] == "'self'" and csp["connect-src"] == "'self'"
    scripts = csp["script-src"].split()
    assert scripts[0] == "'self'" and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert all(s.startswith("'sha256-") for s in scripts[1:]) and len(scripts) > 1  # Dash's inline scripts


def test_every_kind_of_response_carries_the_security_headers(client):
    for path in ("/", "/scenarier?years=2", "/assets/style.css", "/_dash-layout", "/_dash-dependencies"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_secure(response)
    assert client.get("/assets/style.css").mimetype == "text/css"  # nosniff: the right types are declared
    callback = post(client, upload_request(client, "plan.toml", "years = 2\n"))
    assert callback.status_code == 200 and callback.mimetype == "application/json"
    assert_secure(callback)
    refused = post(client, {"output": "nothing.children"})
    assert refused.status_code == 400
    assert_secure(refused)


def test_the_policy_names_every_inline_script_of_the_page(client):
    """The renderer and every clientside callback are inline <script>s: each must be in script-src."""
    import hashlib
    import re

    page = client.get("/")
    allowed = set(page.headers["Content-Security-Policy"].split("script-src ")[1].split(";")[0].split())
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", page.text, re.S)
    assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, script[:80]


@pytest.mark.parametrize("filename, saved", [
    ("../../etc/passwd.toml", "passwd"),
    ("..\\..\\..\\windows\\win.ini.toml", "win.ini"),
    ("/tmp/absolute.toml", "absolute"),
    ("../" * 20 + "nul\x00name.toml", "nul-name"),
])
def test_an_upload_is_saved_under_a_clean_name_and_writes_nothing_outside_the_data_folder(
        client, tmp_path, filename, saved):
    before = files_under(tmp_path)
    response = post(client, upload_request(client, filename, 'description = "from afar"\nyears = 2\n'))
    assert response.status_code == 200
    assert "Afvist" not in response.text, response.text
    assert [name for name, _ in ScenarioStore(client.data_dir / "scenarios.sqlite").list()] == [saved]
    new = files_under(tmp_path) - before
    assert all(client.data_dir in p.parents for p in new), new  # SQLite's own files only
    assert not any("passwd" in p.name or "win.ini" in p.name or "absolute" in p.name for p in files_under(tmp_path))
    assert not Path("/etc/passwd.toml").exists() and not Path("/tmp/absolute.toml").exists()


def test_an_upload_named_with_markup_is_saved_under_a_clean_name(client):
    response = post(client, upload_request(client, PAYLOAD + ".toml", f'description = "{PAYLOAD}"\nyears = 2\n'))
    assert response.status_code == 200 and "Afvist" not in response.text
    [(name, _)] = ScenarioStore(client.data_dir / "scenarios.sqlite").list()
    assert "<" not in name and ">" not in name


# The browser: the pages under the policy, and hostile text shown as text.

def csp_errors(dash_duo) -> list[str]:
    return [e["message"] for e in dash_duo.get_logs() or []
            if "Content Security Policy" in e["message"] or "Content-Security-Policy" in e["message"]]


def test_overblik_and_scenarier_run_under_the_policy(dash_duo, open_page, short, settled):
    open_page(f"/?{short}")
    dash_duo.wait_for_element("#ov-npv", timeout=30)
    assert dash_duo.find_element("#ov-npv").text.endswith("kr.")
    dash_duo.wait_for_element("#ov-savings .js-plotly-plot", timeout=30)
    assert csp_errors(dash_duo) == []

    dash_duo.find_element("#nav-scenarios").click()
    dash_duo.wait_for_element("#scn-kpis .kpi, #scn-kpis div", timeout=30)
    settled(30)
    dash_duo.wait_for_element("#scn-preview .js-plotly-plot", timeout=30)
    assert "kr." in dash_duo.find_element("#scn-kpis").text
    assert csp_errors(dash_duo) == []
    # The policy is enforced, not just sent: an inline script the page did not ship is refused.
    dash_duo.driver.execute_script(
        "window.__inline = 0; const s = document.createElement('script');"
        "s.textContent = 'window.__inline = 1'; document.body.appendChild(s);")
    time.sleep(0.5)
    assert dash_duo.driver.execute_script("return window.__inline") == 0
    assert csp_errors(dash_duo) != []  # the refusal itself is logged


def assert_shown_as_text(dash_duo, selector: str) -> None:
    assert PAYLOAD in dash_duo.find_element(selector).text
    assert dash_duo.driver.execute_script("return window.__xss") == 0
    assert dash_duo.driver.execute_script("return document.querySelectorAll('img[src=x]').length") == 0


def test_hostile_text_is_shown_as_text_and_never_runs(dash_duo, open_page, short, data_dir, settled, tmp_path):
    # A name typed into the save box: refused (the store takes no markup), and echoed as text.
    open_page(f"/scenarier?{short}")
    dash_duo.driver.execute_script("window.__xss = 0")
    dash_duo.find_element("#save-name").send_keys(PAYLOAD)
    dash_duo.find_element("#save-button").click()
    dash_duo.wait_for_contains_text("#save-status", "name:", timeout=20)
    assert_shown_as_text(dash_duo, "#save-status")
    assert ScenarioStore(data_dir / "scenarios.sqlite").list() == []

    # A file whose name and description are markup: saved under a clean name, nothing runs.
    dash_duo.find_element("#nav-assumptions").click()
    dash_duo.wait_for_element("#toml-upload input[type=file]", timeout=30)
    settled(30)
    dash_duo.driver.execute_script("window.__xss = 0")
    hostile = tmp_path / f"{PAYLOAD}.toml"
    hostile.write_text(f'description = "{PAYLOAD}"\nyears = 2\n', encoding="utf-8")
    dash_duo.find_element("#toml-upload input[type=file]").send_keys(str(hostile))
    dash_duo.wait_for_element("#saved-list li", timeout=30)  # saved, then opened on Scenarier
    settled(30)
    [(name, _)] = ScenarioStore(data_dir / "scenarios.sqlite").list()
    assert "<" not in name and name in dash_duo.find_element("#saved-list").text
    assert dash_duo.driver.execute_script("return window.__xss") in (None, 0)
    assert dash_duo.driver.execute_script("return document.querySelectorAll('img[src=x]').length") == 0

    # A shared link carrying the markup: the message quotes it as text.
    open_page("/scenarier?years=2&base=" + quote(PAYLOAD))
    dash_duo.wait_for_contains_text("#url-problems", "base:", timeout=20)
    assert dash_duo.driver.execute_script("return typeof window.__xss") == "undefined"  # set only by the payload
    dash_duo.driver.execute_script("window.__xss = 0")
    assert_shown_as_text(dash_duo, "#url-problems")
    assert csp_errors(dash_duo) == []
