"""The politician opens Overblik and reads the headline figures and the savings band."""

from __future__ import annotations

import re

import pytest

import sim
from dashboard.compute import simulate
from dashboard.inputs import Limits, from_query


pytestmark = pytest.mark.browser


def test_politician_sees_headline_figures_and_the_band(dash_duo, data_dir, open_page, short, screenshot, settled):
    # An analyst has run the scenario earlier: its runs are in the app's result cache.
    values, problems = from_query(short, Limits(max_replications=50, default_replications=2))
    assert problems == []
    simulate(values, seed=1, cache=sim.ResultCache(data_dir / "cache"), workers=1, progress=lambda d, n: None)

    open_page(f"/?{short}")
    dash_duo.wait_for_contains_text("#ov-source", "2 kørsler", timeout=20)
    npv = dash_duo.find_element("#ov-npv").text
    assert npv.endswith("kr."), npv
    assert "90 %-interval" in dash_duo.find_element("#ov-kpis").text
    children = dash_duo.find_element("#ov-children").text  # the children lead, with their bands
    assert "Færre børn anbragt" in children and "barneår hjemme" in children
    assert re.search(r"(?<![-−\d])\d+,\d dage (hurtigere|senere)", children), children  # help: sooner or later, unsigned
    assert children.count("90 %-interval") == 3
    assert "Over 2 år giver det en nettoeffekt" in dash_duo.find_element("#ov-sentence").text
    traces = dash_duo.driver.execute_script(
        "return document.querySelector('#ov-savings .js-plotly-plot').data.map(t => [t.name, t.fill || ''])")
    assert ["5–95 %-bånd (kumuleret)", "toself"] in traces
    assert dash_duo.driver.execute_script("return document.documentElement.lang") == "da"
    modebar = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#ov-savings .modebar-btn')).map(b => b.getAttribute('data-title'))")
    assert not any("Chart Studio" in (m or "") or "cloud" in (m or "").lower() for m in modebar)
    # How much of the effect it needs, and where the net effect comes from.
    dash_duo.wait_for_contains_text("#ov-break-even", "antagne effekt", timeout=60)
    assert "usikkerheden i antagelserne og tilfældigheden" in dash_duo.find_element("#ov-source").text
    bars = dash_duo.driver.execute_script(
        "return document.querySelector('#ov-waterfall .js-plotly-plot').data[0].x")
    assert "Rådgivere" in bars and bars[-1] == "Nettoeffekt"
    screenshot("politician-overblik")

    dash_duo.find_element("#nav-districts").click()  # where does it happen: the rollout and the districts
    dash_duo.wait_for_element("#page-districts .js-plotly-plot")
    settled()
    gantt = dash_duo.driver.execute_script(
        "return document.querySelector('#dist-gantt .js-plotly-plot').data.map(t => t.name)")
    assert gantt[0] == "Klassisk organisation" and "Bølge 1" in gantt
    children = dash_duo.driver.execute_script(  # the children placed avoided, per district (simulated)
        "const x = document.querySelector('#dist-results .js-plotly-plot').data[2].x; "
        "return Array.from(x._inputArray || x)")
    assert len(children) == 48 and sum(x for x in children if x is not None) > 0
    screenshot("politician-distrikter")
