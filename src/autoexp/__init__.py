"""autoexp: measure how well AI research agents reproduce and replicate experiments from papers.

The public names are importable from here (`from autoexp import load_task, run, RunConfig`);
they are loaded on first use, so `import autoexp` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autoexp._lazy import lazy_exports

__version__ = "0.2.0"

_PUBLIC = {
    # tasks
    "Task": "autoexp.tasks",
    "TaskSpec": "autoexp.tasks",
    "Experiment": "autoexp.tasks",
    "Function": "autoexp.tasks",
    "HiddenExperiment": "autoexp.tasks",
    "Metric": "autoexp.tasks",
    "load_task": "autoexp.tasks",
    "resolve_tasks": "autoexp.tasks",
    "builtin_tasks": "autoexp.tasks",
    # agents and settings
    "AgentSpec": "autoexp.agents",
    "AgentResult": "autoexp.agents",
    "Budget": "autoexp.agents",
    "Prompt": "autoexp.agents",
    "Setting": "autoexp.agents",
    "PRESETS": "autoexp.settings",
    # sandbox
    "SandboxConfig": "autoexp.sandbox",
    "make_sandbox": "autoexp.sandbox",
    # grading
    "Grade": "autoexp.grading",
    "Status": "autoexp.grading",
    "Reason": "autoexp.grading",
    "grade_attempt": "autoexp.grading",
    # runs
    "RunConfig": "autoexp.runner",
    "RunOptions": "autoexp.runner",
    "AttemptSpec": "autoexp.runner",
    "AttemptRecord": "autoexp.runner",
    "SqliteStore": "autoexp.runner",
    "run": "autoexp.runner",
    "regrade": "autoexp.runner",
    "RegradeResult": "autoexp.runner",
    "prepare_workspace": "autoexp.runner",
    "Session": "autoexp.runner",
    # results
    "summary": "autoexp.report",
    "write_report": "autoexp.report",
    # validation
    "validate_task": "autoexp.builder",
    "validate": "autoexp.builder:validate_task",
}
"""Public name -> the module that defines it (`module:name` when it is served under another
name)."""

__all__ = ["__version__", *_PUBLIC]

if TYPE_CHECKING:
    from autoexp.agents import AgentResult, AgentSpec, Budget, Prompt, Setting
    from autoexp.builder import validate_task
    from autoexp.builder import validate_task as validate
    from autoexp.grading import Grade, Reason, Status, grade_attempt
    from autoexp.report import summary, write_report
    from autoexp.runner import (
        AttemptRecord,
        AttemptSpec,
        RegradeResult,
        RunConfig,
        RunOptions,
        Session,
        SqliteStore,
        prepare_workspace,
        regrade,
        run,
    )
    from autoexp.sandbox import SandboxConfig, make_sandbox
    from autoexp.settings import PRESETS
    from autoexp.tasks import (
        Experiment,
        Function,
        HiddenExperiment,
        Metric,
        Task,
        TaskSpec,
        builtin_tasks,
        load_task,
        resolve_tasks,
    )


__getattr__ = lazy_exports(__name__, _PUBLIC)
