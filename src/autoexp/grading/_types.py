"""Grades: statuses, reasons and per-experiment outcomes."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    """Final status of an attempt."""

    PASSED = "passed"
    """Every experiment of the attempt reproduced, on re-execution."""
    FAILED = "failed"
    """The agent's fault: wrong numbers, crash, timeout, budget."""
    INFRA_ERROR = "infra_error"
    """Sandbox, model API or network failure; retried, never counted as a failure."""
    GRADER_ERROR = "grader_error"
    """autoexp or the task itself is broken (e.g. unparsable original code)."""


class Reason(StrEnum):
    """Why an attempt did not pass (or `none`)."""

    NONE = "none"
    WRONG_RESULT = "wrong_result"
    """The experiment ran but a metric is outside the tolerance."""
    MISSING_METRIC = "missing_metric"
    """The experiment ran but did not print a metric."""
    CRASH = "crash"
    """The experiment exited non-zero (e.g. a body still raises NotImplementedError)."""
    TIMEOUT = "timeout"
    """The experiment exceeded its timeout on re-execution."""
    BUDGET = "budget"
    """The agent ran out of steps, tokens, dollars or wall time."""
    FORMAT_ERRORS = "format_errors"
    """The agent stopped after too many consecutive malformed model replies."""
    NO_REPORT = "no_report"
    """The agent submitted nothing (and the code does not pass)."""
    INVALID_REPORT = "invalid_report"
    """The agent's submission was not valid results JSON (and the code does not pass)."""
    HELDOUT_MISMATCH = "heldout_mismatch"
    """The visible experiments pass but a hidden variant of them does not (overfit)."""
    INTEGRITY = "integrity"
    """A masked body does what a function body has no business doing (strict integrity)."""
    AGENT_ERROR = "agent_error"
    """The agent itself crashed (a bug in the agent or its CLI)."""
    SANDBOX = "sandbox"
    """Infra: the sandbox failed."""
    MODEL_API = "model_api"
    """Infra: the model API failed after retries."""
    LEAK = "leak"
    """Grader: masked code survived in the prepared workspace."""
    GRADER = "grader"
    """Grader: an error inside autoexp's grading."""


class EndState(StrEnum):
    """How an agent's work ended: the value of one exception of `autoexp.errors.AgentEnded`
    (or of the infra errors), stored in the grade and in trajectory.json."""

    SUBMITTED = "submitted"
    """The agent submitted its results."""
    EXITED = "exited"
    """The agent stopped on its own without submitting (e.g. a CLI agent exited)."""
    BUDGET_STEPS = "budget:max_steps"
    """The step budget ran out."""
    BUDGET_TOKENS = "budget:max_tokens"
    """The token budget ran out."""
    BUDGET_COST = "budget:max_cost"
    """The dollar budget ran out."""
    BUDGET_WALL = "budget:max_wall_s"
    """The wall-time budget ran out."""
    FORMAT_ERRORS = "format_errors"
    """Too many consecutive malformed model replies."""
    AGENT_ERROR = "error:agent"
    """The agent itself raised (its own bug)."""
    MODEL_API = "error:model_api"
    """The model API kept failing (infra)."""
    INFRA = "error:infra"
    """The sandbox failed (infra)."""

    @property
    def is_budget(self) -> bool:
        """A budget ended the agent."""
        return self in _BUDGET_STATES


_BUDGET_STATES = frozenset(
    {EndState.BUDGET_STEPS, EndState.BUDGET_TOKENS, EndState.BUDGET_COST, EndState.BUDGET_WALL}
)


