"""What an analyst waits for after pressing "Kør simuleringen": the real app in headless Chromium.

The app is started as users start it (`python app.py`, its default 30 replications, all cores) on a
free port over an empty data folder (no result cache, no saved analyses, a fresh process: nothing
cached anywhere). Chromium (Debian's chromium and chromedriver, driven by Selenium directly) opens
Scenarier with the default inputs and waits until the page is at rest (the preview drawn). The clock
starts at the click on "Kør simuleringen" (#run-button) and stops when Overblik is finished: the run's
message (#run-done) shown, Overblik opened from the navigation, its source line saying it shows the
simulation of 30 replications, and no callback of the page in flight any more (the split by lever and
the break-even included). The server and everything it started are ended afterwards, by process id.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPLICATIONS = 30
TIMEOUT_S = 1800

# Callbacks in flight in Dash's renderer (as dash.testing's wait_for_callbacks reads them).
PENDING = """
var s = window.store && window.store.getState();
if (!s) { return -1; }
var c = Object.assign({}, s.callbacks); delete c.stored; delete c.completed;
return [].concat.apply([], Object.values(c)).length;
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, timeout: float, what: str, poll: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # noqa: BLE001 - an element not there yet, a page being replaced
            value = None
        if value:
            return value
        time.sleep(poll)
    raise TimeoutError(f"dashboard benchmark: waited {timeout:.0f} s for {what}")


def _settled(driver, timeout: float) -> None:
    """No callback in flight, twice in a row 0.3 s apart (one callback may trigger the next)."""
    def quiet() -> bool:
        if driver.execute_script(PENDING) != 0:
            return False
        time.sleep(0.3)
        return driver.execute_script(PENDING) == 0
    _wait(quiet, timeout, "the page's callbacks to finish")


def _chrome():
    os.environ.setdefault("SE_OFFLINE", "true")  # Debian's driver; Selenium Manager must not download one
    os.environ.setdefault("SE_AVOID_STATS", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def _end(server: subprocess.Popen) -> None:
    """End the server and the processes it started (background runs, the analysis process)."""
    import psutil

    try:
        children = psutil.Process(server.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
    for p in children:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass


def dashboard_run_seconds(replications: int = REPLICATIONS) -> dict[str, float]:
    """Seconds from the click to the finished Overblik (and its parts: to the run's message, then
    to Overblik at rest)."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-run-") as data:
        server = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--data", data,
                                   "--replications", str(replications)], cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        driver = None
        try:
            url = f"http://127.0.0.1:{port}"
            _wait(lambda: urllib.request.urlopen(url, timeout=2).status == 200, 120, "the server to answer", 0.5)
            driver = _chrome()
            driver.get(f"{url}/scenarier")
            _wait(lambda: driver.find_element("css selector", "#run-button"), 60, "the run button")
            _settled(driver, 120)
            started = time.perf_counter()
            driver.find_element("css selector", "#run-button").click()
            _wait(lambda: driver.find_elements("css selector", "#run-done"), TIMEOUT_S, "the run to finish", 0.2)
            ran = time.perf_counter()
            driver.find_element("css selector", "#nav-overview").click()
            shown = f"Simulering med {replications} kørsler"
            _wait(lambda: shown in driver.find_element("css selector", "#ov-source").text, 300, f"'{shown}' on Overblik")
            _settled(driver, 600)
            finished = time.perf_counter()
        finally:
            if driver is not None:
                driver.quit()
            _end(server)
    return {"total_s": finished - started, "run_s": ran - started, "overview_s": finished - ran}


if __name__ == "__main__":
    print(dashboard_run_seconds(int(sys.argv[1]) if len(sys.argv) > 1 else REPLICATIONS))
