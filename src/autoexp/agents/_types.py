"""Data types shared by all agents: what they get and what they return."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from autoexp.grading import EndState


class Budget(BaseModel):
    """Limits on one attempt; an agent raises BudgetExceeded when one runs out."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    max_steps: int = Field(default=50, gt=0)
    """Model calls (ReAct steps) at most."""
    max_tokens: int | None = Field(default=None, gt=0)
    """Input + output tokens at most, summed over the attempt (None: no limit)."""
    max_cost: float | None = Field(default=None, gt=0)
    """Dollars at most (None: no limit)."""
    max_wall_s: float = Field(default=1800.0, gt=0)
    """Seconds of tool time (commands the agent runs) at most."""


class ExperimentBrief(BaseModel):
    """What the agent is told about one experiment."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Key of the experiment in the results JSON."""
    description: str
    """What the experiment does and reports."""
    command: str | None
    """Command that runs it from the workspace root; None when the setting hides commands."""
    metrics: list[str]
    """Metric names the results must give for this experiment."""


class FunctionBrief(BaseModel):
    """What the agent is told about one masked function."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """`path.py::Qual.name`."""
    description: str | None
    """The description kept as docstring; None when the setting drops descriptions."""


class Prompt(BaseModel):
    """Everything an agent is given, as text and as structure."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    text: str
    """The rendered prompt (jinja2 template of the agent)."""
    task_id: str
    """The task's id."""
    paper: str
    """The paper text the setting gives ('' when none)."""
    experiments: list[ExperimentBrief]
    """Experiments of this attempt."""
    functions: list[FunctionBrief]
    """Masked functions of this attempt."""
    results_file: str = "results.json"
    """Where, relative to the workspace, a file-submitting agent writes its results."""
    template: str = "default.md.j2"
    """The template `text` was rendered from (`default.md.j2`: the prompt asks the agent to
    submit by writing `results_file`)."""


class AgentResult(BaseModel):
    """What an agent returns when it ends normally."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    reported: dict[str, dict[str, float]] | None = None
    """Results the agent submits: experiment id -> metric -> value (None: nothing submitted)."""
    report_error: str | None = None
    """Why the submitted results were unusable (invalid JSON, wrong shape), if they were."""
    model: str | None = None
    """Model name, for model-driven agents."""
    tokens_in: int = 0
    """Prompt tokens, summed."""
    tokens_out: int = 0
    """Completion tokens, summed."""
    cost_usd: float | None = 0.0
    """Dollars spent; None when the model's price is unknown."""
    steps: int = 0
    """Model calls made."""
    trajectory: Path | None = None
    """Trajectory file written by the agent, if any."""
    ended_by: EndState | None = None
    """How the agent ended (`submitted`, `exited`, `budget:max_steps`, `format_errors`, ...)."""


class AgentSpec(BaseModel):
    """Which agent, with which model and options; enough to build it in a worker process."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    name: str
    """Agent kind: oracle, noop, agentless, react, command."""
    model: str | None = None
    """Model name for model-driven agents."""
    base_url: str | None = None
    """OpenAI-compatible endpoint (None: OPENAI_BASE_URL or the SDK's default)."""
    api_key_env: str = "OPENAI_API_KEY"
    """Environment variable holding the API key."""
    options: dict[str, Any] = Field(default_factory=dict)
    """Agent-specific options (e.g. `cmd` for the command agent, `tool_format` for react)."""

    @property
    def label(self) -> str:
        """Agent name plus model, as shown in tables: `react:gpt-4o`."""
        return f"{self.name}:{self.model}" if self.model else self.name


class Setting(BaseModel):
    """What the agent is given besides the masked code: the second difficulty dial.

    Presets (see `autoexp.settings.PRESETS`): `pc+cmd` (the default: partial code, commands
    given), `pc` (partial code, commands hidden), `reproduce` (nothing masked, commands hidden).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    commands: Literal["given", "hidden"] = "given"
    """`given`: experiment commands are in the prompt; `hidden`: only their descriptions (grading
    still re-runs the task's own commands)."""
    paper: Literal["full", "none", "excerpts"] = "full"
    """`full` paper, `none`, or `excerpts`: only the task's passages for the masked functions."""
    descriptions: bool = True
    """Masked functions keep their description as docstring (False: signature only)."""
    n: int | None = Field(default=None, ge=0)
    """Fixed number of masked functions for this setting (`reproduce`: 0); None: the run's --n."""

    @property
    def label(self) -> str:
        """Short name: the preset's name when it matches one, else the switches."""
        if self == Setting():
            return "pc+cmd"
        if self == Setting(commands="hidden"):
            return "pc"
        if self == Setting(commands="hidden", n=0):
            return "reproduce"
        parts = [f"cmd={self.commands}", f"paper={self.paper}"]
        parts.append(f"desc={'on' if self.descriptions else 'off'}")
        if self.n is not None:
            parts.append(f"n={self.n}")
        return ",".join(parts)


TRAJECTORY_SCHEMA = 1
"""Version of trajectory.json."""


class TrajectoryStep(BaseModel):
    """One step of an agent: a model call, a tool call and its output, or a note."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    index: int
    """0-based position in the trajectory."""
    kind: str
    """`model` (a model response), `tool` (a tool call's result), `note` (harness message)."""
    content: str | None = None
    """Model text, tool output or note text."""
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    """For `model` steps: the requested calls as {id, name, arguments}."""
    tool_name: str | None = None
    """For `tool` steps: which tool ran."""
    tool_args: dict[str, Any] | str | None = None
    """For `tool` steps: its arguments (raw string if they were not valid JSON)."""
    tokens_in: int = 0
    """Prompt tokens of this model call."""
    tokens_out: int = 0
    """Completion tokens of this model call."""
    cost_usd: float | None = 0.0
    """Cost of this model call (None: unknown price)."""
    started_at: float = 0.0
    """Unix time the step started."""
    duration_s: float = 0.0
    """Wall time of the step."""


class Trajectory(BaseModel):
    """Everything an agent did, saved to attempts/<id>/trajectory.json after every step."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    schema_version: int = TRAJECTORY_SCHEMA
    """trajectory.json format version."""
    agent: str
    """Agent label."""
    model: str | None = None
    """Model name."""
    prompt: str = ""
    """The prompt the agent got."""
    steps: list[TrajectoryStep] = Field(default_factory=list)
    """The steps, in order."""
    ended_by: EndState | None = None
    """How it ended: submitted, exited, budget:max_steps, format_errors, error:agent, ..."""

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename) so a crash leaves a readable file."""
        from autoexp._io import atomic_write_text

        atomic_write_text(path, self.model_dump_json(indent=1))
