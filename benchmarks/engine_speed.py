"""The engine against bare simpy and against ciw.

Events are counted, not guessed: one extra run of the model wraps `simpy.Environment.step`, which
processes exactly one scheduled event per call (timeouts, process starts and ends, a family's case
slot coming free). The timed runs are not instrumented; with the same seed they process the same
events.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import simpy

from sim.assumptions import parse_assumptions
from sim.engine import Model
from sim.scenario import Scenario, load_scenario

from .timing import median_time, timed

SEED = 1


def count_events(scenario: Scenario, seed: int = SEED, replication: int = 0) -> int:
    """Events the engine processes in one replication (a run with `env.step` counted)."""
    model = Model(scenario, seed, replication)
    env = model.env
    step = env.step
    steps = 0

    def counted() -> None:
        nonlocal steps
        steps += 1
        step()

    env.step = counted  # instance attribute: Environment.run calls self.step()
    model.run()
    return steps


def engine_seconds(scenario: Scenario, repeat: int = 3) -> float:
    """Median time of the engine alone (simulate: the simpy run and its transition log)."""
    return median_time(lambda: Model(scenario, SEED, 0).run(), repeat)


def simpy_reference_seconds(events: int, processes: int = 3000, repeat: int = 3) -> float:
    """A bare simpy model doing `events` events with no bookkeeping: `processes` concurrent
    processes (about the open cases of the city) that each wait through exponential timeouts.
    A process costs two events besides its timeouts (its start and its end)."""
    per = max(1, events // processes - 2)
    delays = np.random.default_rng(0).exponential(30.0, size=(processes, per)).tolist()

    def family(env: simpy.Environment, waits: list[float]):
        for w in waits:
            yield env.timeout(w)

    def once() -> None:
        env = simpy.Environment()
        for waits in delays:
            env.process(family(env, waits))
        env.run()

    return median_time(once, repeat) * events / (processes * (per + 2))


# -- ciw: the same M/M/c queue in both ---------------------------------------------------------
SERVERS = 5
SERVICE_RATE = 1.0       # per day
ARRIVAL_RATE = 4.0       # per day: utilisation 0.8
MMC_YEARS = 30


def mmc_scenario() -> Scenario:
    """The engine reduced to an M/M/c queue: every notification goes straight to early help with
    one exponential stage and no escalation, relapse, open cases at the start, rollout, caseload
    effect or growth; one classic pool of SERVERS case slots (no pilot team of its own). Ranges are widened to allow it (a
    benchmark configuration, not a plausible one)."""
    base = load_scenario("status-quo")
    children = sum(d.children for d in base.districts)
    values = {
        "city.children": float(children),
        "city.children_growth_per_year": 0.0,
        "notifications.notified_share_per_year": ARRIVAL_RATE * 365.25 / children,
        "notifications.per_notified_child": 1.0,
        "triage.no_measure_share": 0.0,
        "triage.early_share": 1.0,
        "early.mean_days": 1.0 / SERVICE_RATE,
        "early.escalation_share": 0.0,
        "relapse.probability": 0.0,
        "initial.assessment": 0.0, "initial.early": 0.0, "initial.coordinated": 0.0, "initial.intrusive": 0.0,
        "initial.relapse_pending": 0.0,
        "staff.classic_caseworkers": 1.0,
        "caseload.classic": float(SERVERS),
        "caseload.reference": float(SERVERS),
        "caseload.escalation_elasticity": 0.0,
        "caseload.resolution_elasticity": 0.0,
        "waiting.escalation_increase_per_month": 0.0,
    }
    data = base.assumptions.model_dump()
    for key, v in values.items():
        group, name = key.split(".", 1)
        p = data[group][name]
        p.update(value=v, low=min(p["low"], v), high=max(p["high"], v))
    assumptions = parse_assumptions(data, "benchmark M/M/c")
    # The pilot districts have case slots of their own in every scenario (sim.staffing): with them the
    # five slots would be split into teams (rounded, some of zero slots) and the queue would not be M/M/c.
    districts = tuple(d.model_copy(update={"pilot_since": None}) for d in base.districts)
    return dataclasses.replace(base, name="mmc", assumptions=assumptions, districts=districts, years=MMC_YEARS)


def engine_mmc(repeat: int = 3) -> tuple[float, int, float]:
    """Median seconds, customers and mean wait (days) of the engine's M/M/c run."""
    scenario = mmc_scenario()
    seconds = median_time(lambda: Model(scenario, SEED, 0).run(), repeat)
    log = Model(scenario, SEED, 0).run()
    return seconds, len(log.waits), float(log.waits["wait"].mean())


def ciw_mmc(repeat: int = 3) -> tuple[float, int, float]:
    """Median seconds, customers and mean wait (days) of ciw on the same queue and horizon."""
    import ciw

    horizon = MMC_YEARS * 365.25
    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL_RATE)],
                                 service_distributions=[ciw.dists.Exponential(rate=SERVICE_RATE)],
                                 number_of_servers=[SERVERS])

    def once():
        ciw.seed(SEED)
        q = ciw.Simulation(network)
        q.simulate_until_max_time(horizon)
        return q

    times = [timed(once) for _ in range(repeat)]
    q = times[-1][1]
    records = q.get_all_records()
    seconds = sorted(t for t, _ in times)[len(times) // 2]
    return seconds, len(records), float(np.mean([r.waiting_time for r in records]))


def erlang_c_wait(lam: float = ARRIVAL_RATE, mu: float = SERVICE_RATE, c: int = SERVERS) -> float:
    """Theoretical mean wait of M/M/c, to show both simulators model the same queue."""
    a = lam / mu
    rho = a / c
    top = a ** c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)
