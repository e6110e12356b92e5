"""Browser journeys: the dashboard in real headless Chromium (dash_duo, Debian chromium-driver).

Each test gets its own data folder and a free port (the suite runs under `pytest -n 2`), short
scenarios through the URL (two years, two replications) and saves a full-page screenshot.
"""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import psutil
import pytest

from dash_client import free_port
from dashboard import create_app
from dashboard.compute import ANALYSES

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
SHORT = "years=2&replications=2"


@pytest.fixture(autouse=True, scope="session")
def no_stray_processes():
    """Background jobs are separate processes; one left behind would hold the test run's output
    open and stall CI. At the end, anything this test process started is ended (and named)."""
    yield
    me = psutil.Process()
    stray = [p for p in me.children(recursive=True) if "chromedriver" not in p.name() and "chrom" not in p.name()]
    for p in stray:
        p.kill()
    if stray:
        print(f"ended {len(stray)} stray process(es): {[p.pid for p in stray]}")


@pytest.fixture(autouse=True, scope="session")
def analysis_process(no_stray_processes):
    """The dashboard's analysis process (dashboard.compute), started before any test's server: at its
    end, dash_duo's threaded server ends every thread started after it, and the thread that hands
    the analyses to the process must outlive each test. Shut down at the end of the session."""
    ANALYSES.submit(os.getpid).result()
    yield
    ANALYSES.shutdown()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def app(data_dir: Path):
    """The dashboard as users get it, with a small default and ceiling of replications and one worker."""
    return create_app(data_dir, replications=2, max_replications=50, workers=1)


@pytest.fixture
def open_page(dash_duo, app, settled):
    """Start the app and open a path (with its query string); returns a function."""
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.set_window_size(1400, 1000)

    def go(path: str, settle: float = 90) -> None:
        dash_duo.driver.get(dash_duo.server_url + path)
        dash_duo.wait_for_element(".page", timeout=30)
        dash_duo.wait_for_element("#nav-overview", timeout=30)
        settled(settle)

    yield go
    errors = [e["message"] for e in dash_duo.get_logs() or [] if e["level"] == "SEVERE" and "favicon" not in e["message"]]
    assert errors == [], errors  # a React error would silently remount the page and reset its controls


@pytest.fixture
def settled(dash_duo):
    """Wait until the browser has no callback in flight (the page has stopped changing)."""
    def wait(timeout: float = 90) -> None:
        deadline = time.time() + timeout
        while not dash_duo._wait_for_callbacks():
            if time.time() > deadline:
                raise TimeoutError("callbacks still pending")
            time.sleep(0.05)

    return wait


@pytest.fixture
def short() -> str:
    """The query string of a short scenario."""
    return SHORT


@pytest.fixture
def screenshot(dash_duo):
    """Save the whole page (beyond the window) as a PNG in screenshots/, through Chrome's DevTools."""
    def shoot(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        driver = dash_duo.driver
        time.sleep(0.4)  # let plotly finish its transitions
        size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 8000), "scale": 1}})
        path = SCREENSHOTS / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    return shoot
