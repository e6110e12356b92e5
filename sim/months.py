"""The budget months of a scenario: their boundaries in days since its start.

One calendar for every part of the model that works month by month: the accounting (`results`), the
staffing's recruitment and learning periods (`staffing`), the savings gate's month ends (`gate`) and
the analytic twin's monthly steps, so that all of them change at the same instants.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

from .scenario import Scenario


class Calendar:
    """Month boundaries of a scenario in days since its start (read-only arrays, shared by every
    calendar of the same start and horizon)."""

    def __init__(self, scenario: Scenario) -> None:
        self.bounds, self.labels, self.years, self._by_day = _months(scenario.start, scenario.years)
        self.n = len(self.labels)

    def month_of(self, t: np.ndarray) -> np.ndarray:
        """The month index of each day t (days since the start; before the start the first month,
        from the horizon on the last). Months begin on whole days, so it is that of the day t falls
        on: a table lookup, some 20 times faster than a search among the bounds."""
        return self._by_day[np.clip(t, 0.0, len(self._by_day) - 1.0).astype(np.intp)]


@lru_cache(maxsize=32)
def _months(start: dt.date, years: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(bounds in days, labels "YYYY-MM", budget years, the month of each day) of the months from
    `start`, made once: the solver, the staffing, the gate and the accounting each ask for them, a
    pairing of the twin some dozen times."""
    months = [_add_months(start, k) for k in range(12 * years + 1)]  # a scenario starts on a first
    bounds = np.array([(m - start).days for m in months], dtype=float)
    out = (bounds, np.array([f"{m.year:04d}-{m.month:02d}" for m in months[:-1]], dtype=object),
           np.array([m.year for m in months[:-1]], dtype=np.int32),
           np.repeat(np.arange(len(months) - 1), np.diff(bounds).astype(np.intp)))
    for a in out:
        a.flags.writeable = False
    return out


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after `day`'s (`day` a first of a month)."""
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)
