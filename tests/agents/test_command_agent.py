"""The command agent with a small Python script standing in for an external CLI agent."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoexp.agents import AgentSpec, Budget, CommandAgent, create_agent
from autoexp.agents._types import Trajectory
from autoexp.errors import AutoexpError
from autoexp.sandbox import Isolation, probe_bwrap
from autoexp.tasks import BUILTIN_DIR, load_task

from toyenv import EXPECTED, TOY, prepare, toy_sandbox

CLI = r"""
import json, os, pathlib, subprocess, sys, time

mode, workspace = sys.argv[1], pathlib.Path(sys.argv[2])
prompt = pathlib.Path(os.environ["AUTOEXP_PROMPT_FILE"]).read_text()
results = pathlib.Path(os.environ["AUTOEXP_RESULTS"])
print("model:", os.environ.get("AUTOEXP_MODEL"), "cwd:", os.getcwd(), "extra:", os.environ.get("EXTRA"))
if mode == "solve":
    assert "stats.py::mean" in prompt and "AUTOEXP_RESULTS" in prompt
    (workspace / "stats.py").write_text(ORIGINAL)
    out = {}
    for exp in ("moments", "scaled"):
        r = subprocess.run([sys.executable, "run.py", "--exp", exp], capture_output=True, text=True)
        print(r.stdout, end="")
        out[exp] = json.loads(r.stdout.strip().splitlines()[-1])
    results.write_text(json.dumps(out))
    pathlib.Path(os.environ["AUTOEXP_USAGE"]).write_text(
        json.dumps({"tokens_in": 1234, "tokens_out": 56, "cost_usd": 0.25, "steps": 7}))
    print("solver done", file=sys.stderr)
elif mode == "snoop":
    visible = []
    for p in PROBES:
        if os.path.exists(p):
            visible.append(p)
    try:
        import autoexp
        visible.append("import autoexp: " + autoexp.__file__)
    except ImportError:
        pass
    print("visible:", visible)
    results.write_text(json.dumps({"snoop": {"visible": len(visible)}}))
elif mode == "sleep":
    time.sleep(30)
elif mode == "garbage":
    results.write_text("this is not json")
"""


@pytest.fixture(scope="module")
def cli(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cli")
    d.chmod(0o755)
    probes = [
        str(TOY),
        str(TOY / "code" / "stats.py"),
        str(BUILTIN_DIR),
        str(BUILTIN_DIR / "mlp-optim" / "task.yaml"),
        str(Path(__file__).resolve()),
    ]
    source = f"ORIGINAL = {(TOY / 'code' / 'stats.py').read_text()!r}\nPROBES = {probes!r}\n" + CLI
    script = d / "fake_cli.py"
    script.write_text(source)
    script.chmod(0o644)
    return script


@pytest.fixture(scope="module")
def sandbox(cli):
    return toy_sandbox(extra_ro=[cli.parent])


def command_agent(tmp_path: Path, cli: Path, mode: str, **spec) -> CommandAgent:
    options = {"cmd": f"python {cli} {mode} {{workspace}}", **spec.pop("options", {})}
    agent_spec = AgentSpec(name="command", options=options, **spec)
    return create_agent(agent_spec, load_task(TOY), tmp_path / "attempt")


def test_cli_agent_writes_bodies_and_results(tmp_path, cli, sandbox):
    p = prepare(tmp_path, ["stats.py::mean"], "command")
    agent = command_agent(
        tmp_path, cli, "solve", model="my-model", options={"env": {"EXTRA": "yes"}}
    )
    result = agent.run(p.workspace, p.prompt, sandbox, Budget(max_wall_s=60))
    assert result.reported == EXPECTED and result.report_error is None
    assert result.ended_by == "submitted"
    assert (result.tokens_in, result.tokens_out, result.cost_usd, result.steps) == (
        1234,
        56,
        0.25,
        7,
    )
    assert (p.workspace / "stats.py").read_text() == (TOY / "code" / "stats.py").read_text()
    prompt_file = p.workspace / ".autoexp" / "prompt.md"
    assert prompt_file.read_text() == p.prompt.text
    log = (tmp_path / "attempt" / "agent.log").read_text()
    assert "solver done" in log and '"max_z": 2.062213' in log
    inner = "/workspace" if sandbox.isolation == Isolation.BUBBLEWRAP else str(p.workspace)
    assert f"model: my-model cwd: {inner} extra: yes" in log
    traj = Trajectory.model_validate_json((tmp_path / "attempt" / "trajectory.json").read_text())
    assert traj.ended_by == "submitted" and traj.prompt == p.prompt.text
    assert traj.steps[1].tool_args == {"command": agent.command_line(inner)}


@pytest.mark.skipif(probe_bwrap() is not None, reason="needs bubblewrap")
def test_cli_agent_cannot_see_the_original_code(tmp_path, cli, sandbox):
    p = prepare(tmp_path, ["stats.py::mean"], "command")
    result = command_agent(tmp_path, cli, "snoop").run(
        p.workspace, p.prompt, sandbox, Budget(max_wall_s=60)
    )
    log = (tmp_path / "attempt" / "agent.log").read_text()
    assert result.reported == {"snoop": {"visible": 0.0}}, log
    assert "visible: []" in log
    # the same probes do find the files on the host
    assert TOY.exists() and BUILTIN_DIR.exists()


def test_timeout_is_the_wall_budget(tmp_path, cli, sandbox):
    p = prepare(tmp_path, ["stats.py::mean"], "command")
    result = command_agent(tmp_path, cli, "sleep").run(
        p.workspace, p.prompt, sandbox, Budget(max_wall_s=1)
    )
    assert result.ended_by == "budget:max_wall_s"
    assert result.reported is None
    assert "timed out" in (tmp_path / "attempt" / "agent.log").read_text()


def test_missing_and_invalid_results(tmp_path, cli, sandbox):
    p = prepare(tmp_path, ["stats.py::mean"], "command")
    garbage = command_agent(tmp_path, cli, "garbage").run(
        p.workspace, p.prompt, sandbox, Budget(max_wall_s=60)
    )
    assert garbage.reported is None and "not valid JSON" in garbage.report_error
    nothing = command_agent(tmp_path, cli, "nothing").run(
        p.workspace, p.prompt, sandbox, Budget(max_wall_s=60)
    )
    assert nothing.reported is None and nothing.report_error is None  # stale results removed
    assert nothing.cost_usd is None  # an external agent's cost is unknown unless it says


def test_command_template_errors(tmp_path):
    with pytest.raises(AutoexpError, match="needs the option cmd"):
        create_agent(AgentSpec(name="command"), load_task(TOY), tmp_path)
    with pytest.raises(AutoexpError, match="prompt_fil"):
        create_agent(
            AgentSpec(name="command", options={"cmd": "x {prompt_fil}"}), load_task(TOY), tmp_path
        )
    agent = CommandAgent({"cmd": "cli --p {prompt_file} --json '{{\"a\": 1}}' --r {results_file}"})
    line = agent.command_line("/work space")
    assert line == (
        "cli --p '/work space/.autoexp/prompt.md' --json '{\"a\": 1}' "
        "--r '/work space/.autoexp/results.json'"
    )
