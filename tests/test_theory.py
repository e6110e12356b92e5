"""The engine against queueing and Markov-chain theory (docs/sources.md §P3, items 3, 4 and 7)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from helpers import QUEUE_ONLY, classic_only, extreme
from sim.engine import ARRIVAL_ID_OFFSET, simulate
from sim.rates import ASSESSMENT, COORDINATED, DAYS_PER_YEAR, EARLY, FOSTER, RESIDENTIAL, Rates


def erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    """P(wait > 0) and mean wait Wq of an M/M/c queue."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c * mu - lam)


def test_single_level_queue_matches_erlang_c():
    """Reduced configuration: Poisson notifications, exponential early help, 20 case slots, rho 0.8."""
    slots, mean_days, rho = 20, 30.0, 0.8
    lam = rho * slots / mean_days  # per day
    queue = classic_only("status-quo")  # one city-wide pool of slots
    children = queue.assumptions.city.children.value
    scenario = extreme(
        queue, years=10, **QUEUE_ONLY,
        staff__classic_caseworkers=slots / 31, early__mean_days=mean_days,
        notifications__notified_share_per_year=lam * DAYS_PER_YEAR / children,
    )
    warmup = 200.0
    waits, waited, busy = [], [], []
    for rep in range(12):
        log = simulate(scenario, seed=11, replication=rep)
        w = log.waits[log.waits["t"] - log.waits["wait"] >= warmup]
        waits.append(w["wait"].mean())
        waited.append((w["wait"] > 0).mean())
        seg = log.segments[log.segments["state"] == EARLY]
        overlap = np.minimum(seg["t1"], log.horizon) - np.maximum(seg["t0"], warmup)
        busy.append(overlap.clip(min=0).sum() / ((log.horizon - warmup) * slots))
    p_wait, wq = erlang_c(slots, lam, 1 / mean_days)
    z = stats.norm.ppf(0.995)
    for name, sample, theory in (("Wq", waits, wq), ("P(wait)", waited, p_wait), ("utilisation", busy, rho)):
        mean, se = np.mean(sample), np.std(sample, ddof=1) / math.sqrt(len(sample))
        assert abs(mean - theory) <= z * se, f"{name}: simulated {mean:.4f} +- {z * se:.4f}, Erlang C {theory:.4f}"


def test_littles_law_holds_for_open_cases_per_level(status_quo):
    """Time-average open cases = starts per day x mean stay, per level, in a stationary window."""
    scenario = extreme(status_quo, years=8, city__children_growth_per_year=0.0,
                       staff__classic_caseworkers=400)
    lo, hi = 3 * DAYS_PER_YEAR, 5 * DAYS_PER_YEAR
    checks = {"assessment": [ASSESSMENT], "early": [EARLY], "coordinated": [COORDINATED],
              "all below placement": [ASSESSMENT, EARLY, COORDINATED]}
    sums = {k: np.zeros(2) for k in checks}
    for rep in range(3):
        seg = simulate(scenario, seed=5, replication=rep).segments
        for name, states in checks.items():
            s = seg[np.isin(seg["state"], states)]
            time_in_window = np.clip(np.minimum(s["t1"], hi) - np.maximum(s["t0"], lo), 0, None).sum()
            started = s[(s["t0"] >= lo) & (s["t0"] < hi)]
            sums[name] += (time_in_window / (hi - lo),
                           len(started) / (hi - lo) * (started["t1"] - started["t0"]).mean())
    for name, (L, lam_w) in sums.items():
        assert abs(L / lam_w - 1) < 0.03, f"{name}: L = {L / 3:.1f}, lambda W = {lam_w / 3:.1f}"


def test_paths_through_levels_match_the_absorbing_markov_chain(status_quo):
    """Exponential stays and fixed routing: expected days per level and P(ever placed) equal
    N = (I - Q)^-1 and B = N R for families that start in early help. Placement is made absorbing
    (no step-down) so that the days before it are the chain's transient time."""
    scenario = extreme(classic_only(status_quo), years=10, **{**QUEUE_ONLY, "early__escalation_share": 0.3},
                       staff__classic_caseworkers=2000, coordinated__escalation_share=0.15, coordinated__step_down_share=0.25,
                       intrusive__step_down_share=0.0)
    r = Rates.from_scenario(scenario)
    e_res, e_esc, _ = r.hazards(EARLY, r.classic, 1, 0.0)
    c_res, c_esc, c_down = r.hazards(COORDINATED, r.classic, 1, 0.0)
    # transient states: early, coordinated; absorbing: closed, placed
    Q = np.array([[0, e_esc / (e_res + e_esc)], [c_down / (c_res + c_esc + c_down), 0]])
    R = np.array([[e_res / (e_res + e_esc), 0.0],
                  [c_res / (c_res + c_esc + c_down), c_esc / (c_res + c_esc + c_down)]])
    N = np.linalg.inv(np.eye(2) - Q)
    days = N[0] * np.array([1 / (e_res + e_esc), 1 / (c_res + c_esc + c_down)])
    p_placed = (N @ R)[0, 1]

    per_family_days, placed = [], []
    for rep in range(2):
        seg = simulate(scenario, seed=21, replication=rep).segments
        cohort = seg[(seg["family"] >= ARRIVAL_ID_OFFSET) & (seg["opened"] < 2 * DAYS_PER_YEAR)]
        fam = cohort["family"]
        ids, inverse = np.unique(fam, return_inverse=True)
        dur = cohort["t1"] - cohort["t0"]
        for state in (EARLY, COORDINATED):
            per_family_days.append((rep, state, np.bincount(inverse, weights=dur * (cohort["state"] == state),
                                                            minlength=len(ids))))
        placed.append(np.bincount(inverse, weights=np.isin(cohort["state"], [FOSTER, RESIDENTIAL]),
                                  minlength=len(ids)) > 0)
    z = stats.norm.ppf(0.995)
    for state, expected in ((EARLY, days[0]), (COORDINATED, days[1])):
        x = np.concatenate([v for _, s, v in per_family_days if s == state])
        assert abs(x.mean() - expected) <= z * x.std() / math.sqrt(len(x)), (
            f"days in state {state}: simulated {x.mean():.1f}, chain {expected:.1f}")
    p = np.concatenate(placed)
    se = math.sqrt(p_placed * (1 - p_placed) / len(p))
    assert abs(p.mean() - p_placed) <= z * se, f"P(placed): simulated {p.mean():.4f}, chain {p_placed:.4f}"
