"""Data types of runs: the plan's attempts and their stored records."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autoexp.agents._types import AgentSpec, Budget, Setting
from autoexp.grading._types import Grade, IntegrityMode, Reason, Status

RECORD_SCHEMA = 1
"""Version of the attempt record stored in results.sqlite and attempts/<id>/attempt.json."""


class AttemptSpec(BaseModel):
    """One planned attempt: agent x task x combo x trial."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    task_id: str
    """Task id."""
    task_root: str
    """Task directory on the host."""
    agent: AgentSpec
    """The agent."""
    combo: tuple[str, ...]
    """Masked function ids (sorted); empty for n = 0."""
    trial: int
    """Trial index, 0-based."""
    setting: Setting = Field(default_factory=Setting)
    """Information setting."""
    budget: Budget = Field(default_factory=Budget)
    """Budgets for the agent."""
    seed: int = 0
    """Seed of the run (agents that sample use seed + trial)."""
    integrity: IntegrityMode = IntegrityMode.STRICT
    """Whether an integrity finding fails the attempt (strict) or is only flagged (warn)."""

    @property
    def n(self) -> int:
        """Number of masked functions."""
        return len(self.combo)

    @property
    def attempt_id(self) -> str:
        """Deterministic id: same plan, same ids (used for resume)."""
        key = "|".join([self.task_id, self.agent.label, self.setting.label, *self.combo])
        h = hashlib.sha1(key.encode()).hexdigest()[:8]
        agent = self.agent.label.replace(":", "-").replace("/", "_")
        return f"{self.task_id}.{agent}.n{self.n}.{h}.t{self.trial}"


class AttemptRecord(BaseModel):
    """One finished (or failed-to-run) attempt, as stored."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    schema_version: int = RECORD_SCHEMA
    """Record format version."""
    attempt_id: str
    """See AttemptSpec.attempt_id."""
    spec: AttemptSpec
    """What was planned."""
    status: Status
    """Final status."""
    reason: Reason = Reason.NONE
    """Why it did not pass."""
    grade: Grade | None = None
    """Full grade (None for infra errors before grading)."""
    reported: dict[str, dict[str, float]] | None = None
    """What the agent submitted."""
    verified: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    """Metrics measured on re-execution: experiment -> metric -> value."""
    fabricated: bool = False
    """Reported passes, verified does not."""
    edited_outside_mask: bool = False
    """Agent edited code outside the masked bodies."""
    model: str | None = None
    """Model used."""
    tokens_in: int = 0
    """Prompt tokens."""
    tokens_out: int = 0
    """Completion tokens."""
    cost_usd: float | None = 0.0
    """Dollars (None: unknown price)."""
    steps: int = 0
    """Model calls."""
    wall_s: float = 0.0
    """Wall time of the whole attempt (prepare, agent, verify)."""
    agent_wall_s: float = 0.0
    """Wall time of the agent alone."""
    isolation: str = "bubblewrap"
    """Sandbox isolation level used."""
    machine: dict[str, Any] = Field(default_factory=dict)
    """Host facts: platform, python, cpu count, hostname."""
    error: str | None = None
    """Error text for infra and grader errors."""
    retries: int = 0
    """How many times this attempt was retried after infra errors."""
    started_at: str = ""
    """ISO time the attempt started."""
    finished_at: str = ""
    """ISO time the attempt finished."""
