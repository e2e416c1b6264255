"""Factories of the model-driven and command agents, as the registry calls them.

AgentSpec.options is one flat dict shared by the model (ModelConfig fields) and the agent (its
options model). A run may give the same options to several agents (e.g. `tool_format` from the
CLI to agentless too), so a key that belongs to another agent kind is ignored; a key no agent
knows is an error (a typo should not pass silently).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from autoexp.agents._agentless import AgentlessAgent, AgentlessOptions
from autoexp.agents._command import CommandAgent, CommandOptions, check_template
from autoexp.agents._react import ReactAgent, ReactOptions
from autoexp.agents._types import AgentSpec
from autoexp.errors import AutoexpError, ConfigError
from autoexp.models._openai import MODEL_OPTION_KEYS, ModelConfig, OpenAIModel, field_errors
from autoexp.tasks._model import Task

_OPTION_MODELS: tuple[type[BaseModel], ...] = (ReactOptions, AgentlessOptions, CommandOptions)
KNOWN_OPTIONS = frozenset(MODEL_OPTION_KEYS).union(*(m.model_fields for m in _OPTION_MODELS))
"""Every key AgentSpec.options may hold, for any agent."""


def model_config_from_spec(spec: AgentSpec) -> ModelConfig:
    """The ModelConfig of an agent spec: its model, base_url, key variable and the model options
    among spec.options (MODEL_OPTION_KEYS). Raises ConfigError naming the agent."""
    if not spec.model:
        raise ConfigError(
            f"agent {spec.name!r} needs a model (--model NAME or --agent {spec.name}:MODEL)"
        )
    opts = {k: v for k, v in spec.options.items() if k in MODEL_OPTION_KEYS}
    try:
        return ModelConfig(
            name=spec.model, base_url=spec.base_url, api_key_env=spec.api_key_env, **opts
        )
    except ValidationError as e:
        raise ConfigError(
            f"agent {spec.name} (model {spec.model}): invalid model option: {field_errors(e)}"
        ) from None


def agent_options(spec: AgentSpec, kind: type[BaseModel]) -> Any:
    """The options model `kind` from spec.options (keys of other agents and of the model are
    ignored; keys nobody knows are rejected)."""
    unknown = sorted(set(spec.options) - KNOWN_OPTIONS)
    if unknown:
        raise ConfigError(
            f"agent {spec.name}: unknown option(s) {', '.join(unknown)}; known options: "
            + ", ".join(sorted(KNOWN_OPTIONS))
        )
    mine = {k: v for k, v in spec.options.items() if k in kind.model_fields}
    try:
        return kind(**mine)
    except ValidationError as e:
        raise ConfigError(f"agent {spec.name}: invalid option: {field_errors(e)}") from None


def check_model(spec: AgentSpec) -> None:
    """Build (without any request) the model client of a model-driven agent: its model, model
    options, prices file and API key (a base_url needs none). Raises ConfigError."""
    config = model_config_from_spec(spec)
    try:
        OpenAIModel(config)
    except AutoexpError as e:
        raise ConfigError(f"agent {spec.name} (model {spec.model}): {e}") from None


def check_react(spec: AgentSpec) -> None:
    """Check a react spec as `make_react` would build it (ConfigError)."""
    agent_options(spec, ReactOptions)
    check_model(spec)


def check_agentless(spec: AgentSpec) -> None:
    """Check an agentless spec as `make_agentless` would build it (ConfigError)."""
    agent_options(spec, AgentlessOptions)
    check_model(spec)


def check_command(spec: AgentSpec) -> None:
    """Check a command spec as `make_command` would build it: cmd given, template valid."""
    if not spec.options.get("cmd"):
        raise ConfigError(
            "agent command needs the option cmd (--agent-cmd 'mycli --prompt-file "
            "{prompt_file} --cwd {workspace}')"
        )
    options = agent_options(spec, CommandOptions)
    try:
        check_template(options.cmd)
    except AutoexpError as e:
        raise ConfigError(f"agent command: option cmd: {e}") from None


def make_react(spec: AgentSpec, task: Task, attempt_dir: Path) -> ReactAgent:
    """The react agent of a spec (model options and agent options both from spec.options)."""
    options = agent_options(spec, ReactOptions)
    return ReactAgent(OpenAIModel(model_config_from_spec(spec)), attempt_dir, options)


def make_agentless(spec: AgentSpec, task: Task, attempt_dir: Path) -> AgentlessAgent:
    """The agentless agent of a spec."""
    options = agent_options(spec, AgentlessOptions)
    return AgentlessAgent(OpenAIModel(model_config_from_spec(spec)), task, attempt_dir, options)


def make_command(spec: AgentSpec, task: Task, attempt_dir: Path) -> CommandAgent:
    """The command agent of a spec (option `cmd` is required)."""
    if not spec.options.get("cmd"):
        raise AutoexpError(
            "the command agent needs the option cmd (a command template such as "
            "'mycli --prompt-file {prompt_file} --cwd {workspace}')"
        )
    options = agent_options(spec, CommandOptions)
    return CommandAgent(options, attempt_dir, model=spec.model, base_url=spec.base_url)
