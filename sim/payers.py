"""Who pays each cost: MSB (the social department), MBU (the children-and-youth department) and the
state, through its refusion for particularly costly individual cases.

- Staff: MSB's caseworkers (the myndighedsrådgivere of Børn, Familier og Fællesskaber). The PPR
  psychologists and health visitors that MBU lends to the teams are not priced by the model.
- Coordinator funding and implementation: the joint rollout with MBU (document 002); MBU pays
  `payer.mbu_coordinator_share` and `payer.mbu_implementation_share` of them, MSB the rest.
- Early and coordinated help and placements (help and support under Barnets lov): MSB pays them,
  less the state's refusion (Barnets lov § 198, formerly Serviceloven § 176): of one child's costs in
  a calendar year, the state refunds `refusion.lower_rate` of the part between the lower and the
  middle threshold, `middle_rate` of the part between the middle and the upper one and `upper_rate`
  of the part above the upper one. The rule applies child by child (sim.results reads each
  child's stays from the transition log), never to an average: two children half a year each in
  residential care may get nothing where one child a whole year gets a refund.

Every amount, the thresholds too, is in the scenario's price year (sim.prices). The analytic twin
follows no child, so it has no refusion: its MSB and state columns are missing (NaN), MBU's is not.
"""

from __future__ import annotations

import numpy as np

from .assumptions import Assumptions

PAYERS = ("MSB", "MBU", "state")
# The per-arm columns of who pays (sim.results), one per payer: together the arm's cost_total_dkk.
PAID_BY = {"MSB": "paid_msb_dkk", "MBU": "paid_mbu_dkk", "state": "paid_state_dkk"}
# The cost categories MBU pays a share of, and the parameter (in [payer]) that gives it.
MBU_SHARES = {"cost_coordinator_dkk": "mbu_coordinator_share", "cost_implementation_dkk": "mbu_implementation_share"}


def refusion(yearly_cost: np.ndarray, assumptions: Assumptions) -> np.ndarray:
    """The state's refusion of each child's costs in a calendar year (`yearly_cost`, DKK in the
    price year): each rate on the part of the cost between its threshold and the next."""
    r = assumptions.refusion
    thresholds = [r.lower_threshold_dkk.value, r.middle_threshold_dkk.value, r.upper_threshold_dkk.value]
    rates = [r.lower_rate.value, r.middle_rate.value, r.upper_rate.value]
    cost = np.asarray(yearly_cost, dtype=float)
    out = np.zeros_like(cost)
    for threshold, rate, before in zip(thresholds, rates, [0.0, *rates[:-1]]):
        out += (rate - before) * np.maximum(cost - threshold, 0.0)  # the marginal rate steps up
    return out


def payer_columns(assumptions: Assumptions, costs: dict[str, np.ndarray],
                  state_refusion: np.ndarray | None) -> dict[str, np.ndarray]:
    """Who pays the costs `costs` (sim.results.COST_COLUMNS, [district, month] arrays): MBU its
    shares, the state its refusion (None: not known, as in the analytic twin: NaN, and MSB's part
    with it), MSB the rest."""
    p = assumptions.payer
    mbu = sum(costs[col] * getattr(p, share).value for col, share in MBU_SHARES.items())
    state = np.full_like(costs["cost_total_dkk"], np.nan) if state_refusion is None else state_refusion
    return {PAID_BY["MSB"]: costs["cost_total_dkk"] - mbu - state, PAID_BY["MBU"]: mbu, PAID_BY["state"]: state}
