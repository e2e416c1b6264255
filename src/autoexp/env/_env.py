"""ResearchEnv: one (task, combo) as a Gymnasium-style episode over a Session's sandbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import ValidationError

from autoexp.agents._meter import Meter
from autoexp.agents._tools import Toolbox, ToolOutcome
from autoexp.agents._types import Budget
from autoexp.env._reward import RewardBreakdown, reward
from autoexp.env._types import (
    GRADE_SPEC,
    GRADE_TOOL,
    TOOLS,
    Action,
    EnvConfig,
    EnvError,
    Observation,
)
from autoexp.errors import BudgetExceeded, TaskError
from autoexp.grading import DiffVerdict, EndState, Grade
from autoexp.runner._plan import RunConfig, combos_for
from autoexp.runner._session import Session
from autoexp.tasks._load import resolve_tasks
from autoexp.tasks._model import Task

StepResult = tuple[Observation, float, bool, bool, dict[str, Any]]
"""What `step` returns: (observation, reward, terminated, truncated, info)."""


def resolve_task(task: Task | str | Path) -> Task:
    """A Task from a Task, a built-in id or a task directory."""
    if isinstance(task, Task):
        return task
    found = resolve_tasks([str(task)])
    if len(found) != 1:
        raise TaskError(f"{task}: names {len(found)} tasks; an environment takes one")
    return found[0]


def draw_combo(task: Task, n: int, seed: int) -> tuple[str, ...]:
    """The combo of `n` functions that `autoexp run --n n --seed seed` masks first on `task`
    (the planner's own draw)."""
    combos, why = combos_for(task, n, RunConfig(seed=seed, combos_per_n=1))
    if not combos:
        raise TaskError(f"task {task.id}: no combo of {n} functions ({why})")
    return tuple(combos[0])


def as_action(action: Action | Mapping[str, Any]) -> Action:
    """An Action from an Action or a mapping `{"tool": ..., "arguments": ...}` (ValidationError
    when it is neither)."""
    return action if isinstance(action, Action) else Action.model_validate(action)


def _probe_text(grade: Grade, breakdown: RewardBreakdown) -> str:
    """What a `grade` action shows the policy: counts only (no experiment or function names,
    no numbers of hidden experiments)."""
    parts = [f"reward {breakdown.reward:.4g}"]
    parts.append(
        f"visible experiments passing: {sum(o.passed for o in grade.experiments)}/"
        f"{len(grade.experiments)}"
    )
    if grade.hidden:
        parts.append(
            f"hidden experiments passing: {sum(o.passed for o in grade.hidden)}/{len(grade.hidden)}"
        )
    if grade.functions:
        good = sum(f.verdict is DiffVerdict.PASSED for f in grade.functions)
        parts.append(f"differential tests passing: {good}/{len(grade.functions)}")
    if breakdown.violations:
        parts.append(f"violations: {', '.join(v.value for v in breakdown.violations)}")
    return "graded: " + "; ".join(parts)


class _Episode:
    """The state of one episode: its session, tools and counters."""

    def __init__(self, session: Session, config: EnvConfig, seed: int) -> None:
        self.session = session
        self.seed = seed
        self.meter = Meter(Budget(max_steps=config.max_steps, max_wall_s=config.max_wall_s))
        self.toolbox = Toolbox(session.workspace, session.sandbox, self.meter, config.tools)
        self.steps = 0
        self.done = False
        self.credited = 0.0
        """Reward paid so far (by `grade` actions)."""


class ResearchEnv:
    """A Gymnasium-style environment: the policy works on one (task, combo) through the react
    agent's tools, in the task's sandbox, and is rewarded from the verified grade.

    - `reset(task, combo=None, seed=0) -> (observation, info)` prepares a fresh masked
      workspace (Gymnasium's `reset` also returns `(obs, info)`); without `combo` it draws the
      one `autoexp run` would for `seed` and `config.n`.
    - `step(action) -> (observation, reward, terminated, truncated, info)`: `terminated` after
      a valid `submit`, `truncated` when `max_steps` actions or `max_wall_s` seconds of command
      time are used. Both grade the workspace, so the last step carries the reward (with
      `info["grade"]` and `info["reward"]`, a RewardBreakdown); every other step gives 0.
      With `config.grade_action`, the action `grade` grades the workspace mid-episode and is
      paid the change in reward since the last grade; the final step is paid the rest, so
      the rewards of an episode always sum to its final `info["reward"].reward`.
    - `close()` removes the workspace.

    Keyword arguments override fields of `config` (`ResearchEnv(max_steps=10)`).
    """

    def __init__(self, config: EnvConfig | None = None, **overrides: Any) -> None:
        base = config or EnvConfig()
        self.config = (
            EnvConfig.model_validate({**base.model_dump(), **overrides}) if overrides else base
        )
        self._episode: _Episode | None = None
        self._observation: Observation | None = None

    @property
    def tools(self) -> list[dict[str, Any]]:
        """The actions' tools in the OpenAI `tools` format (with `grade` when it is offered)."""
        return [*TOOLS, GRADE_SPEC] if self.config.grade_action else list(TOOLS)

    @property
    def session(self) -> Session:
        """The current episode's session (workspace, sandbox, task, combo)."""
        return self._require_episode().session

    @property
    def observation(self) -> Observation:
        """The latest observation."""
        if self._observation is None:
            raise EnvError("no episode yet: call reset(task, combo, seed) first")
        return self._observation

    def reset(
        self,
        task: Task | str | Path,
        combo: Sequence[str] | None = None,
        seed: int = 0,
    ) -> tuple[Observation, dict[str, Any]]:
        """Start an episode on `combo` of `task` (drawn from `seed` when None)."""
        self.close()
        self._observation = None
        resolved = resolve_task(task)
        chosen = tuple(combo) if combo is not None else draw_combo(resolved, self.config.n, seed)
        session = Session(
            resolved,
            chosen,
            sandbox_config=self.config.sandbox,
            backend=self.config.backend,
            setting=self.config.setting,
            budget=Budget(max_steps=self.config.max_steps, max_wall_s=self.config.max_wall_s),
            integrity=self.config.integrity,
            agent_name="react",  # the prompt that describes these tools and `submit`
        )
        self._episode = _Episode(session, self.config, seed)
        self._observation = Observation(
            prompt=session.prompt_text, steps_left=self.config.max_steps
        )
        info = {"task": resolved.id, "combo": list(session.combo), "seed": seed}
        return self._observation, info

    def step(self, action: Action | Mapping[str, Any]) -> StepResult:
        """Run one tool call; grade the workspace when the episode ends (or on `grade`)."""
        episode = self._require_episode()
        if episode.done:
            raise EnvError("the episode has ended: call reset() before stepping again")
        episode.steps += 1
        tool, outcome, ended_by = self._act(episode, action)
        probe = tool == GRADE_TOOL and self.config.grade_action and not outcome.error
        if outcome.submitted is not None:
            ended_by = EndState.SUBMITTED
        elif ended_by is None and episode.meter.remaining_wall() <= 0:
            ended_by = EndState.BUDGET_WALL
        elif ended_by is None and episode.steps >= self.config.max_steps:
            ended_by = EndState.BUDGET_STEPS
        info: dict[str, Any] = {"step": episode.steps, "tool": tool}
        value = 0.0
        if ended_by is not None or probe:
            # Only `submit` reports (as the react prompt says); {} keeps Session from reading
            # a results file.
            graded = episode.session.grade(outcome.submitted or {}, ended_by=ended_by)
            breakdown = reward(graded.grade, self.config.reward)
            value = breakdown.reward - episode.credited
            episode.credited = breakdown.reward
            info.update(grade=graded.grade, evidence=graded.evidence, reward=breakdown)
            if probe:
                outcome = ToolOutcome(output=_probe_text(graded.grade, breakdown))
        self._observation = Observation(
            prompt=episode.session.prompt_text,
            output=outcome.output,
            tool=tool,
            error=outcome.error,
            step=episode.steps,
            steps_left=self.config.max_steps - episode.steps,
        )
        if ended_by is None:
            return self._observation, value, False, False, info
        episode.done = True
        info["ended_by"] = ended_by
        terminated = ended_by is EndState.SUBMITTED
        return self._observation, value, terminated, not terminated, info

    def _act(
        self, episode: _Episode, action: Action | Mapping[str, Any]
    ) -> tuple[str | None, ToolOutcome, EndState | None]:
        """Run the action's tool: (tool, outcome, end state when a budget ran out)."""
        try:
            parsed = as_action(action)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(map(str, first["loc"])) or "action"
            text = f'Error: an action is {{"tool": <name>, "arguments": {{...}}}}; {where}: '
            return None, ToolOutcome(output=text + first["msg"], error=True), None
        if parsed.tool == GRADE_TOOL and self.config.grade_action:
            return parsed.tool, ToolOutcome(output=""), None
        try:
            return parsed.tool, episode.toolbox.call(parsed.tool, parsed.arguments), None
        except BudgetExceeded as e:
            return parsed.tool, ToolOutcome(output=f"Error: {e}", error=True), e.state

    def close(self) -> None:
        """Remove the current episode's workspace (if any)."""
        if self._episode is not None:
            self._episode.session.close()
            self._episode = None

    def _require_episode(self) -> _Episode:
        if self._episode is None:
            raise EnvError("no episode: call reset(task, combo, seed) before step()")
        return self._episode

    def __enter__(self) -> ResearchEnv:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
