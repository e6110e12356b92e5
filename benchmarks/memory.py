"""Child process for the memory benchmark: `python -m benchmarks.memory SCENARIO REPLICATIONS`.

Prints one JSON line with peak resident set sizes in MB (resource.getrusage: this process, and the
largest of its finished worker processes)."""

from __future__ import annotations

import json
import resource
import sys

from sim.runner import default_workers, run
from sim.scenario import load_scenario


def main() -> None:
    name, replications = sys.argv[1], int(sys.argv[2])
    workers = default_workers()
    res = run(load_scenario(name), replications, 1, workers=workers)
    rows = len(res.monthly)
    del res
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"parent_mb": parent, "worker_mb": worker, "workers": workers,
                      "total_mb": parent + workers * worker, "monthly_rows": rows}))


if __name__ == "__main__":
    main()
