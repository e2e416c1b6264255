"""Agent registry: builds an agent from its spec inside a worker process.

An agent name is one of AGENTS, or the name of a preset (`autoexp.agents._presets`): a
recipe over the command agent, such as `mini-swe-agent`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from autoexp.agents._basic import NoopAgent, OracleAgent
from autoexp.agents._checks import sandbox_preflight
from autoexp.agents._command import CommandAgent
from autoexp.agents._factories import (
    check_agentless,
    check_command,
    check_preset,
    check_react,
    make_agentless,
    make_command,
    make_preset,
    make_react,
    model_config_from_spec,
)
from autoexp.agents._presets import find_preset, presets
from autoexp.agents._types import AgentSpec
from autoexp.errors import ConfigError
from autoexp.models._openai import ModelConfig, endpoint_url
from autoexp.models._preflight import check_models
from autoexp.protocols import Agent
from autoexp.sandbox._types import SandboxConfig
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
"""Names of agents that need `--model` and whose endpoint autoexp calls itself."""

AGENT_CHECKS: dict[str, Callable[[AgentSpec], None]] = {
    "react": check_react,
    "agentless": check_agentless,
    "command": check_command,
}
"""Agent name -> check(spec) raising ConfigError: what its factory would reject, found without
a task or an attempt (agents without a check need no configuration)."""


def _unknown(name: str) -> ConfigError:
    known = ", ".join(sorted(AGENTS))
    names = ", ".join(sorted(presets()))
    return ConfigError(
        f"unknown agent {name!r}; known agents: {known}; presets: {names or 'none'} "
        "(autoexp agents list)"
    )


def validate_agent_spec(spec: AgentSpec) -> None:
    """Check, before any attempt starts, that `spec` builds: the agent is known, its options
    parse into its typed options model (a key no agent knows is rejected), a model-driven agent
    has a model and an API key (a base_url needs none), a command agent's template is valid and
    its --agent-env variables are set, a preset is installed.

    Raises ConfigError naming the agent and the field. Makes no request (see `preflight`).
    """
    if spec.name not in AGENTS:
        if find_preset(spec.name) is None:
            raise _unknown(spec.name)
        check_preset(spec)
        return
    check = AGENT_CHECKS.get(spec.name)
    if check is not None:
        check(spec)


def is_command_agent(name: str) -> bool:
    """Whether `name` runs an external program: the command agent or a preset."""
    return name == "command" or (name not in AGENTS and find_preset(name) is not None)


def preflight(
    specs: Iterable[AgentSpec], sandbox: SandboxConfig | None = None, backend: str = "auto"
) -> list[str]:
    """Check each distinct endpoint of the model-driven agents among `specs` with one cheap
    request (no retries, short timeout): it answers and lists every model asked of it (a server
    that lists no models gets a 1-token completion per model instead; see `check_models`).
    Then each command agent and preset, in a sandbox of `sandbox` (the run's config) with its
    own mounts and environment: its program resolves, and with network its `--base-url`
    answers from inside (`sandbox_preflight`).

    Returns the endpoints checked; raises EndpointError naming the first endpoint that does not
    answer, or the endpoint and the model it does not serve; ConfigError for a program that is
    not there or an endpoint the agent cannot reach without network.
    """
    specs = list(specs)
    endpoints: dict[tuple[str, str], list[ModelConfig]] = {}
    for spec in specs:
        if spec.name in MODEL_AGENTS:
            key = (endpoint_url(spec.base_url), spec.api_key_env)
            endpoints.setdefault(key, []).append(model_config_from_spec(spec))
    checked = [check_models(configs) for configs in endpoints.values()]
    commands = [s for s in specs if is_command_agent(s.name)]
    if commands:
        checked += _command_preflight(commands, sandbox or SandboxConfig(), backend)
    return checked


def _command_preflight(specs: list[AgentSpec], config: SandboxConfig, backend: str) -> list[str]:
    from autoexp.sandbox import make_sandbox

    sandbox = make_sandbox(config, backend=backend)
    workspace = Path(tempfile.mkdtemp(prefix="autoexp-preflight-"))
    workspace.chmod(0o755)
    checked: list[str] = []
    try:
        for spec in specs:
            agent = create_agent(spec, None, workspace)  # type: ignore[arg-type]  # unused
            assert isinstance(agent, CommandAgent)
            sandbox_preflight(agent, sandbox, workspace, spec.label)
            if agent.base_url and agent.options.network and agent.base_url not in checked:
                checked.append(agent.base_url)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    return checked


def create_agent(spec: AgentSpec, task: Task, attempt_dir: Path) -> Agent:
    """Build the agent named by `spec` for one attempt on `task`."""
    factory = AGENTS.get(spec.name)
    if factory is None:
        if find_preset(spec.name) is None:
            raise _unknown(spec.name)
        factory = make_preset
    return factory(spec, task, attempt_dir)
