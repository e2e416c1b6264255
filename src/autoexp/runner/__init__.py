# ruff: noqa: F401
"""Runs: planning, executing attempts (process pool), the SQLite store, resume.

The names are loaded on first use (as in `autoexp`), so that importing a light module of this
package, such as `autoexp.runner._options` for the command line, does not load the agents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autoexp._lazy import lazy_exports

_PUBLIC = {
    "machine_info": "autoexp.runner._attempt",
    "run_attempt": "autoexp.runner._attempt",
    "run_experiment": "autoexp.runner._attempt",
    "verify": "autoexp.runner._attempt",
    "workspace_diff": "autoexp.runner._attempt",
    "LocalExecutor": "autoexp.runner._executor",
    "RunOptions": "autoexp.runner._options",
    "PLAN_FIELDS": "autoexp.runner._plan",
    "RESUMABLE_FIELDS": "autoexp.runner._plan",
    "RunConfig": "autoexp.runner._plan",
    "Skipped": "autoexp.runner._plan",
    "plan_attempts": "autoexp.runner._plan",
    "plan_changes": "autoexp.runner._plan",
    "resume_config": "autoexp.runner._plan",
    "task_seed": "autoexp.runner._plan",
    "AGENT_DIR": "autoexp.runner._prepare",
    "RayExecutor": "autoexp.runner._ray",
    "Prepared": "autoexp.runner._prepare",
    "prepare_workspace": "autoexp.runner._prepare",
    "write_prepared": "autoexp.runner._prepare",
    "GradeChange": "autoexp.runner._regrade",
    "RegradeResult": "autoexp.runner._regrade",
    "regrade": "autoexp.runner._regrade",
    "RunFile": "autoexp.runner._run",
    "RunResult": "autoexp.runner._run",
    "load_run_file": "autoexp.runner._run",
    "new_run_id": "autoexp.runner._run",
    "run": "autoexp.runner._run",
    "Session": "autoexp.runner._session",
    "SessionGrade": "autoexp.runner._session",
    "SqliteStore": "autoexp.runner._store",
    "ROW_COLUMNS": "autoexp.runner._types",
    "AttemptRecord": "autoexp.runner._types",
    "AttemptSpec": "autoexp.runner._types",
    "attempt_row": "autoexp.runner._types",
}
"""Public name -> the module that defines it."""

__all__ = [*_PUBLIC]

if TYPE_CHECKING:  # for type checkers only; the names are served by __getattr__
    from autoexp.runner._attempt import (
        machine_info,
        run_attempt,
        run_experiment,
        verify,
        workspace_diff,
    )
    from autoexp.runner._executor import LocalExecutor
    from autoexp.runner._options import RunOptions
    from autoexp.runner._plan import (
        PLAN_FIELDS,
        RESUMABLE_FIELDS,
        RunConfig,
        Skipped,
        plan_attempts,
        plan_changes,
        resume_config,
        task_seed,
    )
    from autoexp.runner._prepare import AGENT_DIR, Prepared, prepare_workspace, write_prepared
    from autoexp.runner._ray import RayExecutor
    from autoexp.runner._regrade import GradeChange, RegradeResult, regrade
    from autoexp.runner._run import RunFile, RunResult, load_run_file, new_run_id, run
    from autoexp.runner._session import Session, SessionGrade
    from autoexp.runner._store import SqliteStore
    from autoexp.runner._types import ROW_COLUMNS, AttemptRecord, AttemptSpec, attempt_row


__getattr__ = lazy_exports(__name__, _PUBLIC)
