"""What goes in and out of an environment: its configuration, actions and observations."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autoexp.agents._tools import TOOL_SPECS, ToolOptions
from autoexp.agents._types import Setting
from autoexp.env._reward import RewardConfig
from autoexp.errors import AutoexpError
from autoexp.grading import IntegrityMode
from autoexp.sandbox._types import SandboxConfig

TOOLS: list[dict[str, Any]] = TOOL_SPECS
"""The actions' tools in the OpenAI `tools` format: the react agent's own (bash, read_file,
write_file, edit_file, submit)."""

GRADE_TOOL = "grade"
"""The extra action of `EnvConfig.grade_action`: grade the workspace now and go on."""

GRADE_SPEC: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": GRADE_TOOL,
        "description": "Grade the workspace as it is now and continue; returns the fractions "
        "of experiments and tests that pass.",
        "parameters": {"type": "object", "properties": {}, "required": []},
    },
}
"""The `grade` tool in the OpenAI `tools` format."""


class EnvError(AutoexpError):
    """An environment was used out of order: `step` before `reset`, or after its episode
    ended."""


class EnvConfig(BaseModel):
    """How a ResearchEnv prepares, limits and rewards its episodes."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    max_steps: int = Field(default=50, gt=0)
    """Actions per episode; the episode is truncated (and graded) at the last one."""
    max_wall_s: float = Field(default=1800.0, gt=0)
    """Seconds of command time per episode; the episode is truncated (and graded) when spent."""
    n: int = Field(default=1, ge=0)
    """Functions masked when `reset` draws the combo itself."""
    setting: Setting = Field(default_factory=Setting)
    """What the prompt gives besides the masked code (paper, commands, descriptions)."""
    integrity: IntegrityMode = IntegrityMode.STRICT
    """The grade's integrity mode (the reward counts any finding as a violation either way)."""
    tools: ToolOptions = Field(default_factory=ToolOptions)
    """Limits of the tools (output characters returned, timeout of one command)."""
    grade_action: bool = False
    """Offer the action `grade`: it grades the workspace without ending the episode and is
    rewarded with the change in reward since the last grade (so an episode's rewards still sum
    to its final reward)."""
    reward: RewardConfig = Field(default_factory=RewardConfig)
    """How the grade becomes the reward."""
    sandbox: SandboxConfig = Field(default_factory=SandboxConfig)
    """Sandbox limits."""
    backend: str = "auto"
    """Sandbox backend: auto, bwrap or none."""


class Action(BaseModel):
    """One tool call: `{"tool": "bash", "arguments": {"command": "ls"}}`."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    tool: str
    """bash, read_file, write_file, edit_file or submit (see TOOLS)."""
    arguments: dict[str, Any] | str = Field(default_factory=dict)
    """The tool's arguments: an object, or its JSON text (as a model writes it)."""


class Observation(BaseModel):
    """What the policy sees after `reset` and after every `step`."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    prompt: str
    """The task prompt, as an agent is first given it (the same in every observation)."""
    output: str = ""
    """What the last action returned (a tool's output, or `Error: ...`); '' after reset."""
    tool: str | None = None
    """The last action's tool (None after reset)."""
    error: bool = False
    """The last action failed (unknown tool, bad arguments, tool error)."""
    step: int = 0
    """Actions taken in this episode."""
    steps_left: int
    """Actions left before the episode is truncated."""
