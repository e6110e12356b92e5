"""The politician asks which assumptions the savings hang on: Usikkerhed shows a tornado of them in
plain Danish, each linked to its row on Antagelser."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PLOT = "#unc-tornado .js-plotly-plot"


def test_tornado_names_the_assumptions_and_links_to_them(dash_duo, open_page, short, screenshot, settled):
    open_page(f"/usikkerhed?{short}", settle=120)  # a hundred pairs, each solved against Herning
    assert dash_duo.find_element("#nav-uncertainty").text == "Usikkerhed"
    dash_duo.wait_for_element("#unc-links a", timeout=60)
    settled(120)
    traces = dash_duo.driver.execute_script(
        f"return document.querySelector('{PLOT}').data.map(t => [t.name, t.orientation, t.y])")
    names = [name for name, _, _ in traces]
    assert names == ["Antagelsen ved sin lave værdi", "Antagelsen ved sin høje værdi"]
    assert all(orientation == "h" for _, orientation, _ in traces)
    labels = traces[0][2]
    assert len(labels) == 12 and labels == traces[1][2]
    assert "Sagstal i relationelle teams" in labels  # plain Danish, not dotted keys
    assert not any("." in label and "_" in label for label in labels)
    axis = dash_duo.driver.execute_script(f"return document.querySelector('{PLOT}').layout.xaxis.title.text")
    assert "mio. kr." in axis
    explain = dash_duo.find_element("#unc-explain").text
    assert "forventede værdier fra den analytiske model" in explain and "én antagelse ad gangen" in explain

    # an amount's range in whole kroner with its unit, beside the mio. kr. columns (not "1.030.287,52")
    cells = dash_duo.driver.execute_script(
        "return Array.from(document.querySelector(\"#unc-links a[href$='#param-implementation.per_district_dkk']\")"
        ".closest('tr').cells).map(c => c.textContent)")
    assert cells[1] == "0\u00a0kr." and cells[2].endswith("\u00a0kr.") and "," not in cells[2], cells
    link = dash_duo.find_element("#unc-links a[href$='#param-caseload.relational']")
    assert link.text == "Sagstal i relationelle teams"
    assert link.get_attribute("href").split("#")[1] == "param-caseload.relational"
    assert "/antagelser?" in link.get_attribute("href")
    screenshot("uncertainty-usikkerhed")

    dash_duo.driver.execute_script(  # the same tornado in English (from the page's cache: no recomputation)
        "Array.from(document.querySelectorAll('.mantine-SegmentedControl-label'))"
        ".find(l => l.textContent === 'English').click()")
    dash_duo.wait_for_text_to_equal("#nav-uncertainty", "Uncertainty", timeout=20)
    dash_duo.wait_for_element("#unc-links a", timeout=30)
    settled()
    labels = dash_duo.driver.execute_script(f"return document.querySelector('{PLOT}').data[0].y")
    assert "Caseload in relational teams" in labels
    assert "m DKK" in dash_duo.driver.execute_script(f"return document.querySelector('{PLOT}').layout.xaxis.title.text")
    screenshot("uncertainty-english")

    link = dash_duo.find_element("#unc-links a[href$='#param-caseload.relational']")
    link.click()  # the assumption's row on Antagelser, with its range and source
    dash_duo.wait_for_element("#page-assumptions", timeout=30)
    dash_duo.wait_for_element("code[id='param-caseload.relational']", timeout=30)
    settled()
    row = dash_duo.driver.execute_script(
        "const tr = document.getElementById('param-caseload.relational').closest('tr');"
        "return [tr.textContent, tr.style.background, window.scrollY, window.location.href]")
    assert "caseload.relational" in row[0]
    assert row[1] == "rgb(255, 243, 191)" and row[2] > 0, row  # marked and scrolled to
