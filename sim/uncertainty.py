"""Parameter uncertainty: one draw of every uncertain assumption per replication.

With `uncertainty = "parameters"` (the default of a comparison) replication r runs in a world whose
uncertain assumptions are drawn for r, the same draw in both arms (paired): the band and the
probability of paying back then hold the assumptions' uncertainty as well as the families' chance.
With "noise" every assumption stays at its value and only the random numbers vary.

What is drawn is data: each parameter's `distribution` in base.toml. "pert" is the PERT
distribution on (low, value, high) (a beta distribution whose mode is the value), "triangular" and
"uniform" as named. The escalation elasticity ("herning") is not drawn but solved: a Herning
saving is drawn from the PERT prior of targets.toml [herning], and the elasticity is the one at
which the drawn world reproduces it. So every draw is admissible: it reproduces Herning within the
range the evidence allows. A draw for which no elasticity in its range reproduces the drawn saving
is redrawn (counted in `Draws.rejected`). The twin solves the elasticities of all draws at once,
in numpy (`calibrate.HerningWorlds`): 300 draws cost about what 30 cost one at a time.

Draws use their own random stream (seeded from the experiment's seed), never the families' streams,
so the families' luck in replication r is the same under both kinds of uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .assumptions import AssumptionError, Param
from .calibrate import Herning, HerningWorlds, load_targets
from .scenario import Scenario

UNCERTAINTIES = ("parameters", "noise")
DEFAULT_UNCERTAINTY = "parameters"
DERIVED = "herning"
MAX_TRIES = 50
_STREAM = 0x5A17  # a fixed word that keeps the draws' stream apart from the families'


def pert(low: float, mode: float, high: float) -> stats.rv_continuous:
    """The PERT distribution: a beta on [low, high] with mean (low + 4 mode + high) / 6."""
    span = high - low
    return stats.beta(1 + 4 * (mode - low) / span, 1 + 4 * (high - mode) / span, loc=low, scale=span)


def distribution(p: Param) -> stats.rv_continuous:
    """The distribution a parameter is drawn from."""
    if p.distribution == "pert":
        return pert(p.low, p.value, p.high)
    if p.distribution == "triangular":
        return stats.triang((p.value - p.low) / (p.high - p.low), loc=p.low, scale=p.high - p.low)
    if p.distribution == "uniform":
        return stats.uniform(loc=p.low, scale=p.high - p.low)
    raise ValueError(f"no distribution to draw from: {p.distribution!r}")


@dataclass(frozen=True)
class Draws:
    """The parameter sets of the replications, in order, and how many draws were redrawn."""

    values: tuple[dict[str, float], ...]
    rejected: int


def draw(world: Scenario, replications: int, seed: int, herning: Herning | None = None) -> Draws:
    """One admissible set of the uncertain assumptions per replication, for the world of
    `world` (a scenario whose status quo the Herning check runs in: normally the baseline)."""
    herning = herning or load_targets().herning
    params = world.assumptions.params()
    drawn = sorted(k for k, p in params.items() if p.distribution not in ("fixed", DERIVED))
    derived = [k for k, p in params.items() if p.distribution == DERIVED]
    laws = {k: distribution(params[k]) for k in drawn}
    prior = pert(herning.prior_low_dkk, herning.prior_mode_dkk, herning.prior_high_dkk)
    rng = np.random.default_rng([seed, _STREAM])
    sets: list[dict[str, float]] = []
    rejected = 0
    while len(sets) < replications:
        # as many candidates as are still wanted, all at once: taken in order, they are the draws that
        # one candidate at a time would give (the stream yields the same numbers either way)
        u = rng.random((replications - len(sets), len(drawn) + 1))
        columns = {k: laws[k].ppf(u[:, j]) for j, k in enumerate(drawn)}
        batch = [{k: float(columns[k][i]) for k in drawn} for i in range(len(u))]
        if derived:
            herning_worlds = HerningWorlds([world.with_overrides(values, "parameter draw") for values in batch], herning)
            elasticity, reached = herning_worlds.elasticities(prior.ppf(u[:, -1]))
            rejected += int((~reached).sum())
            if rejected > MAX_TRIES * replications:
                raise AssumptionError("parameter draws: almost no draw reproduces Herning; check the "
                                      "ranges in base.toml against targets.toml [herning]")
            batch = [{**values, derived[0]: float(e)} for values, e, ok in zip(batch, elasticity, reached) if ok]
        sets += batch
    return Draws(tuple(sets), rejected)