class RunOutput(BaseModel):
    """What one re-executed experiment produced: the plain input of grading (the sandbox's
    ExecResult converts to it; regrading reads it back from the attempt's evidence)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    exit_code: int | None = None
    """Exit status; None when the run was killed by its timeout."""
    stdout: str = ""
    """Captured stdout."""
    stderr: str = ""
    """Captured stderr."""
    timed_out: bool = False
    """The timeout fired."""
    duration_s: float = 0.0
    """Wall-clock seconds."""


class IntegrityMode(StrEnum):
    """What an integrity finding does to the attempt."""

    STRICT = "strict"
    """A finding fails the attempt (reason `integrity`)."""
    WARN = "warn"
    """Findings are stored and shown; only hidden experiments and differential tests judge."""


class DiffVerdict(StrEnum):
    """Verdict of one masked function's differential test."""

    PASSED = "passed"
    """Every recorded call gave the recorded output (within the function's tolerance)."""
    WRONG_OUTPUT = "wrong_output"
    """Some call returned, or left its arguments in, a different value."""
    RAISED = "raised"
    """Some call raised where the original returned."""
    TIMEOUT = "timeout"
    """The test process ran out of time."""
    NOT_COMPARABLE = "not_comparable"
    """The outputs could not be brought back or compared (e.g. the process crashed)."""


class FunctionOutcome(BaseModel):
    """One masked function's differential test: called alone on recorded inputs."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    function: str
    """Function id."""
    verdict: DiffVerdict
    """passed / wrong_output / raised / timeout / not_comparable."""
    samples: int = 0
    """Recorded calls replayed."""
    passed_samples: int = 0
    """Calls whose output matched the recording."""
    detail: str = ""
    """First mismatch or error, for diagnosis."""


class IntegrityFinding(BaseModel):
    """Something a masked body does that a function body has no business doing."""

    model_config = ConfigDict(use_attribute_docstrings=True, frozen=True)

    function: str
    """Function id of the body."""
    line: int
    """Line in the function's file (1-based)."""
    rule: str
    """Rule id: exit, output, frames, patching, dynamic-code."""
    detail: str
    """What was found, e.g. `os._exit(...)`."""


class Availability(StrEnum):
    """Whether a kind of evidence could back a grade."""

    AVAILABLE = "available"
    """It was there and was used."""
    UNAVAILABLE = "unavailable"
    """The task does not have it yet, so the grade rests on less (said on every attempt)."""


class GradedOn(StrEnum):
    """Which numbers an experiment was graded on."""

    VERIFIED = "verified"
    """The metrics read from its re-execution on the merged code."""
    REPORTED = "reported"
    """The agent's reported numbers: the experiment prints free-form output whose metrics
    have no regex yet (its re-execution must still succeed)."""


class RuleOutcome(BaseModel):
    """One experiment under the task's own pass rule (mean relative error)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Experiment id."""
    reported: float | None = None
    """Mean relative error of the reported numbers (None: missing value or infinite)."""
    verified: float | None = None
    """Mean relative error of the verified numbers (None: missing value or infinite)."""
    reported_ok: bool = False
    """The reported numbers pass the rule."""
    verified_ok: bool = False
    """The verified numbers pass the rule."""
    zero_gold: list[str] = Field(default_factory=list)
    """Metrics whose gold value is 0 (relative error undefined: infinite unless exactly 0)."""
    negative_gold: list[str] = Field(default_factory=list)
    """Metrics whose gold value is negative (|gold| is the scale)."""


class MetricOutcome(BaseModel):
    """One metric: expected, reported, verified."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    expected: float
    """The paper's value."""
    tolerance: float
    """Allowed |got - expected| (atol + rtol * |expected|)."""
    reported: float | None = None
    """What the agent submitted (None: not submitted or not a number)."""
    verified: float | None = None
    """What re-execution printed (None: missing or not a number)."""
    reported_ok: bool = False
    """The reported value is within tolerance."""
    verified_ok: bool = False
    """The verified value is within tolerance."""


