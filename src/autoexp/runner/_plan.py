"""Planning a run: tasks x settings x n x combos x agents x trials, deterministically."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autoexp.agents._types import AgentSpec, Budget, Setting
from autoexp.grading._types import IntegrityMode
from autoexp.masking import draw_combos
from autoexp.runner._gpus import gpu_skip_reason, machine_gpus
from autoexp.runner._types import AttemptSpec
from autoexp.sandbox._types import SandboxConfig
from autoexp.tasks._model import Task


class ComboSource(StrEnum):
    """Where a run's combos come from."""

    DRAWN = "drawn"
    """Drawn from the task's maskable functions with the run's seed."""
    PUBLISHED = "published"
    """The task's fixed combos (task.yaml `combos`, e.g. an imported benchmark's published
    ones), so that results compare with the benchmark's."""


class ExecutorKind(StrEnum):
    """Where a run's attempts execute."""

    LOCAL = "local"
    """A process pool of `workers` processes on this machine."""
    RAY = "ray"
    """Ray tasks on a Ray cluster (`ray_address`), one per attempt (docs/scale.md)."""


class RunConfig(BaseModel):
    """Everything that defines a run's plan and how it executes; saved in run.json."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    tasks: list[str] = Field(default_factory=list)
    """Task references as given (built-in ids or paths); empty: the built-in suite."""
    agents: list[AgentSpec] = Field(
        default_factory=lambda: [AgentSpec(name="oracle"), AgentSpec(name="noop")]
    )
    """Agents to evaluate."""
    ns: list[int] = Field(default_factory=lambda: [1])
    """Numbers of masked functions."""
    trials: int = Field(default=1, ge=1)
    """Trials per (task, combo, agent, setting)."""
    combos_per_n: int | None = Field(default=1, ge=1)
    """Combos drawn per (task, n); None: all combos."""
    combos: ComboSource = ComboSource.DRAWN
    """drawn: combos drawn by seed; published: the task's fixed combos of each n (the first
    combos_per_n of them)."""
    seed: int = 0
    """Seed of the combo draw (and of agents that sample)."""
    settings: list[Setting] = Field(default_factory=lambda: [Setting()])
    """Information settings."""
    budget: Budget = Field(default_factory=Budget)
    """Budget of each attempt."""
    workers: int = Field(default=1, ge=1)
    """Attempts run in parallel (by the local executor; Ray decides its own)."""
    executor: ExecutorKind = ExecutorKind.LOCAL
    """Where attempts run: local (a process pool) or ray (one Ray task per attempt, asking for
    1 CPU, the sandbox's memory_mb and the task's GPUs)."""
    ray_address: str | None = None
    """With the ray executor: the cluster to join (`auto`, `host:port` or
    `ray://head:10001`); None: start a local Ray instance (or use the one already started in
    this process)."""
    max_retries: int = Field(default=2, ge=0)
    """Retries of an attempt that ends in infra_error: within the run (after retry_backoff_s)
    and, for those left, on --resume; counted in the attempt's `retries` across invocations."""
    retry_backoff_s: float = Field(default=1.0, ge=0)
    """Wait before an infra error's first retry within the run, from the time it failed;
    doubled on every further retry of that attempt, up to max_retry_backoff_s (0: no wait)."""
    max_retry_backoff_s: float = Field(default=30.0, ge=0)
    """Longest wait before a retry within the run."""
    sandbox: SandboxConfig = Field(default_factory=SandboxConfig)
    """Sandbox limits."""
    backend: str = "auto"
    """Sandbox backend: auto, bwrap or none."""
    integrity: IntegrityMode = IntegrityMode.STRICT
    """strict: an integrity finding in a masked body fails the attempt; warn: only flag it."""
    preflight: bool = True
    """Before running, make one cheap request to each model endpoint; stop if one fails."""
    max_api_failures: int = Field(default=5, ge=0)
    """Stop starting attempts after this many consecutive model API errors on one endpoint
    (the rest stay unrun, for resume); 0: never stop."""


