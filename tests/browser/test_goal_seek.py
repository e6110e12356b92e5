"""The analyst asks Scenarier "Hvad skal der til?" and gets the least costly value, confirmed by the
simulation (issue 11, point 6)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.browser


def test_the_goal_question_answers_on_scenarier(dash_duo, open_page, short, settled, screenshot):
    open_page(f"/scenarier?{short}")
    dash_duo.wait_for_element("#goal-button", timeout=30)
    settled()
    target = dash_duo.find_element("#goal-target")
    target.send_keys(Keys.CONTROL, "a")
    target.send_keys("-1000")  # a loss of at most 1 bn DKK by 2027: the cheapest caseload already meets it
    settled()
    dash_duo.find_element("#goal-button").click()
    dash_duo.wait_for_element("#goal-found", timeout=400)
    answer = dash_duo.find_element("#goal-found").text
    assert "Svar: Sagstal i relationelle teams = 31 sager pr. rådgiver" in answer, answer
    assert "senest i 2027" in answer and "2025-priser" in answer and "simuleringen med 2 kørsler" in answer
    assert "bekræfter det." in answer
    screenshot("analyst-goal-seek")
