"""Command agents: set-up mistakes found before anything runs, the quick exit that is an
agent_error, budgets and usage reaching the CLI agent, the agent's home."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from autoexp.agents import AgentSpec, Budget, create_agent
from autoexp.agents._checks import answer_dirs, program_of
from autoexp.agents._command import AgentExited
from autoexp.agents._types import Trajectory
from autoexp.sandbox import probe_bwrap
from autoexp.tasks import load_task

from conftest import attempts_json, autoexp
from toyenv import TOY, prepare, toy_sandbox

CONVERSE = r"""#!/bin/sh
echo "home=$HOME steps=$AUTOEXP_MAX_STEPS cost=$AUTOEXP_MAX_COST wall=$AUTOEXP_MAX_WALL model=$AUTOEXP_MODEL args=$*"
mkdir -p "$HOME/.config/tool" && echo state > "$HOME/.config/tool/state"
cat > "$AUTOEXP_USAGE" <<'EOF'
{"tokens_in": 30, "tokens_out": 7, "steps": 2, "messages": [
  {"role": "system", "content": "you are a tool"},
  {"role": "assistant", "content": "look", "tokens_in": 10, "tokens_out": 3,
   "tool_calls": [{"id": "c1", "type": "function",
                   "function": {"name": "bash", "arguments": "{\"command\": \"ls\"}"}}]},
  {"role": "tool", "tool_call_id": "c1", "content": "run.py stats.py"},
  {"role": "assistant", "content": "done", "tokens_in": 20, "tokens_out": 4}]}
