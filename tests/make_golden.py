"""Golden results for a small configuration: the plan over two years, two replications, seed 2024.

Regenerate only on purpose, after a deliberate change of the model or of assumptions/base.toml:
    .venv/bin/python tests/make_golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.runner import Results, run  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GOLDEN_CSV = GOLDEN_DIR / "plan_2y_seed2024.csv"
GOLDEN_MANIFEST = GOLDEN_DIR / "plan_2y_seed2024.manifest.json"


def golden_run() -> Results:
    return run(load_scenario("plan", {"years": 2}), replications=2, seed=2024, workers=1)


def golden_csv(results: Results) -> str:
    return results.yearly.to_csv(index=False, lineterminator="\n")


if __name__ == "__main__":
    res = golden_run()
    GOLDEN_DIR.mkdir(exist_ok=True)
    GOLDEN_CSV.write_text(golden_csv(res), encoding="utf-8")
    manifest = res.manifest.as_dict()
    manifest.pop("project_version")
    GOLDEN_MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN_CSV} and {GOLDEN_MANIFEST}")
