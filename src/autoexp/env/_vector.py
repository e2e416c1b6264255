"""BatchEnv: several ResearchEnvs stepped together, in threads (their work is sandboxed
subprocesses, so threads run them in parallel)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from autoexp.env._env import ResearchEnv
from autoexp.env._types import Action, EnvConfig, Observation
from autoexp.tasks._model import Task

T = TypeVar("T")

ResetArgs = tuple[Task | str | Path, Sequence[str] | None, int]
"""(task, combo or None, seed) of one environment's reset."""


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class BatchEnv:
    """`num_envs` ResearchEnvs with list-in, list-out `reset` and `step`.

    An error in one environment (a task that cannot be prepared, a sandbox failure, a step
    out of order) does not stop the others: its slot gets observation None, reward 0, both
    flags False and `info["error"]`, and it must be reset before it is stepped again. An action
    None leaves its environment alone for that step (its slot repeats the latest observation,
    reward 0, `info["skipped"]`), so episodes of different lengths can share a batch. With
    `autoreset`, an environment whose episode ended is reset at once with its last reset
    arguments; the step then returns the new episode's first observation, and the ended
    episode's last observation and info are under `info["final_obs"]` and
    `info["final_info"]` (Gymnasium's same-step autoreset).
    """

    def __init__(
        self,
        num_envs: int,
        config: EnvConfig | None = None,
        *,
        autoreset: bool = False,
        max_workers: int | None = None,
        **overrides: Any,
    ) -> None:
        if num_envs < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        self.envs = [ResearchEnv(config, **overrides) for _ in range(num_envs)]
        self.autoreset = autoreset
        self._pool = ThreadPoolExecutor(max_workers=max_workers or num_envs)
        self._resets: list[ResetArgs | None] = [None] * num_envs

    @property
    def num_envs(self) -> int:
        """Number of environments."""
        return len(self.envs)

    def _map(self, fn: Callable[[int], T]) -> list[T | BaseException]:
        def guarded(i: int) -> T | BaseException:
            try:
                return fn(i)
            except Exception as e:  # one env's failure is reported in its slot
                return e

        return list(self._pool.map(guarded, range(self.num_envs)))

    def reset(
        self, args: Sequence[ResetArgs]
    ) -> tuple[list[Observation | None], list[dict[str, Any]]]:
        """Reset every environment: `args[i]` is `(task, combo or None, seed)` of the i-th."""
        if len(args) != self.num_envs:
            raise ValueError(f"{len(args)} reset arguments for {self.num_envs} environments")
        self._resets = list(args)
        results = self._map(lambda i: self.envs[i].reset(*args[i]))
        observations: list[Observation | None] = []
        infos: list[dict[str, Any]] = []
        for result in results:
            if isinstance(result, BaseException):
                observations.append(None)
                infos.append({"error": _describe(result)})
            else:
                observations.append(result[0])
                infos.append(result[1])
        return observations, infos

    def step(
        self, actions: Sequence[Action | Mapping[str, Any] | None]
    ) -> tuple[list[Observation | None], list[float], list[bool], list[bool], list[dict[str, Any]]]:
        """Step every environment with its action; lists of observations, rewards,
        terminated, truncated and infos, in environment order."""
        if len(actions) != self.num_envs:
            raise ValueError(f"{len(actions)} actions for {self.num_envs} environments")
        results = self._map(lambda i: self._step_one(i, actions[i]))
        observations: list[Observation | None] = []
        rewards: list[float] = []
        terminated: list[bool] = []
        truncated: list[bool] = []
        infos: list[dict[str, Any]] = []
        for result in results:
            if isinstance(result, BaseException):
                result = (None, 0.0, False, False, {"error": _describe(result)})
            observations.append(result[0])
            rewards.append(result[1])
            terminated.append(result[2])
            truncated.append(result[3])
            infos.append(result[4])
        return observations, rewards, terminated, truncated, infos

    def _step_one(
        self, i: int, action: Action | Mapping[str, Any] | None
    ) -> tuple[Observation | None, float, bool, bool, dict[str, Any]]:
        if action is None:
            return self.envs[i].observation, 0.0, False, False, {"skipped": True}
        obs, value, term, trunc, info = self.envs[i].step(action)
        reset_args = self._resets[i]
        if not (self.autoreset and (term or trunc)) or reset_args is None:
            return obs, value, term, trunc, info
        final = {"final_obs": obs, "final_info": info}
        try:
            new_obs, new_info = self.envs[i].reset(*reset_args)
        except Exception as e:
            return None, value, term, trunc, {**final, "error": _describe(e)}
        return new_obs, value, term, trunc, {**new_info, **final}

    def close(self) -> None:
        """Close every environment and stop the threads."""
        for env in self.envs:
            env.close()
        self._pool.shutdown(wait=True)

    def __enter__(self) -> BatchEnv:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
