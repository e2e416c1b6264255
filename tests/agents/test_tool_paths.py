"""Issue 11: the react agent's tools are described truly in either sandbox. The descriptions
name no path (the workspace is `/workspace` in bubblewrap, its host path in the subprocess
fallback); the prompt names the workspace, and that is where bash runs and what the file tools
take."""

from __future__ import annotations

import json
import re

import pytest

from autoexp.agents import Budget, ReactAgent
from autoexp.agents._tools import INNER_WORKSPACE
from autoexp.models import ModelResponse, ToolCall
from autoexp.runner import prepare_workspace
from autoexp.sandbox import Isolation, make_sandbox, probe_bwrap
from autoexp.tasks import load_task

from toyenv import EXPECTED, TOY

ABSOLUTE_PATH = re.compile(r"(?<![\w.])/\w")


class Scripted:
    """A model that makes the given tool calls, one per reply, and keeps what it was sent."""

    name = "scripted"

    def __init__(self, calls: list[tuple[str, dict]]) -> None:
        self.calls = calls
        self.tools: list[dict] = []

    def query(self, messages, tools=None) -> ModelResponse:
        self.tools = tools or []
        i = sum(m["role"] == "assistant" for m in messages)
        name, args = self.calls[i]
        return ModelResponse(
            tool_calls=[ToolCall(id=f"c{i}", name=name, arguments=json.dumps(args))]
        )


def descriptions(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["description"]] if isinstance(node.get("description"), str) else []
        return own + [d for v in node.values() for d in descriptions(v)]
    if isinstance(node, list):
        return [d for v in node for d in descriptions(v)]
    return []


@pytest.mark.parametrize("backend", ["bwrap", "none"])
def test_tool_descriptions_and_prompt_are_true_in_either_sandbox(tmp_path, backend):
    if backend == "bwrap" and probe_bwrap() is not None:
        pytest.skip(f"needs bubblewrap: {probe_bwrap()}")
    sandbox = make_sandbox(backend=backend)
    sandboxed = sandbox.isolation == Isolation.BUBBLEWRAP
    task = load_task(TOY)
    prep = prepare_workspace(
        task, ["stats.py::mean"], tmp_path, agent_name="react", sandboxed=sandboxed
    )
    ws = INNER_WORKSPACE if sandboxed else str(prep.workspace)
    assert f"`{ws}`" in prep.prompt.text  # the prompt names the workspace as the agent sees it

    model = Scripted(
        [
            ("bash", {"command": "pwd"}),
            ("read_file", {"path": f"{ws}/run.py"}),
            ("write_file", {"path": "notes.txt", "content": "x"}),
            ("submit", {"results": EXPECTED}),
        ]
    )
    result = ReactAgent(model, tmp_path / "attempt").run(
        prep.workspace, prep.prompt, sandbox, Budget(max_wall_s=60)
    )
    assert result.ended_by == "submitted"

    texts = descriptions(model.tools)
    assert texts and not [t for t in texts if ABSOLUTE_PATH.search(t)], texts
    assert "workspace" in " ".join(texts)
    steps = json.loads((tmp_path / "attempt" / "trajectory.json").read_text())["steps"]
    tools = [s["content"] for s in steps if s["kind"] == "tool"]
    assert f"stdout:\n{ws}" in tools[0]  # bash starts in the workspace the prompt names
    assert "def main" in tools[1]  # read_file takes its absolute paths
    assert (prep.workspace / "notes.txt").read_text() == "x"  # relative paths are the workspace's
