"""The react agent with the real openai client against the fake server, a real sandbox and a
real masked workspace of toy-stats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autoexp.agents import AgentSpec, Budget, ReactAgent, create_agent, validate_agent_spec
from autoexp.agents._types import Trajectory
from autoexp.errors import AutoexpError, ConfigError, ModelAPIError
from autoexp.models import FakeServer, ModelConfig, OpenAIModel
from autoexp.tasks import load_task

from toyenv import EXPECTED, TOY, masked_def_text, original_def, prepare, run_json, toy_sandbox

FAKE_PRICE_IN, FAKE_PRICE_OUT = 1.0, 2.0  # $/Mtoken of the model "fake" in the built-in table


@pytest.fixture(scope="module")
def sandbox():
    return toy_sandbox()


def fake_model(srv: FakeServer, **kw) -> OpenAIModel:
    return OpenAIModel(
        ModelConfig(name="fake", base_url=srv.base_url, backoff_s=0.01, max_backoff_s=0.02, **kw)
    )


def call(name: str, **args) -> dict:
    return {"name": name, "arguments": args}


def usage(i: int, o: int) -> dict:
    return {"prompt_tokens": i, "completion_tokens": o}


def load_trajectory(attempt_dir: Path) -> Trajectory:
    return Trajectory.model_validate_json((attempt_dir / "trajectory.json").read_text())


def test_restores_code_runs_experiments_and_submits(tmp_path, sandbox):
    combo = ["stats.py::mean", "stats.py::variance"]
    p = prepare(tmp_path, combo, "react")
    original_file = (TOY / "code" / "stats.py").read_text()
    script = [
        {
            "text": "Let me look.",
            "tool_calls": [call("bash", command="grep -n NotImplementedError stats.py")],
            "usage": usage(1000, 50),
        },
        {
            "tool_calls": [
                call(
                    "edit_file",
                    path="stats.py",
                    old_str=masked_def_text(p.workspace, "mean"),
                    new_str=original_def("mean").rstrip(),
                )
            ],
            "usage": usage(1200, 80),
        },
        {
            "tool_calls": [call("write_file", path="/workspace/stats.py", content=original_file)],
            "usage": usage(1400, 300),
        },
        {
            "tool_calls": [
                call("bash", command="python run.py --exp moments && python run.py --exp scaled")
            ],
            "usage": usage(1600, 40),
        },
        {
            "text": "Done.",
            "tool_calls": [call("submit", results=EXPECTED)],
            "usage": usage(1800, 60),
        },
    ]
    attempt = tmp_path / "attempt"
    with FakeServer(script) as srv:
        agent = ReactAgent(fake_model(srv), attempt)
        result = agent.run(p.workspace, p.prompt, sandbox, Budget(max_steps=10))
        bodies = srv.chat_requests()

    assert result.reported == EXPECTED
    assert result.ended_by == "submitted"
    assert result.model == "fake"
    assert result.steps == 5
    assert result.tokens_in == 1000 + 1200 + 1400 + 1600 + 1800
    assert result.tokens_out == 50 + 80 + 300 + 40 + 60
    expected_cost = (result.tokens_in * FAKE_PRICE_IN + result.tokens_out * FAKE_PRICE_OUT) / 1e6
    assert result.cost_usd == pytest.approx(expected_cost)
    assert result.trajectory == attempt / "trajectory.json"

    # the code really is restored: the experiments give the paper's numbers in a fresh run
    assert "NotImplementedError" not in (p.workspace / "stats.py").read_text()
    assert run_json(sandbox, p.workspace, "python run.py --exp moments") == EXPECTED["moments"]

    # the model saw the prompt, the tools, and each tool's output as a tool message
    assert bodies[0]["messages"][1] == {"role": "user", "content": p.prompt.text}
    assert [t["function"]["name"] for t in bodies[0]["tools"]] == [
        "bash",
        "read_file",
        "write_file",
        "edit_file",
        "submit",
    ]
    first_call = bodies[1]["messages"][2]["tool_calls"][0]
    tool_msg = bodies[1]["messages"][3]
    assert tool_msg["role"] == "tool" and tool_msg["tool_call_id"] == first_call["id"]
    assert (
        "raise NotImplementedError" in tool_msg["content"] and "exit code: 0" in tool_msg["content"]
    )
    assert bodies[2]["messages"][-1]["content"] == "edited stats.py"
    run_output = bodies[4]["messages"][-1]["content"]
    assert '"mean": 3.030526' in run_output and '"max_z": 2.062213' in run_output

    traj = load_trajectory(attempt)
    assert traj.ended_by == "submitted" and traj.model == "fake" and traj.prompt == p.prompt.text
    kinds = [s.kind for s in traj.steps]
    assert kinds.count("model") == 5 and kinds.count("tool") == 5
    assert sum(s.tokens_in for s in traj.steps) == result.tokens_in
    bash_steps = [s for s in traj.steps if s.tool_name == "bash"]
    assert bash_steps[1].tool_args == {
        "command": "python run.py --exp moments && python run.py --exp scaled"
    }
    assert bash_steps[1].duration_s > 0
    assert [s.index for s in traj.steps] == list(range(len(traj.steps)))


def test_submitting_paper_numbers_without_fixing_code(tmp_path, sandbox):
    p = prepare(tmp_path, ["stats.py::Scaler.fit"], "react")
    claimed = {"scaled": {"max_z": 2.0622}}
    with FakeServer([{"tool_calls": [call("submit", results=claimed)]}]) as srv:
        result = ReactAgent(fake_model(srv), tmp_path / "a").run(
            p.workspace, p.prompt, sandbox, Budget()
        )
    assert result.reported == claimed and result.ended_by == "submitted"
    assert (p.workspace / "stats.py").read_text() == p.masked_source  # still masked
    res = sandbox.run("python run.py --exp scaled", p.workspace, timeout_s=60)
    assert res.exit_code != 0 and "NotImplementedError" in res.stderr


def test_model_that_never_submits_hits_max_steps(tmp_path, sandbox):
    p = prepare(tmp_path, ["stats.py::mean"], "react")
    script = [
        {
            "tool_calls": [call("bash", command="echo still working")],
            "forever": True,
            "usage": usage(10, 5),
        }
    ]
    with FakeServer(script) as srv:
        result = ReactAgent(fake_model(srv), tmp_path / "a").run(
            p.workspace, p.prompt, sandbox, Budget(max_steps=3)
        )
        n_requests = len(srv.requests)
    assert result.ended_by == "budget:max_steps"
    assert result.reported is None
    assert (result.steps, n_requests) == (3, 3)
    assert (result.tokens_in, result.tokens_out) == (30, 15)
    assert result.cost_usd == pytest.approx((30 * FAKE_PRICE_IN + 15 * FAKE_PRICE_OUT) / 1e6)
    traj = load_trajectory(tmp_path / "a")
    assert traj.ended_by == "budget:max_steps"
    assert sum(s.tool_name == "bash" for s in traj.steps) == 3


@pytest.mark.parametrize(
    ("budget", "entry", "which"),
    [
        (Budget(max_tokens=1000), {"usage": usage(600, 10)}, "budget:max_tokens"),
        (Budget(max_cost=1.0), {"usage": usage(600_000, 0)}, "budget:max_cost"),
        (
            Budget(max_wall_s=1.0),
            {"tool_calls": [call("bash", command="sleep 5")]},
            "budget:max_wall_s",
        ),
    ],
)
def test_other_budgets_end_the_attempt(tmp_path, sandbox, budget, entry, which):
    p = prepare(tmp_path, ["stats.py::mean"], "react")
    script = [{"tool_calls": [call("bash", command="true")], **entry, "forever": True}]
    with FakeServer(script) as srv:
        result = ReactAgent(fake_model(srv), tmp_path / "a").run(
            p.workspace, p.prompt, sandbox, budget
        )
    assert result.ended_by == which
    assert result.steps in (1, 2)
    assert load_trajectory(tmp_path / "a").ended_by == which


def test_server_errors_are_retried_then_raise_model_api_error(tmp_path, sandbox):
    p = prepare(tmp_path, ["stats.py::mean"], "react")
    with FakeServer([{"error": 500, "forever": True}]) as srv:
        agent = ReactAgent(fake_model(srv, max_retries=2), tmp_path / "a")
        with pytest.raises(ModelAPIError, match="500"):
            agent.run(p.workspace, p.prompt, sandbox, Budget())
        assert len(srv.requests) == 3  # one try and two retries
    traj = load_trajectory(tmp_path / "a")
    assert traj.ended_by == "error:model_api"
    assert "ModelAPIError" in traj.steps[-1].content


def test_malformed_calls_are_returned_to_the_model(tmp_path, sandbox):
    p = prepare(tmp_path, ["stats.py::mean"], "react")
    (p.workspace / "escape").symlink_to("/etc")
    (p.workspace / "twice.txt").write_text("aa aa")
    script = [
        {"tool_calls": [{"name": "bash", "arguments": '{"command": "ls'}]},
        {"tool_calls": [{"name": "bash", "arguments": {}}]},
        {"tool_calls": [{"name": "launch_rockets", "arguments": {"n": 3}}]},
        {"tool_calls": [{"name": "bash", "arguments": "[1, 2]"}]},
        {"tool_calls": [call("read_file", path="/etc/passwd")]},
        {"tool_calls": [call("read_file", path="../../../../etc/passwd")]},
        {"tool_calls": [call("read_file", path="escape/passwd")]},
        {"tool_calls": [call("write_file", path="/workspace/../outside.txt", content="x")]},
        {"tool_calls": [call("edit_file", path="twice.txt", old_str="aa", new_str="b")]},
        {"tool_calls": [call("edit_file", path="twice.txt", old_str="zz", new_str="b")]},
        {"tool_calls": [call("read_file", path="nope.py")]},
        {"tool_calls": [call("submit", results={"moments": {"mean": "three"}})]},
        {"tool_calls": [call("submit", results=[1, 2])]},
        {"tool_calls": [call("read_file", path="/workspace/run.py")]},
        {"tool_calls": [call("submit", results={"moments": {"mean": 3.0}})]},
    ]
    with FakeServer(script) as srv:
        result = ReactAgent(fake_model(srv), tmp_path / "a").run(
            p.workspace, p.prompt, sandbox, Budget(max_steps=20)
        )
        bodies = srv.chat_requests()
    answers = [b["messages"][-1] for b in bodies[1:]]
    assert all(a["role"] == "tool" for a in answers)
    text = [a["content"] for a in answers]
    assert "not valid JSON" in text[0]
    assert "missing argument(s): command" in text[1]
    assert "unknown tool 'launch_rockets'" in text[2]
    assert "must be a JSON object" in text[3]
    assert "outside the workspace" in text[4]
    assert "outside the workspace" in text[5]
    assert "outside the workspace" in text[6]
    assert "outside the workspace" in text[7]
    assert "occurs 2 times" in text[8]
    assert "not found" in text[9]
    assert "no such file" in text[10]
    assert "is not a number" in text[11]
    assert "must be a JSON object" in text[12]
    assert "def main" in text[13]
    assert all(t.startswith("Error:") for t in text[:13])
    assert not (tmp_path / "outside.txt").exists()
    assert (p.workspace / "twice.txt").read_text() == "aa aa"
    assert result.reported == {"moments": {"mean": 3.0}}
    traj = load_trajectory(tmp_path / "a")
    first_tool = next(s for s in traj.steps if s.kind == "tool")
    assert first_tool.tool_args == '{"command": "ls'  # raw, as the model sent it


def test_consecutive_malformed_replies_end_with_format_errors(tmp_path, sandbox):
    """A reply with no usable tool call (none, an unknown tool, arguments that do not parse)
    counts; a reply whose call reaches its tool, even one that fails there, resets the count."""
    p = prepare(tmp_path, ["stats.py::mean"], "react")
    script = [
        {"text": "Let me think."},
        {"tool_calls": [{"name": "bash", "arguments": '{"command": "ls'}]},
        {"tool_calls": [call("read_file", path="nope.py")]},  # reaches the tool: resets
        {"tool_calls": [{"name": "launch_rockets", "arguments": {"n": 3}}]},
        {"text": "Still thinking."},
        {"tool_calls": [{"name": "bash", "arguments": {}}], "forever": True},
    ]
    with FakeServer(script) as srv:
        agent = ReactAgent(fake_model(srv), tmp_path / "a", {"max_format_errors": 3})
        result = agent.run(p.workspace, p.prompt, sandbox, Budget(max_steps=20))
    assert result.ended_by == "format_errors" and result.steps == 6
    traj = load_trajectory(tmp_path / "a")
    assert traj.ended_by == "format_errors"
    assert "3 consecutive replies without a usable tool call" in traj.steps[-1].content


def test_max_format_errors_is_validated_before_the_run():
    spec = AgentSpec(
        name="react",
        model="fake",
        base_url="http://127.0.0.1:9/v1",
        options={"max_format_errors": 0},
    )
    with pytest.raises(ConfigError, match="max_format_errors"):
        validate_agent_spec(spec)


def test_text_tool_format(tmp_path, sandbox):
    p = prepare(tmp_path, ["stats.py::mean"], "react")
    new_mean = original_def("mean").rstrip()
    old_mean = masked_def_text(p.workspace, "mean")
    edit = json.dumps({"path": "stats.py", "old_str": old_mean, "new_str": new_mean})
    script = [
        {"text": 'I will read the code.\n```tool:bash\n{"command": "cat stats.py"}\n```\n'},
        {"text": "Thinking about it, without a tool block."},
        {
            "text": f"Fix it:\n```tool:edit_file\n{edit}\n```\nand run:\n"
            '```tool:bash\n{"command": "python run.py --exp moments"}\n```'
        },
        {"text": "```tool:submit\n" + json.dumps({"results": EXPECTED}) + "\n```"},
    ]
    attempt = tmp_path / "a"
    with FakeServer(script) as srv:
        agent = ReactAgent(fake_model(srv), attempt, {"tool_format": "text"})
        result = agent.run(p.workspace, p.prompt, sandbox, Budget())
        bodies = srv.chat_requests()
    assert result.reported == EXPECTED and result.steps == 4
    assert all("tools" not in b for b in bodies)
    assert "```tool:" in bodies[0]["messages"][0]["content"]  # the protocol is explained
    reply = bodies[1]["messages"][-1]
    assert reply["role"] == "user" and reply["content"].startswith("Output of bash:")
    assert "raise NotImplementedError" in reply["content"]
    assert "No tool was called" in bodies[2]["messages"][-1]["content"]
    both = bodies[3]["messages"][-1]["content"]
    assert "edited stats.py" in both and '"mean": 3.030526' in both
    assert "NotImplementedError" not in (p.workspace / "stats.py").read_text()


def test_registry_builds_a_streaming_react_agent(tmp_path, sandbox):
    p = prepare(tmp_path, ["stats.py::mean"], "react")
    claimed = {"moments": {"mean": 3.03, "var": 3.71}}
    script = [
        {
            "text": "Checking.",
            "tool_calls": [call("read_file", path="stats.py")],
            "usage": usage(40, 4),
        },
        {"tool_calls": [call("submit", results=claimed)], "usage": usage(50, 6)},
    ]
    with FakeServer(script) as srv:
        spec = AgentSpec(
            name="react",
            model="fake",
            base_url=srv.base_url,
            options={"stream": True, "max_output_chars": 500, "backoff_s": 0.01},
        )
        agent = create_agent(spec, load_task(TOY), tmp_path / "a")
        result = agent.run(p.workspace, p.prompt, sandbox, Budget())
        bodies = srv.chat_requests()
    assert all(b["stream"] is True for b in bodies)
    assert result.reported == claimed and (result.tokens_in, result.tokens_out) == (90, 10)
    shown = bodies[1]["messages"][-1]["content"]
    assert len(shown) <= 500 and "characters cut" in shown


def test_registry_rejects_bad_options(tmp_path):
    spec = AgentSpec(
        name="react",
        model="fake",
        base_url="http://127.0.0.1:9/v1",
        options={"tool_format": "smoke-signals"},
    )
    with pytest.raises(AutoexpError, match="tool_format"):
        create_agent(spec, load_task(TOY), tmp_path)
    with pytest.raises(AutoexpError, match="needs a model"):
        create_agent(AgentSpec(name="react"), load_task(TOY), tmp_path)
    typo = AgentSpec(
        name="react",
        model="fake",
        base_url="http://127.0.0.1:9/v1",
        options={"tool_fromat": "text"},
    )
    with pytest.raises(AutoexpError, match=r"unknown option.*tool_fromat"):
        create_agent(typo, load_task(TOY), tmp_path)
    # options meant for other agents (a run gives the same options to all) are ignored
    shared = {"tool_format": "native", "cmd": "x", "network": True, "rounds": 2}
    for name in ("react", "agentless"):
        spec = AgentSpec(name=name, model="fake", base_url="http://127.0.0.1:9/v1", options=shared)
        assert create_agent(spec, load_task(TOY), tmp_path).name == name
