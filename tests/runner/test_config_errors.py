"""Issue 11, items 1, 3 and 6 through the real CLI: configuration errors fail fast in the parent
with nothing run, silent or misleading exits are errors, and --resume never ignores an option."""

from __future__ import annotations

import json
import os

import pytest

from autoexp.agents import AgentSpec
from autoexp.errors import ConfigError
from autoexp.runner import AttemptSpec, RunConfig, SqliteStore, run, run_attempt

from conftest import TOY, autoexp

DEAD = "http://127.0.0.1:9/v1"  # validation fails before anything would reach it


def no_key_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}


def assert_one_line_error(proc, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "error" in proc.stderr.lower()
    text = " ".join(proc.stderr.split())  # rich wraps long lines
    for f in fragments:
        assert f in text, (f, proc.stderr)


# ----------------------------------------------------------------------------- 1. config errors


def test_no_api_key_fails_before_any_attempt(tmp_path):
    run_dir = tmp_path / "run"
    proc = autoexp(
        "run",
        str(TOY),
        "--agent",
        "react",
        "--model",
        "x",
        "--run-dir",
        str(run_dir),
        "--no-progress",
        check=False,
        env=no_key_env(),
    )
    assert_one_line_error(proc, "agent react", "no API key", "OPENAI_API_KEY")
    assert not run_dir.exists()


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--agent", "react", "--agent-option", "bogus_key=1"], ["agent react", "bogus_key"]),
        (["--agent", "react", "--agent-option", "max_retries=-1"], ["agent react", "max_retries"]),
        (["--agent", "agentless", "--agent-option", "rounds=0"], ["agent agentless", "rounds"]),
        (
            ["--agent", "command", "--agent-cmd", "mycli {prompt} {workspace}"],
            ["agent command", "cmd", "unknown placeholder {prompt}"],
        ),
        (["--agent", "nosuch"], ["unknown agent 'nosuch'"]),
    ],
)
def test_bad_agent_config_fails_before_any_attempt(tmp_path, args, fragments):
    run_dir = tmp_path / "run"
    proc = autoexp(
        "run",
        str(TOY),
        *args,
        "--model",
        "x",
        "--base-url",
        DEAD,
        "--run-dir",
        str(run_dir),
        "--no-progress",
        check=False,
    )
    assert_one_line_error(proc, *fragments)
    assert not run_dir.exists()


def test_python_api_validates_agents_before_running(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    run_dir = tmp_path / "run"
    config = RunConfig(tasks=[str(TOY)], agents=[AgentSpec(name="react", model="x")])
    with pytest.raises(ConfigError, match="no API key"):
        run(config, run_dir, progress=False)
    assert not run_dir.exists()


def test_agent_that_cannot_be_built_at_attempt_time_is_a_grader_error(tmp_path, monkeypatch):
    """Past validation (e.g. the environment changed), a failure to build the agent is autoexp's
    or the config's fault: grader_error with the error and its traceback, never agent_error."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    spec = AttemptSpec(
        task_id="toy-stats",
        task_root=str(TOY),
        agent=AgentSpec(name="react", model="x"),
        combo=("stats.py::mean",),
        trial=0,
    )
    record = run_attempt(spec, tmp_path)
    assert (record.status, record.reason) == ("grader_error", "grader")
    assert "no API key" in (record.error or "")
    log = (tmp_path / "attempts" / spec.attempt_id / "logs" / "error.txt").read_text()
    assert "Traceback" in log and "no API key" in log


# ----------------------------------------------------------------------------- 3. silent exits


def test_empty_plan_is_an_error_naming_why(tmp_path):
    run_dir = tmp_path / "run"
    proc = autoexp(
        "run", str(TOY), "--n", "99", "--run-dir", str(run_dir), "--no-progress", check=False
    )
    assert_one_line_error(proc, "no attempts", "toy-stats n=99", "only 3 maskable functions")
    assert "self-test" not in proc.stderr and not run_dir.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["prepare", str(TOY), "--agent", "nosuch", "--out", "{tmp}/p"],
        ["tasks", "validate", str(TOY), "--workers", "0"],
        ["tasks", "record", str(TOY), "--max-task-mb", "0"],
        ["run", str(TOY), "--max-wall", "0", "--workers", "1"],
        ["run", str(TOY), "--max-tokens", "0"],
        ["run", str(TOY), "--backend", "docker"],
    ],
)
def test_bad_option_values_are_rejected_where_parsed(tmp_path, args):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    proc = autoexp(*args, check=False, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Invalid value" in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing run


def test_run_dir_that_is_a_file_is_a_one_line_error(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a run\n")
    proc = autoexp("run", str(TOY), "--run-dir", str(a_file), "--no-progress", check=False)
    assert_one_line_error(proc, "is a file")
    proc = autoexp("run", str(TOY), "--run-dir", str(a_file / "sub"), "--no-progress", check=False)
    assert_one_line_error(proc, "is under a file")
    assert_one_line_error(autoexp("summary", str(a_file / "sub"), check=False))
    assert_one_line_error(autoexp("prepare", str(TOY), "--out", str(a_file), check=False), "file")
    assert a_file.read_text() == "not a run\n"


# ----------------------------------------------------------------------------- 6. resume


def stored(run_dir):
    with SqliteStore(run_dir / "results.sqlite") as store:
        return store.all()


def test_resume_refuses_plan_changes_and_applies_execution_options(tmp_path):
    run_dir = tmp_path / "run"
    tool = tmp_path / "tool"
    tool.mkdir()
    plan = [str(TOY), "--agent", "oracle", "--n", "3"]
    # a sandbox that cannot start (a missing --sandbox-ro path): the attempt is an infra error
    autoexp(
        "run",
        *plan,
        "--backend",
        "bwrap",
        "--sandbox-ro",
        str(tmp_path / "missing"),
        "--max-retries",
        "0",
        "--run-dir",
        str(run_dir),
        "--no-progress",
        "--no-report",
    )
    (rec,) = stored(run_dir)
    assert (rec.status, rec.reason, rec.retries) == ("infra_error", "sandbox", 0)

    # options that would change the plan are refused, each named; nothing runs
    proc = autoexp(
        "run",
        "--run-dir",
        str(run_dir),
        "--resume",
        "--trials",
        "2",
        "--n",
        "1",
        "--seed",
        "3",
        "--agent",
        "noop",
        "--integrity",
        "warn",
        "--setting",
        "pc",
        "--workers",
        "1",
        "--no-progress",
        check=False,
    )
    assert_one_line_error(
        proc,
        "cannot change the plan",
        "trials (--trials): run has 1, given 2",
        "ns (--n)",
        "seed (--seed)",
        "agents",
        "integrity",
        "settings",
    )
    assert stored(run_dir) == [rec]

    # the plan's options may be repeated identically; sandbox, budget, workers and retries apply
    # (the stored max_retries=0 would not retry the infra error)
    autoexp(
        "run",
        *plan,
        "--run-dir",
        str(run_dir),
        "--resume",
        "--max-retries",
        "7",
        "--sandbox-ro",
        str(tool),
        "--max-steps",
        "7",
        "--workers",
        "1",
        "--no-progress",
        "--no-report",
    )
    (rec,) = stored(run_dir)
    assert (rec.status, rec.retries, rec.spec.budget.max_steps) == ("passed", 1, 7)
    config = json.loads((run_dir / "run.json").read_text())["config"]
    assert (config["max_retries"], config["workers"], config["trials"]) == (7, 1, 1)
    assert config["sandbox"]["extra_ro"] == [str(tool)]
    assert config["budget"]["max_steps"] == 7 and config["backend"] == "bwrap"
