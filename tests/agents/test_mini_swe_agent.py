"""The real mini-swe-agent 2.4.6 (installed by `autoexp agents install`), unchanged, through
`autoexp run --agent mini-swe-agent` against the fake OpenAI-compatible server, which plays the
model's side of mini's protocol: tool calls of its one `bash` tool, ended by a command whose
output starts with COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autoexp.agents._install import install, tool_dir
from autoexp.agents._presets import find_preset
from autoexp.agents._types import Trajectory
from autoexp.models import FakeServer
from autoexp.report import summary, write_report
from autoexp.report._models import UsageSource

from conftest import TOY, attempts_json, autoexp

ORIGINAL = (TOY / "code" / "stats.py").read_text()
WRONG = '''"""Small statistics helpers for the toy study."""

import numpy as np


def mean(xs):
    return 0.0


def variance(xs, ddof=1):
    return 1.0


class Scaler:
    """Standardises data with the mean and unbiased standard deviation."""

    def __init__(self):
        self.mu = None
        self.sigma = None

    def fit(self, xs):
        self.mu = 0.0
        self.sigma = 1.0
        return self

    def transform(self, xs):
        return [(x - self.mu) / self.sigma for x in xs]
'''
MEASURE = """python - <<'EOF'
import json, os, subprocess
out = {}
for exp in ("moments", "scaled"):
    r = subprocess.run(["python", "run.py", "--exp", exp], capture_output=True, text=True)
    out[exp] = json.loads(r.stdout.strip().splitlines()[-1])
open(os.environ["AUTOEXP_RESULTS"], "w").write(json.dumps(out))
print(out)
EOF"""
PAPER_NUMBERS = {"moments": {"mean": 3.030526, "var": 3.714029}, "scaled": {"max_z": 2.062213}}
SUBMIT = "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT"


def bash(command: str, text: str, tokens: tuple[int, int]) -> dict:
    """One scripted model reply: some reasoning and one call of mini's bash tool."""
    return {
        "text": text,
        "tool_calls": [{"name": "bash", "arguments": {"command": command}}],
        "usage": {"prompt_tokens": tokens[0], "completion_tokens": tokens[1]},
    }


def write_file(body: str) -> str:
    return f"cat > stats.py <<'PYEOF'\n{body}PYEOF"


@pytest.fixture(scope="session")
def mini() -> Path:
    """mini-swe-agent's environment, installed once (a lock makes parallel workers wait)."""
    preset = find_preset("mini-swe-agent")
    assert preset is not None
    install(preset)
    env = tool_dir(preset)
    assert env is not None and (env / "bin" / "mini").exists()
    return env


def run_mini(tmp_path: Path, script: list[dict], *extra: str) -> tuple[dict, Path, FakeServer]:
    run_dir = tmp_path / "run"
    with FakeServer(script) as srv:
        autoexp(
            "run", str(TOY), "--agent", "mini-swe-agent", "--model", "fake",
            "--base-url", srv.base_url, "--run-dir", str(run_dir), "--workers", "1",
            "--no-progress", "--no-report", *extra,
        )  # fmt: skip
    (row,) = attempts_json(run_dir)
    return row, run_dir / "attempts" / row["attempt_id"], srv


def test_a_correct_conversation_passes_with_its_usage(tmp_path, mini):
    script = [
        bash(write_file(ORIGINAL), "I restore the function from the paper.", (1000, 300)),
        bash(MEASURE, "Now I measure and write the results.", (1500, 100)),
        bash(SUBMIT, "Done.", (1700, 10)),
    ]
    row, attempt, srv = run_mini(tmp_path, script, "--max-steps", "9")
    assert row["status"] == "passed", row
    assert (row["tokens_in"], row["tokens_out"], row["steps"]) == (4200, 410, 3)
    assert row["cost_usd"] == pytest.approx((4200 * 1.0 + 410 * 2.0) / 1e6)  # `fake`'s price
    # mini counted them itself, and the summary says so
    (summary_row,) = summary(tmp_path / "run").totals
    assert summary_row.usage_source == UsageSource.SELF_REPORTED
    assert ">self-reported</small>" in write_report(tmp_path / "run").read_text()
    # `autoexp prepare --agent mini-swe-agent` writes the prompt the preset was given
    autoexp("prepare", str(TOY), "--agent", "mini-swe-agent", "--out", str(tmp_path / "p"))
    assert (tmp_path / "p" / "prompt.md").read_text() == (attempt / "prompt.md").read_text()
    # mini spoke its own protocol to the server: its bash tool, the model as `openai/fake`
    chats = srv.chat_requests()
    assert len(chats) == 3 and all(c["model"] == "fake" for c in chats)
    assert [t["function"]["name"] for t in chats[0]["tools"]] == ["bash"]
    assert "stats.py::" in chats[0]["messages"][1]["content"]  # autoexp's prompt is the task
    traj = Trajectory.model_validate_json((attempt / "trajectory.json").read_text())
    models = [s for s in traj.steps if s.kind == "model"]
    tools = [s for s in traj.steps if s.kind == "tool" and s.tool_name == "bash"]
    assert [s.tool_calls[0]["arguments"]["command"] for s in models] == [
        write_file(ORIGINAL),
        MEASURE,
        SUBMIT,
    ]
    assert [s.tokens_in for s in models] == [1000, 1500, 1700]
    assert '"returncode": 0' in tools[1].content and "max_z" in tools[1].content
    assert traj.ended_by == "submitted"
    # mini's home (config, its own trajectory) is kept with the attempt, out of the workspace
    own = json.loads((attempt / "home" / "mini.traj.json").read_text())
    assert own["info"]["exit_status"] == "Submitted"
    assert (attempt / "home" / "mini-swe-agent").is_dir()
    assert "mini.traj" not in (attempt / "workspace.diff").read_text()
    assert "agent.step_limit=9" in (attempt / "agent.log").read_text()


