"""Data types shared by all agents: what they get and what they return."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


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
    ended_by: str | None = None
    """Set when a budget or end state stopped the agent (e.g. 'budget:max_steps')."""
