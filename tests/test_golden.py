"""Golden results for a small configuration (docs/sources.md §P3, item 14): any change to the numbers
the model produces, from code or assumptions, shows here and must be made on purpose."""

from __future__ import annotations

import json

from make_golden import GOLDEN_CSV, GOLDEN_MANIFEST, golden_csv, golden_run


def test_the_small_configuration_reproduces_its_golden_results():
    stored = json.loads(GOLDEN_MANIFEST.read_text(encoding="utf-8"))
    res = golden_run()
    now = res.manifest.as_dict()
    assert now["assumptions_hash"] == stored["assumptions_hash"], (
        "assumptions/base.toml changed since the golden results were made; if that was on purpose, "
        "regenerate them with `.venv/bin/python tests/make_golden.py` and commit the diff")
    assert now["scenario_id"] == stored["scenario_id"]
    assert golden_csv(res) == GOLDEN_CSV.read_text(encoding="utf-8"), (
        "the model's numbers changed for the same inputs; regenerate only if that was intended")
