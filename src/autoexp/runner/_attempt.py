"""One attempt from start to grade: prepare, agent, merge, re-execute, grade, record.

End states arrive as exceptions and are mapped to a status here, in one place.
"""

from __future__ import annotations

import difflib
import json
import os
import platform
import shutil
import socket
import tempfile
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autoexp import __version__
from autoexp._io import atomic_write_text, read_agent_file
from autoexp.agents._prompt import DEFAULT_TEMPLATE
from autoexp.agents._registry import create_agent
from autoexp.agents._types import AgentResult
from autoexp.difftest import load_index, run_differential, suggested_timeout
from autoexp.errors import InfraError, LeakError, MaskingError, TaskError
from autoexp.grading import (
    Evidence,
    FunctionOutcome,
    Grade,
    IntegrityFinding,
    IntegrityMode,
    Reason,
    RunOutput,
    Status,
    check_body,
    grade_evidence,
)
from autoexp.masking import extract_body, merge_for_grading
from autoexp.protocols import Sandbox
from autoexp.runner._ends import agent_outcome
from autoexp.runner._envs import task_environment, with_environment
from autoexp.runner._gpus import assigned_gpus
from autoexp.runner._prepare import AGENT_DIR, Prepared, prepare_workspace, read_results_file
from autoexp.runner._types import AttemptRecord, AttemptSpec
from autoexp.sandbox import SandboxConfig, make_sandbox
from autoexp.sandbox._types import ExecResult, Isolation
from autoexp.tasks._load import load_task
from autoexp.tasks._model import Experiment, Task

_SKIP_DIFF = {"__pycache__", ".git", AGENT_DIR}
EVIDENCE_FILE = "evidence.json"
"""In attempts/<id>/: what the grade was computed from (see grading.Evidence)."""


def machine_info() -> dict[str, object]:
    """Facts about the host, recorded on every attempt (`gpus`: those assigned to this worker
    process, see `assigned_gpus`)."""
    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "gpus": assigned_gpus(),
        "autoexp": __version__,
    }


def error_attempt(
    spec: AttemptSpec, status: Status, reason: Reason, text: str, **fields: Any
) -> AttemptRecord:
    """The record of an attempt that ended before it could be graded (infra or grader error)."""
    grade = stamp(Grade(status=status, reason=reason, detail=text))
    fields.setdefault("machine", machine_info())
    return AttemptRecord(attempt_id=spec.attempt_id, spec=spec, grade=grade, error=text, **fields)


def stamp(grade: Grade) -> Grade:
    """The grade with this autoexp's version as its grader and the time it was computed."""
    return grade.model_copy(update={"grader": __version__, "graded_at": _now()})


def grade_for(task: Task, spec: AttemptSpec, evidence: Evidence) -> Grade:
    """The grade of an attempt from its evidence, against `task` as it is now (stamped)."""
    return grade_combo(task, spec.combo, evidence, spec.integrity)


