"""Factories of the model-driven and command agents, as the registry calls them.

AgentSpec.options is one flat dict shared by the model (ModelConfig fields) and the agent (its
options model). A run may give the same options to several agents (e.g. `tool_format` from the
CLI to agentless too), so a key that belongs to another agent kind is ignored; a key no agent
knows is an error (a typo should not pass silently).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from autoexp.agents._agentless import AgentlessAgent, AgentlessOptions
from autoexp.agents._checks import check_host_env
from autoexp.agents._command import CommandAgent, CommandOptions, check_template
from autoexp.agents._install import require_installed
from autoexp.agents._presets import Preset, find_preset
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
    check_host_env(spec.label, options.pass_env)


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
    return CommandAgent(
        options, attempt_dir, model=spec.model, base_url=spec.base_url, api_key_env=spec.api_key_env
    )


def _preset_of(spec: AgentSpec) -> Preset:
    preset = find_preset(spec.name)
    if preset is None:
        raise ConfigError(f"unknown agent {spec.name!r}")
    return preset


def preset_options(spec: AgentSpec, preset: Preset) -> CommandOptions:
    """The command options of a preset agent: the preset's command line, environment, budget
    arguments and usage format, with the spec's `network`, `env` and `pass_env` added (its
    `cmd` belongs to a `command` agent of the same run and is ignored). ConfigError when the
    preset is not installed or an option is unknown."""
    unknown = sorted(set(spec.options) - KNOWN_OPTIONS)
    if unknown:
        raise ConfigError(f"agent {spec.name}: unknown option(s) {', '.join(unknown)}")
    tool = require_installed(preset)
    try:
        given = CommandOptions(
            cmd="x", **{k: v for k, v in spec.options.items() if k in _PRESET_OVERRIDES}
        )
    except ValidationError as e:
        raise ConfigError(f"agent {spec.name}: invalid option: {field_errors(e)}") from None
    return CommandOptions(
        cmd=preset.cmd,
        network=preset.network or given.network,
        env={**preset.env, **given.env},
        pass_env=list(dict.fromkeys(given.pass_env)),
        args_when_set=dict(preset.args_when_set),
        api_key_var=preset.api_key_var,
        tool_dir=tool,
        usage_format=preset.usage,
        tool_trajectory=preset.trajectory,
    )


_PRESET_OVERRIDES = ("network", "env", "pass_env")
"""The options a run may add to a preset's."""


def check_preset(spec: AgentSpec) -> None:
    """Check a preset agent's spec as `make_preset` would build it, without running anything:
    model given when it needs one, installed, options valid, --agent-env set, API key there
    (or a base URL). Raises ConfigError."""
    preset = _preset_of(spec)
    if preset.needs_model and not spec.model:
        raise ConfigError(
            f"agent {spec.name} needs a model (--model NAME or --agent {spec.name}:MODEL)"
        )
    options = preset_options(spec, preset)
    check_host_env(spec.name, options.pass_env)
    if preset.api_key_var and not spec.base_url and not os.environ.get(spec.api_key_env):
        raise ConfigError(
            f"agent {spec.name}: no API key: ${spec.api_key_env} is not set (--api-key-env names "
            "another variable; with --base-url a local server needs none)"
        )
    try:
        check_template(options.cmd)
    except AutoexpError as e:
        raise ConfigError(f"agent {spec.name}: preset {preset.source}: {e}") from None


def make_preset(spec: AgentSpec, task: Task, attempt_dir: Path) -> CommandAgent:
    """The command agent a preset describes, for one attempt."""
    preset = _preset_of(spec)
    return CommandAgent(
        preset_options(spec, preset),
        attempt_dir,
        model=spec.model,
        base_url=spec.base_url,
        api_key_env=spec.api_key_env,
        name=spec.name,
    )
