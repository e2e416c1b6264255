"""Running a plan: run.json, the store, the executor, progress, resume."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from autoexp import __version__
from autoexp._console import plain
from autoexp._io import atomic_write_text
from autoexp.agents._checks import hide_answers
from autoexp.agents._registry import MODEL_AGENTS, preflight, validate_agent_spec
from autoexp.errors import RunError
from autoexp.grading import Reason, Status
from autoexp.models._openai import endpoint_url
from autoexp.protocols import Executor, Store
from autoexp.runner._attempt import error_attempt, run_attempt
from autoexp.runner._envs import task_environment
from autoexp.runner._executor import LocalExecutor
from autoexp.runner._options import options_of
from autoexp.runner._plan import ExecutorKind, RunConfig, Skipped, plan_attempts, plan_changes
from autoexp.runner._store import SqliteStore
from autoexp.runner._types import AttemptRecord, AttemptSpec
from autoexp.sandbox._types import SandboxConfig
from autoexp.tasks._load import load_task, resolve_tasks

RUN_SCHEMA = 2
"""Version of run.json. 2: `state` and `invocations` (a version-1 file is migrated on reading)."""

RESULTS_FILE = "results.sqlite"
"""The default store of a run, in its directory."""

StoreFactory = Callable[[Path], Store]
"""Opens the store of a run, given the run directory (which exists when it is called)."""


class RunState(StrEnum):
    """Where a run is, as run.json records it (the state of its latest invocation)."""

    PLANNED = "planned"
    """The plan is saved; no attempt of this invocation has started."""
    RUNNING = "running"
    """An invocation is running attempts; also what a run killed outright (SIGKILL) leaves, as
    nothing then holds its lock (`.lock`)."""
    FINISHED = "finished"
    """The invocation ran everything it had to (infra errors whose retries ran out stay, for a
    --resume with a larger --max-retries)."""
    INTERRUPTED = "interrupted"
    """The invocation stopped early: the circuit breaker, Ctrl-C or an error; --resume goes on."""


class Invocation(BaseModel):
    """One call of `run` on the run directory (each `autoexp run` that got past validation)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    argv: list[str] | None = None
    """The command line exactly as given (`sys.argv` of `autoexp run`); None for a Python call
    that gave none."""
    cwd: str = ""
    """Working directory of the call (relative paths in argv are relative to it)."""
    autoexp_version: str = __version__
    """autoexp version of the call."""
    started_at: str
    """When the call started (ISO, UTC)."""
    finished_at: str | None = None
    """When it ended (None: still running, or killed outright)."""
    state: RunState = RunState.PLANNED
    """Where this call got to."""
    stopped: str | None = None
    """Why it was interrupted (the circuit breaker's reason, Ctrl-C, the error), else None."""


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
    state: RunState = RunState.PLANNED
    """The run's state: that of its latest invocation."""
    invocations: list[Invocation] = Field(default_factory=list)
    """Every call of `run` on this directory, oldest first."""
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
    """The final record of each attempt executed by this invocation (after its retries)."""
    kept: int
    """Attempts already in the store and not redone."""
    skipped: list[Skipped]
    """(task, n) pairs left out of the plan."""
    retried: int = 0
    """Infra errors retried within this invocation (executions beyond an attempt's first)."""
    stopped: str | None = None
    """Why the run stopped before running every attempt (the circuit breaker), else None."""


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    """Version 1 recorded neither state nor invocations: the run reads as interrupted (whether
    it finished is unknown; a --resume redoes nothing that is done) with no invocations."""
    return {**raw, "schema_version": 2, "state": RunState.INTERRUPTED.value, "invocations": []}


_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}
"""run.json version -> the function that turns it into the next version."""


def load_run_file(run_dir: Path) -> RunFile:
    """Read run.json (migrating an older schema version), with an error that names the file."""
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
    while isinstance(raw, dict) and version in _MIGRATIONS:
        raw = _MIGRATIONS[version](raw)
        version = raw.get("schema_version")
    if version != RUN_SCHEMA:
        raise RunError(
            f"{path}: schema_version {version!r} not supported (this autoexp reads 1 to "
            f"{RUN_SCHEMA})"
        )
    return RunFile.model_validate(raw)