EOF
"""


@pytest.fixture
def tool(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("tool")
    d.chmod(0o755)
    script = d / "converse.sh"
    script.write_text(CONVERSE)
    script.chmod(0o755)
    return script


def command(tmp_path: Path, cmd: str, **spec):
    agent_spec = AgentSpec(name="command", options={"cmd": cmd}, **spec)
    return create_agent(agent_spec, load_task(TOY), tmp_path / "attempt")


def test_budgets_model_usage_and_home_reach_a_cli_agent(tmp_path, tool):
    p = prepare(tmp_path, ["stats.py::mean"], "command")
    agent = command(tmp_path, f"{tool} {{max_steps}} {{max_cost}} {{max_wall}}", model="fake")
    budget = Budget(max_steps=7, max_cost=0.5, max_wall_s=30.5)
    result = agent.run(p.workspace, p.prompt, toy_sandbox(extra_ro=[tool.parent]), budget)
    log = (tmp_path / "attempt" / "agent.log").read_text()
    home = "/home/agent" if "home=/home/agent" in log else str(tmp_path / "attempt" / "home")
    assert f"home={home} steps=7 cost=0.5 wall=31 model=fake args=7 0.5 31" in log
    assert (result.tokens_in, result.tokens_out, result.steps) == (30, 7, 2)
    assert result.cost_usd == pytest.approx((30 + 7 * 2) / 1e6)  # tokens at `fake`'s price
    # the home is the attempt's, out of the workspace
    assert (tmp_path / "attempt" / "home" / ".config" / "tool" / "state").read_text() == "state\n"
    assert not any(".config" in str(f) for f in p.workspace.rglob("*"))
    traj = Trajectory.model_validate_json((tmp_path / "attempt" / "trajectory.json").read_text())
    model = [s for s in traj.steps if s.kind == "model"]
    assert [s.content for s in model] == ["look", "done"] and model[0].tokens_in == 10
    assert model[0].tool_calls == [{"id": "c1", "name": "bash", "arguments": {"command": "ls"}}]
    (out,) = [s for s in traj.steps if s.kind == "tool" and s.tool_name == "bash"]
    assert out.content == "run.py stats.py" and out.tool_args == {"command": "ls"}


def test_an_agent_that_exits_at_once_is_an_agent_error(tmp_path):
    p = prepare(tmp_path, ["stats.py::mean"], "command")
    agent = command(tmp_path, "echo 'Aborted. no config' >&2; exit 3")
    with pytest.raises(AgentExited, match=r"exited 3 .*\n(.|\n)*Aborted\. no config"):
        agent.run(p.workspace, p.prompt, toy_sandbox(), Budget(max_wall_s=30))
    # one that worked on the workspace is judged on what it did
    worked = command(tmp_path, "echo '# x' >> stats.py; exit 3")
    result = worked.run(p.workspace, p.prompt, toy_sandbox(), Budget(max_wall_s=30))
    assert result.ended_by == "exited" and result.reported is None


def test_a_quick_exit_is_recorded_as_agent_error_with_the_log_tail(tmp_path):
    run_dir = tmp_path / "run"
    autoexp("run", str(TOY), "--agent", "command", "--agent-cmd",
            "echo 'wizard: Aborted.' >&2; exit 3", "--run-dir", str(run_dir), "--no-progress",
            "--no-report")  # fmt: skip
    (row,) = attempts_json(run_dir)
    assert (row["status"], row["reason"]) == ("failed", "agent_error"), row
    assert "exited 3" in row["detail"] and "wizard: Aborted." in row["detail"]


def test_program_of_a_command_line():
    assert program_of('/opt/x/bin/mini -y --task "$(cat p)"') == "/opt/x/bin/mini"
    assert program_of("FOO=1 env BAR=2 mycli --p x") == "mycli"
    assert program_of("$TOOL run") is None


def test_answer_dirs_are_found_at_any_depth(tmp_path):
    (tmp_path / "a" / "b" / "old-run").mkdir(parents=True)
    (tmp_path / "a" / "b" / "old-run" / "results.sqlite").write_text("")
    (tmp_path / "c" / "d" / "e" / "task" / "code").mkdir(parents=True)
    (tmp_path / "c" / "d" / "e" / "task" / "task.yaml").write_text("")
    (tmp_path / "tool" / "lib").mkdir(parents=True)
    found = {str(p.relative_to(tmp_path)): what for p, what in answer_dirs(tmp_path)}
    assert found == {
        "a/b/old-run": "a run directory (results.sqlite)",
        "c/d/e/task": "a task directory (task.yaml and code/)",
    }
    assert answer_dirs(tmp_path, skip=[tmp_path / "a", tmp_path / "c"]) == []
    # a path inside one is as bad: a task's code/, an attempt of a run
    assert answer_dirs(tmp_path / "c" / "d" / "e" / "task" / "code") == [
        (tmp_path / "c" / "d" / "e" / "task", "a task directory (task.yaml and code/)")
    ]
    (tmp_path / "a" / "b" / "old-run" / "attempts" / "x").mkdir(parents=True)
    inner = answer_dirs(tmp_path / "a" / "b" / "old-run" / "attempts" / "x")
    assert inner == [(tmp_path / "a" / "b" / "old-run", "a run directory (results.sqlite)")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(tmp_path: Path, *args: str, env: dict | None = None):
    return autoexp("run", str(TOY), *args, "--run-dir", str(tmp_path / "run"), "--no-progress",
                   check=False, env=env)  # fmt: skip


def test_a_sandbox_ro_over_an_old_run_hides_it_and_inside_one_is_refused(tmp_path, tool):
    old = tool.parent / "runs" / "old-run"
    (old / "attempts" / "x").mkdir(parents=True)
    (old / "run.json").write_text("{}")
    (old / "attempts" / "x" / "bodies.json").write_text('{"stats.py::mean": {"original": "."}}')
    peek = tool.parent / "peek.sh"  # lists the old run and tries to read its bodies
    peek.write_text(f"#!/bin/sh\nls -A {old} > seen.txt; cat {old}/attempts/x/bodies.json >> "
                    f"seen.txt 2>&1; exec {tool}\n")  # fmt: skip
    peek.chmod(0o755)
    try:
        proc = _run(tmp_path, "--agent", "command", "--agent-cmd", str(peek),
                    "--sandbox-ro", str(tool.parent))  # fmt: skip
        inside = _run(tmp_path / "b", "--agent", "command", "--agent-cmd", str(tool),
                      "--sandbox-ro", str(old / "attempts"))  # fmt: skip
    finally:
        shutil.rmtree(tool.parent / "runs")
    assert proc.returncode == 0, proc.stderr
    said = " ".join(proc.stderr.split())
    assert f"--sandbox-ro: hiding {old}, a run directory (run.json), from agents" in said
    (diff,) = [p.read_text() for p in (tmp_path / "run" / "attempts").glob("*/workspace.diff")]
    assert "seen.txt" in diff and "No such file" in diff and "original" not in diff
    assert inside.returncode == 2
    assert f"is inside {old}, a run directory (run.json)" in " ".join(inside.stderr.split())
    assert not (tmp_path / "b" / "run").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--agent-cmd", "{tool}"],
            "its program '{tool}' is not found inside the sandbox; it is on the host at "
            "{tool}: add --sandbox-ro {dir}",
        ),
        (
            ["--agent-cmd", "no-such-cli --p {prompt_file}"],
            "its program 'no-such-cli' is not found inside the sandbox",
        ),
        (
            ["--agent-cmd", "{tool}", "--sandbox-ro", "{dir}", "--agent-env", "AUTOEXP_UNSET_X"],
            "--agent-env AUTOEXP_UNSET_X: not set in this environment",
        ),
        (
            [
                "--agent-cmd",
                "{tool} {base_url}",
                "--sandbox-ro",
                "{dir}",
                "--base-url",
                "http://127.0.0.1:9/v1",
            ],
            "no network; add --agent-network",
        ),
        (
            [
                "--agent-cmd",
                "{tool}",
                "--sandbox-ro",
                "{dir}",
                "--agent-network",
                "--base-url",
                "http://127.0.0.1:{port}/v1",
            ],
            "the model endpoint http://127.0.0.1:{port}/v1 does not answer from inside the sandbox",
        ),
    ],
    ids=["no-sandbox-ro", "not-found", "unset-env", "no-network", "dead-endpoint"],
)
def test_set_up_mistakes_fail_before_anything_runs(tmp_path, tool, args, message):
    values = {"{tool}": str(tool), "{dir}": str(tool.parent), "{port}": str(_free_port())}

    def filled(text: str) -> str:
        for k, v in values.items():
            text = text.replace(k, v)
        return text

    proc = _run(tmp_path, "--agent", "command", *map(filled, args))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert filled(message) in " ".join(proc.stderr.split())
    assert not (tmp_path / "run").exists()


def test_a_preset_not_installed_says_how_to_install_it(tmp_path):
    env = {**os.environ, "AUTOEXP_AGENTS_DIR": str(tmp_path / "agents")}
    proc = _run(tmp_path, "--agent", "mini-swe-agent", "--model", "m",
                "--base-url", "http://127.0.0.1:9/v1", env=env)  # fmt: skip
    assert proc.returncode == 2
    assert "run: autoexp agents install mini-swe-agent" in " ".join(proc.stderr.split())


@pytest.mark.attack
@pytest.mark.skipif(probe_bwrap() is not None, reason="needs bubblewrap")
def test_the_home_is_the_only_writable_place_besides_the_workspace(tmp_path):
    """HOME is the attempt's `home/` alone: the attempt directory around it (trajectory.json,
    the run's store) is not visible, and nothing else outside the workspace is writable."""
    p = prepare(tmp_path, ["stats.py::mean"], "command")
    cmd = (
        "echo mine > $HOME/own; for f in $HOME/../trajectory.json /home/x /tmp/../etc/x; do "
        "(echo x > $f) 2>/dev/null && echo WROTE $f; done; ls -a $HOME/..; exit 0"
    )
    command(tmp_path, cmd).run(p.workspace, p.prompt, toy_sandbox(), Budget(max_wall_s=30))
    attempt = tmp_path / "attempt"
    log = (attempt / "agent.log").read_text()
    out = log.split("--- stdout ---")[1]
    assert "WROTE" not in out and "trajectory.json" not in out
    assert (attempt / "home" / "own").read_text() == "mine\n"
    assert sorted(f.name for f in attempt.iterdir()) == ["agent.log", "home", "trajectory.json"]
