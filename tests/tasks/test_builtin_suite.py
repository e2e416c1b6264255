"""The built-in suite: its size, its validation (every check of `autoexp tasks validate`), and
the default `autoexp run` self-test (oracle 100 %, noop 0 %)."""

from __future__ import annotations

import json

import pytest

from autoexp.build._suite import validate_many
from autoexp.tasks import builtin_tasks

from conftest import attempts_json, autoexp


def test_suite_size_and_shape():
    tasks = builtin_tasks()
    assert len(tasks) >= 12
    assert sum(len(t.spec.functions) for t in tasks) >= 55
    assert sum(len(t.spec.experiments) for t in tasks) >= 28
    for t in tasks:
        assert len(t.spec.functions) >= 4, t.id
        assert len(t.spec.experiments) >= 2, t.id
        assert len(t.paper().split()) >= 600, t.id
        mutants = list((t.hidden_dir / "mutants").glob("*.py"))
        assert len(mutants) >= len(t.spec.functions), t.id


@pytest.mark.slow
def test_whole_suite_validates():
    results = validate_many(None, workers=2)
    failed = [(r.task, c.name, c.detail) for r in results for c in r.checks if not c.ok]
    assert failed == []
    assert all(m.killed_by for r in results for m in r.mutants)
    assert len(results) == len(builtin_tasks())


@pytest.mark.slow
def test_default_run_is_the_self_test(tmp_path):
    run_dir = tmp_path / "run"
    proc = autoexp("run", "--run-dir", str(run_dir), "--workers", "2", "--no-progress")
    rows = attempts_json(run_dir)
    assert len(rows) == 2 * len(builtin_tasks())
    assert {r["status"] for r in rows if r["agent"] == "oracle"} == {"passed"}
    assert {r["status"] for r in rows if r["agent"] == "noop"} == {"failed"}
    summary = json.loads(autoexp("summary", str(run_dir), "--json").stdout)
    rates = {r["agent"]: r["success_rate"] for r in summary["rows"]}
    assert rates == {"oracle": 1.0, "noop": 0.0}
    assert "self-test" in proc.stderr and "--agent react" in proc.stderr
