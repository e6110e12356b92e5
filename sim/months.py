"""The budget months of a scenario: their boundaries in days since its start.

One calendar for every part of the model that works month by month: the accounting (`results`), the
staffing's recruitment and learning periods (`staffing`), the savings gate's month ends (`gate`) and
the analytic twin's monthly steps, so that all of them change at the same instants.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scenario import Scenario


class Calendar:
    """Month boundaries of a scenario in days since its start."""

    def __init__(self, scenario: Scenario) -> None:
        months = pd.date_range(scenario.start, periods=12 * scenario.years + 1, freq="MS")
        self.bounds = np.asarray((months - months[0]).days, dtype=float)
        self.labels = months[:-1].strftime("%Y-%m").to_numpy()
        self.years = months[:-1].year.to_numpy()
        self.n = len(self.labels)

    def month_of(self, t: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(self.bounds, t, side="right") - 1, 0, self.n - 1)
