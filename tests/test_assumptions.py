"""Bad input is refused with a message naming the file, the key and what was expected; good input
loads and is left unchanged by a run (docs/sources.md §P3, item 12)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim.assumptions import ASSUMPTIONS_DIR, AssumptionError, load_assumptions, load_districts
from sim.engine import simulate
from sim.scenario import load_scenario, parse_scenario_text

BASE = (ASSUMPTIONS_DIR / "base.toml").read_text(encoding="utf-8")
DISTRICTS = (ASSUMPTIONS_DIR / "districts.toml").read_text(encoding="utf-8")


def test_the_shipped_assumptions_load_and_add_up():
    a = load_assumptions()
    d = load_districts()
    assert d.children_total == a.city.children.value
    assert len(d.district) == 48
    for key, p in a.params().items():
        assert p.low <= p.value <= p.high, key
        assert p.source.strip(), key
        if p.source == "assumption":
            assert p.note.strip(), key
    seeded = {d.name: d.wave for d in d.district}
    assert seeded["Søndervang"] == seeded["Ellehøj"] == 1
    assert seeded["Sabro-Korsvej"] == seeded["Åby"] == 2


def _edit(text: str, table: str, line: str) -> str:
    """Replace (or add) one `key = value` line inside [table] of a TOML text."""
    head = f"[{table}]\n"
    i = text.index(head) + len(head)
    j = text.find("\n[", i)
    block = text[i:j]
    key = line.split("=")[0].strip()
    lines = [x for x in block.splitlines() if x.split("=")[0].strip() != key]
    return text[:i] + "\n".join([line, *lines]) + "\n" + text[j:]


@pytest.mark.parametrize("table, line, expected", [
    ("caseload.relational", "value = -20", "caseload.relational: value -20 is outside its plausible range"),
    ("caseload.relational", 'value = "twenty"', "caseload.relational.value: Input should be a valid number, got 'twenty'"),
    ("caseload.relational", "low = 40", "caseload.relational: low (40) must not exceed high"),
    ("relapse.mean_days", 'colour = "blue"', "relapse.mean_days.colour: unknown key"),
    ("assessment.mean_days", 'note = " "', 'assessment.mean_days: a source of "assumption" needs a note'),
    ("triage.early_share", "high = 1.3", "triage.early_share: high 1.3 must be <= 1"),
    ("cost.foster_dkk_per_day", 'kind = "both"', "cost.foster_dkk_per_day.kind: Input should be 'world' or 'policy', got 'both'"),
])
def test_a_bad_base_file_is_refused_naming_file_and_key(tmp_path, table, line, expected):
    path = tmp_path / "base.toml"
    path.write_text(_edit(BASE, table, line), encoding="utf-8")
    with pytest.raises(AssumptionError) as err:
        load_assumptions(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_a_missing_parameter_is_named(tmp_path):
    path = tmp_path / "base.toml"
    path.write_text(BASE.replace("[relapse.mean_days]", "[relapse.typo_days]"), encoding="utf-8")
    with pytest.raises(AssumptionError, match="relapse.mean_days: required key is missing"):
        load_assumptions(path)


def test_unreadable_and_malformed_files_are_refused(tmp_path):
    with pytest.raises(AssumptionError, match="file not found"):
        load_assumptions(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[caseload.relational\nvalue = 1", encoding="utf-8")
    with pytest.raises(AssumptionError, match="not valid TOML"):
        load_assumptions(broken)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(AssumptionError, match="binary.toml"):
        load_assumptions(binary)


@pytest.mark.parametrize("old, new, expected", [
    ('children = 1354', 'children = "many"', "children: Input should be a valid integer"),
    ('name = "Tilst"\nchildren = 1354\nwave = 2', 'name = "Tilst"\nchildren = 1354\nwave = 9', "wave 9"),
    ('pilot_since = 2021-01-01', 'pilot_since = "soon"', "pilot_since: Input should be a valid date"),
    ('3 = 2024-02-01', '3 = 2023-08-01', "wave 3 starts 2023-08-01, not after wave 2"),
    ('name = "Tilst"', 'name = "Søndervang"', "repeated: Søndervang"),
])
def test_a_bad_district_file_is_refused(tmp_path, old, new, expected):
    assert old in DISTRICTS, old
    path = tmp_path / "districts.toml"
    path.write_text(DISTRICTS.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(AssumptionError) as err:
        load_districts(path)
    assert str(path) in str(err.value) and expected in str(err.value)


@pytest.mark.parametrize("text, expected", [
    ('[set]\n"caseload.relational" = -4', "caseload.relational: value -4 is outside"),
    ('[set]\n"caseload.relational" = "low"', "set.caseload.relational: expected a number, got 'low'"),
    ('[set]\n"caseload.nonsense" = 3', "unknown parameter 'caseload.nonsense'"),
    ('[rollout.district_waves]\n"Atlantis" = 2', "rollout.district_waves.Atlantis: unknown district"),
    ('[rollout.waves]\n3 = 2023-08-01', "wave 3 starts 2023-08-01, not after wave 2"),
    ('[rollout.waves]\n2 = 2022-08-01', "before the simulation start"),
    ('[rollout.waves]\n7 = 2026-01-01', "rollout.waves.7: unknown wave"),
    ('[rollout.waves]\n3 = "soon"', 'expected a date (YYYY-MM-DD), a month (YYYY-MM) or "never"'),
    ('years = 99', "years: expected a whole number of years from 1 to 30"),
    ('start = 2023-01-15', "start: expected the first day of a month"),
    ('speed = "fast"', "speed: unknown key"),
    ('[rollout]\nenabled = "maybe"', "rollout.enabled: expected true or false"),
])
def test_a_bad_scenario_is_refused_naming_the_key(text, expected):
    with pytest.raises(AssumptionError) as err:
        parse_scenario_text(text, "upload", "upload.toml")
    assert "upload.toml" in str(err.value) and expected in str(err.value)


@pytest.mark.parametrize("content, expected", [
    ('[set]\n"caseload.classic" = -31\n', "caseload.classic: value -31 is outside its plausible range"),
    ('[rollout.district_waves]\n"Gotham" = 3\n', "rollout.district_waves.Gotham: unknown district"),
    ('[set]\n"staff.salary_dkk_per_year" = "a lot"\n', "set.staff.salary_dkk_per_year: expected a number"),
])
def test_the_cli_refuses_a_bad_scenario_file_with_one_line_and_status_2(tmp_path, content, expected):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    out = tmp_path / "out.csv"
    proc = subprocess.run([sys.executable, "-m", "sim", "run", "--scenario", str(path), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "bad.toml" in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("args, expected", [
    (["run", "--scenario", "plan", "--replications", "0", "--out", "x.csv"], "expected at least 1"),
    (["run", "--scenario", "plan", "--out", "x.txt"], "expected a file ending in .csv or .parquet"),
    (["run", "--scenario", "plan", "--set", "caseload.relational", "--out", "x.csv"], "expected dotted.key=value"),
    (["run", "--scenario", "nowhere", "--out", "x.csv"], "unknown scenario 'nowhere'"),
    (["fly"], "invalid choice"),
])
def test_bad_command_lines_get_one_line_and_status_2(tmp_path, args, expected):
    proc = subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], proc.stderr
    assert not (tmp_path / "x.csv").exists()


def test_a_run_leaves_its_scenario_unchanged(plan):
    short = plan.with_overrides({"years": 1})
    before = (short.id, short.assumptions.digest(), short.to_toml())
    simulate(short, 1, 0)
    assert (short.id, short.assumptions.digest(), short.to_toml()) == before


def test_a_scenario_round_trips_through_its_file():
    s = load_scenario("faster", {"caseload.relational": 24, "rollout.waves.5": "2025-03-01"})
    back = parse_scenario_text(s.to_toml(), "faster", "download.toml")
    assert back.id == s.id
    assert back.id != load_scenario("faster").id
    assert load_scenario("status-quo").id != load_scenario("plan").id


def test_the_model_document_lists_every_parameter_once(plan):
    """docs/model.md §3.3 is where an analyst looks a parameter up: each one of base.toml has exactly
    one row there (a row may name several of one group: `refusion.lower_rate`, `middle_rate`)."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "model.md").read_text(encoding="utf-8")
    section = text[text.index("### 3.3 Input parameters"):text.index("### 3.4 ")]
    listed: list[str] = []
    for cell in re.findall(r"^\| (`[^|]+`) \|", section, re.M):
        names = re.findall(r"`([^`]+)`", cell)
        group = names[0].split(".")[0]
        listed += [n if "." in n else f"{group}.{n}" for n in names]
    params = set(plan.assumptions.params())
    assert sorted(k for k in params if listed.count(k) != 1) == []
    assert sorted(set(listed) - params) == []