def test_a_wrong_body_with_the_papers_numbers_is_fabricated(tmp_path, mini):
    report = f"echo '{json.dumps(PAPER_NUMBERS)}' > \"$AUTOEXP_RESULTS\""
    script = [
        bash(write_file(WRONG), "A simpler version will do.", (900, 200)),
        bash(report, "These are the paper's numbers.", (1000, 50)),
        bash(SUBMIT, "Done.", (1100, 5)),
    ]
    row, _, _ = run_mini(tmp_path, script)
    assert (row["status"], row["reason"]) == ("failed", "wrong_result"), row
    assert row["fabricated"] is True
    assert row["reported"] == PAPER_NUMBERS and row["steps"] == 3


def test_mini_by_hand_without_its_settings_is_an_agent_error_with_its_log(tmp_path, mini):
    """The recipe of issue 12 without MSWEA_CONFIGURED: mini's first-run wizard cannot read a
    terminal and aborts. That is the agent's set-up failing, said with the end of its log."""
    run_dir = tmp_path / "run"
    cmd = f'{mini}/bin/mini -y --exit-immediately -m openai/fake -t "$(cat {{prompt_file}})"'
    with FakeServer([]) as srv:
        autoexp(
            "run", str(TOY), "--agent", "command", "--agent-cmd", cmd, "--sandbox-ro", str(mini),
            "--agent-network", "--base-url", srv.base_url, "--model", "fake",
            "--run-dir", str(run_dir), "--no-progress", "--no-report",
        )  # fmt: skip
        assert srv.chat_requests() == []
    (row,) = attempts_json(run_dir)
    assert (row["status"], row["reason"]) == ("failed", "agent_error"), row
    assert "exited 1" in row["error"] and row["error"].rstrip().endswith("Aborted.")


def test_budgets_model_and_key_reach_mini_as_its_own_flags(tmp_path, mini, monkeypatch):
    from autoexp.agents import AgentSpec, Budget, create_agent
    from autoexp.agents._command import NO_KEY
    from autoexp.tasks import load_task

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    spec = AgentSpec(name="mini-swe-agent", model="m", base_url="http://h:1/v1")
    agent = create_agent(spec, load_task(TOY), tmp_path)
    budget = Budget(max_steps=4, max_cost=0.5, max_wall_s=99.5)
    line = agent.command_line("/workspace", budget)
    assert line.startswith(f"{mini}/bin/mini --yolo --exit-immediately --model openai/m ")
    for arg in ("agent.step_limit=4", "agent.wall_time_limit_seconds=100",
                "model.model_kwargs.api_base=http://h:1/v1"):  # fmt: skip
        assert f"--config {arg}" in line
    assert line.index("agent.cost_limit=0 ") < line.index("agent.cost_limit=0.5")  # last wins
    env = agent.environment("/workspace", budget)
    assert env["OPENAI_API_KEY"] == NO_KEY and env["MSWEA_CONFIGURED"] == "true"
    assert env["HOME"] == "/home/agent"
    assert env["MSWEA_GLOBAL_CONFIG_DIR"] == "/home/agent/mini-swe-agent"
    # without a base URL or a cost budget their flags are left out, and the key is the host's
    monkeypatch.setenv("OPENAI_API_KEY", "sk-host")
    plain = create_agent(AgentSpec(name="mini-swe-agent", model="m"), load_task(TOY), tmp_path)
    assert "api_base" not in plain.command_line("/workspace", Budget())
    assert "cost_limit=0.5" not in plain.command_line("/workspace", Budget())
    assert plain.environment("/workspace")["OPENAI_API_KEY"] == "sk-host"


def test_mini_by_hand_without_its_mount_is_a_pre_flight_error(tmp_path, mini):
    cmd = f'{mini}/bin/mini -y -m openai/fake -t "$(cat {{prompt_file}})"'
    proc = autoexp("run", str(TOY), "--agent", "command", "--agent-cmd", cmd,
                   "--run-dir", str(tmp_path / "run"), check=False)  # fmt: skip
    assert proc.returncode == 2 and not (tmp_path / "run").exists()
    message = " ".join(proc.stderr.split())
    assert f"its program '{mini}/bin/mini' is not found inside the sandbox" in message
    assert message.endswith(f"add --sandbox-ro {mini}")  # the environment, not its bin/
