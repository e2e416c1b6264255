"""Agent registry: builds an agent from its spec inside a worker process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from autoexp.agents._basic import NoopAgent, OracleAgent
from autoexp.agents._factories import make_agentless, make_command, make_react
from autoexp.agents._types import AgentSpec
from autoexp.errors import AutoexpError
from autoexp.protocols import Agent
from autoexp.tasks._model import Task

AgentFactory = Callable[[AgentSpec, Task, Path], Agent]

AGENTS: dict[str, AgentFactory] = {
    "oracle": lambda spec, task, attempt_dir: OracleAgent(task),
    "noop": lambda spec, task, attempt_dir: NoopAgent(),
    "react": make_react,
    "agentless": make_agentless,
    "command": make_command,
}
"""Agent name -> factory(spec, task, attempt_dir). attempt_dir is where the agent may write
trajectory.json and logs (never inside the workspace). Model-driven agents register here."""

MODEL_AGENTS: set[str] = {"react", "agentless"}
"""Names of agents that need `--model`."""


def create_agent(spec: AgentSpec, task: Task, attempt_dir: Path) -> Agent:
    """Build the agent named by `spec` for one attempt on `task`."""
    try:
        factory = AGENTS[spec.name]
    except KeyError:
        raise AutoexpError(
            f"unknown agent {spec.name!r}; known agents: {', '.join(sorted(AGENTS))}"
        ) from None
    return factory(spec, task, attempt_dir)
