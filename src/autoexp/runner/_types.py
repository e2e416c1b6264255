"""Data types of runs: the plan's attempts and their stored records."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autoexp.agents._types import Budget
from autoexp.grading._types import Grade, Reason, Status

RECORD_SCHEMA = 1
"""Version of the attempt record stored in results.sqlite and attempts/<id>/attempt.json."""


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
    """What the agent is given besides the masked code (the second difficulty dial)."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    commands: str = "given"
    """`given`: experiment commands are in the prompt; `hidden`: only their descriptions."""
    paper: str = "full"
    """`full`, `none` or `excerpts` (only passages relevant to the masked functions)."""
    descriptions: bool = True
    """Masked functions keep their description as docstring (False: signature only)."""

    @property
    def label(self) -> str:
        """Short name: the preset's name when it matches one, else the switches."""
        if self == Setting():
            return "pc+cmd"
        if self == Setting(commands="hidden"):
            return "pc"
        desc = "on" if self.descriptions else "off"
        return f"cmd={self.commands},paper={self.paper},desc={desc}"


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
