"""End-to-end runs through the real CLI: oracle/noop self-test, run layout, re-runs, resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from autoexp.agents import AgentSpec
from autoexp.runner import RunConfig, SqliteStore, load_run_file, plan_attempts, run
from autoexp.sandbox import SandboxConfig
from autoexp.tasks import load_task

from conftest import TOY, attempts_json, autoexp


def test_self_test_run_on_toy(tmp_path):
    run_dir = tmp_path / "run"
    proc = autoexp(
        "run", str(TOY), "--n", "1,3", "--workers", "2", "--run-dir", str(run_dir), "--no-progress"
    )
    rows = attempts_json(run_dir)
    # one combo for n=1, the only one for n=3, x 2 agents
    assert len(rows) == 4
    by_agent: dict[str, set[str]] = {}
    for r in rows:
        by_agent.setdefault(r["agent"], set()).add(r["status"])
    assert by_agent == {"oracle": {"passed"}, "noop": {"failed"}}
    assert {r["reason"] for r in rows if r["agent"] == "noop"} == {"no_report"}
    assert not any(r["fabricated"] for r in rows)
    assert all(r["isolation"] == "bubblewrap" for r in rows)
    oracle = next(r for r in rows if r["agent"] == "oracle" and r["n"] == 3)
    assert oracle["verified"]["moments"]["mean"] == oracle["reported"]["moments"]["mean"]
    assert set(oracle["verified"]) == {"moments", "scaled"}
    # the layout of DESIGN.md
    assert (run_dir / "run.json").is_file() and (run_dir / "results.sqlite").is_file()
    assert (run_dir / "report" / "index.html").is_file()
    assert (run_dir / "report" / "summary.md").is_file()
    run_json = json.loads((run_dir / "run.json").read_text())
    assert run_json["state"] == "finished"
    assert run_json["invocations"][0]["argv"][1:] == ["run", str(TOY), "--n", "1,3", "--workers",
                                                      "2", "--run-dir", str(run_dir),
                                                      "--no-progress"]  # fmt: skip
    for r in rows:
        d = run_dir / "attempts" / r["attempt_id"]
        assert (d / "attempt.json").is_file() and (d / "workspace.diff").is_file()
        bodies = json.loads((d / "bodies.json").read_text())
        assert set(bodies) == set(r["combo"])
        assert (d / "logs").is_dir()
    noop_dir = run_dir / "attempts" / next(r["attempt_id"] for r in rows if r["agent"] == "noop")
    assert "NotImplementedError" in next((noop_dir / "logs").glob("verify-*.stderr")).read_text()
    assert "oracle" in proc.stdout and "noop" in proc.stdout


def test_same_plan_same_attempts_and_rerun_keeps_results(tmp_path):
    task = load_task(TOY)
    cfg = RunConfig(ns=[1, 2], combos_per_n=2, seed=7, trials=2)
    a, _ = plan_attempts([task], cfg)
    b, _ = plan_attempts([task], cfg)
    assert [s.attempt_id for s in a] == [s.attempt_id for s in b]
    assert len(a) == 2 * 2 * 2 * 2  # n x combos x trials x agents
    # the draw depends on the seed (and only on it)
    drawn = {plan_attempts([task], RunConfig(ns=[1], seed=seed))[0][0].combo for seed in range(10)}
    assert len(drawn) > 1

    run_dir = tmp_path / "run"
    all_combos = RunConfig(tasks=[str(TOY)], workers=2, combos_per_n=None)
    first = run(all_combos, run_dir, progress=False)
    assert len(first.executed) == 6 and first.kept == 0
    again = run(all_combos, run_dir, progress=False)
    assert again.executed == [] and again.kept == 6
    # another agent into the same run dir: only its attempts run, the plan grows
    more = run(
        all_combos.model_copy(update={"agents": [AgentSpec(name="noop")], "ns": [2]}),
        run_dir,
        progress=False,
    )
    assert len(more.executed) == 3 and more.planned == 9
    assert len(load_run_file(run_dir).attempts) == 9


def test_infra_error_is_retried_on_resume_up_to_max_retries(tmp_path):
    run_dir = tmp_path / "run"
    broken = SandboxConfig(extra_ro=[tmp_path / "does-not-exist"])
    cfg = RunConfig(
        tasks=[str(TOY)],
        agents=[AgentSpec(name="oracle")],
        ns=[3],
        sandbox=broken,
        backend="bwrap",
        max_retries=0,  # no retry within the run (tests/runner/test_retries.py has those)
    )
    res = run(cfg, run_dir, progress=False)
    (rec,) = res.executed
    assert rec.status == "infra_error" and rec.reason == "sandbox" and rec.retries == 0
    assert "does-not-exist" in (rec.error or "")
    for expected_retries in (1, 2):  # each resume allows one more retry
        more = cfg.model_copy(update={"max_retries": expected_retries})
        res = run(more, run_dir, resume=True, progress=False)
        assert [r.retries for r in res.executed] == [expected_retries]
    res = run(None, run_dir, resume=True, progress=False)
    assert res.executed == [] and res.kept == 1
    # without --resume an infra error is kept as it is
    res = run(cfg, run_dir, progress=False)
    assert res.executed == []


def _rows(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=0.5) as c:  # never wait long on the run's writes
            return c.execute("SELECT count(*) FROM attempts").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_sigkill_mid_run_then_resume_loses_and_duplicates_nothing(tmp_path):
    run_dir = tmp_path / "run"
    args = [
        sys.executable,
        "-m",
        "autoexp.cli",
        "run",
        str(TOY),
        "--n",
        "1,2",
        "--combos-per-n",
        "0",
        "--workers",
        "1",
        "--run-dir",
        str(run_dir),
        "--no-progress",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = run_dir / "results.sqlite"
    deadline = time.monotonic() + 120
    while _rows(db) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = _rows(db)
    assert 3 <= done_before < 12, "the run should have been killed part-way"
    with SqliteStore(db) as store:
        before = {r.attempt_id: r.finished_at for r in store.all()}

    # no worker outlives the killed run (they get SIGKILL when their parent dies)
    time.sleep(0.5)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(run_dir) not in ps
    autoexp("run", "--run-dir", str(run_dir), "--resume", "--workers", "2", "--no-progress")
    rows = attempts_json(run_dir)
    ids = [r["attempt_id"] for r in rows]
    assert len(ids) == len(set(ids)) == 12  # (3 + 3) combos x 2 agents
    planned = {s.attempt_id for s in load_run_file(run_dir).attempts}
    assert set(ids) == planned
    assert {r["status"] for r in rows if r["agent"] == "oracle"} == {"passed"}
    assert {r["status"] for r in rows if r["agent"] == "noop"} == {"failed"}
    with SqliteStore(db) as store:
        after = {r.attempt_id: r.finished_at for r in store.all()}
    assert all(after[a] == f for a, f in before.items()), "finished attempts must be kept"
    attempt_dirs = {p.name for p in (run_dir / "attempts").iterdir()}
    assert attempt_dirs == planned


def test_prepare_writes_exactly_what_the_agent_gets(tmp_path):
    out = tmp_path / "prep"
    autoexp("prepare", str(TOY), "--functions", "stats.py::variance", "--out", str(out))
    ws = out / "workspace"
    src = (ws / "stats.py").read_text()
    assert "raise NotImplementedError" in src
    assert "sum(sq) / (len(xs) - ddof)" not in src
    assert "total += x" in src  # the other functions are untouched
    assert not (ws / "task.yaml").exists() and not (ws / "hidden").exists()
    prompt = (out / "prompt.md").read_text()
    assert "stats.py::variance" in prompt and "python run.py --exp moments" in prompt
    assert "3.714029" not in prompt  # the gold value of task.yaml is never in the prompt
    # nothing of the hidden experiments: ids, commands, numbers
    shown = prompt + "".join(p.read_text() for p in ws.rglob("*") if p.is_file())
    for secret in ("moments-seed1", "--exp moments --seed 1", "2.852675", "3.435834"):
        assert secret not in shown
    proc = autoexp(
        "prepare",
        str(TOY),
        "--functions",
        "stats.py::nope",
        "--out",
        str(tmp_path / "p2"),
        check=False,
    )
    assert proc.returncode == 2 and "no function 'stats.py::nope'" in proc.stderr


def test_ctrl_c_stops_promptly_keeps_finished_attempts_and_resume_finishes(tmp_path):
    """Half of the 12 attempts are an agent that takes 3 s, so the run is still going when the
    first rows are stored, however slow the machine (a plan of quick attempts could finish
    between the test's reading of the store and its Ctrl-C)."""
    run_dir = tmp_path / "run"
    args = [
        sys.executable,
        "-m",
        "autoexp.cli",
        "run",
        str(TOY),
        "--agent",
        "noop",
        "--agent",
        "command",
        "--agent-cmd",
        "sleep 3",
        "--n",
        "1,2",
        "--combos-per-n",
        "0",
        "--workers",
        "2",
        "--run-dir",
        str(run_dir),
        "--no-progress",
    ]
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as in a terminal: a background job of a non-interactive shell (how CI may start the
        # tests) inherits SIGINT ignored, and Python then never raises KeyboardInterrupt
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    db = run_dir / "results.sqlite"
    deadline = time.monotonic() + 120
    while _rows(db) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted" in err and "--resume" in err
    kept = _rows(db)
    assert 2 <= kept < 12
    autoexp("run", "--run-dir", str(run_dir), "--resume", "--no-progress")
    rows = attempts_json(run_dir)
    assert len(rows) == len({r["attempt_id"] for r in rows}) == 12
