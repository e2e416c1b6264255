"""Budget accounting and the trajectory file, shared by the model-driven agents."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from autoexp.agents._types import AgentResult, Budget, Trajectory, TrajectoryStep
from autoexp.errors import BudgetExceeded, InfraError
from autoexp.grading import EndState
from autoexp.models._types import ModelResponse


class Meter:
    """Counts steps, tokens, dollars and tool seconds; raises BudgetExceeded when one runs out."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.steps = 0
        self.tokens_in = 0
        self.tokens_out = 0
        self._cost = 0.0
        self.cost_known = True
        self.tool_s = 0.0

    @property
    def cost(self) -> float | None:
        """Dollars so far; None once any call had an unknown price."""
        return self._cost if self.cost_known else None

    def before_call(self) -> None:
        """Check that one more model call is allowed."""
        b = self.budget
        if self.steps >= b.max_steps:
            raise BudgetExceeded("max_steps", f"step budget of {b.max_steps} model calls used up")
        self._check_usage()

    def add_call(self, response: ModelResponse) -> None:
        """Count one model call, then check the token and cost budgets."""
        self.steps += 1
        self.tokens_in += response.tokens_in
        self.tokens_out += response.tokens_out
        if response.cost_usd is None:
            self.cost_known = False
        else:
            self._cost += response.cost_usd
        self._check_usage()

    def _check_usage(self) -> None:
        b = self.budget
        total = self.tokens_in + self.tokens_out
        if b.max_tokens is not None and total > b.max_tokens:
            raise BudgetExceeded("max_tokens", f"{total} tokens used, budget {b.max_tokens}")
        if b.max_cost is not None and self.cost_known and self._cost > b.max_cost:
            raise BudgetExceeded("max_cost", f"${self._cost:.4f} spent, budget ${b.max_cost:g}")

    def remaining_wall(self) -> float:
        """Seconds of tool time left."""
        return self.budget.max_wall_s - self.tool_s

    def add_tool_time(self, seconds: float) -> None:
        """Count tool time (does not raise; see check_wall)."""
        self.tool_s += max(0.0, seconds)

    def check_wall(self) -> None:
        """Raise when the tool-time budget is used up."""
        if self.remaining_wall() <= 0:
            raise BudgetExceeded(
                "max_wall_s",
                f"{self.tool_s:.1f} s of command time used, budget {self.budget.max_wall_s:g} s",
            )

    def result(self, model: str | None, **fields: Any) -> AgentResult:
        """An AgentResult carrying the counts so far."""
        return AgentResult(
            model=model,
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
            cost_usd=self.cost,
            steps=self.steps,
            **fields,
        )


class Recorder:
    """A Trajectory that is saved (atomically) after every step, when it has a path."""

    def __init__(self, path: Path | None, agent: str, model: str | None, prompt: str) -> None:
        self.path = path
        self.trajectory = Trajectory(agent=agent, model=model, prompt=prompt)
        self.save()

    def step(self, kind: str, started_at: float | None = None, **fields: Any) -> TrajectoryStep:
        """Append a step (duration measured from started_at) and save."""
        now = time.time()
        step = TrajectoryStep(
            index=len(self.trajectory.steps),
            kind=kind,
            started_at=started_at if started_at is not None else now,
            duration_s=round(now - started_at, 4) if started_at is not None else 0.0,
            **fields,
        )
        self.trajectory.steps.append(step)
        self.save()
        return step

    def note(self, text: str) -> None:
        """Append a harness note."""
        self.step("note", content=text)

    def end(self, ended_by: EndState) -> None:
        """Record how the agent ended and save."""
        self.trajectory.ended_by = ended_by
        self.save()

    def fail(self, error: BaseException) -> None:
        """Record an end state that is not the agent's to return (infra or agent crash); the
        caller re-raises `error`."""
        if isinstance(error, InfraError):
            self.note(f"infrastructure error: {type(error).__name__}: {error}")
            self.end(error.state)
        else:
            self.note(f"agent error: {type(error).__name__}: {error}")
            self.end(EndState.AGENT_ERROR)

    def save(self) -> None:
        """Write trajectory.json, if there is a path."""
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.trajectory.save(self.path)
