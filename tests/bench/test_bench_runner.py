"""The benchmark harness reports each case against its raw baseline (correctness, not speed)."""

import json

import pytest
from django.core.management import call_command

KEYS = {"case", "db", "scale", "seconds", "baseline_seconds", "ratio", "target_ratio", "ok"}


def test_bench_json_on_sqlite(capsys):
    call_command("bench", "--db", "sqlite", "--scale", "200", "--json")
    results = json.loads(capsys.readouterr().out)
    assert [r["case"] for r in results] == ["area_subtree", "registry_import", "registry_import_xlsx",
                                             "person_search", "intake_api", "intake_task_list", "payroll_run",
                                             "payroll_rerun", "campaign_roster", "campaign_coverage",
                                             "annual_report", "dashboard"]
    for result in results:
        assert KEYS <= set(result) <= KEYS | {"notes"}  # a case may add notes (e.g. peak memory)
        assert result["db"] == "sqlite" and result["scale"] == 200
        assert result["seconds"] > 0 and result["baseline_seconds"] > 0
        # seconds are rounded to 6 decimals: a 49 µs baseline carries ±1% from rounding alone
        low = (result["seconds"] - 5e-7) / (result["baseline_seconds"] + 5e-7)
        high = (result["seconds"] + 5e-7) / (result["baseline_seconds"] - 5e-7)
        assert low * 0.999 <= result["ratio"] <= high * 1.001
        assert result["ok"] == (result["ratio"] <= result["target_ratio"])
    notes = {r["case"]: r["notes"] for r in results if "notes" in r}
    assert "peak RSS" in notes["registry_import"] and "peak RSS" in notes["registry_import_xlsx"]
    assert "p95" in notes["person_search"] and "added 0 rows" in notes["payroll_rerun"]


def test_unknown_case_is_refused():
    with pytest.raises(SystemExit, match="未知的基准用例"):
        call_command("bench", "--db", "sqlite", "--case", "nope")