def _save_run_file(run_dir: Path, rf: RunFile) -> None:
    atomic_write_text(run_dir / "run.json", rf.model_dump_json(indent=1))


def _set_state(run_dir: Path, rf: RunFile, state: RunState, why: str | None = None) -> None:
    """Record `state` as the run's and its latest invocation's (with its end time once it ends)
    and save run.json. Once the invocation has ended, a run.json that cannot be written (a full
    disk) is left as it is rather than hide the error that ended it."""
    inv = rf.invocations[-1]
    rf.state = inv.state = state
    if state in (RunState.FINISHED, RunState.INTERRUPTED):
        inv.finished_at, inv.stopped = _now(), why
        with contextlib.suppress(OSError):
            _save_run_file(run_dir, rf)
    else:
        _save_run_file(run_dir, rf)


@dataclasses.dataclass(frozen=True)
class AttemptWork:
    """What a run gives its executor to run one attempt: `run_attempt` into `run_dir` with the
    run's sandbox limits and backend. An executor running attempts on another machine runs a
    copy with its own `run_dir` there (`dataclasses.replace`) and brings the attempt back."""

    run_dir: Path
    """The run directory the attempt writes attempts/<id>/ into."""
    sandbox: SandboxConfig
    """Sandbox limits of the run."""
    backend: str
    """Sandbox backend: auto, bwrap or none."""

    def __call__(self, spec: AttemptSpec) -> AttemptRecord:
        return run_attempt(spec, self.run_dir, self.sandbox, self.backend)


def default_executor(config: RunConfig) -> Executor:
    """The executor `config.executor` names: a LocalExecutor of `config.workers` processes, or
    a RayExecutor connected to `config.ray_address` (ConfigError when Ray is missing or the
    cluster cannot be reached or cannot hold an attempt)."""
    if config.executor is ExecutorKind.RAY:
        from autoexp.runner._ray import RayExecutor

        return RayExecutor.connect(config.ray_address, _crashed, memory_mb=config.sandbox.memory_mb)
    return LocalExecutor(config.workers, _crashed)


def _crashed(spec: AttemptSpec, err: BaseException, started: datetime) -> AttemptRecord:
    """The record of an attempt whose worker failed (LocalExecutor's on_crash)."""
    text = f"worker process failed: {type(err).__name__}: {err}"
    ended = datetime.now(UTC)
    return error_attempt(
        spec,
        Status.INFRA_ERROR,
        Reason.SANDBOX,
        text,
        started_at=started.isoformat(timespec="seconds"),
        finished_at=ended.isoformat(timespec="seconds"),
        wall_s=round((ended - started).total_seconds(), 3),
    )


