"""Running a plan: run.json, the store, the executor, progress, resume."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from autoexp import __version__
from autoexp._console import plain
from autoexp._io import atomic_write_text
from autoexp.agents._registry import MODEL_AGENTS, preflight, validate_agent_spec
from autoexp.errors import RunError
from autoexp.grading import Reason, Status
from autoexp.models._openai import endpoint_url
from autoexp.runner._attempt import error_attempt, run_attempt
from autoexp.runner._executor import LocalExecutor
from autoexp.runner._plan import RunConfig, Skipped, plan_attempts, plan_changes
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
    stopped: str | None = None
    """Why the run stopped before running every attempt (the circuit breaker), else None."""


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def load_run_file(run_dir: Path) -> RunFile:
    """Read run.json, with an error that names the file."""
    path = run_dir / "run.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        raise RunError(f"{path}: not found (is {run_dir} a run directory?)") from None
    except OSError as e:
        raise RunError(f"{path}: cannot read: {e.strerror or e}") from None
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

    - A new run dir: plan `config`, execute everything. An empty plan is a RunError naming why.
    - An existing run dir: the new plan is added to the stored one; attempts the store already
      holds are kept, the rest run.
    - `resume=True`: run the stored plan's unfinished attempts and retry its infra errors (up to
      `max_retries`). `config=None` means the stored config; a given config may change only
      RESUMABLE_FIELDS (see `resume_config`): a different plan field is a RunError naming it.
    - `workers` overrides the config's number of parallel attempts.

    Before any attempt starts (and before anything is written for a new run) every agent to run
    is validated (ConfigError) and, with `config.preflight`, each model endpoint gets one cheap
    request (EndpointError). The budget of the config applies to the attempts this call runs.
    After `config.max_api_failures` consecutive model API errors on one endpoint, no further
    attempt starts (those in flight are stopped and stay unrun) and `RunResult.stopped` says why.
    """
    console = console or Console(stderr=True, emoji=False)
    run_dir = Path(run_dir) if run_dir else Path("runs") / new_run_id()
    _check_run_dir(run_dir)
    existing = load_run_file(run_dir) if (run_dir / "run.json").exists() else None
    if resume and existing is None:
        raise RunError(f"{run_dir}: --resume needs an existing run (no run.json)")
    replan = config is not None and not resume
    if config is None:
        if existing is None:
            raise RunError(f"{run_dir}: nothing to resume (no run.json)")
        config = existing.config
    else:
        config = config.model_copy(update={"tasks": _absolute_refs(config.tasks)})
    if workers is not None:
        config = config.model_copy(update={"workers": workers})
    if existing is not None and not replan:
        changed = plan_changes(existing.config, config)
        if changed:
            raise RunError(_changed_message(run_dir, existing.config, config, changed))
        specs, skipped = [], list(existing.skipped)
    else:
        specs, skipped = plan_attempts(resolve_tasks(config.tasks), config)
        if not specs:
            raise RunError(_empty_message(config, skipped))

    planned: dict[str, AttemptSpec] = {}
    for spec in [*(existing.attempts if existing else []), *specs]:
        planned.setdefault(spec.attempt_id, spec)
    held = _held(run_dir)
    todo: list[AttemptSpec] = []
    retries: dict[str, int] = {}
    for aid, spec in planned.items():
        if aid not in held:
            pass
        elif (
            resume
            and held[aid][0] == Status.INFRA_ERROR.value
            and held[aid][1] < config.max_retries
        ):
            retries[aid] = held[aid][1] + 1
        else:
            continue
        planned[aid] = spec.model_copy(update={"budget": config.budget})
        todo.append(planned[aid])
    kept = len(planned) - len(todo)
    agents = list({a.model_dump_json(): a for a in (s.agent for s in todo)}.values())
    for agent in agents:
        validate_agent_spec(agent)
    if todo and config.preflight:
        for url in preflight(agents):
            console.print(f"model endpoint {plain(url)}: answers", highlight=False)

    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunError(f"{run_dir}: cannot create the run directory: {e.strerror or e}") from None
    rf = RunFile(
        run_id=existing.run_id if existing else run_dir.name,
        created_at=existing.created_at if existing else datetime.now(UTC).isoformat(),
        config=config,
        attempts=list(planned.values()),
        skipped=skipped,
    )
    stopped: str | None = None
    with lock_run_dir(run_dir), SqliteStore(run_dir / "results.sqlite") as store:
        _save_run_file(run_dir, rf)
        for s in skipped:
            console.print(
                f"[yellow]skipped[/] {plain(s.task)} n={s.n}: {plain(s.why)}", highlight=False
            )
        console.print(
            f"run [bold]{plain(run_dir)}[/]: {len(planned)} attempts planned, {kept} already done, "
            f"{len(todo)} to run with {config.workers} worker(s)",
            highlight=False,
        )
        executed: list[AttemptRecord] = []
        work = functools.partial(
            _work, run_dir=run_dir.resolve(), sandbox=config.sandbox, backend=config.backend
        )
        counts = {s: 0 for s in Status}
        breaker = _Breaker(config.max_api_failures)
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
            with contextlib.closing(executor.map(work, todo)) as results:
                for record in results:
                    record.retries = retries.get(record.attempt_id, 0)
                    try:
                        store.put(record)
                    except sqlite3.Error as e:  # a full disk, an I/O error: nothing to retry
                        raise RunError(_store_failed(store.path, record, e)) from None
                    executed.append(record)
                    counts[record.status] += 1
                    shown = " ".join(f"{s.value}={c}" for s, c in counts.items() if c)
                    bar.update(tid, advance=1, counts=shown)
                    tripped = breaker.add(record)
                    if tripped and len(executed) < len(todo):
                        stopped = (
                            f"{tripped}; {len(todo) - len(executed)} attempt(s) not run: "
                            f"fix the endpoint, then continue with --resume"
                        )
                        break  # closing the executor's generator stops the attempts in flight
    return RunResult(
        run_dir=run_dir,
        planned=len(planned),
        executed=executed,
        kept=kept,
        skipped=skipped,
        stopped=stopped,
    )


