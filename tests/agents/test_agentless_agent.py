"""The agentless agent: its call-graph context, answer parsing, write-back and experiment runs."""

from __future__ import annotations

import pytest

from autoexp.agents import AgentSpec, Budget, build_context, create_agent, parse_answer
from autoexp.agents._types import Trajectory
from autoexp.models import FakeServer
from autoexp.tasks import load_task

from toyenv import EXPECTED, TOY, original_def, prepare, toy_copy, toy_sandbox


@pytest.fixture(scope="module")
def sandbox():
    return toy_sandbox()


def block(fid: str, source: str) -> str:
    return f"```python\n# {fid}\n{source.rstrip()}\n```"


def agentless(srv_url: str, tmp, task_root=TOY, **options):
    spec = AgentSpec(
        name="agentless", model="fake", base_url=srv_url, options={"backoff_s": 0.01, **options}
    )
    return create_agent(spec, load_task(task_root), tmp / "attempt")


def test_context_has_masked_functions_and_callers_not_unrelated_code(tmp_path):
    root = toy_copy(tmp_path)
    p = prepare(tmp_path, ["stats.py::Scaler.fit"], "agentless", task_root=root)
    ctx = build_context(p.workspace, ["stats.py::Scaler.fit"])
    roles = {(i.path, i.qualname): i.role for i in ctx.items}
    assert roles[("stats.py", "Scaler.fit")] == "masked"
    assert roles[("run.py", "main")] == "caller"  # calls Scaler().fit(xs)
    assert roles[("stats.py", "Scaler.transform")] == "callee"  # the caller uses it too
    assert roles[("stats.py", "Scaler.__init__")] == "callee"
    assert roles[("stats.py", "mean")] == "callee"
    assert "plotting.py" not in ctx.files
    assert "draw_histogram_unrelated" not in ctx.text and "UNRELATED_CONSTANT" not in ctx.text
    assert "import numpy as np" in ctx.text  # the module's imports
    assert "raise NotImplementedError" in ctx.text  # the masked function as the agent sees it
    assert "def data():" not in ctx.text  # run.py's other functions are left out
    assert ctx.files == ["stats.py", "run.py"]


def test_parse_answer_matches_blocks_by_comment_or_name():
    text = (
        "Here you go.\n\n"
        + block("stats.py::variance", original_def("variance"))
        + "\n\nand the method, without a marker:\n\n```python\n"
        + original_def("Scaler.fit")
        + "\n```\n\n```python\nthis is not python(\n```\n"
    )
    ans = parse_answer(text, ["stats.py::variance", "stats.py::Scaler.fit", "stats.py::mean"])
    assert set(ans.bodies) == {"stats.py::variance", "stats.py::Scaler.fit"}
    assert ans.bodies["stats.py::Scaler.fit"].startswith("self.mu = mean(xs)")
    assert any("block 3" in p for p in ans.problems)
    assert "stats.py::mean: not in the answer" in ans.problems


def test_scripted_agentless_run(tmp_path, sandbox):
    root = toy_copy(tmp_path)
    combo = ["stats.py::mean", "stats.py::Scaler.fit"]
    p = prepare(tmp_path, combo, "agentless", task_root=root)
    answer = (
        "Both functions:\n\n"
        + block(combo[0], original_def("mean"))
        + "\n\n"
        + block(combo[1], original_def("Scaler.fit"))
    )

    with FakeServer(
        [{"text": answer, "usage": {"prompt_tokens": 900, "completion_tokens": 120}}]
    ) as srv:
        agent = agentless(srv.base_url, tmp_path, root)
        result = agent.run(p.workspace, p.prompt, sandbox, Budget())
        bodies = srv.chat_requests()
    assert len(bodies) == 1 and "tools" not in bodies[0]
    prompt = bodies[0]["messages"][0]["content"]
    assert prompt.startswith(p.prompt.text.rstrip())
    for needle in (
        "stats.py::mean",
        "stats.py::Scaler.fit",
        "def main():",
        "Scaler().fit(xs)",
        "def transform(self, xs):",
        "def variance(xs, ddof=1):",
    ):
        assert needle in prompt
    assert "plotting" not in prompt and "draw_histogram_unrelated" not in prompt

    assert result.reported == EXPECTED
    assert result.ended_by == "submitted"
    assert (result.steps, result.tokens_in, result.tokens_out) == (1, 900, 120)
    assert result.cost_usd == pytest.approx((900 * 1.0 + 120 * 2.0) / 1e6)
    assert "NotImplementedError" not in (p.workspace / "stats.py").read_text()
    assert (p.workspace / "stats.py").read_text() == (TOY / "code" / "stats.py").read_text()

    traj = Trajectory.model_validate_json((tmp_path / "attempt" / "trajectory.json").read_text())
    notes = [s.content for s in traj.steps if s.kind == "note"]
    assert any(f"prompt: {len(prompt)} characters" in n for n in notes)
    assert any("900 tokens" in n for n in notes)
    runs = [s for s in traj.steps if s.tool_name == "run_experiment"]
    assert [s.tool_args["experiment"] for s in runs] == ["moments", "scaled"]


def test_second_round_gets_the_failure_and_fixes_it(tmp_path, sandbox):
    p = prepare(tmp_path, ["stats.py::variance"], "agentless")
    wrong = "def variance(xs, ddof=1):\n    return undefined_name + 1\n"
    script = [
        {"text": block("stats.py::variance", wrong)},
        {"text": block("stats.py::variance", original_def("variance"))},
    ]

    with FakeServer(script) as srv:
        result = agentless(srv.base_url, tmp_path, rounds=3).run(
            p.workspace, p.prompt, sandbox, Budget()
        )
        bodies = srv.chat_requests()
    assert len(bodies) == 2 and result.steps == 2
    feedback = bodies[1]["messages"][-1]["content"]
    assert "NameError" in feedback and "undefined_name" in feedback
    assert bodies[1]["messages"][1]["role"] == "assistant"
    assert result.reported == EXPECTED


def test_unusable_answer_reports_what_ran(tmp_path, sandbox):
    p = prepare(tmp_path, ["stats.py::mean"], "agentless")

    with FakeServer([{"text": "I am not sure how to do this."}]) as srv:
        result = agentless(srv.base_url, tmp_path).run(p.workspace, p.prompt, sandbox, Budget())
    assert result.reported == {}  # the experiments crashed: nothing measured
    assert (p.workspace / "stats.py").read_text() == p.masked_source
    traj = Trajectory.model_validate_json((tmp_path / "attempt" / "trajectory.json").read_text())
    assert any("stats.py::mean: not in the answer" in (s.content or "") for s in traj.steps)
