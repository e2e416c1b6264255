"""Running a plan: run.json, the store, the executor, progress, resume."""

from __future__ import annotations

import functools
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from autoexp import __version__
from autoexp._io import atomic_write_text
from autoexp.errors import RunError
from autoexp.grading import Reason, Status
from autoexp.runner._attempt import error_attempt, run_attempt
from autoexp.runner._executor import LocalExecutor
from autoexp.runner._plan import RunConfig, Skipped, plan_attempts
from autoexp.runner._store import SqliteStore
from autoexp.runner._types import AttemptRecord, AttemptSpec
from autoexp.sandbox._types import SandboxConfig
from autoexp.tasks._load import resolve_tasks

RUN_SCHEMA = 1
"""Version of run.json."""


class RunFile(BaseModel):
    """run.json: the plan and config, enough to resume or re-grade."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    schema_version: int = RUN_SCHEMA
    """run.json format version."""
    run_id: str
    """Name of the run."""
    created_at: str
    """When the run was first planned."""
    autoexp_version: str = __version__
    """autoexp version that last wrote the file."""
    config: RunConfig
    """The config of the latest invocation."""
    attempts: list[AttemptSpec] = Field(default_factory=list)
    """Every planned attempt (the union over invocations), in plan order."""
    skipped: list[Skipped] = Field(default_factory=list)
    """(task, n) pairs the plan could not include."""


class RunResult(BaseModel):
    """What `run` did."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    run_dir: Path
    """The run directory."""
    planned: int
    """Attempts in the plan."""
    executed: list[AttemptRecord]
    """Attempts executed by this invocation."""
    kept: int
    """Attempts already in the store and not redone."""
    skipped: list[Skipped]
    """(task, n) pairs left out of the plan."""


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def load_run_file(run_dir: Path) -> RunFile:
    """Read run.json, with an error that names the file."""
    path = run_dir / "run.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunError(f"{path}: not found (is {run_dir} a run directory?)") from None
    except json.JSONDecodeError as e:
        raise RunError(f"{path}: not valid JSON: {e}") from None
    version = raw.get("schema_version") if isinstance(raw, dict) else None
    if version != RUN_SCHEMA:
        raise RunError(f"{path}: schema_version {version!r} not supported (need {RUN_SCHEMA})")
    return RunFile.model_validate(raw)


def _save_run_file(run_dir: Path, rf: RunFile) -> None:
    atomic_write_text(run_dir / "run.json", rf.model_dump_json(indent=1))


def _work(spec: AttemptSpec, run_dir: Path, sandbox: SandboxConfig, backend: str) -> AttemptRecord:
    return run_attempt(spec, run_dir, sandbox, backend)


def _crashed(spec: AttemptSpec, err: BaseException) -> AttemptRecord:
    text = f"worker process failed: {type(err).__name__}: {err}"
    return error_attempt(spec, Status.INFRA_ERROR, Reason.SANDBOX, text)


def _absolute_refs(refs: list[str]) -> list[str]:
    return [str(Path(r).resolve()) if Path(r).exists() else r for r in refs]


def run(
    config: RunConfig | None,
    run_dir: Path | None = None,
    *,
    resume: bool = False,
    console: Console | None = None,
    progress: bool = True,
    workers: int | None = None,
) -> RunResult:
    """Plan and execute a run (or add to / resume an existing one).

    - A new run dir: plan `config`, execute everything.
    - An existing run dir: the new plan is added to the stored one; attempts the store already
      holds are kept, the rest run.
    - `resume=True`: also retry infra errors (up to `max_retries`); `config=None` means the
      stored config.
    - `workers` overrides the config's number of parallel attempts (e.g. on resume).
    """
    console = console or Console(stderr=True)
    run_dir = Path(run_dir) if run_dir else Path("runs") / new_run_id()
    existing = load_run_file(run_dir) if (run_dir / "run.json").exists() else None
    if config is None:
        if existing is None:
            raise RunError(f"{run_dir}: nothing to resume (no run.json)")
        config = existing.config
        specs, skipped = [], list(existing.skipped)
    else:
        config = config.model_copy(update={"tasks": _absolute_refs(config.tasks)})
        specs, skipped = plan_attempts(resolve_tasks(config.tasks), config)
    if workers is not None:
        config = config.model_copy(update={"workers": workers})
    if resume and existing is None:
        raise RunError(f"{run_dir}: --resume needs an existing run (no run.json)")

    planned: dict[str, AttemptSpec] = {}
    for spec in [*(existing.attempts if existing else []), *specs]:
        planned.setdefault(spec.attempt_id, spec)
    run_dir.mkdir(parents=True, exist_ok=True)
    rf = RunFile(
        run_id=existing.run_id if existing else run_dir.name,
        created_at=existing.created_at if existing else datetime.now(UTC).isoformat(),
        config=config,
        attempts=list(planned.values()),
        skipped=skipped,
    )
    _save_run_file(run_dir, rf)

    with SqliteStore(run_dir / "results.sqlite") as store:
        held = store.statuses()
        todo: list[AttemptSpec] = []
        retries: dict[str, int] = {}
        for aid, spec in planned.items():
            if aid not in held:
                todo.append(spec)
            elif (
                resume
                and held[aid][0] == Status.INFRA_ERROR.value
                and held[aid][1] < config.max_retries
            ):
                todo.append(spec)
                retries[aid] = held[aid][1] + 1
        kept = len(planned) - len(todo)
        for s in skipped:
            console.print(f"[yellow]skipped[/] {s.task} n={s.n}: {s.why}")
        console.print(
            f"run [bold]{run_dir}[/]: {len(planned)} attempts planned, {kept} already done, "
            f"{len(todo)} to run with {config.workers} worker(s)"
        )
        executed: list[AttemptRecord] = []
        work = functools.partial(
            _work, run_dir=run_dir.resolve(), sandbox=config.sandbox, backend=config.backend
        )
        counts = {s: 0 for s in Status}
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[counts]}"),
            console=console,
            disable=not progress or not todo,
            transient=False,
        ) as bar:
            tid = bar.add_task("attempts", total=len(todo), counts="")
            executor = LocalExecutor(config.workers, on_crash=_crashed)
            for record in executor.map(work, todo):
                record.retries = retries.get(record.attempt_id, 0)
                store.put(record)
                executed.append(record)
                counts[record.status] += 1
                shown = " ".join(f"{s.value}={c}" for s, c in counts.items() if c)
                bar.update(tid, advance=1, counts=shown)
    return RunResult(
        run_dir=run_dir, planned=len(planned), executed=executed, kept=kept, skipped=skipped
    )
