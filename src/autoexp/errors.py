"""Exceptions of autoexp. End states of an attempt are exceptions, mapped to a status in one place
(`autoexp.runner`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autoexp.grading._types import EndState


def _end_state(name: str) -> EndState:
    # imported when asked: autoexp.grading imports autoexp.tasks, which imports this module
    from autoexp.grading._types import EndState

    return EndState[name]


class AutoexpError(Exception):
    """Base class of autoexp's own errors."""


class ConfigError(AutoexpError):
    """A run's configuration is unusable (unknown agent or option, missing model or API key, bad
    command template); found before any attempt starts, and the message names agent and field."""


class EndpointError(AutoexpError):
    """A model endpoint does not answer (the pre-flight check, or the run's circuit breaker)."""


class TaskError(AutoexpError):
    """A task directory or task.yaml is malformed; the message names the file and field."""


class MaskingError(AutoexpError):
    """A function could not be located or masked in the source."""


class LeakError(AutoexpError):
    """Masked code survives somewhere in a prepared workspace."""


class InfraError(AutoexpError):
    """Sandbox, model API or network failure: not the agent's fault; the attempt is retried."""

    @property
    def state(self) -> EndState:
        """The end state it gives an agent it stops (`error:infra`)."""
        return _end_state("INFRA")


class SandboxError(InfraError):
    """The sandbox could not start or run a command."""


class ModelAPIError(InfraError):
    """The model API kept failing after retries."""

    @property
    def state(self) -> EndState:
        """`error:model_api`."""
        return _end_state("MODEL_API")


class AgentEnded(AutoexpError):
    """Base of the agent's own end states, raised from deep inside a step and caught by the
    agent's loop, which records `state` as its `ended_by`. One that escapes `Agent.run` is
    graded the same way (`autoexp.runner._ends`)."""

    @property
    def state(self) -> EndState:
        """How the agent ended."""
        raise NotImplementedError(f"{type(self).__name__} names no end state")


class Submitted(AgentEnded):
    """The agent submitted its results (`submitted`)."""

    def __init__(self, results: dict[str, dict[str, float]] | None = None) -> None:
        super().__init__("results submitted")
        self.results = results
        """What was submitted: experiment id -> metric -> value."""

    @property
    def state(self) -> EndState:
        """`submitted`."""
        return _end_state("SUBMITTED")


BUDGETS = {
    "max_steps": "BUDGET_STEPS",
    "max_tokens": "BUDGET_TOKENS",
    "max_cost": "BUDGET_COST",
    "max_wall_s": "BUDGET_WALL",
    "context_window": "BUDGET_TOKENS",
}
"""Budget (a `Budget` field, or `context_window`: the conversation outgrew the model) -> the
name of its EndState member."""


class BudgetExceeded(AgentEnded):
    """A step, token, cost or wall-time budget ran out (`budget:<which>`)."""

    def __init__(self, which: str, message: str) -> None:
        if which not in BUDGETS:
            raise ValueError(f"unknown budget {which!r}; budgets: {', '.join(BUDGETS)}")
        super().__init__(message)
        self.which = which
        """Which budget: max_steps, max_tokens, max_cost, max_wall_s or context_window."""

    @property
    def state(self) -> EndState:
        """`budget:max_steps`, `budget:max_tokens` (also for context_window), `budget:max_cost`
        or `budget:max_wall_s`."""
        return _end_state(BUDGETS[self.which])


class FormatErrors(AgentEnded):
    """Too many consecutive model replies without a usable tool call (`format_errors`)."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} consecutive replies without a usable tool call")
        self.count = count
        """How many replies in a row were malformed."""

    @property
    def state(self) -> EndState:
        """`format_errors`."""
        return _end_state("FORMAT_ERRORS")


class RunError(AutoexpError):
    """A run directory or plan is unusable (e.g. resume of a different plan)."""
