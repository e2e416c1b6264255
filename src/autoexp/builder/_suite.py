"""Validating many tasks in parallel, printing one line per check."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor, as_completed

from rich.console import Console

from autoexp._console import plain
from autoexp.builder._validate import Check, TaskValidation, default_jobs, validate_task
from autoexp.runner._envs import task_sandbox
from autoexp.runner._gpus import gpu_skip_reason
from autoexp.sandbox import make_sandbox
from autoexp.tasks._load import load_task, resolve_tasks
from autoexp.tasks._model import Task


def _validate_one(
    root: str, trace: bool, mutants: bool, backend: str, pool: Executor
) -> TaskValidation:
    task = load_task(root)
    sandbox = task_sandbox(task, backend=backend)
    return validate_task(task, sandbox, trace=trace, mutants=mutants, pool=pool)


def _line(task_id: str, check: Check) -> str:
    mark = "[green]ok  [/]" if check.ok else "[red]FAIL[/]"
    return f"{mark} {plain(task_id)}: {plain(check.name)} ({plain(check.detail)})"


def validate_many(
    refs: list[str] | None,
    *,
    workers: int = 1,
    trace: bool = True,
    mutants: bool = True,
    backend: str = "auto",
    console: Console | None = None,
) -> list[TaskValidation]:
    """Validate the tasks named by `refs` (default: the built-in suite), sorted by task id.

    `workers` tasks are validated at once. Their sandbox commands share one pool of
    `default_jobs()` threads (every CPU this process may use): a task waiting for its last
    commands leaves the CPUs to the others, and a single task gets them all. A task needing
    more GPUs than this machine has is not validated: its result is `skipped`, with the reason
    (`gpu_skip_reason`)."""
    tasks = resolve_tasks(refs)
    make_sandbox(backend=backend)  # fail early if the backend cannot run
    results = [_skipped(t, why) for t in tasks if (why := gpu_skip_reason(t.spec.needs.gpus))]
    tasks = [t for t in tasks if t.id not in {r.task for r in results}]
    workers = max(1, min(workers, len(tasks)))
    if console:
        for res in results:
            _print(console, res)
        console.print(
            f"validating {len(tasks)} task(s) with {workers} worker(s); each task's checks are "
            "printed when it finishes"
        )
    with (
        ThreadPoolExecutor(default_jobs(), thread_name_prefix="validate-job") as jobs,
        ThreadPoolExecutor(workers, thread_name_prefix="validate-task") as pool,
    ):
        futures = [
            pool.submit(_validate_one, str(t.root), trace, mutants, backend, jobs) for t in tasks
        ]
        try:
            for fut in as_completed(futures):
                res = fut.result()
                results.append(res)
                if console:
                    _print(console, res)
        except BaseException:  # Ctrl-C, an error: start nothing more, let the running finish
            jobs.shutdown(wait=False, cancel_futures=True)
            for fut in futures:
                fut.cancel()
            raise
    return sorted(results, key=lambda r: r.task)


def _skipped(task: Task, why: str) -> TaskValidation:
    return TaskValidation(task=task.id, path=str(task.root), ok=True, skipped=why)


def _print(console: Console, res: TaskValidation) -> None:
    if res.skipped:
        console.print(f"[yellow]skip[/] {plain(res.task)}: {plain(res.skipped)}", highlight=False)
    for check in res.checks:
        console.print(_line(res.task, check), highlight=False)
    if res.mutants:
        killed = sum(m.killed_by is not None for m in res.mutants)
        console.print(
            f"     {plain(res.task)}: mutants killed {killed}/{len(res.mutants)}",
            highlight=False,
        )
        if any(m.killed_by_diff is not None for m in res.mutants):
            by_diff = sum(m.killed_by_diff is True for m in res.mutants)
            console.print(
                f"     {plain(res.task)}: differential tests catch "
                f"{by_diff}/{len(res.mutants)} mutants",
                highlight=False,
            )
