"""Runs: planning, executing attempts (process pool), the SQLite store, resume."""

from autoexp.runner._attempt import (
    machine_info,
    run_attempt,
    run_experiment,
    verify,
    workspace_diff,
)
from autoexp.runner._executor import LocalExecutor
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
from autoexp.runner._regrade import GradeChange, RegradeResult, regrade
from autoexp.runner._run import RunFile, RunResult, load_run_file, new_run_id, run
from autoexp.runner._store import SqliteStore
from autoexp.runner._types import ROW_COLUMNS, AttemptRecord, AttemptSpec, attempt_row

__all__ = [
    "AGENT_DIR",
    "PLAN_FIELDS",
    "RESUMABLE_FIELDS",
    "ROW_COLUMNS",
    "AttemptRecord",
    "AttemptSpec",
    "GradeChange",
    "LocalExecutor",
    "Prepared",
    "RegradeResult",
    "RunConfig",
    "RunFile",
    "RunResult",
    "Skipped",
    "SqliteStore",
    "attempt_row",
    "load_run_file",
    "machine_info",
    "new_run_id",
    "plan_attempts",
    "plan_changes",
    "prepare_workspace",
    "regrade",
    "resume_config",
    "run",
    "run_attempt",
    "run_experiment",
    "task_seed",
    "verify",
    "workspace_diff",
    "write_prepared",
]
