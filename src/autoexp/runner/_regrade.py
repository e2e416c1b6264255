"""Re-grading a stored run: against the task definitions as they are now, from the stored
evidence (nothing re-run) or by re-executing the agent's stored bodies without the agent."""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from autoexp._io import atomic_write_text, read_agent_file
from autoexp.errors import AutoexpError, InfraError, RunError
from autoexp.grading import Evidence, Reason, RunOutput, Status
from autoexp.masking import copy_code, masked_body, replace_body, restore_bodies
from autoexp.runner._attempt import (
    EVIDENCE_FILE,
    differential,
    error_attempt,
    grade_for,
    integrity_findings,
    verify,
)
from autoexp.runner._envs import task_sandbox
from autoexp.runner._executor import LocalExecutor
from autoexp.runner._run import load_run_file, lock_run_dir
from autoexp.runner._store import SqliteStore
from autoexp.runner._types import AttemptRecord, AttemptSpec
from autoexp.sandbox import SandboxConfig
from autoexp.tasks._load import load_task, resolve_tasks
from autoexp.tasks._model import Task

BODIES_FILE = "bodies.json"
"""In attempts/<id>/: each masked function's original body and the agent's (None: unusable)."""

_MAX_EVIDENCE_BYTES = 256 << 20


class GradeChange(BaseModel):
    """One attempt whose status or reason moved."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    attempt_id: str
    """The attempt."""
    task: str
    """Its task."""
    agent: str
    """Its agent label."""
    before: str
    """`status/reason` of the previous grade."""
    after: str
    """`status/reason` of the new grade."""


class RegradeResult(BaseModel):
    """What `regrade` did."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    run_dir: Path
    """The run directory."""
    regraded: int = 0
    """Attempts given a new grade."""
    changes: list[GradeChange] = Field(default_factory=list)
    """Attempts whose status or reason moved."""
    kept: dict[str, str] = Field(default_factory=dict)
    """Attempts left with their grade: attempt id -> why."""


def _key(status: Status, reason: Reason) -> str:
    return f"{status.value}/{reason.value}"


def read_evidence(attempt_dir: Path) -> Evidence | None:
    """The attempt's evidence.json, or None when it has none; a RunError naming the file when it
    is unreadable."""
    path = attempt_dir / EVIDENCE_FILE
    if not path.exists():
        return None
    data, problem = read_agent_file(path, _MAX_EVIDENCE_BYTES)
    if data is None:
        raise RunError(f"{path}: cannot read: {problem}")
    try:
        return Evidence.model_validate_json(data)
    except ValidationError as e:
        raise RunError(f"{path}: not valid evidence: {e.errors()[0]['msg']}") from None


def read_bodies(attempt_dir: Path, combo: Iterable[str]) -> dict[str, str | None]:
    """The agent's body of each masked function from bodies.json (None: it had no usable one);
    a RunError naming the file when it is missing or malformed."""
    path = attempt_dir / BODIES_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        out = {fid: raw[fid]["agent"] for fid in combo}
    except FileNotFoundError:
        raise RunError(f"{path}: not found, so the agent's code cannot be re-run") from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise RunError(f"{path}: unusable ({type(e).__name__}: {e})") from None
    if not all(b is None or isinstance(b, str) for b in out.values()):
        raise RunError(f"{path}: an `agent` body is neither a string nor null")
    return out


def build_graded_tree(task: Task, bodies: dict[str, str | None], out: Path) -> None:
    """The grading copy from the task's code and the agent's bodies: each function whose body
    the agent lacked raises NotImplementedError, as at merge time."""
    copy_code(task.code_dir, out)
    restore_bodies(out, {fid: b for fid, b in bodies.items() if b is not None})
    for fid, body in bodies.items():
        if body is None:
            fn = task.function(fid)
            path = out / fn.path
            text = path.read_text(encoding="utf-8")
            path.write_text(replace_body(text, fn.qualname, masked_body(None)), encoding="utf-8")


