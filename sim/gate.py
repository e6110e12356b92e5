"""The savings-gated rollout (`scenario.Gate`): when the waves after the first start, decided month by
month inside a run from the net so far.

The net of a month is what the finance department would measure against the budget's baseline
projection: the status quo's expected cost of the month (the analytic twin of the same world without
the rollout, computed once before the run: deterministic, `analytic.counterfactual_costs`) minus the
run's own cost of the month, the investment (staff, coordinator funding, implementation) counted as it
accrues. At each month boundary the gate adds the month just ended and starts the next wave when at
least `floor_months` have passed since the wave before it and the net (cumulative since the start,
or of the last twelve months) has reached the threshold; or, with a ceiling, when `ceiling_months`
have passed whatever the net. One wave at most per boundary.

`WaveGate` is the rule, the same object for the simulation and the twin: the engine feeds it the
run's own costs (`RunGate`, from the stays logged so far), the twin its expected ones.
"""

from __future__ import annotations

import numpy as np

from .months import Calendar
from .accounts import PAID_STATES, days_in_months, fixed_costs, unit_costs
from .scenario import Scenario


class WaveGate:
    """The gate's decisions over one run. `close_month(m, cost)` takes the run's own cost of month
    m (the city's, all categories) and returns the districts whose relational team starts at the
    month's end (empty if none)."""

    def __init__(self, scenario: Scenario, cal: Calendar, counterfactual: np.ndarray) -> None:
        gate = scenario.gate
        if gate is None:
            raise ValueError(f"{scenario.name}: no savings gate to apply")
        if counterfactual.shape != (cal.n,):
            raise ValueError(f"counterfactual: expected one cost per month ({cal.n}), got shape {counterfactual.shape}")
        self.gate = gate
        self.counterfactual = counterfactual
        self.net = np.zeros(cal.n)
        gated = scenario.gated_waves()
        self.pending = [[i for i, d in enumerate(scenario.districts) if d.wave == n] for n in gated]
        first = [day for n, day in scenario.waves if day is not None]
        # the month in which the wave before the next one started (the first wave's, to begin with)
        self.last = int(cal.month_of(np.array([scenario.day(first[0])]))[0]) if first else cal.n
        self.n = cal.n

    def close_month(self, m: int, cost: float) -> list[int]:
        self.net[m] = self.counterfactual[m] - cost
        boundary = m + 1  # the month starting now
        if not self.pending or boundary >= self.n:
            return []
        elapsed = boundary - self.last
        if elapsed < self.gate.floor_months:
            return []
        ceiling = self.gate.ceiling_months
        if self.measured(boundary) >= self.gate.threshold_dkk or (ceiling is not None and elapsed >= ceiling):
            self.last = boundary
            return self.pending.pop(0)
        return []

    def measured(self, boundary: int) -> float:
        """The net the threshold is compared with at a month boundary: of every month before it, or
        of the twelve before it (fewer at the start)."""
        lo = 0 if self.gate.basis == "cumulative" else max(0, boundary - 12)
        return float(self.net[lo:boundary].sum())


class FixedCosts:
    """The city's fixed costs (staff, coordinator funding, implementation: `accounts.fixed_costs`) of a
    month at the switches so far; recomputed only when they change (at most once a wave)."""

    def __init__(self, scenario: Scenario, cal: Calendar) -> None:
        self.scenario, self.cal = scenario, cal
        self.key: bytes | None = None
        self.total = np.zeros(cal.n)

    def month(self, m: int, switch_day: np.ndarray) -> float:
        key = switch_day.tobytes()
        if key != self.key:
            self.key = key
            self.total = sum(v.sum(axis=0) for v in fixed_costs(self.scenario, self.cal, switch_day).values())
        return float(self.total[m])


class RunGate:
    """The gate as one simulation run sees it: its own cost month by month, from the stays logged
    so far (every paid stay that began before a month's end is in the log, with its end: stays are
    never cut short) and the fixed costs of the teams switched so far (`accounts.fixed_costs`)."""

    def __init__(self, scenario: Scenario, counterfactual: np.ndarray) -> None:
        self.scenario = scenario
        self.cal = Calendar(scenario)
        self.waves = WaveGate(scenario, self.cal, counterfactual)
        self.unit = unit_costs(scenario)  # per day, by state code (zero for the stays without a price)
        self.stays = np.zeros(self.cal.n)  # cost of the stays logged so far, by the month they fall in
        self.fixed = FixedCosts(scenario, self.cal)

    @property
    def month_ends(self) -> np.ndarray:
        """The month boundaries inside the horizon, in days."""
        return self.cal.bounds[1:-1]

    def close_month(self, m: int, new_segments: np.ndarray, switch_day: np.ndarray) -> list[int]:
        """At the end of month m: add the stays logged since the last call (SEGMENT_DTYPE), and ask
        the gate."""
        paid = np.compress(np.isin(new_segments["state"], PAID_STATES), new_segments)  # (faster than a mask)
        if len(paid):
            days = days_in_months(self.cal, len(self.scenario.districts), paid).sum(axis=1)
            self.stays += self.unit @ days
        return self.waves.close_month(m, self.stays[m] + self.fixed.month(m, switch_day))
