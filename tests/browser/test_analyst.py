"""The analyst: moves a caseload slider and sees the preview change, runs the simulation to the
end of its progress bar, saves a scenario and finds it after a reload, opens a shared link and gets
the same inputs, uploads a broken scenario file and reads the refusal."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.keys import Keys

from dashboard.store import ScenarioStore

pytestmark = pytest.mark.browser


def slider_value(dash_duo, key: str) -> float:
    thumb = dash_duo.find_element(f"#in-{key.replace('.', '-')} [role=slider]")
    return float(thumb.get_attribute("aria-valuenow"))


def text(dash_duo, selector: str) -> str | None:
    """The text of an element read in one step (figures are replaced while we look)."""
    return dash_duo.driver.execute_script(f"return document.querySelector('{selector}')?.textContent")


def query(dash_duo) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(dash_duo.driver.current_url).query).items()}


def test_analyst_moves_slider_runs_simulation_and_saves(dash_duo, open_page, short, screenshot, settled):
    open_page(f"/scenarier?{short}")
    dash_duo.wait_for_element("#scn-npv", timeout=20)
    before = text(dash_duo, "#scn-npv")
    thumb = dash_duo.find_element("#in-caseload-relational [role=slider]")
    assert thumb.get_attribute("aria-label") == "Sagstal i relationelle teams (sager pr. rådgiver)"

    moved = time.perf_counter()
    thumb.send_keys(Keys.ARROW_LEFT)
    deadline = time.time() + 20
    while text(dash_duo, "#scn-npv") == before and time.time() < deadline:
        time.sleep(0.01)
    print(f"\nslider move -> updated preview: {1000 * (time.perf_counter() - moved):.0f} ms")
    assert text(dash_duo, "#scn-npv") != before
    assert slider_value(dash_duo, "caseload.relational") == 19
    settled()
    assert query(dash_duo)["caseload.relational"] == "19"
    dash_duo.find_element("#nav-overview").click()  # a round trip through the navigation keeps it
    dash_duo.wait_for_element("#page-overview")
    assert not dash_duo.driver.find_elements("css selector", "#page-scenarios")  # one page at a time
    settled()
    dash_duo.find_element("#nav-scenarios").click()
    dash_duo.wait_for_element("#page-scenarios")
    settled()
    assert slider_value(dash_duo, "caseload.relational") == 19

    started = time.perf_counter()
    dash_duo.find_element("#run-button").click()
    dash_duo.wait_for_element("#run-done", timeout=90)
    print(f"run -> finished simulation (2 x 2 replications, 2 years): {time.perf_counter() - started:.1f} s")
    assert dash_duo.find_element("#run-progress-text").text == "4 af 4 kørsler"
    dash_duo.wait_for_contains_text("#scn-source", "Simulering med 2 kørsler", timeout=20)

    dash_duo.find_element("#save-name").send_keys("Lavt sagstal")
    dash_duo.find_element("#save-button").click()
    dash_duo.wait_for_contains_text("#save-status", "Gemt: Lavt sagstal", timeout=10)
    screenshot("analyst-scenarier")

    dash_duo.driver.refresh()
    dash_duo.wait_for_contains_text("#saved-list", "Lavt sagstal", timeout=20)
    assert slider_value(dash_duo, "caseload.relational") == 19  # the URL restored it

    compare = dash_duo.find_element("#compare-select")
    compare.click()
    compare.send_keys("Lavt", Keys.ARROW_DOWN, Keys.ENTER)
    dash_duo.wait_for_contains_text("#compare-rows", "Lavt sagstal", timeout=20)
    assert "Nuværende" in dash_duo.find_element("#compare-rows").text
    compare.send_keys(Keys.ESCAPE)  # close the picker so it does not cover the page
    settled()  # the preview re-renders after the reload; photograph the page at rest
    screenshot("analyst-compare")


def test_analyst_cancels_a_long_run(dash_duo, open_page, settled):
    open_page("/scenarier?years=10&replications=40")
    dash_duo.find_element("#run-button").click()
    dash_duo.wait_for_contains_text("#run-progress-text", "af 80 kørsler", timeout=30)
    assert dash_duo.find_element("#run-button").get_attribute("disabled") is not None
    dash_duo.find_element("#cancel-button").click()
    dash_duo.wait_for_contains_text("#run-status", "Simuleringen blev afbrudt", timeout=20)
    settled()
    assert dash_duo.find_element("#run-button").get_attribute("disabled") is None
    assert not dash_duo.driver.find_elements("css selector", "#run-done")


def test_analyst_opens_a_shared_link_and_gets_the_same_inputs(dash_duo, open_page, screenshot):
    open_page("/scenarier?caseload.relational=17&caseload.classic=35&finance.discount_rate=0.02"
              "&years=3&replications=2&rollout.waves.3=2024-05")
    dash_duo.wait_for_element("#scn-npv", timeout=20)
    assert slider_value(dash_duo, "caseload.relational") == 17
    assert slider_value(dash_duo, "caseload.classic") == 35
    assert slider_value(dash_duo, "finance.discount_rate") == 2  # shown in per cent
    assert slider_value(dash_duo, "years") == 3
    assert dash_duo.find_element("#in-rollout-waves-3").get_attribute("value") == "maj 2024"
    shared = query(dash_duo)
    assert shared["caseload.relational"] == "17" and shared["rollout.waves.3"] == "2024-05"
    assert text(dash_duo, "#run-status") == ""  # opening a link runs nothing
    screenshot("analyst-shared-link")

    # A crafted link: the out-of-range value is refused with a message and the default used.
    open_page("/scenarier?caseload.relational=99&years=2")
    dash_duo.wait_for_contains_text("#url-problems", "caseload.relational: value 99 is outside", timeout=20)
    assert slider_value(dash_duo, "caseload.relational") == 20


def test_analyst_uploads_a_broken_file_and_reads_the_refusal(dash_duo, open_page, data_dir, tmp_path, screenshot):
    open_page("/antagelser?years=2&replications=2")
    broken = tmp_path / "broken.toml"
    broken.write_text('[rollout]\nwaves = {3 = "soon"}\n', encoding="utf-8")
    upload = dash_duo.find_element("#toml-upload input[type=file]")
    upload.send_keys(str(broken))
    dash_duo.wait_for_contains_text("#upload-status", "rollout.waves.3: expected a date", timeout=20)
    assert "Afvist" in dash_duo.find_element("#upload-status").text
    assert ScenarioStore(data_dir / "scenarios.sqlite").list() == []  # nothing saved on refusal
    screenshot("analyst-upload-refused")

    good = tmp_path / "hurtig.toml"
    good.write_text('[rollout]\nwaves = {4 = 2024-06-01}\n[set]\n"caseload.relational" = 18\n', encoding="utf-8")
    dash_duo.find_element("#toml-upload input[type=file]").send_keys(str(good))
    dash_duo.wait_for_contains_text("#saved-list", "hurtig", timeout=20)  # saved, then opened
    assert urlparse(dash_duo.driver.current_url).path == "/scenarier"
    assert slider_value(dash_duo, "caseload.relational") == 18
    assert [name for name, _ in ScenarioStore(data_dir / "scenarios.sqlite").list()] == ["hurtig"]
