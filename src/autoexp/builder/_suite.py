"""Validating many tasks in parallel, printing one line per check."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, as_completed

from rich.console import Console

from autoexp._console import plain
from autoexp.builder._validate import Check, TaskValidation, validate_task
from autoexp.sandbox import make_sandbox
from autoexp.tasks._load import resolve_tasks


def _validate_one(root: str, trace: bool, mutants: bool, backend: str) -> TaskValidation:
    from autoexp.tasks._load import load_task

    task = load_task(root)
    return validate_task(task, make_sandbox(backend=backend), trace=trace, mutants=mutants)


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
    """Validate the tasks named by `refs` (default: the built-in suite), sorted by task id."""
    tasks = resolve_tasks(refs)
    make_sandbox(backend=backend)  # fail early, before forking, if the backend cannot run
    results: list[TaskValidation] = []
    workers = max(1, min(workers, len(tasks)))
    if console:
        console.print(
            f"validating {len(tasks)} task(s) with {workers} worker(s); each task's checks are "
            "printed when it finishes"
        )
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_validate_one, str(t.root), trace, mutants, backend) for t in tasks]
        for fut in as_completed(futures):
            res = fut.result()
            results.append(res)
            if console:
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
    return sorted(results, key=lambda r: r.task)
