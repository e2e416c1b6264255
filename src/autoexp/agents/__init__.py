"""Agents: the Agent protocol's implementations and the prompt they get."""

from autoexp.agents._agentless import AgentlessAgent, AgentlessOptions, parse_answer, write_bodies
from autoexp.agents._basic import NoopAgent, OracleAgent
from autoexp.agents._callgraph import CodeContext, ContextItem, build_context
from autoexp.agents._command import CommandAgent, CommandOptions
from autoexp.agents._prompt import budget_lines, render_prompt
from autoexp.agents._react import ReactAgent, ReactOptions, ToolFormat
from autoexp.agents._registry import (
    AGENT_CHECKS,
    AGENTS,
    MODEL_AGENTS,
    create_agent,
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

__all__ = [
    "AGENTS",
    "AGENT_CHECKS",
    "MODEL_AGENTS",
    "TOOL_SPECS",
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
    "Prompt",
    "ReactAgent",
    "ReactOptions",
    "Setting",
    "ToolFormat",
    "budget_lines",
    "build_context",
    "create_agent",
    "parse_answer",
    "parse_text_calls",
    "preflight",
    "render_prompt",
    "resolve_in_workspace",
    "validate_agent_spec",
    "write_bodies",
]
