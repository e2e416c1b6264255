"""What an exception that escaped `Agent.run` makes of the attempt: the one mapping from the
exceptions of `autoexp.errors` to an end state and, where grading does not decide, a status.

An agent that ends normally returns an `AgentResult` whose `ended_by` is the `state` of the
exception its loop caught (`Submitted`, `BudgetExceeded`, `FormatErrors`); grading turns a
budget into `failed/budget` and format errors into `failed/format_errors` unless the code
passes. The same holds for one of those exceptions that escaped the agent.
"""

from __future__ import annotations

from dataclasses import dataclass

from autoexp.errors import AgentEnded, InfraError, ModelAPIError
from autoexp.grading import EndState, Reason, Status


@dataclass(frozen=True)
class AgentOutcome:
    """How an attempt goes on after its agent raised."""

    state: EndState
    """The agent's end state (as trajectory.json records it, and grading's `ended_by`)."""
    status: Status | None = None
    """Set (infra errors): the attempt ends here, ungraded, with this status and `reason`.
    None: the attempt is graded as if the agent had returned `ended_by=state` and submitted
    nothing; grading gives the status and reason."""
    reason: Reason = Reason.NONE
    """The reason that goes with `status`."""
    agent_error: str | None = None
    """The agent's own bug, as `Type: message`: grading fails the attempt with `agent_error`
    unless the code the agent left passes."""


def agent_outcome(exc: Exception) -> AgentOutcome:
    """Map an exception raised by `Agent.run`:

    - ModelAPIError: infra_error/model_api, not graded;
    - any other InfraError (the sandbox): infra_error/sandbox, not graded;
    - an AgentEnded (submitted, budget, format errors): graded with `ended_by=exc.state`;
    - anything else is the agent's own bug: graded with `agent_error`, so failed/agent_error
      unless the code the agent left passes.
    """
    if isinstance(exc, ModelAPIError):
        return AgentOutcome(exc.state, Status.INFRA_ERROR, Reason.MODEL_API)
    if isinstance(exc, InfraError):
        return AgentOutcome(exc.state, Status.INFRA_ERROR, Reason.SANDBOX)
    if isinstance(exc, AgentEnded):
        return AgentOutcome(exc.state)
    return AgentOutcome(EndState.AGENT_ERROR, agent_error=f"{type(exc).__name__}: {exc}")
