"""Helpers of the report tests: real AttemptRecords written through the real SqliteStore.

(Not a conftest.py: other test folders import their own `conftest` by name.)
"""

from __future__ import annotations

from pathlib import Path

from autoexp.agents import AgentSpec, Setting
from autoexp.grading import ExperimentOutcome, Grade, MetricOutcome, Reason, Status
from autoexp.runner._store import SqliteStore
from autoexp.runner._types import AttemptRecord, AttemptSpec


def make_record(
    *,
    task: str = "toy",
    agent: str = "react",
    model: str | None = "m1",
    combo: tuple[str, ...] = ("a.py::f",),
    trial: int = 0,
    status: Status = Status.PASSED,
    reason: Reason | None = None,
    setting: Setting | None = None,
    cost: float | None = 0.0,
    tokens: tuple[int, int] = (0, 0),
    wall: float = 1.0,
    fabricated: bool = False,
    experiments_passed: float | None = None,
    functions_correct: float | None = None,
    error: str | None = None,
) -> AttemptRecord:
    """One attempt record; graded statuses get a one-experiment Grade."""
    spec = AttemptSpec(
        task_id=task,
        task_root=f"/tasks/{task}",
        agent=AgentSpec(name=agent, model=model),
        combo=tuple(sorted(combo)),
        trial=trial,
        setting=setting or Setting(),
    )
    if reason is None:
        reason = {
            Status.PASSED: Reason.NONE,
            Status.FAILED: Reason.WRONG_RESULT,
            Status.INFRA_ERROR: Reason.SANDBOX,
            Status.GRADER_ERROR: Reason.LEAK,
        }[status]
    grade = None
    if status in (Status.PASSED, Status.FAILED):
        ok = status is Status.PASSED
        metric = MetricOutcome(
            expected=1.0,
            tolerance=0.01,
            reported=1.0 if ok or fabricated else 2.0,
            verified=1.0 if ok else 2.0,
            reported_ok=ok or fabricated,
            verified_ok=ok,
        )
        grade = Grade(
            status=status,
            reason=reason,
            detail="1/1" if ok else "0/1",
            experiments=[
                ExperimentOutcome(
                    id="exp",
                    metrics={"acc": metric},
                    passed=ok,
                    reported_passed=ok or fabricated,
                    reason=Reason.NONE if ok else reason,
                )
            ],
            fabricated=fabricated,
            experiments_passed=experiments_passed if experiments_passed is not None else float(ok),
            functions_correct=functions_correct,
        )
    return AttemptRecord(
        attempt_id=spec.attempt_id,
        spec=spec,
        grade=grade or Grade(status=status, reason=reason, detail=error or ""),
        reported={"exp": {"acc": 1.0}} if grade else None,
        model=model,
        tokens_in=tokens[0],
        tokens_out=tokens[1],
        cost_usd=cost,
        wall_s=wall,
        error=error,
    )


def write_run(root: Path, records: list[AttemptRecord], name: str = "run-a") -> Path:
    """Write records into <root>/<name>/results.sqlite through SqliteStore.put."""
    run_dir = root / name
    with SqliteStore(run_dir / "results.sqlite") as store:
        for r in records:
            store.put(r)
    return run_dir