class ExperimentOutcome(BaseModel):
    """One experiment of an attempt, after re-execution."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Experiment id."""
    metrics: dict[str, MetricOutcome]
    """Per metric outcome."""
    passed: bool
    """All verified metrics within tolerance."""
    reported_passed: bool
    """All reported metrics within tolerance."""
    reason: Reason = Reason.NONE
    """Why re-execution did not pass."""
    graded_on: GradedOn = GradedOn.VERIFIED
    """Whether `passed` judges the verified numbers or (free-form output) the reported ones."""
    exit_code: int | None = None
    """Exit code of the re-execution."""
    stderr_tail: str = ""
    """Last lines of stderr, for diagnosing crashes."""
    duration_s: float = 0.0
    """Time of the re-execution."""


class Grade(BaseModel):
    """The grade of one attempt."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    status: Status
    """passed / failed / infra_error / grader_error."""
    reason: Reason = Reason.NONE
    """Why it did not pass."""
    detail: str = ""
    """Human-readable explanation."""
    experiments: list[ExperimentOutcome] = Field(default_factory=list)
    """Per experiment outcome."""
    fabricated: bool = False
    """The reported numbers pass but the verified ones do not."""
    edited_outside_mask: bool = False
    """The agent changed code outside the masked bodies (those edits are discarded)."""
    experiments_passed: float = 0.0
    """Fraction of the attempt's experiments, visible and hidden, that pass on re-execution
    (partial credit)."""
    hidden: list[ExperimentOutcome] = Field(default_factory=list)
    """Per hidden experiment outcome (never shown to the agent)."""
    functions: list[FunctionOutcome] = Field(default_factory=list)
    """Differential test of each masked function that has recorded samples."""
    functions_correct: float | None = None
    """Fraction of masked functions passing their differential tests (None: no samples)."""
    overfit: bool = False
    """The visible experiments pass but a hidden variant does not."""
    suspect: bool = False
    """The attempt passed, yet a masked function fails its differential test."""
    integrity: list[IntegrityFinding] = Field(default_factory=list)
    """Integrity findings on the merged bodies (fail the attempt under strict integrity)."""
    verification: Availability = Availability.AVAILABLE
    """unavailable: some experiment prints free-form output whose metrics cannot be read yet,
    so it was graded on the reported numbers (`verified: unavailable`)."""
    heldout: Availability = Availability.AVAILABLE
    """unavailable: the attempt had no hidden experiment and no differential test, so nothing
    beyond the visible experiments checked it (`heldout: unavailable`)."""
    rule: list[RuleOutcome] = Field(default_factory=list)
    """Each visible experiment under the task's own pass rule (empty: the task has none)."""
    rule_passed: bool | None = None
    """Every visible experiment passes the task's rule on the reported numbers, as the
    benchmark grades (None: the task has no rule)."""
    grader: str = ""
    """autoexp version that computed this grade ('' in records older than the field)."""
    graded_at: str = ""
    """ISO time the grade was computed ('' in records older than the field)."""


EVIDENCE_SCHEMA = 1
"""Version of attempts/<id>/evidence.json."""


class Evidence(BaseModel):
    """Everything an attempt's grade is computed from, stored as attempts/<id>/evidence.json so
    that `autoexp regrade` can grade it again, against the task as it is now, without re-running
    anything."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    schema_version: int = EVIDENCE_SCHEMA
    """evidence.json format version."""
    runs: dict[str, RunOutput] = Field(default_factory=dict)
    """Experiment id (visible and hidden) -> its re-execution on the merged code."""
    reported: dict[str, dict[str, float]] | None = None
    """What the agent submitted (None: nothing)."""
    report_error: str | None = None
    """Why the submission was unusable, if it was."""
    ended_by: EndState | None = None
    """How the agent ended."""
    agent_error: str | None = None
    """The agent's own exception, as `Type: message`."""
    edited_outside_mask: bool = False
    """The agent changed code outside the masked bodies."""
    functions: list[FunctionOutcome] = Field(default_factory=list)
    """Differential tests of the masked functions."""
    integrity: list[IntegrityFinding] = Field(default_factory=list)
    """Integrity findings on the merged bodies."""
