"""Child process for the memory benchmark: `python -m benchmarks.memory SCENARIO REPLICATIONS`.

Prints one JSON line with peak resident set sizes in MB: this process's own (`own_peak_rss_mb`) and
the largest of its finished worker processes (getrusage; forked from this process, so their peaks
start from its size when they were forked, not from whatever started it)."""

from __future__ import annotations

import json
import resource
import sys

from sim.runner import default_workers, run
from sim.scenario import load_scenario

from .timing import own_peak_rss_mb


def main() -> None:
    name, replications = sys.argv[1], int(sys.argv[2])
    workers = default_workers()
    res = run(load_scenario(name), replications, 1, workers=workers)
    rows = len(res.monthly)
    del res
    parent = own_peak_rss_mb()
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"parent_mb": parent, "worker_mb": worker, "workers": workers,
                      "total_mb": parent + workers * worker, "monthly_rows": rows}))


if __name__ == "__main__":
    main()
