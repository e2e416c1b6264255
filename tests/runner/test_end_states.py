"""Issue 17, typed end states: every way an agent ends is one exception of `autoexp.errors`,
mapped to a status in one place (`runner._ends`). Each is checked through a real run
(`autoexp.run`, worker processes, the real sandbox and store) against the fake model server:
the budgets of each kind, format errors, a model API failure, a bug in the agent and a bug in
the harness around it."""

from __future__ import annotations

import json
import shutil

import pytest

from autoexp import RunConfig, run
from autoexp.agents import AGENTS, AgentResult, AgentSpec, Budget
from autoexp.errors import (
    AgentEnded,
    BudgetExceeded,
    FormatErrors,
    InfraError,
    ModelAPIError,
    SandboxError,
    Submitted,
)
from autoexp.grading import EndState, Reason, Status
from autoexp.models import FakeServer
from autoexp.models._openai import ContextWindowExceeded
from autoexp.runner._ends import agent_outcome
from autoexp.tasks import BUILTIN_DIR

from conftest import TOY

pytestmark = pytest.mark.slow

BUDGET = Budget(max_steps=3, max_tokens=1_000_000, max_cost=0.5, max_wall_s=1.0)
"""One budget for the run; each scripted agent runs out of a different part of it first (the
model `*/fake` costs $1 per million input tokens)."""


def bash(command: str, tokens_in: int = 10) -> dict:
    return {
        "tool_calls": [{"name": "bash", "arguments": {"command": command}}],
        "usage": {"prompt_tokens": tokens_in, "completion_tokens": 5},
        "forever": True,
    }


SCRIPTS: dict[str, tuple[dict, dict]] = {
    # tag: (the model's reply, forever; react options besides the tagging system prompt)
    "steps": (bash("true"), {}),
    "tokens": (bash("true", tokens_in=1_200_000), {}),  # over the tokens (and cost) at once
    "cost": (bash("true", tokens_in=600_000), {}),  # $0.60, within the tokens
    "wall": (bash("sleep 5"), {}),  # killed at max_wall_s
    "format": ({"text": "I will think some more.", "forever": True}, {"max_format_errors": 2}),
    "api": ({"error": 500, "forever": True}, {"max_retries": 0}),
}


