"""The savings-gated rollout on Scenarier and Distrikter (issue 11, point 5): the analyst opens the
`gated` scenario, sees its rule, makes the threshold unreachable and sees no wave after the first on
the timeline, then simulates and sees when each district actually switched, with its spread over the
replications."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser

GANTT = "document.querySelector('#dist-gantt .js-plotly-plot')"


def traces(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script(f"return {GANTT}.data.map(d => d.name)")


def wave_starts(dash_duo) -> dict[str, list[str]]:
    """Per wave's trace, the months its districts' relational bars start in."""
    return dash_duo.driver.execute_script(
        f"return Object.fromEntries({GANTT}.data.filter(d => d.name.startsWith('Bølge'))"
        ".map(d => [d.name, [...new Set(d.base.map(b => b.slice(0, 7)))]]))")


def type_threshold(dash_duo, settled, million: str, in_url: str) -> None:
    """Type a threshold (million DKK) and wait until the inputs, and so the address, have it."""
    field = dash_duo.find_element("#in-rollout-gate-threshold_dkk")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(million, Keys.TAB)
    WebDriverWait(dash_duo.driver, 30).until(lambda d: f"rollout.gate.threshold_dkk={in_url}&" in d.current_url)
    settled()


def test_the_gated_rollout_on_scenarier_and_distrikter(dash_duo, open_page, settled, screenshot):
    open_page("/scenarier?base=gated&years=6&replications=2")
    dash_duo.wait_for_element("#scn-npv", timeout=30)
    gate = dash_duo.find_element("#in-rollout-gate-enabled")
    assert "Styret af besparelsen" in gate.text and "Faste datoer" in gate.text
    checked = dash_duo.driver.execute_script(
        "return document.querySelector('#in-rollout-gate-enabled input:checked').value")
    assert checked == "true"
    assert dash_duo.find_element("#in-rollout-gate-floor_months").get_attribute("value") == "6"
    assert dash_duo.find_element("#in-rollout-gate-ceiling_months").get_attribute("value") == ""
    screenshot("gated-scenarier")

    dash_duo.find_element("#nav-districts").click()
    dash_duo.wait_for_element("#dist-gantt .js-plotly-plot", timeout=30)
    settled()
    expected = wave_starts(dash_duo)  # the analytic twin's: the gate on the expected net
    # (docs/model.md §4.3, with the costs of getting there: the new teams' first year saves less)
    assert expected == {"Bølge 1": ["2023-02"], "Bølge 2": ["2025-06"], "Bølge 3": ["2025-12"],
                        "Bølge 4": ["2026-07"], "Bølge 5": ["2027-01"]}

    dash_duo.find_element("#nav-scenarios").click()
    dash_duo.wait_for_element("#in-rollout-gate-threshold_dkk", timeout=30)
    settled()
    type_threshold(dash_duo, settled, "1000000", "1e%2B12")  # 1,000,000 million DKK: unreachable
    dash_duo.find_element("#nav-districts").click()
    dash_duo.wait_for_element("#dist-gantt .js-plotly-plot", timeout=30)
    settled()
    assert wave_starts(dash_duo) == {"Bølge 1": ["2023-02"]}  # no wave after the first

    dash_duo.find_element("#nav-scenarios").click()
    dash_duo.wait_for_element("#in-rollout-gate-threshold_dkk", timeout=30)
    settled()
    type_threshold(dash_duo, settled, "0", "0")
    dash_duo.find_element("#run-button").click()
    dash_duo.wait_for_element("#run-done", timeout=300)
    settled()
    dash_duo.find_element("#nav-districts").click()
    dash_duo.wait_for_element("#dist-gantt .js-plotly-plot", timeout=30)
    settled()
    names = traces(dash_duo)
    assert "Skiftet: 5–95 % af kørslerne (bjælken starter ved medianen)" in names  # the replications differ
    assert wave_starts(dash_duo) != expected  # the simulation's own net, not the twin's
    screenshot("gated-distrikter")
