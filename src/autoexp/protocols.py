"""The seams of autoexp, in one place: Sandbox, Model, Agent, Executor, Store.

Each is a small `typing.Protocol`; implementations live in the sub-packages
(`autoexp.sandbox`, `autoexp.models`, `autoexp.agents`, `autoexp.runner`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from autoexp.agents._types import AgentResult, Budget, Prompt
    from autoexp.models._types import ModelResponse
    from autoexp.runner._types import AttemptRecord, AttemptSpec
    from autoexp.sandbox._types import ExecResult, Isolation


@runtime_checkable
class Sandbox(Protocol):
    """Runs commands with the workspace as the only writable place."""

    isolation: Isolation

    def run(
        self,
        command: str,
        workspace: Path,
        *,
        timeout_s: float,
        env: Mapping[str, str] | None = None,
        network: bool = False,
    ) -> ExecResult:
        """Run a shell command with cwd at the workspace; kill its whole tree on timeout."""
        ...


@runtime_checkable
class Model(Protocol):
    """A chat model reached through an OpenAI-compatible API."""

    name: str

    def query(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
    ) -> ModelResponse:
        """One chat completion; raises ModelAPIError when retries run out."""
        ...


@runtime_checkable
class Agent(Protocol):
    """Works on a prepared workspace and returns what it reports."""

    name: str

    def run(self, workspace: Path, prompt: Prompt, sandbox: Sandbox, budget: Budget) -> AgentResult:
        """Do the work; end states (budget, API failure) are raised as exceptions."""
        ...


@runtime_checkable
class Executor(Protocol):
    """Runs attempts, possibly in parallel, yielding records as they finish."""

    def map(
        self, fn: Callable[[AttemptSpec], AttemptRecord], specs: Iterable[AttemptSpec]
    ) -> Generator[AttemptRecord, None, None]:
        """Apply `fn` to every spec; yield one record per spec as soon as it is done (an attempt
        whose worker died is yielded as an infra_error record, never raised). Closing the
        generator early (the run does when its circuit breaker trips) stops the attempts in
        flight; they yield nothing. An attempt whose task needs GPUs (`needs.gpus`) gets its
        own, and `fn` runs with their indices in `$AUTOEXP_ASSIGNED_GPUS` (docs/gpu.md)."""
        ...


@runtime_checkable
class Store(Protocol):
    """Durable record of a run's attempts."""

    path: Path
    """Where the store keeps its data (named in errors)."""

    def put(self, record: AttemptRecord) -> None:
        """Insert or replace one attempt, atomically; OSError or sqlite3.Error when it cannot
        (e.g. the disk is full)."""
        ...

    def get(self, attempt_id: str) -> AttemptRecord | None:
        """One attempt, or None."""
        ...

    def all(self) -> list[AttemptRecord]:
        """Every attempt, in insertion order."""
        ...

    def statuses(self) -> Mapping[str, tuple[str, int]]:
        """attempt_id -> (status value, retries) of every attempt held, cheaply (what a run
        reads to decide what to run)."""
        ...

    def close(self) -> None:
        """Release the store (the run closes the store it opened)."""
        ...
