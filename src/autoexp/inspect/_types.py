"""What the Inspect task hands its sandbox and scorer: per-sample metadata and sandbox config."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from autoexp.agents._types import Budget, Setting
from autoexp.grading._types import IntegrityMode

AGENT_NAME = "inspect"
"""The agent name of Inspect samples (their sessions' prompts, imported runs' records)."""
GRADE_KEY = "autoexp_grade"
"""Key of the autoexp grade (Grade as JSON) in a Score's metadata."""
REPORTED_KEY = "autoexp_reported"
"""Key of what the sample submitted (results JSON or None) in a Score's metadata."""
ISOLATION_KEY = "autoexp_isolation"
"""Key of the sandbox isolation level used, in a Score's metadata."""
SCORER_NAME = "autoexp_scorer"
"""Unqualified name of autoexp's scorer, as the log's sample scores are keyed."""


class SampleInfo(BaseModel):
    """A sample's metadata: which (task, combo) it is, enough to open its session."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    task_id: str
    """Task id."""
    task_root: str
    """Task directory on the host."""
    combo: tuple[str, ...]
    """Masked function ids (sorted)."""
    setting: Setting = Field(default_factory=Setting)
    """Information setting of the prompt."""
    budget: Budget = Field(default_factory=Budget)
    """Budget the prompt states."""
    integrity: IntegrityMode = IntegrityMode.STRICT
    """Whether an integrity finding fails the sample (strict) or is only flagged (warn)."""
    seed: int = 0
    """Seed the combo was drawn with."""


class AutoexpSandboxConfig(BaseModel):
    """Config of the `autoexp` sandbox environment (the task's `sandbox=("autoexp", config)`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    backend: str = "auto"
    """autoexp sandbox backend: auto (bubblewrap when it can run), bwrap or none."""
    command_timeout_s: float = Field(default=600.0, gt=0)
    """Timeout of a command the solver runs without giving one."""
