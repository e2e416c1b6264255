"""Data types of runs: the plan's attempts and their stored records."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from autoexp.agents._types import AgentSpec, Budget, Setting
from autoexp.grading._types import Grade, IntegrityMode, Reason, Status

RECORD_SCHEMA = 2
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
    """One finished (or failed-to-run) attempt, as stored.

    Status, reason, flags and verified metrics are read from `grade`, the one source; they are
    also written out (computed fields) so stored JSON can be read without autoexp.
    """

    model_config = ConfigDict(use_attribute_docstrings=True)

    schema_version: int = RECORD_SCHEMA
    """Record format version (older versions are migrated on reading)."""
    attempt_id: str
    """See AttemptSpec.attempt_id."""
    spec: AttemptSpec
    """What was planned."""
    grade: Grade
    """The grade: status, reason, flags and per-experiment outcomes (infra and grader errors
    have a grade with only status, reason and detail)."""
    history: list[Grade] = Field(default_factory=list)
    """Earlier grades of this attempt, oldest first (`autoexp regrade` appends here)."""
    reported: dict[str, dict[str, float]] | None = None
    """What the agent submitted."""
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
    """Error text for infra and grader errors, and the agent's own error (reason agent_error,
    e.g. a CLI agent that exited at once: its exit code and the end of its log)."""
    retries: int = 0
    """How many times this attempt was retried after infra errors."""
    started_at: str = ""
    """ISO time the attempt started."""
    finished_at: str = ""
    """ISO time the attempt finished."""

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        """Schema 1 kept status, reason and flags beside the grade (which infra errors lacked)."""
        if not isinstance(data, dict) or data.get("schema_version", RECORD_SCHEMA) >= 2:
            return data
        data = dict(data)
        if data.get("grade") is None:
            data["grade"] = {
                "status": data.get("status"),
                "reason": data.get("reason", Reason.NONE.value),
                "detail": data.get("error") or "",
            }
        data["schema_version"] = RECORD_SCHEMA
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Status:
        """Final status (from the grade)."""
        return self.grade.status

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reason(self) -> Reason:
        """Why it did not pass (from the grade)."""
        return self.grade.reason

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fabricated(self) -> bool:
        """Reported passes, verified does not (from the grade)."""
        return self.grade.fabricated

    @computed_field  # type: ignore[prop-decorator]
    @property
    def edited_outside_mask(self) -> bool:
        """The agent edited code outside the masked bodies (from the grade)."""
        return self.grade.edited_outside_mask

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verified(self) -> dict[str, dict[str, float | None]]:
        """Metrics measured on re-execution of the visible experiments: experiment -> metric ->
        value (from the grade)."""
        return {o.id: {k: m.verified for k, m in o.metrics.items()} for o in self.grade.experiments}


ROW_COLUMNS: dict[str, str] = {
    "attempt_id": "TEXT PRIMARY KEY",
    "task": "TEXT NOT NULL",
    "agent": "TEXT NOT NULL",
    "agent_name": "TEXT NOT NULL",
    "model": "TEXT",
    "setting": "TEXT NOT NULL",
    "n": "INTEGER NOT NULL",
    "combo": "JSON NOT NULL",
    "trial": "INTEGER NOT NULL",
    "status": "TEXT NOT NULL",
    "reason": "TEXT NOT NULL",
    "detail": "TEXT NOT NULL",
    "fabricated": "INTEGER NOT NULL",
    "edited_outside_mask": "INTEGER NOT NULL",
    "overfit": "INTEGER NOT NULL",
    "suspect": "INTEGER NOT NULL",
    "experiments_passed": "REAL NOT NULL",
    "hidden_passed": "TEXT",
    "functions_correct": "REAL",
    "functions": "JSON NOT NULL",
    "integrity": "JSON NOT NULL",
    "integrity_mode": "TEXT NOT NULL",
    "reported": "JSON",
    "verified": "JSON NOT NULL",
    "wall_s": "REAL NOT NULL",
    "agent_wall_s": "REAL NOT NULL",
    "tokens_in": "INTEGER NOT NULL",
    "tokens_out": "INTEGER NOT NULL",
    "cost_usd": "REAL",
    "steps": "INTEGER NOT NULL",
    "isolation": "TEXT NOT NULL",
    "retries": "INTEGER NOT NULL",
    "error": "TEXT",
    "grader": "TEXT NOT NULL",
    "graded_at": "TEXT NOT NULL",
    "started_at": "TEXT NOT NULL",
    "finished_at": "TEXT NOT NULL",
}
"""The flat row of an attempt: name -> SQL column type (`JSON`: a list or dict, stored as JSON
text). The store's columns, `autoexp attempts --json` and the report's table all use it."""


def attempt_row(record: AttemptRecord) -> dict[str, Any]:
    """The flat row of one attempt, keys in ROW_COLUMNS order (JSON-able values)."""
    s, g = record.spec, record.grade
    hidden = f"{sum(o.passed for o in g.hidden)}/{len(g.hidden)}" if g.hidden else None
    if hidden is None and g.heldout == "unavailable":
        hidden = "unavailable"
    return {
        "attempt_id": record.attempt_id,
        "task": s.task_id,
        "agent": s.agent.label,
        "agent_name": s.agent.name,
        "model": record.model or s.agent.model,
        "setting": s.setting.label,
        "n": s.n,
        "combo": list(s.combo),
        "trial": s.trial,
        "status": g.status.value,
        "reason": g.reason.value,
        "detail": g.detail,
        "fabricated": g.fabricated,
        "edited_outside_mask": g.edited_outside_mask,
        "overfit": g.overfit,
        "suspect": g.suspect,
        "experiments_passed": g.experiments_passed,
        "hidden_passed": hidden,
        "functions_correct": g.functions_correct,
        "functions": {f.function: f.verdict.value for f in g.functions},
        "integrity": [f.model_dump(mode="json") for f in g.integrity],
        "integrity_mode": s.integrity.value,
        "reported": record.reported,
        "verified": record.verified,
        "wall_s": record.wall_s,
        "agent_wall_s": record.agent_wall_s,
        "tokens_in": record.tokens_in,
        "tokens_out": record.tokens_out,
        "cost_usd": record.cost_usd,
        "steps": record.steps,
        "isolation": record.isolation,
        "retries": record.retries,
        "error": record.error,
        "grader": g.grader,
        "graded_at": g.graded_at,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
    }