def _sqlite_store(run_dir: Path) -> SqliteStore:
    """The default store: results.sqlite in the run directory."""
    return SqliteStore(run_dir / RESULTS_FILE)


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
    argv: Sequence[str] | None = None,
    executor: Executor | None = None,
    store: StoreFactory | None = None,
) -> RunResult:
    """Plan and execute a run (or add to / resume an existing one).

    - A new run dir: plan `config`, execute everything. An empty plan is a RunError naming why.
    - An existing run dir: the new plan is added to the stored one; attempts the store already
      holds are kept, the rest run.
    - `resume=True`: run the stored plan's unfinished attempts and retry its infra errors (up to
      `max_retries`). `config=None` means the stored config; a given config may change only
      RESUMABLE_FIELDS (see `resume_config`): a different plan field is a RunError naming it.
    - `workers` overrides the config's number of parallel attempts.
    - `argv`: the command line of this call, recorded in run.json's `invocations` (the CLI
      passes sys.argv); run.json's `state` says planned / running / finished / interrupted.
    - `executor` runs the attempts (default: `default_executor(config)`, a LocalExecutor of
      `config.workers` processes or, with `config.executor` ray, a RayExecutor, connected before
      anything is written; a given executor decides its own parallelism). `store` opens the run's store from the run
      directory (default: results.sqlite in it); it is opened once to read what it holds and
      again, under the run's lock, to write. run() uses only what `autoexp.protocols` declares
      of both. (`autoexp attempts` and the report read results.sqlite.)

    Before any attempt starts (and before anything is written for a new run) every agent to run
    is validated (ConfigError) and, with `config.preflight`, each model endpoint gets one cheap
    request (EndpointError). The budget of the config applies to the attempts this call runs.

    An attempt that ends in infra_error is run again within the run, up to `max_retries` times
    over the attempt's life (its `retries`), each retry in a later round, after the executor has
    run the round before, and no sooner than `retry_backoff_s` (doubling per retry, capped at
    `max_retry_backoff_s`) after it failed. The circuit breaker counts every execution,
    retries included: after `config.max_api_failures` consecutive model API errors on one
    endpoint, nothing more starts (attempts in flight are stopped and stay unrun, infra errors
    stay unretried, all for --resume) and `RunResult.stopped` says why.
    """
    console = console or Console(stderr=True, emoji=False)
    run_dir = Path(run_dir) if run_dir else Path("runs") / new_run_id()
    _check_run_dir(run_dir)
    existing = load_run_file(run_dir) if (run_dir / "run.json").exists() else None
    open_store = store or _sqlite_store
    config, specs, skipped = _plan(config, run_dir, existing, resume, workers, executor)
    planned: dict[str, AttemptSpec] = {}
    for spec in [*(existing.attempts if existing else []), *specs]:
        planned.setdefault(spec.attempt_id, spec)
    held = _held(open_store, run_dir) if existing is not None else {}
    todo, retries = _todo(planned, held, config, resume)
    kept = len(planned) - len(todo)
    config = _check_agents(todo, config, console)
    _build_environments(todo, console)
    how = f"{config.workers} worker(s)" if executor is None else type(executor).__name__
    if executor is None and config.executor is not ExecutorKind.LOCAL:
        how = f"the {config.executor.value} executor"
    executor = executor or default_executor(config)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunError(f"{run_dir}: cannot create the run directory: {e.strerror or e}") from None
    call = Invocation(argv=None if argv is None else list(argv), cwd=os.getcwd(), started_at=_now())
    rf = RunFile(
        run_id=existing.run_id if existing else run_dir.name,
        created_at=existing.created_at if existing else datetime.now(UTC).isoformat(),
        invocations=[*(existing.invocations if existing else []), call],
        config=config,
        attempts=list(planned.values()),
        skipped=skipped,
    )
    with lock_run_dir(run_dir), contextlib.closing(open_store(run_dir)) as st:
        _save_run_file(run_dir, rf)
        for s in skipped:
            console.print(
                f"[yellow]skipped[/] {plain(s.task)} n={s.n}: {plain(s.why)}", highlight=False
            )
        console.print(
            f"run [bold]{plain(run_dir)}[/]: {len(planned)} attempts planned, {kept} already done, "
            f"{len(todo)} to run with {how}",
            highlight=False,
        )
        runner = _Rounds(config, run_dir, st, executor)
        stopped = _tracked(run_dir, rf, lambda: runner.execute(todo, retries, console, progress))
    return RunResult(
        run_dir=run_dir,
        planned=len(planned),
        executed=list(runner.done.values()),
        kept=kept,
        skipped=skipped,
        retried=runner.retried,
        stopped=stopped,
    )


def _check_agents(todo: list[AttemptSpec], config: RunConfig, console: Console) -> RunConfig:
    """Validate every agent of `todo` (ConfigError) and, with `config.preflight`, make one cheap
    request to each model endpoint (EndpointError). Returns `config` with the run and task
    directories found under `--sandbox-ro` paths hidden from agents."""
    agents = list({a.model_dump_json(): a for a in (s.agent for s in todo)}.values())
    for agent in agents:
        validate_agent_spec(agent)
    sandbox, notes = hide_answers(config.sandbox)  # --sandbox-ro must not show runs or tasks
    for note in notes:
        console.print(plain(note), highlight=False)
    config = config.model_copy(update={"sandbox": sandbox})
    if todo and config.preflight:
        for url in preflight(agents, config.sandbox, config.backend):
            console.print(f"model endpoint {plain(url)}: answers", highlight=False)
    return config