class BuggyAgent:
    """An agent with a bug of its own: it raises an exception that is not autoexp's."""

    name = "buggy"

    def run(self, workspace, prompt, sandbox, budget) -> AgentResult:
        return AgentResult(steps=len(prompt.functions) // 0)


class LeakyAgent:
    """An agent whose budget check escapes its loop (a plugin that does not catch it)."""

    name = "leaky"

    def run(self, workspace, prompt, sandbox, budget) -> AgentResult:
        raise BudgetExceeded("max_steps", "step budget used up")


@pytest.fixture
def plugins():
    """Two plugin agents in the registry (the run's worker processes are forked from here)."""
    AGENTS["buggy"] = lambda spec, task, attempt_dir: BuggyAgent()
    AGENTS["leaky"] = lambda spec, task, attempt_dir: LeakyAgent()
    try:
        yield
    finally:
        del AGENTS["buggy"], AGENTS["leaky"]


def react(tag: str, url: str, options: dict) -> AgentSpec:
    return AgentSpec(
        name="react",
        model=f"{tag}/fake",  # a label of its own; priced as `fake`
        base_url=url,
        options={"system_prompt": f"You are agent {tag.upper()}.", "backoff_s": 0.01, **options},
    )


def test_every_end_state_of_an_agent_through_a_real_run(tmp_path, plugins):
    routes = [
        {"match": f"You are agent {tag.upper()}.", "entries": [reply]}
        for tag, (reply, _) in SCRIPTS.items()
    ]
    models = [f"{tag}/fake" for tag in SCRIPTS]
    with FakeServer({"routes": routes, "models": models}) as srv:
        agents = [react(tag, srv.base_url, opts) for tag, (_, opts) in SCRIPTS.items()]
        config = RunConfig(
            tasks=[str(TOY)],
            agents=[*agents, AgentSpec(name="buggy"), AgentSpec(name="leaky")],
            budget=BUDGET,
            workers=2,
            max_retries=0,
        )
        result = run(config, tmp_path / "run", progress=False)
    by_agent = {r.spec.agent.model or r.spec.agent.name: r for r in result.executed}
    assert len(by_agent) == len(SCRIPTS) + 2

    def ended(key: str) -> str:
        attempt = tmp_path / "run" / "attempts" / by_agent[key].attempt_id
        return json.loads((attempt / "trajectory.json").read_text())["ended_by"]

    got = {k: (r.status, r.reason) for k, r in by_agent.items()}
    for which in ("steps", "tokens", "cost", "wall"):
        assert got[f"{which}/fake"] == ("failed", "budget"), which
    assert ended("steps/fake") == "budget:max_steps"
    assert ended("tokens/fake") == "budget:max_tokens"
    assert ended("cost/fake") == "budget:max_cost"
    assert ended("wall/fake") == "budget:max_wall_s"
    assert by_agent["steps/fake"].steps == 3 and by_agent["cost/fake"].steps == 1

    assert got["format/fake"] == ("failed", "format_errors")
    assert ended("format/fake") == "format_errors" and by_agent["format/fake"].steps == 2

    assert got["api/fake"] == ("infra_error", "model_api")
    assert "500" in (by_agent["api/fake"].error or "")
    assert ended("api/fake") == "error:model_api"

    bug = by_agent["buggy"]
    assert (bug.status, bug.reason) == ("failed", "agent_error")
    assert "agent error: ZeroDivisionError" in bug.grade.detail
    log = tmp_path / "run" / "attempts" / bug.attempt_id / "logs" / "agent-error.txt"
    assert "Traceback" in log.read_text() and "// 0" in log.read_text()

    # an end state that escapes an agent is graded like one it returns
    leaky = by_agent["leaky"]
    assert (leaky.status, leaky.reason) == ("failed", "budget")
    assert "agent ended by budget:max_steps" in leaky.grade.detail


def test_a_bug_in_the_harness_after_the_agent_is_a_grader_error(tmp_path):
    """The differential samples index of a copy of a built-in task is corrupt: autoexp fails
    after the agent ran, which is grader_error with the error and its traceback."""
    task = tmp_path / "spectral-clustering"
    shutil.copytree(BUILTIN_DIR / "spectral-clustering", task)
    index = task / "hidden" / "samples" / "index.json"
    index.write_text(index.read_text()[: len(index.read_text()) // 2])
    config = RunConfig(tasks=[str(task)], agents=[AgentSpec(name="oracle")], max_retries=0)
    (record,) = run(config, tmp_path / "run", progress=False).executed
    assert (record.status, record.reason) == ("grader_error", "grader")
    assert "index.json" in (record.error or "")
    log = tmp_path / "run" / "attempts" / record.attempt_id / "logs" / "error.txt"
    assert "Traceback" in log.read_text() and "index.json" in log.read_text()


@pytest.mark.parametrize(
    ("exc", "state", "status", "reason"),
    [
        (Submitted({"e": {"m": 1.0}}), EndState.SUBMITTED, None, Reason.NONE),
        (BudgetExceeded("max_steps", "x"), EndState.BUDGET_STEPS, None, Reason.NONE),
        (BudgetExceeded("max_tokens", "x"), EndState.BUDGET_TOKENS, None, Reason.NONE),
        (BudgetExceeded("max_cost", "x"), EndState.BUDGET_COST, None, Reason.NONE),
        (BudgetExceeded("max_wall_s", "x"), EndState.BUDGET_WALL, None, Reason.NONE),
        (ContextWindowExceeded("full"), EndState.BUDGET_TOKENS, None, Reason.NONE),
        (FormatErrors(3), EndState.FORMAT_ERRORS, None, Reason.NONE),
        (ModelAPIError("x"), EndState.MODEL_API, Status.INFRA_ERROR, Reason.MODEL_API),
        (SandboxError("x"), EndState.INFRA, Status.INFRA_ERROR, Reason.SANDBOX),
        (InfraError("x"), EndState.INFRA, Status.INFRA_ERROR, Reason.SANDBOX),
        (KeyError("x"), EndState.AGENT_ERROR, None, Reason.NONE),
    ],
)
def test_one_mapping_from_exceptions_to_end_states(exc, state, status, reason):
    out = agent_outcome(exc)
    assert (out.state, out.status, out.reason) == (state, status, reason)
    assert (out.agent_error is not None) == (state is EndState.AGENT_ERROR)
    if isinstance(exc, AgentEnded | InfraError):
        assert exc.state is state


def test_an_unknown_budget_is_refused():
    with pytest.raises(ValueError, match="unknown budget"):
        BudgetExceeded("max_patience", "x")
