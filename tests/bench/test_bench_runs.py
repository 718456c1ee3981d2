"""The benchmark still runs end to end (figures are not asserted: timing belongs to bench/)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_with_two_cases_and_reports_every_figure():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--n", "2", "--rounds", "1", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)

    assert {"database", "n", "rounds", "ours", "bare", "ratios", "checks", "environment"} <= set(
        report
    )
    assert report["n"] == 2
    for engine in ("ours", "bare"):
        figures = report[engine]
        assert {
            "steps",
            "queries_per_step",
            "queries_per_case",
            "queries_per_action",
            "cases_per_second",
            "ms_per_action",
        } <= set(figures)
        assert set(figures["queries_per_step"]) == set(figures["steps"])
        assert figures["queries_per_case"] == sum(figures["queries_per_step"].values())
        assert all(count > 0 for count in figures["queries_per_step"].values())
    assert report["ours"]["steps"] == [
        "submit",
        "check_return",
        "resubmit",
        "check_accept",
        "council_grant",
        "approve_grant",
    ]
    assert report["bare"]["steps"] == ["start", "task_1", "task_2", "task_3"]
    assert {"queries_per_case", "queries_per_action", "cases_per_second", "ms_per_action"} <= set(
        report["ratios"]
    )
    checks = report["checks"]
    assert checks["audit_chain_ok"]
    assert checks["cases_granted"] == checks["statuses"] == checks["expected"]


def test_bench_refuses_nonsense_arguments():
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--n", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "--n" in done.stderr
