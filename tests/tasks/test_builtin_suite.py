"""The built-in suite: its size, its validation (every check of `autoexp tasks validate`), and
the default `autoexp run` self-test (oracle 100 %, noop 0 %)."""

from __future__ import annotations

import json

import pytest

from autoexp.builder._suite import validate_many
from autoexp.runner._gpus import gpu_skip_reason
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
        varied = {h.of for h in t.spec.hidden_experiments}
        assert varied == {e.id for e in t.spec.experiments}, t.id  # a hidden variant of each


@pytest.mark.slow
@pytest.mark.parametrize("task", [t.id for t in builtin_tasks()])
def test_builtin_task_validates(task):
    """Every check of `autoexp tasks validate`, one task per test so `pytest -n 2` spreads them.
    A task needing a GPU this machine lacks (gpu-smoke) is skipped, with the validator's reason."""
    (result,) = validate_many([task], workers=1)
    if result.skipped:
        assert "GPU" in result.skipped and not result.checks
        pytest.skip(result.skipped)
    failed = [(c.name, c.detail) for c in result.checks if not c.ok]
    assert failed == []
    assert result.mutants and all(m.killed_by for m in result.mutants)
    names = {c.name for c in result.checks}
    task_obj = next(t for t in builtin_tasks() if t.id == task)
    for h in task_obj.spec.hidden_experiments:  # hidden experiments are validated too
        assert {
            f"oracle {h.id}",
            f"depends_on {h.id}",
            f"hidden {h.id} differs from {h.of}",
        } <= names
    assert "paper has no hidden value" in names


@pytest.mark.slow
def test_default_run_is_the_self_test(tmp_path):
    run_dir = tmp_path / "run"
    proc = autoexp("run", "--run-dir", str(run_dir), "--workers", "2", "--no-progress")
    rows = attempts_json(run_dir)
    no_gpu = [t.id for t in builtin_tasks() if gpu_skip_reason(t.spec.needs.gpus)]
    assert len(rows) == 2 * (len(builtin_tasks()) - len(no_gpu))
    for tid in no_gpu:  # left out of the plan, and said so
        assert f"skipped {tid} n=1: needs" in " ".join(proc.stderr.split())
    assert {r["status"] for r in rows if r["agent"] == "oracle"} == {"passed"}
    assert {r["status"] for r in rows if r["agent"] == "noop"} == {"failed"}
    for r in rows:  # differential tests everywhere: the oracle right, noop wrong; no flag
        assert r["functions_correct"] == (1.0 if r["agent"] == "oracle" else 0.0), r
        assert not (r["overfit"] or r["suspect"] or r["integrity"] or r["fabricated"]), r
    oracle = [r for r in rows if r["agent"] == "oracle"]
    for r in oracle:  # every hidden experiment of the attempt reproduced
        passed, total = r["hidden_passed"].split("/")
        assert passed == total != "0", r
    summary = json.loads(autoexp("summary", str(run_dir), "--json").stdout)
    rates = {r["agent"]: r["success_rate"] for r in summary["rows"]}
    assert rates == {"oracle": 1.0, "noop": 0.0}
    assert "self-test" in proc.stderr and "--agent react" in proc.stderr
