"""Issue 11: `autoexp prepare --agent agentless` writes exactly what the agentless agent gives
its model: the prompt and the code around the masked functions."""

from __future__ import annotations

import shutil

import pytest

from autoexp.agents import AgentSpec, Budget, Prompt, create_agent
from autoexp.errors import ModelAPIError
from autoexp.models import FakeServer
from autoexp.tasks import load_task

from conftest import autoexp
from toyenv import TOY, toy_sandbox


def test_prepare_writes_the_agentless_agents_first_message(tmp_path):
    out = tmp_path / "prep"
    autoexp("prepare", str(TOY), "--functions", "stats.py::mean,stats.py::variance",
            "--agent", "agentless", "--out", str(out))  # fmt: skip
    written = (out / "prompt.md").read_text()
    prompt = Prompt.model_validate_json((out / "prompt.json").read_text())
    assert written.startswith(prompt.text.rstrip())
    assert "## Code around the masked functions" in written and "def mean(" in written

    # the real agent on that workspace and Prompt sends its model exactly prompt.md (the model
    # then refuses, so that nothing runs)
    workspace = shutil.copytree(out / "workspace", tmp_path / "workspace")
    with FakeServer([{"error": 400, "error_message": "enough"}]) as srv:
        spec = AgentSpec(name="agentless", model="fake", base_url=srv.base_url)
        agent = create_agent(spec, load_task(TOY), tmp_path / "attempt")
        with pytest.raises(ModelAPIError, match="enough"):
            agent.run(workspace, prompt, toy_sandbox(), Budget(max_wall_s=120))
        (request,) = srv.chat_requests()
    assert request["messages"] == [{"role": "user", "content": written}]
