"""Exceptions of autoexp. End states of an attempt are exceptions, mapped to a status in one place
(`autoexp.runner`)."""

from __future__ import annotations


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


class SandboxError(InfraError):
    """The sandbox could not start or run a command."""


class ModelAPIError(InfraError):
    """The model API kept failing after retries."""


class AgentEnded(AutoexpError):
    """Base of the agent's own end states, raised from deep inside a step."""


class BudgetExceeded(AgentEnded):
    """A step, token, cost or wall-time budget ran out."""

    def __init__(self, which: str, message: str) -> None:
        super().__init__(message)
        self.which = which


class RunError(AutoexpError):
    """A run directory or plan is unusable (e.g. resume of a different plan)."""
