"""Agents: the Agent protocol's implementations and the prompt they get."""

from autoexp.agents._agentless import AgentlessAgent, AgentlessOptions, parse_answer, write_bodies
from autoexp.agents._basic import NoopAgent, OracleAgent
from autoexp.agents._callgraph import CodeContext, ContextItem, build_context
from autoexp.agents._command import AgentExited, CommandAgent, CommandOptions
from autoexp.agents._install import agents_dir, install, is_installed
from autoexp.agents._presets import Preset, UsageFormat, find_preset, presets
from autoexp.agents._prompt import budget_lines, render_prompt
from autoexp.agents._react import ReactAgent, ReactOptions, ToolFormat
from autoexp.agents._registry import (
    AGENT_CHECKS,
    AGENTS,
    MODEL_AGENTS,
    create_agent,
    is_command_agent,
    preflight,
    validate_agent_spec,
)
from autoexp.agents._tools import TOOL_SPECS, parse_text_calls, resolve_in_workspace
from autoexp.agents._types import (
    AgentResult,
    AgentSpec,
    Budget,
    ExperimentBrief,
    FunctionBrief,
    Prompt,
    Setting,
)
from autoexp.agents._usage import Usage, read_usage

__all__ = [
    "AGENTS",
    "AGENT_CHECKS",
    "MODEL_AGENTS",
    "TOOL_SPECS",
    "AgentExited",
    "AgentResult",
    "AgentSpec",
    "AgentlessAgent",
    "AgentlessOptions",
    "Budget",
    "CodeContext",
    "CommandAgent",
    "CommandOptions",
    "ContextItem",
    "ExperimentBrief",
    "FunctionBrief",
    "NoopAgent",
    "OracleAgent",
    "Preset",
    "Prompt",
    "ReactAgent",
    "ReactOptions",
    "Setting",
    "ToolFormat",
    "Usage",
    "UsageFormat",
    "agents_dir",
    "budget_lines",
    "build_context",
    "create_agent",
    "find_preset",
    "install",
    "is_command_agent",
    "is_installed",
    "parse_answer",
    "parse_text_calls",
    "preflight",
    "presets",
    "read_usage",
    "render_prompt",
    "resolve_in_workspace",
    "validate_agent_spec",
    "write_bodies",
]
