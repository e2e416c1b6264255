"""Agent registry: builds an agent from its spec inside a worker process."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from autoexp.agents._basic import NoopAgent, OracleAgent
from autoexp.agents._factories import (
    check_agentless,
    check_command,
    check_react,
    make_agentless,
    make_command,
    make_react,
    model_config_from_spec,
)
from autoexp.agents._types import AgentSpec
from autoexp.errors import ConfigError
from autoexp.models._openai import ModelConfig, endpoint_url
from autoexp.models._preflight import check_models
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

AGENT_CHECKS: dict[str, Callable[[AgentSpec], None]] = {
    "react": check_react,
    "agentless": check_agentless,
    "command": check_command,
}
"""Agent name -> check(spec) raising ConfigError: what its factory would reject, found without
a task or an attempt (agents without a check need no configuration)."""


def _unknown(name: str) -> ConfigError:
    return ConfigError(f"unknown agent {name!r}; known agents: {', '.join(sorted(AGENTS))}")


def validate_agent_spec(spec: AgentSpec) -> None:
    """Check, before any attempt starts, that `spec` builds: the agent is known, its options
    parse into its typed options model (a key no agent knows is rejected), a model-driven agent
    has a model and an API key (a base_url needs none), a command agent's template is valid.

    Raises ConfigError naming the agent and the field. Makes no request (see `preflight`).
    """
    if spec.name not in AGENTS:
        raise _unknown(spec.name)
    check = AGENT_CHECKS.get(spec.name)
    if check is not None:
        check(spec)


def preflight(specs: Iterable[AgentSpec]) -> list[str]:
    """Check each distinct endpoint of the model-driven agents among `specs` (command agents
    reach their own API and are skipped) with one cheap request (no retries, short timeout): it
    answers and lists every model asked of it (a server that lists no models gets a 1-token
    completion per model instead; see `check_models`).

    Returns the endpoints checked; raises EndpointError naming the first endpoint that does not
    answer, or the endpoint and the model it does not serve.
    """
    endpoints: dict[tuple[str, str], list[ModelConfig]] = {}
    for spec in specs:
        if spec.name in MODEL_AGENTS:
            key = (endpoint_url(spec.base_url), spec.api_key_env)
            endpoints.setdefault(key, []).append(model_config_from_spec(spec))
    return [check_models(configs) for configs in endpoints.values()]


def create_agent(spec: AgentSpec, task: Task, attempt_dir: Path) -> Agent:
    """Build the agent named by `spec` for one attempt on `task`."""
    try:
        factory = AGENTS[spec.name]
    except KeyError:
        raise _unknown(spec.name) from None
    return factory(spec, task, attempt_dir)
