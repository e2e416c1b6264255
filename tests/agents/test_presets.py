"""Presets: the built-in files, user files, `autoexp agents list` and `install`, usage files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from autoexp.agents import AgentSpec, find_preset, presets, read_usage, validate_agent_spec
from autoexp.agents._install import install, is_installed, tool_dir
from autoexp.cli import app
from autoexp.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
USER_PRESET = textwrap.dedent(
    """\
    schema: 1
    name: echo-agent
    version: "0.1"
    description: "an agent already on the system"
    executable: sh
    cmd: "sh -c 'echo {model} {max_steps}'"
    needs_model: false
    network: false
    """
)


@pytest.fixture
def user_presets(tmp_path, monkeypatch):
    d = tmp_path / "presets"
    d.mkdir()
    (d / "echo.yaml").write_text(USER_PRESET)
    monkeypatch.setenv("AUTOEXP_PRESETS", str(d))
    return d


def test_built_in_presets_are_valid_and_name_their_test():
    mini = find_preset("mini-swe-agent")
    assert mini is not None and mini.requirements == ["mini-swe-agent==2.4.6"]
    for preset in presets().values():
        assert (
            preset.verified_by is None
            or (__import__("pathlib").Path(__file__).parents[2] / preset.verified_by).is_file()
        )


def test_a_user_preset_is_listed_validated_and_installs_nothing(user_presets):
    preset = find_preset("echo-agent")
    assert preset is not None and tool_dir(preset) is None and is_installed(preset)
    assert install(preset) is None
    validate_agent_spec(AgentSpec(name="echo-agent"))
    res = CliRunner().invoke(app, ["agents", "list", "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["name"]: r for r in json.loads(res.output)}
    assert rows["echo-agent"]["installed"] is True and rows["echo-agent"]["verified_by"] is None
    assert rows["mini-swe-agent"]["version"] == "2.4.6"
    table = CliRunner().invoke(app, ["agents", "list"], terminal_width=200)
    assert "echo-agent" in table.output and "unverified" in table.output


def test_broken_and_unknown_presets_are_clear_errors(user_presets):
    (user_presets / "bad.yaml").write_text("name: Bad Name\nversion: 1\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml"):
        presets()
    (user_presets / "bad.yaml").unlink()
    res = CliRunner().invoke(app, ["agents", "install", "nope"])
    assert res.exit_code == 2 and "unknown preset 'nope'" in res.output
    with pytest.raises(ConfigError, match=r"unknown agent 'nope'.*presets: echo-agent"):
        validate_agent_spec(AgentSpec(name="nope"))


def test_a_usage_file_of_the_wrong_shape_is_not_trusted(tmp_path):
    path = tmp_path / "usage.json"
    path.write_text(json.dumps({"tokens_in": "many", "tokens_out": -5, "cost_usd": True,
                                "steps": 2.5, "messages": [{"role": 3}, "x", {"role": "tool"}]}))  # fmt: skip
    usage = read_usage(path)
    assert usage is not None
    assert (usage.tokens_in, usage.tokens_out, usage.cost_usd, usage.steps) == (0, 0, None, 0)
    assert [m.role for m in usage.messages] == ["tool"]
    path.write_text("[1, 2]")
    assert read_usage(path) is None
    assert read_usage(tmp_path / "missing.json") is None


def test_a_mini_trajectory_becomes_usage_and_its_limits_budgets(tmp_path):
    from autoexp.agents import Budget
    from autoexp.agents._command import _end_state
    from autoexp.agents._usage import read_mini_trajectory

    call = {"id": "c1", "type": "function", "function": {"name": "bash", "arguments": '{"command": "ls"}'}}  # fmt: skip
    traj = {
        "info": {"model_stats": {"instance_cost": 0.0, "api_calls": 2}, "exit_status": "LimitsExceeded"},
        "messages": [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": "task"},
            {"role": "assistant", "content": "a", "tool_calls": [call],
             "extra": {"response": {"usage": {"prompt_tokens": 100, "completion_tokens": 9}}, "cost": 0.0}},
            {"role": "tool", "tool_call_id": "c1", "content": "out"},
            {"role": "assistant", "content": "b", "tool_calls": [call],
             "extra": {"response": {"usage": {"prompt_tokens": 150, "completion_tokens": 1}}}},
            {"role": "exit", "content": "LimitsExceeded", "extra": {"exit_status": "LimitsExceeded"}},
        ],
        "trajectory_format": "mini-swe-agent-1.1",
    }  # fmt: skip
    (tmp_path / "mini.traj.json").write_text(json.dumps(traj))
    usage = read_mini_trajectory(tmp_path / "mini.traj.json")
    assert usage is not None
    assert (usage.tokens_in, usage.tokens_out, usage.steps, usage.cost_usd) == (250, 10, 2, None)
    assert [m.role for m in usage.messages] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "exit",
    ]
    assert usage.messages[2].tool_calls == [
        {"id": "c1", "name": "bash", "arguments": {"command": "ls"}}
    ]
    assert _end_state(False, False, usage, None, Budget(max_steps=2)) == "budget:max_steps"
    assert _end_state(False, True, usage, 0.5, Budget(max_cost=0.1)) == "budget:max_cost"
    assert _end_state(False, True, usage, None, Budget(max_tokens=100)) == "budget:max_tokens"
    usage.exit_status = "Submitted"
    assert _end_state(False, True, usage, None, Budget()) == "submitted"
    assert _end_state(True, True, usage, None, Budget()) == "budget:max_wall_s"