def reexecute_evidence(
    task: Task,
    spec: AttemptSpec,
    evidence: Evidence,
    bodies: dict[str, str | None],
    run_dir: Path,
    sandbox_config: SandboxConfig,
    backend: str,
) -> Evidence:
    """`evidence` with its re-executions, differential tests and integrity findings computed
    anew from the agent's `bodies` on the task's current code (what the agent did and said is
    kept). Logs go to the attempt's logs/ as in a run. Raises InfraError if the sandbox fails."""
    config = sandbox_config.model_copy(deep=True)
    config.hide = [*config.hide, task.root, run_dir.resolve()]
    sandbox = task_sandbox(task, backend=backend, config=config)
    logs = run_dir / "attempts" / spec.attempt_id / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"autoexp-regrade-{spec.attempt_id[:32]}-"))
    scratch.chmod(0o755)
    try:
        graded = scratch / "graded"
        build_graded_tree(task, bodies, graded)
        integrity = integrity_findings(task, spec.combo, graded)
        runs = verify(task, spec.combo, graded, sandbox, scratch, logs)
        functions = differential(task, spec.combo, graded, sandbox, scratch, logs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return evidence.model_copy(
        update={
            "runs": {k: RunOutput.model_validate(v, from_attributes=True) for k, v in runs.items()},
            "functions": functions,
            "integrity": integrity,
        }
    )


def _regraded(record: AttemptRecord, task: Task, evidence: Evidence) -> AttemptRecord:
    """The record with a new grade from `evidence`, its previous grade kept in its history."""
    return record.model_copy(
        update={
            "grade": grade_for(task, record.spec, evidence),
            "history": [*record.history, record.grade],
        }
    )


def _reexecute_one(
    record: AttemptRecord,
    run_dir: Path,
    tasks: dict[str, Path],
    sandbox_config: SandboxConfig,
    backend: str,
) -> AttemptRecord:
    """Worker: the record re-graded on a re-execution of its stored bodies. An infra or autoexp
    error comes back as an error record, which the caller does not store."""
    spec = record.spec
    attempt_dir = run_dir / "attempts" / spec.attempt_id
    try:
        task = load_task(tasks.get(spec.task_id, spec.task_root))
        stored = read_evidence(attempt_dir) or Evidence(
            reported=record.reported, edited_outside_mask=record.edited_outside_mask
        )
        bodies = read_bodies(attempt_dir, spec.combo)
        evidence = reexecute_evidence(task, spec, stored, bodies, run_dir, sandbox_config, backend)
    except InfraError as e:
        return error_attempt(spec, Status.INFRA_ERROR, Reason.SANDBOX, f"{type(e).__name__}: {e}")
    except AutoexpError as e:
        return error_attempt(spec, Status.GRADER_ERROR, Reason.GRADER, str(e))
    atomic_write_text(attempt_dir / EVIDENCE_FILE, evidence.model_dump_json(indent=1))
    return _regraded(record, task, evidence)


def _crashed(record: AttemptRecord, err: BaseException, started: datetime) -> AttemptRecord:
    """LocalExecutor's on_crash: an error record, which `regrade` counts as kept."""
    text = f"worker process failed: {type(err).__name__}: {err}"
    return error_attempt(record.spec, Status.INFRA_ERROR, Reason.SANDBOX, text)


def _why_not(record: AttemptRecord, run_dir: Path, reexecute: bool) -> str | None:
    """Why an attempt cannot be re-graded (None: it can)."""
    if record.status is Status.INFRA_ERROR:
        return "infra error, never graded: run it again with `autoexp run --resume`"
    attempt_dir = run_dir / "attempts" / record.attempt_id
    if reexecute:
        return None if (attempt_dir / BODIES_FILE).exists() else f"no {BODIES_FILE}"
    if not (attempt_dir / EVIDENCE_FILE).exists():
        hint = ": use --reexecute" if (attempt_dir / BODIES_FILE).exists() else ""
        return f"no {EVIDENCE_FILE}{hint}"
    return None


def regrade(
    run_dir: str | Path,
    *,
    task_dirs: Sequence[str | Path] = (),
    reexecute: bool = False,
    workers: int | None = None,
    console: Console | None = None,
    progress: bool = True,
) -> RegradeResult:
    """Grade every graded attempt of a run again, against the task definitions as they are now.

    - By default the grade is recomputed from each attempt's stored evidence.json (its
      re-executions, report, differential and integrity results): nothing runs, so this takes
      seconds. An attempt without evidence.json (one that ended before grading, or a run of an
      older autoexp) is kept as it is; `reexecute` re-grades it when it has bodies.json.
    - With `reexecute`, verification runs again from the agent's stored bodies (bodies.json),
      in a fresh sandbox and without the agent, with the run's sandbox settings and `workers`
      processes (default: the run's); the new evidence replaces the old.

    `task_dirs` (task ids or directories) replace, by task id, the task each attempt recorded.
    Each new grade carries `grader` and `graded_at`; the previous one goes to the record's
    `history`. Infra errors (never graded) are kept, as is every attempt that cannot be
    re-graded (`RegradeResult.kept` says why).
    Holds the run directory's lock, like `run`.
    """
    run_dir = Path(run_dir)
    console = console or Console(stderr=True, emoji=False)
    rf = load_run_file(run_dir)
    tasks = {t.id: t.root for t in resolve_tasks([str(d) for d in task_dirs])} if task_dirs else {}
    result = RegradeResult(run_dir=run_dir)
    with lock_run_dir(run_dir), SqliteStore(run_dir / "results.sqlite") as store:
        todo: list[AttemptRecord] = []
        for record in store.all():
            why = _why_not(record, run_dir, reexecute)
            if why is not None:
                result.kept[record.attempt_id] = why
                continue
            todo.append(record)
        if reexecute:
            work = functools.partial(
                _reexecute_one,
                run_dir=run_dir.resolve(),
                tasks=tasks,
                sandbox_config=rf.config.sandbox,
                backend=rf.config.backend,
            )
            executor = LocalExecutor(workers or rf.config.workers, on_crash=_crashed)
            records: Iterator[AttemptRecord] = executor.map(work, todo)
        else:
            records = _from_evidence(run_dir, todo, tasks)
        with Progress(
            TextColumn("regrading"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not progress or not todo,
        ) as bar:
            tid = bar.add_task("regrade", total=len(todo))
            before = {r.attempt_id: r for r in todo}
            for new in records:
                bar.advance(tid)
                _take(result, store, run_dir, before[new.attempt_id], new)
    return result


def _take(
    result: RegradeResult, store: SqliteStore, run_dir: Path, old: AttemptRecord, new: AttemptRecord
) -> None:
    """Store a re-graded record and count it in `result` (an error record is only counted)."""
    if not new.history:  # an error record: the attempt could not be re-graded
        result.kept[new.attempt_id] = new.error or new.grade.detail
        return
    _store(store, run_dir, new)
    result.regraded += 1
    if (old.status, old.reason) != (new.status, new.reason):
        result.changes.append(
            GradeChange(
                attempt_id=new.attempt_id,
                task=new.spec.task_id,
                agent=new.spec.agent.label,
                before=_key(old.status, old.reason),
                after=_key(new.status, new.reason),
            )
        )


def _from_evidence(
    run_dir: Path, records: list[AttemptRecord], tasks: dict[str, Path]
) -> Iterator[AttemptRecord]:
    """Each record re-graded from its stored evidence (a grader-error record when its task no
    longer loads)."""
    loaded: dict[str, Task | str] = {}
    for record in records:
        spec = record.spec
        where = str(tasks.get(spec.task_id, spec.task_root))
        if where not in loaded:
            try:
                loaded[where] = load_task(where)
            except AutoexpError as e:
                loaded[where] = str(e)
        task = loaded[where]
        if isinstance(task, str):
            yield error_attempt(spec, Status.GRADER_ERROR, Reason.GRADER, task)
            continue
        try:
            evidence = read_evidence(run_dir / "attempts" / record.attempt_id)
        except RunError as e:  # one attempt's bad file never stops the others
            yield error_attempt(spec, Status.GRADER_ERROR, Reason.GRADER, str(e))
            continue
        assert evidence is not None  # checked when the attempt was picked
        yield _regraded(record, task, evidence)


def _store(store: SqliteStore, run_dir: Path, record: AttemptRecord) -> None:
    store.put(record)
    path = run_dir / "attempts" / record.attempt_id / "attempt.json"
    if path.parent.is_dir():
        atomic_write_text(path, record.model_dump_json(indent=1))