PLAN_FIELDS = (
    "tasks",
    "agents",
    "ns",
    "trials",
    "combos_per_n",
    "combos",
    "seed",
    "settings",
    "integrity",
)
"""RunConfig fields that define the plan: a resume cannot change them."""
RESUMABLE_FIELDS = (
    "budget",
    "workers",
    "executor",
    "ray_address",
    "max_retries",
    "retry_backoff_s",
    "max_retry_backoff_s",
    "sandbox",
    "backend",
    "preflight",
    "max_api_failures",
)
"""RunConfig fields a resume may change (the budget applies to the attempts not yet run)."""


def plan_changes(stored: RunConfig, given: RunConfig) -> list[str]:
    """The plan fields (PLAN_FIELDS) in which `given` differs from `stored`."""
    return [f for f in PLAN_FIELDS if getattr(stored, f) != getattr(given, f)]


def resume_config(stored: RunConfig, changes: dict[str, Any]) -> RunConfig:
    """`stored` with `changes` applied: RunConfig field -> value; the values of `budget` and
    `sandbox` may be dicts of their fields, merged into the stored ones. Plan fields may be
    given (`run(resume=True)` refuses them unless equal to the stored ones)."""
    update = dict(changes)
    for name in ("budget", "sandbox"):
        if isinstance(update.get(name), dict):
            old = getattr(stored, name)
            update[name] = type(old).model_validate({**old.model_dump(), **update[name]})
    return RunConfig.model_validate({**stored.model_dump(), **update})


class Skipped(BaseModel):
    """A (task, n) the plan could not include."""

    task: str
    """Task id."""
    n: int
    """Requested n."""
    why: str
    """Reason."""


def task_seed(seed: int, task_id: str, n: int) -> int:
    """A per-(task, n) seed derived from the run seed (stable across Python versions)."""
    h = hashlib.sha256(f"{seed}|{task_id}|{n}".encode()).digest()
    return int.from_bytes(h[:4], "big")


def combos_for(task: Task, n: int, config: RunConfig) -> tuple[list[tuple[str, ...]], str]:
    """The combos of `n` functions the run masks on `task`, or ([], why there are none)."""
    if config.combos is ComboSource.PUBLISHED:
        if not task.spec.combos:
            return [], "the task has no published combos"
        fixed = [tuple(c) for c in task.spec.combos if len(c) == n]
        if not fixed:
            return [], f"no published combo of {n} functions"
        return fixed[: config.combos_per_n] if config.combos_per_n else fixed, ""
    maskable = task.maskable()
    if n > len(maskable):
        return [], f"only {len(maskable)} maskable functions"
    return draw_combos(maskable, n, config.combos_per_n, task_seed(config.seed, task.id, n)), ""


def plan_attempts(
    tasks: Sequence[Task], config: RunConfig, *, gpus: int | None = None
) -> tuple[list[AttemptSpec], list[Skipped]]:
    """The attempts of a run, in a stable order; the same config gives the same attempts.

    A task needing more GPUs than `gpus` (default: this machine's, `$AUTOEXP_GPUS` respected;
    an executor with GPUs elsewhere, e.g. a Ray cluster, passes its own count) is left out,
    with the reason (`gpu_skip_reason`). A bad `$AUTOEXP_GPUS` is a ConfigError here."""
    specs: list[AttemptSpec] = []
    skipped: list[Skipped] = []
    have = len(machine_gpus()) if gpus is None else gpus
    for task in tasks:
        no_gpu = gpu_skip_reason(task.spec.needs.gpus, have)
        for setting in config.settings:
            for n in [setting.n] if setting.n is not None else config.ns:
                combos, why = ([], no_gpu) if no_gpu else combos_for(task, n, config)
                if not combos:
                    skip = Skipped(task=task.id, n=n, why=why)
                    if skip not in skipped:
                        skipped.append(skip)
                    continue
                for combo in combos:
                    for trial in range(config.trials):
                        specs.extend(
                            AttemptSpec(
                                task_id=task.id,
                                task_root=str(task.root),
                                agent=agent,
                                combo=tuple(combo),
                                trial=trial,
                                setting=setting,
                                budget=config.budget,
                                seed=config.seed,
                                integrity=config.integrity,
                            )
                            for agent in config.agents
                        )
    return specs, skipped