def _build_environments(todo: list[AttemptSpec], console: Console) -> None:
    """Build the environment of every task of `todo` that names requirements, before any
    attempt starts (TaskError naming the task and pip's output when one cannot be built)."""
    for root in dict.fromkeys(s.task_root for s in todo):
        task_environment(load_task(root), lambda m: console.print(plain(m), highlight=False))


def _tracked(run_dir: Path, rf: RunFile, execute: Callable[[], str | None]) -> str | None:
    """Call `execute` with run.json saying `running`, and then (in a finally) `finished`, or
    `interrupted` when it returns why it stopped early (the circuit breaker) or raises
    (Ctrl-C, an error). Returns what `execute` returns."""
    _set_state(run_dir, rf, RunState.RUNNING)
    state, why = RunState.INTERRUPTED, "crashed"
    try:
        stopped = execute()
        state, why = (RunState.INTERRUPTED, stopped) if stopped else (RunState.FINISHED, None)
        return stopped
    except KeyboardInterrupt:
        why = "interrupted (KeyboardInterrupt)"
        raise
    except BaseException as e:
        why = f"{type(e).__name__}: {e}"
        raise
    finally:
        _set_state(run_dir, rf, state, why)


def _plan(
    config: RunConfig | None,
    run_dir: Path,
    existing: RunFile | None,
    resume: bool,
    workers: int | None,
    executor: Executor | None = None,
) -> tuple[RunConfig, list[AttemptSpec], list[Skipped]]:
    """The config of this call and the attempts it plans (none beyond the stored plan when it
    resumes or gives no config), with the (task, n) pairs left out."""
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
        return config, [], list(existing.skipped)
    specs, skipped = plan_attempts(
        resolve_tasks(config.tasks), config, gpus=_gpu_capacity(config, executor)
    )
    if not specs:
        raise RunError(_empty_message(config, skipped))
    return config, specs, skipped


def _gpu_capacity(config: RunConfig, executor: Executor | None) -> int | None:
    """The most GPUs one attempt can be given, which decides which GPU tasks the plan leaves
    out: the given executor's (`most_gpus()`, when it has one), a Ray cluster's largest node
    (connecting to it: a ConfigError when that fails), or None for this machine's GPUs."""
    if executor is not None:
        most = getattr(executor, "most_gpus", None)
        return int(most()) if callable(most) else None
    if config.executor is ExecutorKind.RAY:
        from autoexp.runner._ray import connect, most_gpus

        connect(config.ray_address)
        return most_gpus()
    return None


def _todo(
    planned: dict[str, AttemptSpec],
    held: Mapping[str, tuple[str, int]],
    config: RunConfig,
    resume: bool,
) -> tuple[list[AttemptSpec], dict[str, int]]:
    """The attempts to run (with this config's budget) and the retry count of those that are
    retries of a stored infra error (on resume, while retries are left). Updates `planned`."""
    todo: list[AttemptSpec] = []
    retries: dict[str, int] = {}
    for aid, spec in planned.items():
        if aid not in held:
            pass
        elif resume and held[aid][0] == Status.INFRA_ERROR and held[aid][1] < config.max_retries:
            retries[aid] = held[aid][1] + 1
        else:
            continue
        planned[aid] = spec.model_copy(update={"budget": config.budget})
        todo.append(planned[aid])
    return todo, retries


def retry_delay(config: RunConfig, retry: int) -> float:
    """Seconds to wait, after an attempt's infra error, before its retry number `retry` (1 for
    the first): retry_backoff_s doubled per earlier retry, at most max_retry_backoff_s."""
    return min(config.retry_backoff_s * 2 ** max(0, retry - 1), config.max_retry_backoff_s)


