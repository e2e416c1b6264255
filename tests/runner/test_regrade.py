"""`autoexp regrade`: grades follow the task as it is now, from stored evidence or by
re-executing the stored bodies; history, grader version and old stores are kept readable."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from autoexp import __version__
from autoexp.runner import AttemptRecord, SqliteStore, regrade

from conftest import TOY, attempts_json, autoexp

MAX_Z = "max_z: {expected: 2.062213, rtol: 0.0001}"


def _task_copy(dst: Path, max_z: str, break_run: bool = False) -> Path:
    """The toy task with `max_z`'s metric line replaced (and run.py crashing, if asked)."""
    shutil.copytree(TOY, dst)
    yaml = dst / "task.yaml"
    text = yaml.read_text()
    assert MAX_Z in text
    yaml.write_text(text.replace(MAX_Z, max_z))
    if break_run:
        run_py = dst / "code" / "run.py"
        run_py.write_text("raise SystemExit(3)\n" + run_py.read_text())
    return dst


# The oracle prints max_z=2.062213 (every combo runs that experiment); 2.0623 is within
# rtol 1e-4 of it but not within 1e-5.
LOOSE = "max_z: {expected: 2.0623, rtol: 0.0001}"
TIGHT = "max_z: {expected: 2.0623, rtol: 0.00001}"


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory) -> Path:
    """An oracle + noop run (n = 1) on a copy of the toy task with a loose tolerance."""
    root = tmp_path_factory.mktemp("regrade")
    task = _task_copy(root / "task", LOOSE)
    run_dir = root / "run"
    autoexp("run", str(task), "--n", "1", "--run-dir", str(run_dir), "--no-progress")
    return run_dir


def _copy_run(run_dir: Path, dst: Path) -> Path:
    shutil.copytree(run_dir, dst)
    return dst


def _by_agent(run_dir: Path) -> dict[str, dict]:
    return {r["agent"]: r for r in attempts_json(run_dir)}


def test_regrade_follows_a_tightened_tolerance_and_back(stored_run, tmp_path):
    run_dir = _copy_run(stored_run, tmp_path / "run")
    before = _by_agent(run_dir)
    assert before["oracle"]["status"] == "passed" and before["noop"]["status"] == "failed"
    tight = _task_copy(tmp_path / "tight", TIGHT)

    proc = autoexp("regrade", str(run_dir), "--task-dir", str(tight))
    assert "1 changed" in proc.stdout
    assert "passed/none" in proc.stdout and "failed/wrong_result" in proc.stdout
    after = _by_agent(run_dir)
    assert (after["oracle"]["status"], after["oracle"]["reason"]) == ("failed", "wrong_result")
    assert after["noop"]["reason"] == before["noop"]["reason"]
    assert after["oracle"]["grader"] == __version__ and after["oracle"]["graded_at"]
    aid = after["oracle"]["attempt_id"]
    record = AttemptRecord.model_validate_json(
        (run_dir / "attempts" / aid / "attempt.json").read_text()
    )
    assert [h.status.value for h in record.history] == ["passed"]
    assert record.status.value == "failed"

    proc = autoexp("regrade", str(run_dir))  # the task each attempt recorded: loose again
    assert "failed/wrong_result" in proc.stdout
    final = _by_agent(run_dir)
    assert final["oracle"]["status"] == "passed"
    with SqliteStore(run_dir / "results.sqlite") as store:
        record = store.get(aid)
    assert record is not None
    assert [h.status.value for h in record.history] == ["passed", "failed"]

    autoexp("report", str(run_dir))
    html = (run_dir / "report" / "index.html").read_text()
    assert f"graded by autoexp {__version__}" in html
    assert "re-graded 2 times" in html


def test_regrade_from_evidence_runs_nothing_reexecute_runs_the_code(stored_run, tmp_path):
    run_dir = _copy_run(stored_run, tmp_path / "run")
    broken = _task_copy(tmp_path / "broken", LOOSE, break_run=True)

    res = regrade(run_dir, task_dirs=[broken], progress=False)  # evidence: still passes
    assert res.regraded == 2 and res.changes == []
    assert _by_agent(run_dir)["oracle"]["status"] == "passed"

    res = regrade(run_dir, task_dirs=[broken], reexecute=True, workers=1, progress=False)
    assert res.regraded == 2
    assert [(c.agent, c.before, c.after) for c in res.changes] == [
        ("oracle", "passed/none", "failed/crash")
    ]
    oracle = _by_agent(run_dir)["oracle"]
    evidence = json.loads(
        (run_dir / "attempts" / oracle["attempt_id"] / "evidence.json").read_text()
    )
    assert {r["exit_code"] for r in evidence["runs"].values()} == {3}
    assert evidence["reported"] == oracle["reported"]  # what the agent said is kept