class _Breaker:
    """Counts consecutive model API errors per endpoint of model-driven agents."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.streak: dict[str, int] = {}

    def add(self, record: AttemptRecord) -> str | None:
        """Count `record`; the reason to stop when an endpoint reaches the limit (else None)."""
        agent = record.spec.agent
        if agent.name not in MODEL_AGENTS:
            return None
        url = endpoint_url(agent.base_url)
        api = record.status == Status.INFRA_ERROR and record.reason == Reason.MODEL_API
        self.streak[url] = self.streak.get(url, 0) + 1 if api else 0
        if not self.limit or self.streak[url] < self.limit:
            return None
        return (
            f"stopped after {self.streak[url]} consecutive attempts failed to reach the model "
            f"endpoint {url}; last error: {record.error}"
        )


LOCK_FILE = ".lock"
"""In the run directory: locked (flock) by the `autoexp run` using it, and holding its pid."""


@contextlib.contextmanager
def lock_run_dir(run_dir: Path) -> Iterator[None]:
    """Hold `run_dir`'s lock while the block runs; a RunError naming the lock file and the
    holder's pid when another live process holds it. The kernel drops a flock when its holder
    dies, so a lock file left by a dead process is simply taken over."""
    path = run_dir / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        raise RunError(f"{path}: cannot open the run's lock file: {e.strerror or e}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise RunError(
                f"{run_dir} is in use by another autoexp run (pid {pid}, lock {path}): "
                "wait for it to finish, or stop it and continue with --resume"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def _check_run_dir(run_dir: Path) -> None:
    """A one-line RunError when `run_dir` is a file or lies under one."""
    try:
        for p in (run_dir, *run_dir.parents):
            if p.exists():
                if not p.is_dir():
                    where = "is a file" if p == run_dir else f"is under a file ({p})"
                    raise RunError(f"run directory {run_dir} {where}")
                return
    except OSError as e:
        raise RunError(f"run directory {run_dir}: {e.strerror or e}") from None


def _store_failed(path: Path, record: AttemptRecord, err: sqlite3.Error) -> str:
    return (
        f"{path}: cannot store attempt {record.attempt_id} ({err}; is the disk full?). The "
        f"attempts stored before it are kept; free space, then continue with --resume"
    )


def _held(run_dir: Path) -> dict[str, tuple[str, int]]:
    """(status, retries) of each attempt the run's store holds (none without a store)."""
    db = run_dir / "results.sqlite"
    if not db.is_file():
        return {}
    with SqliteStore(db) as store:
        return store.statuses()


def _empty_message(config: RunConfig, skipped: list[Skipped]) -> str:
    if skipped:
        why = "; ".join(f"{s.task} n={s.n}: {s.why}" for s in skipped)
    elif not config.agents:
        why = "no agents"
    else:
        why = "no tasks"
    return f"the plan has no attempts, nothing to run ({why})"


_OPTIONS = {
    "tasks": "the tasks",
    "agents": "--agent, --model and the agent options",
    "ns": "--n",
    "trials": "--trials",
    "combos_per_n": "--combos-per-n",
    "seed": "--seed",
    "settings": "--setting, --commands, --paper, --descriptions",
    "integrity": "--integrity",
}
"""The `autoexp run` options of each plan field, for messages."""


def _changed_message(run_dir: Path, stored: RunConfig, given: RunConfig, changed: list[str]) -> str:
    def show(value: object) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(show(v) for v in value) + "]"
        label = getattr(value, "label", None)
        return str(label) if label is not None else str(value)

    diffs = "; ".join(
        f"{f} ({_OPTIONS[f]}): run has {show(getattr(stored, f))}, given {show(getattr(given, f))}"
        for f in changed
    )
    return (
        f"{run_dir}: resuming cannot change the plan: {diffs}. Leave these options out (or give "
        "them as the run has them), or start another --run-dir; without --resume a run dir "
        "takes more attempts"
    )