class _Rounds:
    """Executes attempts in rounds: the attempts to run, then the infra errors among them that
    have retries left (after their backoff), and so on; stores every record as it arrives."""

    def __init__(self, config: RunConfig, run_dir: Path, store: Store, executor: Executor) -> None:
        self.config = config
        self.store = store
        self.executor = executor
        self.work = AttemptWork(run_dir.resolve(), config.sandbox, config.backend)
        self.breaker = _Breaker(config.max_api_failures)
        self.done: dict[str, AttemptRecord] = {}
        """Latest record of each attempt run, in the order they first finished."""
        self.counts: dict[str, int] = {}
        """Status -> attempts whose latest record has it (for the progress bar)."""
        self.retried = 0

    def execute(
        self, todo: list[AttemptSpec], retries: dict[str, int], console: Console, progress: bool
    ) -> str | None:
        """Run `todo` (`retries`: attempt id -> its retry count) and its retries; why the
        circuit breaker stopped the run, or None."""
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
            batch = todo
            while batch:
                again, stopped = self._round(batch, retries, bar, tid)
                if stopped:
                    return stopped
                self.retried += len(again)
                bar.update(tid, total=len(todo) + self.retried)
                if again:
                    time.sleep(max(0.0, max(t for _, t in again) - time.monotonic()))
                batch = [spec for spec, _ in again]
        return None

    def _round(
        self, batch: list[AttemptSpec], retries: dict[str, int], bar: Progress, tid: Any
    ) -> tuple[list[tuple[AttemptSpec, float]], str | None]:
        """Run one round: the retries it asks for (spec, monotonic time it may start) and, when
        the breaker trips, why the run stops (the executor then stops what is in flight)."""
        specs = {s.attempt_id: s for s in batch}
        left = set(specs)
        again: list[tuple[AttemptSpec, float]] = []
        with contextlib.closing(self.executor.map(self.work, batch)) as results:
            for record in results:
                aid = record.attempt_id
                record.retries = retries.get(aid, 0)
                self._put(record)
                if aid in self.done:
                    self.counts[self.done[aid].status.value] -= 1
                self.counts[record.status.value] = self.counts.get(record.status.value, 0) + 1
                self.done[aid] = record
                left.discard(aid)
                if record.status == Status.INFRA_ERROR and record.retries < self.config.max_retries:
                    retries[aid] = record.retries + 1
                    wait = retry_delay(self.config, retries[aid])
                    again.append((specs[aid], time.monotonic() + wait))
                shown = " ".join(f"{k}={c}" for k, c in self.counts.items() if c)
                bar.update(tid, advance=1, counts=shown)
                tripped = self.breaker.add(record)
                if tripped and (left or again):
                    unrun = sum(a not in self.done for a in left)
                    return again, _stopped_message(tripped, unrun, len(again) + len(left) - unrun)
        return again, None

    def _put(self, record: AttemptRecord) -> None:
        try:
            self.store.put(record)
        except (sqlite3.Error, OSError) as e:  # a full disk, an I/O error: nothing to retry
            raise RunError(_store_failed(self.store.path, record, e)) from None


def _stopped_message(tripped: str, unrun: int, unretried: int) -> str:
    left = f"{unrun} attempt(s) not run"
    if unretried:
        left += f", {unretried} infra error(s) not retried"
    return f"{tripped}; {left}: fix the endpoint, then continue with --resume"


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


def _store_failed(path: Path, record: AttemptRecord, err: Exception) -> str:
    return (
        f"{path}: cannot store attempt {record.attempt_id} ({err}; is the disk full?). The "
        f"attempts stored before it are kept; free space, then continue with --resume"
    )


def _held(open_store: StoreFactory, run_dir: Path) -> dict[str, tuple[str, int]]:
    """(status, retries) of each attempt the run's store holds."""
    with contextlib.closing(open_store(run_dir)) as store:
        return dict(store.statuses())


def _empty_message(config: RunConfig, skipped: list[Skipped]) -> str:
    if skipped:
        why = "; ".join(f"{s.task} n={s.n}: {s.why}" for s in skipped)
    elif not config.agents:
        why = "no agents"
    else:
        why = "no tasks"
    return f"the plan has no attempts, nothing to run ({why})"


def _changed_message(run_dir: Path, stored: RunConfig, given: RunConfig, changed: list[str]) -> str:
    def show(value: object) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(show(v) for v in value) + "]"
        label = getattr(value, "label", None)
        return str(label) if label is not None else str(value)

    diffs = "; ".join(
        f"{f} ({options_of(f)}): run has {show(getattr(stored, f))}, given {show(getattr(given, f))}"
        for f in changed
    )
    return (
        f"{run_dir}: resuming cannot change the plan: {diffs}. Leave these options out (or give "
        "them as the run has them), or start another --run-dir; without --resume a run dir "
        "takes more attempts"
    )