def test_one_bad_evidence_file_is_named_and_the_rest_regrade(stored_run, tmp_path):
    run_dir = _copy_run(stored_run, tmp_path / "run")
    oracle = _by_agent(run_dir)["oracle"]["attempt_id"]
    bad = run_dir / "attempts" / oracle / "evidence.json"
    bad.write_text('{"runs": 7}')
    proc = autoexp("regrade", str(run_dir), "--json")
    res = json.loads(proc.stdout)
    assert res["regraded"] == 1
    assert str(bad) in res["kept"][oracle] and "not valid evidence" in res["kept"][oracle]
    shutil.rmtree(run_dir / "attempts" / oracle)
    proc = autoexp("regrade", str(run_dir), "--reexecute")
    assert "kept 1: no bodies.json" in proc.stdout


def test_regrade_errors_name_the_run_dir(tmp_path):
    proc = autoexp("regrade", str(tmp_path / "nope"), check=False)
    assert proc.returncode == 2 and "run.json" in proc.stderr and "Traceback" not in proc.stderr


_V1_TABLE = """CREATE TABLE attempts (
    attempt_id TEXT PRIMARY KEY, task TEXT NOT NULL, agent TEXT NOT NULL,
    agent_name TEXT NOT NULL, model TEXT, setting TEXT NOT NULL, n INTEGER NOT NULL,
    combo TEXT NOT NULL, trial INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,
    fabricated INTEGER NOT NULL, edited_outside_mask INTEGER NOT NULL,
    experiments_passed REAL NOT NULL, wall_s REAL NOT NULL, agent_wall_s REAL NOT NULL,
    tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL, cost_usd REAL,
    steps INTEGER NOT NULL, isolation TEXT NOT NULL, retries INTEGER NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT NOT NULL, record TEXT NOT NULL)"""


def _as_v1(record: dict) -> dict:
    """A record in the schema-1 shape: status and flags beside the grade, no grade for infra
    errors, no grader fields."""
    old = {k: v for k, v in record.items() if k != "history"}
    old["schema_version"] = 1
    grade = {k: v for k, v in old["grade"].items() if k not in ("grader", "graded_at")}
    old["grade"] = None if old["status"] == "infra_error" else grade
    return old


def test_a_schema_1_store_is_migrated_not_refused(stored_run, tmp_path):
    run_dir = _copy_run(stored_run, tmp_path / "run")
    with SqliteStore(run_dir / "results.sqlite") as store:
        records = [json.loads(r.model_dump_json()) for r in store.all()]
    infra = json.loads(json.dumps(records[0]))
    infra["attempt_id"] = infra["attempt_id"] + "-infra"
    infra["grade"]["status"], infra["grade"]["reason"] = "infra_error", "sandbox"
    infra["status"], infra["reason"], infra["error"] = "infra_error", "sandbox", "bwrap died"
    db = run_dir / "results.sqlite"
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute(_V1_TABLE)
    for rec in [*records, infra]:
        old = _as_v1(rec)
        conn.execute(
            "INSERT INTO attempts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                old["attempt_id"], old["spec"]["task_id"], old["spec"]["agent"]["name"],
                old["spec"]["agent"]["name"], None, "pc+cmd", 1, json.dumps(old["spec"]["combo"]),
                0, old["status"], old["reason"], 0, 0, 0.5, 1.0, 1.0, 0, 0, 0.0, 0,
                "bubblewrap", 0, "", "", json.dumps(old),
            ),
        )  # fmt: skip
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()

    rows = {r["attempt_id"]: r for r in attempts_json(run_dir)}
    assert {r["status"] for r in rows.values()} == {"passed", "failed", "infra_error"}
    assert rows[infra["attempt_id"]]["detail"] == "bwrap died"
    assert rows[infra["attempt_id"]]["grader"] == ""
    assert json.loads(autoexp("summary", str(run_dir), "--json").stdout)["attempts"] == 3
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 2
    res = regrade(run_dir, progress=False)
    assert res.regraded == 2 and "never graded" in res.kept[infra["attempt_id"]]
