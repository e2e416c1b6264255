"""What `autoexp build` reports: per experiment, per candidate function, per hidden proposal,
and what the author should review."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from autoexp.builder._calls import FunctionCalls
from autoexp.builder._choose import Candidate
from autoexp.builder._validate import TaskValidation
from autoexp.difftest import RecordSummary
from autoexp.errors import AutoexpError

BUILD_SCHEMA = 1
"""Version of hidden/build.json this autoexp writes."""


class BuildError(AutoexpError):
    """The repository and commands cannot become a task (a command fails, prints no number,
    nothing is maskable); the message says which and why."""


class ExperimentReport(BaseModel):
    """What the build found for one visible experiment."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Experiment id."""
    command: str
    """Its command."""
    metrics_source: str
    """`json` (the last JSON line of stdout) or `text` (numbers of the output, by regex)."""
    metrics: list[str]
    """Metric names."""
    dropped_metrics: list[str] = Field(default_factory=list)
    """Numbers of the output not taken as metrics, and why."""
    noisy: list[str] = Field(default_factory=list)
    """Metrics that varied over the repeated runs (loose tolerances)."""
    runs: int = 0
    """Plain runs the tolerances were calibrated on."""
    seconds: float = 0.0
    """Wall time of its first plain run."""
    functions: dict[str, FunctionCalls] = Field(default_factory=dict)
    """Every repository function the command executed, with its calls and times."""


class HiddenReport(BaseModel):
    """One proposed hidden experiment and what became of it."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Proposed id."""
    of: str
    """Visible experiment it varies."""
    command: str
    """Its command."""
    kept: bool
    """Written to task.yaml."""
    reason: str = ""
    """Why it was not kept."""


class BuildResult(BaseModel):
    """Outcome of `build_task`, also written to the task's hidden/build.json."""

    model_config = ConfigDict(use_attribute_docstrings=True, populate_by_name=True)

    schema_: int = Field(default=BUILD_SCHEMA, alias="schema")
    """Version of this record's format."""
    task: str
    """Task id."""
    path: str
    """The task directory written."""
    experiments: list[ExperimentReport] = Field(default_factory=list)
    """The visible experiments."""
    candidates: list[Candidate] = Field(default_factory=list)
    """Functions considered, the chosen ones first in rank order."""
    hidden: list[HiddenReport] = Field(default_factory=list)
    """Hidden experiments proposed."""
    descriptions: dict[str, str] = Field(default_factory=dict)
    """Function id -> where its description came from (`docstring`, `model`, `todo`)."""
    samples: RecordSummary | None = None
    """The differential samples recorded (None: not recorded)."""
    review: list[str] = Field(default_factory=list)
    """What the author should look at in task.yaml."""
    validation: TaskValidation | None = None
    """`autoexp tasks validate` of the new task (None: not run)."""

    @property
    def ok(self) -> bool:
        """Validated without a failed check."""
        return self.validation is not None and self.validation.ok
