"""Finance opens Overblik: the budget year by year beside the present value, in one price year; the
price-year selector on Scenarier converts every amount and the figures follow (issue 11, points 1-2);
and who carries the investment and who receives the savings (point 3)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

import sim
from dashboard.compute import simulate
from dashboard.inputs import Limits, from_query

pytestmark = pytest.mark.browser


def first_row(dash_duo) -> list[str]:
    return [td.text for td in dash_duo.find_elements("#ov-budget-table tbody tr")[0].find_elements(By.TAG_NAME, "td")]


def danish(text: str) -> float:
    return float(text.replace(".", "").replace(",", ".").replace("\u2212", "-"))


def test_the_budget_table_and_the_present_value_in_the_chosen_price_year(dash_duo, open_page, short, settled,
                                                                         screenshot):
    open_page(f"/?{short}")
    dash_duo.wait_for_contains_text("#ov-budget", "2025-priser", timeout=30)
    budget = dash_duo.find_element("#ov-budget").text
    assert "Budgetvirkning pr. år: udiskonteret" in budget and "Nutidsværdi: værdien over tid" in budget
    head = [th.text for th in dash_duo.find_elements("#ov-budget-table thead th")]
    assert head == ["Budgetår", "Investering", "Bruttobesparelse", "Netto", "Kumuleret netto"]
    assert len(dash_duo.find_elements("#ov-budget-table tbody tr")) == 2
    row = first_row(dash_duo)
    assert row[0] == "2023" and "," in row[1]  # Danish decimal comma
    assert dash_duo.find_element("#ov-budget-npv").text.endswith("kr.")
    assert "2025-priser" in dash_duo.find_element("#ov-source").text
    # the preview follows no child, so the state's refusion (and who saves) waits for the simulation
    assert "Kør simuleringen for at se, hvem der sparer" in dash_duo.find_element("#ov-payers-sentence").text
    axis = dash_duo.driver.execute_script(
        "return document.querySelector('#ov-savings .js-plotly-plot').layout.yaxis.title.text")
    assert axis == "mio. kr. (2025-priser)"
    screenshot("finance-budget-2025")

    dash_duo.find_element("#nav-scenarios").click()
    dash_duo.wait_for_element("#in-price_year", timeout=30)
    settled()
    foster = dash_duo.find_element("#in-cost-foster_dkk_per_day").get_attribute("value")
    dash_duo.find_element("#in-price_year").click()
    dash_duo.driver.find_element(By.XPATH, "//*[@role='option' and normalize-space()='2019']").click()
    dash_duo.wait_for_text_to_equal("#in-cost-foster_dkk_per_day", "1.288", timeout=30)
    settled()
    assert foster == "1.510,09"  # the 2019 price of the source, shown at 2025 prices before
    assert "price_year=2019" in dash_duo.driver.current_url

    dash_duo.find_element("#nav-overview").click()
    dash_duo.wait_for_contains_text("#ov-budget", "2019-priser", timeout=30)
    settled()
    later = first_row(dash_duo)
    ratio = danish(row[1]) / danish(later[1])
    assert ratio == pytest.approx(120.76 / 103.0, rel=0.01), (row, later)  # the index's ratio
    screenshot("finance-budget-2019")


def test_overblik_names_who_pays_and_who_saves(dash_duo, data_dir, open_page, short, screenshot):
    # An analyst has run the scenario earlier: its runs are in the app's result cache.
    values, problems = from_query(short, Limits(max_replications=50, default_replications=2))
    assert problems == []
    simulate(values, seed=1, cache=sim.ResultCache(data_dir / "cache"), workers=1, progress=lambda d, n: None)

    open_page(f"/?{short}")
    dash_duo.wait_for_contains_text("#ov-source", "2 kørsler", timeout=20)
    dash_duo.wait_for_contains_text("#ov-payers", "Hvem betaler, og hvem sparer? 2023–2024", timeout=30)
    said = dash_duo.find_element("#ov-payers-sentence").text
    assert said.startswith("Investeringen bæres af MSB (") and "og MBU (" in said
    assert "Efter refusion er kommunens nettoeffekt" in said
    assert "besparelserne tilfalder MSB (" in said and "og staten (" in said and "særligt dyre enkeltsager." in said
    head = [th.text for th in dash_duo.find_elements("#ov-payers-table thead th")]
    assert head == ["Betaler", "Investering", "Besparelse", "Netto"]
    rows = {tr.find_elements(By.TAG_NAME, "td")[0].text: [danish(td.text) for td in tr.find_elements(By.TAG_NAME, "td")[1:]]
            for tr in dash_duo.find_elements("#ov-payers-table tbody tr")}
    assert list(rows) == ["MSB – Sociale Forhold og Beskæftigelse", "MBU – Børn og Unge", "Staten (refusion)",
                          "Kommunen efter refusion (MSB og MBU)"]
    msb, mbu, state, municipality = rows.values()
    assert msb[0] > 0 and mbu[0] > 0 and state[0] == 0  # MSB and MBU carry the investment, the state none
    assert mbu[1] == 0 and msb[1] != 0  # the savings go to MSB and the state
    assert municipality[2] == pytest.approx(msb[2] + mbu[2], abs=0.11)
    # the payers' nets add up to the horizon's net: the budget table's last cumulative net
    cumulative = danish([td.text for td in dash_duo.find_elements("#ov-budget-table tbody tr")[-1]
                         .find_elements(By.TAG_NAME, "td")][4])
    assert msb[2] + mbu[2] + state[2] == pytest.approx(cumulative, abs=0.16)
    screenshot("finance-who-pays")
