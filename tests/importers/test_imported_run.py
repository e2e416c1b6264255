"""Issue 13: an imported task runs end to end with its published combos (oracle passes, noop
fails), and every attempt says what its grade could not check."""

from __future__ import annotations

import json
from pathlib import Path

from autoexp.importers import import_autoexperiment
from autoexp.runner import RunConfig, plan_attempts
from autoexp.tasks import load_task

from conftest import TOY, attempts_json, autoexp

GOOD = Path(__file__).resolve().parents[1] / "data" / "autoexperiment" / "good"


def test_oracle_passes_and_noop_fails_on_the_published_combos(tmp_path):
    import_autoexperiment(GOOD, tmp_path / "tasks")
    task_dir = tmp_path / "tasks" / "2101.00001"
    run_dir = tmp_path / "run"
    autoexp(
        "run", str(task_dir), "--agent", "oracle", "--agent", "noop", "--combos", "published",
        "--n", "1", "--workers", "2", "--run-dir", str(run_dir), "--no-progress",
    )  # fmt: skip
    rows = attempts_json(run_dir)
    published = [c for c in load_task(task_dir).spec.combos if len(c) == 1]
    assert sorted(r["combo"] for r in rows if r["agent"] == "oracle") == sorted(published)
    status = {(r["agent"], r["status"]) for r in rows}
    assert status == {("oracle", "passed"), ("noop", "failed")}, [r["detail"] for r in rows]
    for r in rows:
        assert r["hidden_passed"] == "unavailable"
        assert "heldout: unavailable" in r["detail"]
        assert "rule mean_relative_error <= 0.05" in r["detail"]
    record = json.loads((run_dir / "attempts" / rows[0]["attempt_id"] / "attempt.json").read_text())
    assert record["grade"]["heldout"] == "unavailable"
    assert record["grade"]["verification"] == "available"
    summary_md = (run_dir / "report" / "summary.md").read_text()
    assert "heldout: unavailable for 6 of 6 graded attempts" in summary_md
    assert "heldout: unavailable</span>" in (run_dir / "report" / "index.html").read_text()


def test_published_combos_replace_the_draw_and_other_tasks_are_skipped(tmp_path):
    import_autoexperiment(GOOD, tmp_path)
    task = load_task(tmp_path / "2101.00001")
    toy = load_task(TOY)
    config = RunConfig(ns=[0, 1, 2, 3], combos="published", combos_per_n=None)
    specs, skipped = plan_attempts([task, toy], config)
    combos = sorted({s.combo for s in specs})
    assert combos == sorted({tuple(c) for c in task.spec.combos})
    assert all(s.task_id == task.id for s in specs)
    whys = {(s.task, s.n): s.why for s in skipped}
    assert whys[(task.id, 3)] == "no published combo of 3 functions"
    assert whys[(toy.id, 1)] == "the task has no published combos"
    capped = RunConfig(ns=[1], combos="published", combos_per_n=2, agents=config.agents[:1])
    assert len(plan_attempts([task], capped)[0]) == 2
