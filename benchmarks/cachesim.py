"""Does the work of a replication grow with the city, or faster? Counted, not timed.

`scale_10x_ratio` (benchmarks/scale.py) is wall time, and on a shared machine wall time moves with
the hour. This counts instead: `python -m benchmarks.cachesim` (`make cachesim`; needs valgrind)
runs one replication's engine (`engine.simulate` of the plan) of the real city and of the city ten
times as large (`scale.scaled`) under valgrind's cachegrind, which counts the instructions executed
and simulates a cache of fixed geometry, the development machine's core (CACHE: its L1 and its
private L2 of 2 MB; the L3 behind it is shared with the host's other tenants). Each size runs twice,
with the replication and without it (the same imports and scenario), and the difference is the
replication's: the instructions it executes and its reads and writes that miss the simulated L2,
which the processor must then fetch from the shared L3 or memory. The counts repeat from run to run
of the same code (within 0.2 %), so a change can be judged by them where timing cannot tell it from
the machine's noise. They are not seconds: the simulation knows no hardware prefetcher, so a miss in a
long sequential pass (numpy over a large array) counts as much as one in a random walk over objects.

Prints a table and writes benchmarks/cachesim.json. Four processes, as many at a time as there are
cores: four to five minutes on the development machine (the larger city runs some 80 times slower under
valgrind).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sim.engine import simulate
from sim.runner import project_version
from sim.scenario import load_scenario

from .scale import FACTOR, SCENARIO, SEED, scaled

OUT = Path(__file__).resolve().parent / "cachesim.json"
# size in bytes, associativity, line size: one core of the development machine (/sys/devices/system/cpu/cpu0/cache)
CACHE = {"I1": (65536, 8, 64), "D1": (49152, 12, 64), "LL": (2097152, 16, 64)}


def _counts(factor: int, with_run: bool) -> dict[str, int]:
    """cachegrind's totals for a process that builds the scenario `factor` times as large and, if
    `with_run`, simulates one replication of it."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cachegrind.out"
        geometry = [f"--{level}={','.join(map(str, g))}" for level, g in CACHE.items()]
        cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=yes", *geometry, f"--cachegrind-out-file={out}",
               sys.executable, "-m", "benchmarks.cachesim", "--target", str(factor), str(int(with_run))]
        # string hashing seeded alike in every process: dictionaries probe alike, the counts repeat
        done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"cachegrind of the {factor}x city failed ({' '.join(cmd)}):\n{done.stderr[-2000:]}")
        return _summary(out.read_text())


def _summary(text: str) -> dict[str, int]:
    """The `events:` and `summary:` lines of a cachegrind output file, as counts by event."""
    lines = dict(line.split(":", 1) for line in text.splitlines() if line.startswith(("events:", "summary:")))
    return dict(zip(lines["events"].split(), map(int, lines["summary"].split())))


def measure() -> dict[str, dict[str, int]]:
    """Per city size ("1x", "10x"): the replication's instructions and its data reads and writes
    that miss the simulated L2, apart and together."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: `make cachesim` installs Debian's")
    jobs = [(FACTOR, True), (1, True), (1, False), (FACTOR, False)]  # the longest first
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        counts = dict(zip(jobs, pool.map(lambda job: _counts(*job), jobs)))
    per_size = {}
    for factor in (1, FACTOR):
        run, base = counts[(factor, True)], counts[(factor, False)]
        diff = {event: run[event] - base[event] for event in run}
        per_size[f"{factor}x"] = {"instructions": diff["Ir"], "l2_misses": diff["DLmr"] + diff["DLmw"],
                                  "l2_read_misses": diff["DLmr"], "l2_write_misses": diff["DLmw"]}
    return per_size


def _target(factor: int, with_run: bool) -> None:
    scenario = scaled(load_scenario(SCENARIO), factor)
    if with_run:
        simulate(scenario, SEED, 0)


def main() -> None:
    if sys.argv[1:2] == ["--target"]:
        _target(int(sys.argv[2]), sys.argv[3] == "1")
        return
    print(f"cachegrind, one replication of {SCENARIO!r}: the real city and the city {FACTOR}x as large "
          "(some five minutes)", flush=True)
    sizes = measure()
    small, large = sizes["1x"], sizes[f"{FACTOR}x"]
    ratios = {key: large[key] / small[key] for key in small}
    print(f"  {'':<18} {'1x':>16} {f'{FACTOR}x':>16} {'ratio':>7}")
    for key in small:
        print(f"  {key:<18} {small[key]:>16,} {large[key]:>16,} {ratios[key]:>7.2f}")
    OUT.write_text(json.dumps({
        "when": dt.datetime.now().isoformat(timespec="seconds"), "project_version": project_version(),
        "python": platform.python_version(), "cache": CACHE, "scenario": SCENARIO, "seed": SEED,
        "sizes": sizes, "ratios": ratios,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
