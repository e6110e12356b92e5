"""The engine's clock keeps events of later windows outside simpy's heap (sim.engine.Clock): they
must still happen in simpy's order, by day and then in the order they were scheduled."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.engine import Clock, notified_per_day, window_days
from sim.scenario import load_scenario


@pytest.mark.parametrize("window", [1, 7, 30])
def test_events_happen_by_day_then_in_the_order_they_were_scheduled(window):
    WINDOW_DAYS = float(window)
    HORIZON = 20 * WINDOW_DAYS + 7.5
    rng = np.random.default_rng(3)
    clock = Clock(HORIZON, window)
    happened: list[tuple[float, int]] = []
    scheduled: list[tuple[float, int]] = []

    def schedule(day: float, spawn: int) -> None:
        n = len(scheduled)
        scheduled.append((day, n))

        def happen(_event) -> None:
            assert clock.now == day
            happened.append((day, n))
            for _ in range(spawn):  # events scheduled while the run runs: the same window, a later one, the same day
                later = float(rng.choice([0.0, rng.integers(0, 3), rng.integers(1, 4) * WINDOW_DAYS,
                                          rng.uniform(0, 5 * WINDOW_DAYS)]))
                schedule(day + later, int(rng.integers(0, 2)))

        clock.call_at(day, happen)

    # Days on window boundaries, ties within a day, far beyond the horizon, and simpy's own timeouts,
    # which go straight into its heap: one on the first day of a window whose events waited outside
    # it, and were scheduled before it.
    for day in [0.0, WINDOW_DAYS, WINDOW_DAYS, 2 * WINDOW_DAYS - 1e-9, 2 * WINDOW_DAYS, 3 * WINDOW_DAYS, HORIZON,
                HORIZON + 1, math.inf]:
        schedule(day, 2)
    for day in rng.uniform(0, HORIZON, 300).round(1):
        schedule(float(day), 1)
    # In simpy's heap: the window under way's events, those on or after the horizon, the next opening.
    assert len(clock._queue) == 1 + sum(day < WINDOW_DAYS or day >= HORIZON for day, _ in scheduled) < 50
    for delay in (2 * WINDOW_DAYS, 45.5):
        n = len(scheduled)
        scheduled.append((delay, n))
        clock.timeout(delay).callbacks.append(lambda event, n=n: happened.append((clock.now, n)))
    clock.run(until=HORIZON)

    due = sorted(s for s in scheduled if s[0] < HORIZON)
    assert len(due) > 300 and any(day >= HORIZON for day, _ in scheduled)
    assert happened == due


@pytest.mark.parametrize("window", [0, 2.5, 30.0])
def test_a_window_is_a_whole_number_of_days(window):
    with pytest.raises(ValueError, match="whole number of days"):
        Clock(100.0, window)


def test_windows_hold_about_as_many_notifications_in_a_small_city_and_a_large_one():
    aarhus = notified_per_day(load_scenario("plan"))
    assert 11 < aarhus < 12
    # Aarhus, twice and ten times as large (benchmarks/scale.py), and the M/M/c benchmark's 4 a day
    assert [window_days(x) for x in (aarhus, 2 * aarhus, 10 * aarhus, 4.0, 0.0)] == [10, 5, 1, 30, 30]
