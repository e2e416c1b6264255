"""The summary of a run: one row per (agent, model, setting, n), plus per-function difficulty."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

SUMMARY_SCHEMA = 1
"""Version of the summary JSON (`autoexp summary --json`)."""


class UsageSource(StrEnum):
    """Who counted an agent's tokens and cost."""

    METERED = "metered"
    """autoexp's own model client counted every request (react, agentless)."""
    SELF_REPORTED = "self-reported"
    """The agent wrote them itself ($AUTOEXP_USAGE, its own trajectory file): a CLI agent. They
    are as trustworthy as the agent is."""
    INSPECT = "inspect"
    """Inspect AI's model client counted them (a run imported from an Inspect log)."""
    NONE = "none"
    """The agent uses no model (oracle, noop)."""


USAGE_SOURCES: dict[str, UsageSource] = {
    "react": UsageSource.METERED,
    "agentless": UsageSource.METERED,
    "command": UsageSource.SELF_REPORTED,
    "inspect": UsageSource.INSPECT,
    "oracle": UsageSource.NONE,
    "noop": UsageSource.NONE,
}
"""Agent kind -> who counts its usage (a kind not listed is self-reported)."""


def usage_source(agent_name: str) -> UsageSource:
    """Who counted the tokens and cost of an agent of kind `agent_name`."""
    return USAGE_SOURCES.get(agent_name, UsageSource.SELF_REPORTED)


class SummaryRow(BaseModel):
    """Aggregates of the attempts of one agent, model and setting at one n (or all n pooled).

    Denominators (rates, per attempt, per success) count graded attempts only: `passed` and
    `failed`. Infra and grader errors are counted in their own columns.
    """

    model_config = ConfigDict(use_attribute_docstrings=True)

    run: str
    """Run label (the run directory's name)."""
    agent: str
    """Agent label, e.g. `react:gpt-4o`."""
    agent_name: str
    """Agent kind: oracle, noop, agentless, react, command."""
    model: str | None
    """Model used (None for agents without a model)."""
    setting: str
    """Information setting label, e.g. `pc+cmd`."""
    n: int | None
    """Number of masked functions (None: every n pooled)."""
    attempts: int
    """All attempts, whatever their status."""
    passed: int
    """Attempts whose every experiment reproduced on re-execution."""
    failed: int
    """Attempts that failed through the agent's fault."""
    infra_error: int
    """Attempts lost to sandbox, model API or network failures (not in denominators)."""
    grader_error: int
    """Attempts lost to a broken task or grader (not in denominators)."""
    graded: int
    """passed + failed: the denominator of rates."""
    success_rate: float | None
    """passed / graded (None: nothing graded)."""
    ci_low: float | None
    """Lower end of the Wilson 95 % interval of the success rate."""
    ci_high: float | None
    """Upper end of the Wilson 95 % interval of the success rate."""
    trials: int
    """Fewest graded trials of any (task, combo) group: the largest k of pass@k."""
    groups: int
    """(task, combo) groups with at least one graded trial."""
    pass_at_k: dict[int, float] = Field(default_factory=dict)
    """Unbiased pass@k averaged over (task, combo) groups, for k = 1..trials."""
    pass_hat_k: dict[int, float] = Field(default_factory=dict)
    """Unbiased pass^k (all k trials pass) averaged over groups, for k = 1..trials."""
    experiments_passed: float | None
    """Partial credit: mean fraction of an attempt's experiments that reproduced."""
    functions_correct: float | None
    """Partial credit: mean fraction of masked functions passing differential tests (None: no
    task of these attempts has them)."""
    fabricated: int
    """Graded attempts whose reported numbers pass while the verified ones do not."""
    fabrication_rate: float | None
    """fabricated / graded."""
    edited_outside_mask: int
    """Graded attempts that edited code outside the masked bodies."""
    overfit: int = 0
    """Graded attempts whose visible experiments pass while a hidden variant fails."""
    suspect: int = 0
    """Passed attempts with a masked function that fails its differential test."""
    integrity: int = 0
    """Graded attempts with at least one integrity finding (strict or warn)."""
    usage_source: UsageSource = UsageSource.NONE
    """Who counted the tokens and cost below: autoexp (`metered`) or the agent itself
    (`self-reported`, CLI agents)."""
    cost_usd: float | None
    """Dollars spent by all attempts (None: unknown for at least one attempt)."""
    cost_unknown: int
    """Attempts whose cost is unknown (no price for the model)."""
    cost_per_attempt: float | None
    """Dollars per graded attempt (None: unknown or nothing graded)."""
    cost_per_success: float | None
    """Dollars of the graded attempts per success (None: unknown or no success)."""
    tokens_in: int
    """Prompt tokens of all attempts."""
    tokens_out: int
    """Completion tokens of all attempts."""
    tokens_per_attempt: float | None
    """Prompt + completion tokens per graded attempt."""
    tokens_per_success: float | None
    """Prompt + completion tokens of the graded attempts per success."""
    wall_s: float
    """Wall time of all attempts, summed, in seconds."""
    wall_s_per_attempt: float | None
    """Seconds per graded attempt."""
    wall_s_per_success: float | None
    """Seconds of the graded attempts per success."""
    reasons: dict[str, int] = Field(default_factory=dict)
    """Why attempts did not pass: reason -> count (infra and grader reasons included)."""


class FunctionStat(BaseModel):
    """How often one masked function was solved by one agent (difficulty)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    run: str
    """Run label."""
    agent: str
    """Agent label."""
    model: str | None
    """Model used."""
    setting: str
    """Information setting label."""
    task: str
    """Task id."""
    function: str
    """Function id, `path.py::Qual.name`."""
    masked: int
    """Graded attempts in which this function was masked."""
    solved: int
    """Of those, attempts that passed."""
    solved_rate: float | None
    """solved / masked."""
    diff_tested: int = 0
    """Graded attempts in which this function's differential test ran."""
    diff_passed: int = 0
    """Of those, attempts in which it passed (the function itself was right)."""


class Summary(BaseModel):
    """Everything `autoexp summary` prints, computed with SQL over results.sqlite."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    schema_version: int = SUMMARY_SCHEMA
    """Summary format version."""
    run: str
    """Run label (the run directory's name)."""
    run_dir: str
    """Run directory."""
    attempts: int
    """All attempts in the store."""
    rows: list[SummaryRow] = Field(default_factory=list)
    """One row per (agent, model, setting, n), sorted."""
    totals: list[SummaryRow] = Field(default_factory=list)
    """One row per (agent, model, setting), every n pooled (n is None)."""
    functions: list[FunctionStat] = Field(default_factory=list)
    """Per-function difficulty per (agent, model, setting)."""
    graders: dict[str, int] = Field(default_factory=dict)
    """autoexp version that computed the grades -> attempts so graded ('' for records older
    than autoexp 0.2, which did not say)."""