def grade_combo(
    task: Task,
    combo: tuple[str, ...],
    evidence: Evidence,
    integrity: IntegrityMode = IntegrityMode.STRICT,
) -> Grade:
    """The grade of work on `combo` of `task` from its evidence (stamped): the visible and
    hidden experiments of the combo, the task's rule, and a report required only for n = 0."""
    return stamp(
        grade_evidence(
            task.experiments_for(combo),
            evidence,
            hidden=task.hidden_for(combo),
            require_report=not combo,
            integrity_mode=integrity,
            rule=task.spec.rule,
        )
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


DIFF_FILE_CAP = 1 << 20
"""Largest file whose text goes into workspace.diff (a bigger one is named with its size)."""


def _skipped_in_diff(rel: str) -> bool:
    """Harness files and byte-compiled code, never part of workspace.diff."""
    *dirs, name = rel.split("/")
    return name.endswith(".pyc") or any(d in _SKIP_DIFF for d in dirs)


def _as_text(data: bytes | None, problem: str | None) -> str:
    """How a file's content shows in workspace.diff."""
    if data is None:
        return f"<not shown: {problem or 'unreadable'}>\n"
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "<binary file>\n"


def _workspace_files(root: Path) -> dict[str, bytes | str]:
    """Every file under `root`: its bytes, or (a symlink, an unreadable or too large file) the
    text it shows as. Read without following symlinks: a link is shown as its target's name,
    never its content (it may point at host files the agent cannot read)."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):  # does not descend into linked dirs
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIFF]
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in [*filenames, *links]:
            if name.endswith(".pyc"):
                continue
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                out[prefix + name] = f"<symlink to {os.readlink(path)}>\n"
                continue
            data, problem = read_agent_file(Path(path), DIFF_FILE_CAP)
            out[prefix + name] = data if data is not None else _as_text(None, problem)
    return out


def _pristine_files(prep: Prepared) -> dict[str, bytes | str]:
    """What the agent was given, as `_workspace_files` shows a tree."""
    out: dict[str, bytes | str] = {}
    for rel in prep.files:
        if not _skipped_in_diff(rel):
            data, problem = prep.pristine(rel, DIFF_FILE_CAP)
            out[rel] = data if data is not None else _as_text(None, problem)
    return out


def workspace_diff(before: Prepared | Path, after: Path | None = None) -> str:
    """Unified diff of every text file between two trees (harness files left out): what a
    prepared workspace was given (`Prepared.pristine`, no copy needed) and the workspace now,
    or two directories. Files are compared as bytes first, so only changed files are decoded."""
    if isinstance(before, Prepared):
        a, b = _pristine_files(before), _workspace_files(after or before.workspace)
    else:
        assert after is not None, "two directories, or a Prepared"
        a, b = _workspace_files(before), _workspace_files(after)
    chunks: list[str] = []
    for name in sorted(set(a) | set(b)):
        old_raw, new_raw = a.get(name), b.get(name)
        if old_raw == new_raw:
            continue
        old = _text(old_raw)
        new = _text(new_raw)
        if old == new:
            continue
        chunks.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{name}" if name in a else "/dev/null",
                tofile=f"b/{name}" if name in b else "/dev/null",
            )
        )
    return "".join(chunks)


def _text(raw: bytes | str | None) -> str:
    if raw is None:
        return ""
    return raw if isinstance(raw, str) else _as_text(raw, None)


def _agent_bodies(workspace: Path, task: Task, combo: tuple[str, ...]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for fid in combo:
        fn = task.function(fid)
        path = workspace / fn.path
        if not path.resolve().is_relative_to(workspace.resolve()):
            out[fid] = None  # a link out of the workspace: what it points at is not the agent's
            continue
        data, _ = read_agent_file(path, DIFF_FILE_CAP * 16)
        try:
            out[fid] = extract_body(data.decode("utf-8"), fn.qualname) if data else None
        except (UnicodeDecodeError, MaskingError):
            out[fid] = None
    return out


def run_experiment(
    sandbox: Sandbox, task: Task, exp: Experiment, tree: Path, work: Path
) -> ExecResult:
    """Run one experiment (after the task's setup command, if any) in a fresh copy of `tree`
    at `work`, without network; the copy is removed afterwards."""
    shutil.copytree(tree, work, ignore=shutil.ignore_patterns("__pycache__"))
    try:
        if task.spec.setup:
            sandbox.run(task.spec.setup, work, timeout_s=exp.timeout_s, network=False)
        return sandbox.run(exp.command, work, timeout_s=exp.timeout_s, network=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def verify(
    task: Task, combo: tuple[str, ...], tree: Path, sandbox: Sandbox, scratch: Path, logs: Path
) -> dict[str, ExecResult]:
    """Re-run every experiment of the attempt on `tree`, the visible ones then the hidden ones,
    each in a fresh copy and sandbox run; logs go to `logs/verify-<id>.{stdout,stderr}`.

    Runs without network. Raises SandboxError (infra) if the sandbox itself fails.
    """
    results: dict[str, ExecResult] = {}
    for exp in [*task.experiments_for(combo), *task.hidden_for(combo)]:
        res = run_experiment(sandbox, task, exp, tree, scratch / f"verify-{exp.id}")
        (logs / f"verify-{exp.id}.stdout").write_text(res.stdout, encoding="utf-8")
        (logs / f"verify-{exp.id}.stderr").write_text(res.stderr, encoding="utf-8")
        results[exp.id] = res
    return results


def integrity_findings(task: Task, combo: tuple[str, ...], tree: Path) -> list[IntegrityFinding]:
    """Integrity findings in the masked bodies of the merged `tree` (see grading._integrity)."""
    found: list[IntegrityFinding] = []
    for fid in combo:
        fn = task.function(fid)
        try:
            source = (tree / fn.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the merge reported it; the re-run crashes
        found.extend(check_body(source, fn.qualname, fid))
    return found


def differential(
    task: Task, combo: tuple[str, ...], tree: Path, sandbox: Sandbox, scratch: Path, logs: Path
) -> list[FunctionOutcome]:
    """Differential tests of the combo's functions on the merged `tree` (none without samples);
    verdicts are also written to `logs/differential.json`."""
    index = load_index(task)
    if index is None or not combo:
        return []
    outcomes = run_differential(
        task, combo, tree, sandbox, scratch, timeout_s=suggested_timeout(index, list(combo))
    )
    _write_json(logs / "differential.json", [o.model_dump(mode="json") for o in outcomes])
    return outcomes


def _write_json(path: Path, data: object) -> None:
    atomic_write_text(path, json.dumps(data, indent=1))


def attempt_sandbox(
    task: Task,
    sandbox_config: SandboxConfig | None = None,
    backend: str = "auto",
    *,
    hide: Sequence[Path] = (),
    gpus: Sequence[int] | None = None,
) -> Sandbox:
    """The sandbox an attempt at `task` works and is graded in: `sandbox_config` with the task
    directory and `hide` hidden, with `gpus` (default: those assigned to this worker process,
    `assigned_gpus`), in the task's environment (built here when the run did not build it first). Raises
    TaskError (the environment cannot be built) or InfraError (no sandbox)."""
    config = (sandbox_config or SandboxConfig()).model_copy(deep=True)
    # the executor's (or the caller's), never the run config's: no sharing
    config.gpus = assigned_gpus() if gpus is None else list(gpus)
    config.hide = [*config.hide, task.root, *hide]
    config = with_environment(config, task_environment(task))
    return make_sandbox(config, backend=backend)


class _Stop(Exception):
    """Ends an attempt before grading with `status`/`reason`; `cause` is an exception (its
    traceback goes to logs/error.txt) or a message."""

    def __init__(self, status: Status, reason: Reason, cause: BaseException | str) -> None:
        super().__init__(str(cause))
        self.status, self.reason, self.cause = status, reason, cause


def run_attempt(
    spec: AttemptSpec,
    run_dir: Path,
    sandbox_config: SandboxConfig | None = None,
    backend: str = "auto",
) -> AttemptRecord:
    """Run one attempt and return its record (also written to attempts/<id>/attempt.json).

    Never raises for the attempt's own failures: they become the record's status.
    """
    t_start = time.monotonic()
    attempt_dir = run_dir / "attempts" / spec.attempt_id
    if attempt_dir.exists():
        shutil.rmtree(attempt_dir)
    logs = attempt_dir / "logs"
    logs.mkdir(parents=True)
    base: dict[str, Any] = {
        "model": spec.agent.model,
        "machine": machine_info(),
        "started_at": _now(),
    }
    try:
        record = _attempt(spec, run_dir, attempt_dir, sandbox_config, backend, base)
    except _Stop as stop:
        err = stop.cause
        text = err if isinstance(err, str) else f"{type(err).__name__}: {err}"
        (logs / "error.txt").write_text(
            text if isinstance(err, str) else "".join(traceback.format_exception(err)),
            encoding="utf-8",
        )
        record = error_attempt(spec, stop.status, stop.reason, text, **base)
    record.wall_s = round(time.monotonic() - t_start, 3)
    record.finished_at = _now()
    _write_json(attempt_dir / "attempt.json", json.loads(record.model_dump_json()))
    return record


def _attempt(
    spec: AttemptSpec,
    run_dir: Path,
    attempt_dir: Path,
    sandbox_config: SandboxConfig | None,
    backend: str,
    base: dict[str, Any],
) -> AttemptRecord:
    """The attempt's stages; `base` gets the record's fields known before grading. Raises
    _Stop when the attempt ends before grading."""
    try:
        task = load_task(spec.task_root)
    except TaskError as e:
        raise _Stop(Status.GRADER_ERROR, Reason.GRADER, e) from None
    try:
        sandbox = attempt_sandbox(task, sandbox_config, backend, hide=[run_dir.resolve()])
    except (TaskError, InfraError) as e:
        raise _Stop(Status.INFRA_ERROR, Reason.SANDBOX, e) from None
    base["isolation"] = sandbox.isolation.value
    scratch = Path(tempfile.mkdtemp(prefix=f"autoexp-{spec.attempt_id[:40]}-"))
    scratch.chmod(0o755)  # the sandbox may run as an unprivileged uid that must reach it
    try:
        try:
            prep = prepare_workspace(
                task,
                spec.combo,
                scratch,
                agent_name=spec.agent.name,
                setting=spec.setting,
                budget=spec.budget,
                sandboxed=sandbox.isolation == Isolation.BUBBLEWRAP,
            )
        except LeakError as e:
            raise _Stop(Status.GRADER_ERROR, Reason.LEAK, e) from None
        except MaskingError as e:
            raise _Stop(Status.GRADER_ERROR, Reason.GRADER, e) from None
        (attempt_dir / "prompt.md").write_text(prep.prompt.text, encoding="utf-8")
        t_agent = time.monotonic()
        result, agent_error = _run_agent(spec, task, prep, sandbox, attempt_dir)
        agent_wall = time.monotonic() - t_agent
        try:
            evidence = gather_evidence(task, spec.combo, prep, sandbox, scratch, attempt_dir, result)
        except TaskError as e:  # e.g. the task's samples are unusable: not the agent's fault
            raise _Stop(Status.GRADER_ERROR, Reason.GRADER, e) from None
        except InfraError as e:
            raise _Stop(Status.INFRA_ERROR, Reason.SANDBOX, e) from None
        except Exception as e:  # a bug of autoexp's around the agent
            raise _Stop(Status.GRADER_ERROR, Reason.GRADER, e) from None
        evidence.agent_error = agent_error
        _write_json(attempt_dir / EVIDENCE_FILE, evidence.model_dump(mode="json"))
        return AttemptRecord(
            attempt_id=spec.attempt_id,
            spec=spec,
            **{**base, "model": result.model or spec.agent.model},
            grade=grade_for(task, spec, evidence),
            reported=result.reported,
            tokens_in=result.tokens_in,
            tokens_out=result.tokens_out,
            cost_usd=result.cost_usd,
            steps=result.steps,
            agent_wall_s=round(agent_wall, 3),
            error=agent_error,  # the agent's own error (e.g. a CLI's exit and its log's end)
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_agent(
    spec: AttemptSpec, task: Task, prep: Prepared, sandbox: Sandbox, attempt_dir: Path
) -> tuple[AgentResult, str | None]:
    """Build and run the agent: its result and its own error (`Type: message`, or None).
    Raises _Stop for infra errors and when the agent cannot be built."""
    try:
        agent = create_agent(spec.agent, task, attempt_dir)
    except Exception as e:  # the run validated the config: building it is autoexp's fault
        raise _Stop(Status.GRADER_ERROR, Reason.GRADER, e) from None
    agent_error: str | None = None
    try:
        result = agent.run(prep.workspace, prep.prompt, sandbox, spec.budget)
    except Exception as e:  # an end state that escaped the agent: see runner._ends
        end = agent_outcome(e)
        if end.status is not None:
            raise _Stop(end.status, end.reason, e) from None
        if end.agent_error is not None:  # the agent's own bug, recorded with the traceback
            agent_error = end.agent_error
            (attempt_dir / "logs" / "agent-error.txt").write_text(
                "".join(traceback.format_exception(e)), encoding="utf-8"
            )
        result = AgentResult(ended_by=end.state)
    if (
        prep.prompt.template == DEFAULT_TEMPLATE
        and agent_error is None
        and result.reported is None
        and result.report_error is None
    ):  # the default prompt asks for a results file at the workspace root: read it
        result.reported, result.report_error = read_results_file(prep)
    return result, agent_error


def gather_evidence(
    task: Task,
    combo: tuple[str, ...],
    prep: Prepared,
    sandbox: Sandbox,
    scratch: Path,
    attempt_dir: Path,
    result: AgentResult,
) -> Evidence:
    """After the agent: the diff and bodies for the record (in `attempt_dir`, logs in its
    `logs/`), the grading copy (`scratch/graded`, made afresh on every call), and everything
    grading judges (integrity scan, visible and hidden re-executions, differential tests).
    Harness files (`.autoexp/`) are removed from the workspace first."""
    logs = attempt_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(prep.workspace / AGENT_DIR, ignore_errors=True)
    (attempt_dir / "workspace.diff").write_text(workspace_diff(prep), encoding="utf-8")
    agent_bodies = _agent_bodies(prep.workspace, task, combo)
    _write_json(
        attempt_dir / "bodies.json",
        {fid: {"original": prep.originals[fid], "agent": agent_bodies[fid]} for fid in combo},
    )
    graded = scratch / "graded"
    shutil.rmtree(graded, ignore_errors=True)
    merged = merge_for_grading(task.code_dir, prep.workspace, list(combo), graded)
    if merged.problems or merged.outside_edits:
        (logs / "merge.txt").write_text(
            "\n".join([*merged.problems, *merged.outside_edits]) + "\n", encoding="utf-8"
        )
    integrity = integrity_findings(task, combo, graded)
    verified = verify(task, combo, graded, sandbox, scratch, logs)
    functions = differential(task, combo, graded, sandbox, scratch, logs)
    return Evidence(
        runs={k: RunOutput.model_validate(v, from_attributes=True) for k, v in verified.items()},
        reported=result.reported,
        report_error=result.report_error,
        ended_by=result.ended_by,
        edited_outside_mask=merged.edited_outside_mask,
        functions=functions,
        integrity=integrity,
    )
