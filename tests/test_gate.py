"""The savings-gated rollout (sim.gate): the waves after the first start at the first month
boundary, at least the floor after the wave before, at which the net so far reaches the threshold;
in the analytic twin and in the simulation alike. The rule is checked here against the frames each
produces (their own costs against the status quo's expected ones), not against the gate's own
bookkeeping."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim import AssumptionError, expected_monthly, load_scenario, parse_scenario_text, run
from sim.analytic import counterfactual_costs, trajectory
from sim.engine import simulate
from sim.months import Calendar
from sim.replica import transition_log
from sim.results import monthly_frame, switch_frame

UNREACHABLE = {"rollout.gate.threshold_dkk": 1e12, "rollout.gate.ceiling_months": "none"}
ALWAYS = {"rollout.gate.threshold_dkk": -1e12}  # any net reaches it: every wave at the floor


def wave_of(scenario):
    return np.array([d.wave for d in scenario.districts])


def starts(scenario, switches: np.ndarray) -> dict[int, set[float]]:
    """Per wave, the days its districts switched (inf: not within the horizon)."""
    wave = wave_of(scenario)
    return {n: set(switches[wave == n].tolist()) for n, _ in scenario.waves}


def check_rule(scenario, monthly: pd.DataFrame, switches: np.ndarray) -> int:
    """Every gated wave started at the first boundary allowed by the floor where the net of the
    frame (the status quo's expected cost minus the frame's own) reached the threshold; a wave that
    did not start never saw the net reach it. Returns the number of gated waves that started."""
    gate = scenario.gate
    cal = Calendar(scenario)
    own = monthly.groupby("month", sort=True)["cost_total_dkk"].sum().to_numpy()
    net = counterfactual_costs(scenario) - own
    span = None if gate.basis == "cumulative" else 12
    waves = starts(scenario, switches)
    last = int(np.searchsorted(cal.bounds, scenario.day(scenario.wave_start(1))))
    started = 0
    for n in scenario.gated_waves():
        (day,) = waves[n]
        at = int(np.searchsorted(cal.bounds, day)) if np.isfinite(day) else cal.n
        assert not np.isfinite(day) or cal.bounds[at] == day, "a gated wave starts at a month boundary"
        for b in range(last + gate.floor_months, min(at, cal.n - 1) + 1):
            measured = net[0 if span is None else max(0, b - span):b].sum()
            if b == at:
                assert measured >= gate.threshold_dkk
            else:
                assert measured < gate.threshold_dkk, f"wave {n} could have started at month {b}"
        if not np.isfinite(day):
            break
        started += 1
        last = at
    return started


# -- the twin ---------------------------------------------------------------------------------------
def test_an_always_open_gate_is_the_plan_in_the_twin():
    plan, gated = load_scenario("plan"), load_scenario("gated", ALWAYS)
    assert expected_monthly(gated).drop(columns="scenario").equals(expected_monthly(plan).drop(columns="scenario"))


def test_an_unreachable_threshold_starts_no_wave_after_the_first_in_the_twin():
    s = load_scenario("gated", UNREACHABLE)
    waves = starts(s, trajectory(s).switches)
    assert waves[1] == {s.day(dt.date(2023, 2, 1))}
    assert all(waves[n] == {np.inf} for n in (2, 3, 4, 5))


@pytest.mark.parametrize("basis", ["cumulative", "rolling_12m"])
def test_the_twin_starts_each_wave_when_its_expected_net_reaches_the_threshold(basis):
    s = load_scenario("gated", {"rollout.gate.basis": basis, "rollout.gate.threshold_dkk": 0})
    traj = trajectory(s)
    assert check_rule(s, expected_monthly(s), traj.switches) == 4  # every wave starts within ten years
    assert starts(s, traj.switches)[1] == {s.day(load_scenario("plan").wave_start(1))}  # the plan's first wave


def test_a_ceiling_is_a_latest_start():
    s = load_scenario("gated", UNREACHABLE | {"rollout.gate.ceiling_months": 12})
    days = sorted({d for d in trajectory(s).switches if np.isfinite(d)})
    assert [str(s.start + dt.timedelta(days=d)) for d in days] == [
        "2023-02-01", "2024-02-01", "2025-02-01", "2026-02-01", "2027-02-01"]


# -- the simulation -----------------------------------------------------------------------------------
def frames(scenario, seed, replication):
    """One replication's monthly frame and switch dates, as a run's."""
    log = transition_log(scenario, seed, replication)
    return monthly_frame(scenario, log, replication, seed), switch_frame(scenario, log.switches, [replication])


def test_an_always_open_gate_is_the_plan_in_the_simulation():
    plan, gated = (load_scenario(name, ALWAYS if name == "gated" else None).with_overrides({"years": 2})
                   for name in ("plan", "gated"))
    (p, p_switch), (g, g_switch) = frames(plan, 3, 0), frames(gated, 3, 0)
    assert g.drop(columns="scenario").equals(p.drop(columns="scenario"))
    assert g_switch.switch_date.equals(p_switch.switch_date)


def test_an_unreachable_threshold_starts_no_wave_after_the_first_in_the_simulation():
    s = load_scenario("gated", UNREACHABLE | {"years": 3})
    waves = starts(s, transition_log(s, 1, 0).switches)
    assert waves[1] == {s.day(dt.date(2023, 2, 1))} and all(waves[n] == {np.inf} for n in (2, 3, 4, 5))


@pytest.mark.parametrize("replication", [0, 1])
def test_the_simulation_starts_each_wave_when_its_own_net_reaches_the_threshold(replication):
    """The net the run sees inside simpy is the one its results account afterwards."""
    s = load_scenario("gated", {"years": 5})
    monthly, switches = frames(s, 1, replication)
    days = (switches.switch_date - pd.Timestamp(s.start)).dt.days.to_numpy(dtype=float, na_value=np.inf)
    assert check_rule(s, monthly, days) >= 1


def test_the_gated_rollout_is_reproducible_serial_or_parallel():
    s = load_scenario("gated", {"years": 4})
    serial, parallel = run(s, 2, seed=5, workers=1), run(s, 2, seed=5, workers=2)
    assert serial.monthly.equals(parallel.monthly) and serial.switches.equals(parallel.switches)
    started = serial.switches.groupby("replication").switch_date.nunique()
    assert started.nunique() == 2  # each replication's own net opened its own gate: the dates differ


def test_a_gated_scenario_runs_only_with_its_gate():
    with pytest.raises(ValueError, match="runs with its gate"):
        simulate(load_scenario("gated", {"years": 1}), 1, 0)


# -- the scenario ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ('[rollout.gate]\nbasis = "yearly"', "rollout.gate.basis: expected 'cumulative' or 'rolling_12m', got 'yearly'"),
    ('[rollout.gate]\nthreshold_dkk = "lots"', "rollout.gate.threshold_dkk: expected a number, got 'lots'"),
    ('[rollout.gate]\nthreshold_dkk = 1e13', "rollout.gate.threshold_dkk: expected an amount from"),
    ('[rollout.gate]\nfloor_months = 0', "rollout.gate.floor_months: expected a whole number of months from 1 to 360"),
    ('[rollout.gate]\nfloor_months = 6.5', "rollout.gate.floor_months: expected a whole number, got 6.5"),
    ('[rollout.gate]\nceiling_months = "later"', 'rollout.gate.ceiling_months: expected a whole number of months or "none"'),
    ('[rollout.gate]\nfloor_months = 12\nceiling_months = 6', "rollout.gate.ceiling_months: 6 is below floor_months (12)"),
    ('[rollout.gate]\nspeed = 2', "rollout.gate.speed: unknown key"),
    ('[rollout]\nenabled = false\n[rollout.gate]\nfloor_months = 6', "rollout.gate: there is no rollout to gate"),
])
def test_a_bad_gate_is_refused_naming_the_key(text, expected):
    with pytest.raises(AssumptionError) as err:
        parse_scenario_text(text, "upload", "upload.toml")
    assert "upload.toml: " in str(err.value) and expected in str(err.value)


def test_the_gate_round_trips_and_only_a_gate_changes_the_id():
    gated = load_scenario("gated")
    assert parse_scenario_text(gated.to_toml(), "x", "x.toml").id == gated.id
    assert gated.with_overrides({"rollout.gate.enabled": "false"}).id == load_scenario("plan").id
    assert gated.gate.threshold_dkk == 0 and gated.gate.basis == "rolling_12m" and gated.gate.ceiling_months is None


def test_the_threshold_is_an_amount_in_the_price_year():
    s = load_scenario("gated", {"rollout.gate.threshold_dkk": 1e6})
    older = s.with_overrides({"price_year": 2020})
    assert older.gate.threshold_dkk == pytest.approx(1e6 * older.assumptions.cost.foster_dkk_per_day.value
                                                     / s.assumptions.cost.foster_dkk_per_day.value)
    assert s.with_overrides({"price_year": 2020, "rollout.gate.threshold_dkk": 5e5}).gate.threshold_dkk == 5e5
