"""Switching to English changes the labels, the number format and the page's lang attribute."""

from __future__ import annotations

import re

import pytest

import sim
from dashboard.compute import simulate
from dashboard.inputs import Limits, from_query

pytestmark = pytest.mark.browser


def test_english_switch_changes_labels_and_numbers(dash_duo, data_dir, open_page, short, screenshot, settled):
    values, _ = from_query(short, Limits(max_replications=50, default_replications=2))
    simulate(values, seed=1, cache=sim.ResultCache(data_dir / "cache"), workers=1, progress=lambda d, n: None)
    open_page(f"/?{short}")
    assert dash_duo.find_element("#nav-overview").text == "Overblik"
    assert dash_duo.find_element("#ov-npv").text.endswith("kr.")
    dash_duo.driver.execute_script(
        "Array.from(document.querySelectorAll('.mantine-SegmentedControl-label')).find(l => l.textContent === 'English').click()")
    dash_duo.wait_for_text_to_equal("#nav-overview", "Overview", timeout=20)
    settled()
    assert dash_duo.find_element("#nav-scenarios").text == "Scenarios"
    assert dash_duo.find_element("#ov-npv").text.endswith("DKK")
    assert "Net effect over 2 years" in dash_duo.find_element("#ov-kpis").text
    children = dash_duo.find_element("#ov-children").text  # the children's figures, with their bands
    assert "Fewer children placed" in children and children.count("90 % interval") == 3
    assert re.search(r"(?<![-−\d])\d+\.\d days (sooner|later)", children), children
    assert dash_duo.driver.execute_script("return document.documentElement.lang") == "en"
    screenshot("english-overview")
