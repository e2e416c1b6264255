"""`autoexp import inspect-log`: an Inspect eval log of `autoexp_suite` -> an autoexp run
directory (run.json and results.sqlite, one attempt per (sample, epoch)), so that `autoexp
report` and `autoexp summary` read it like any run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog, EvalSample, read_eval_log
from pydantic import ValidationError

from autoexp._io import atomic_write_text
from autoexp.agents._types import AgentSpec
from autoexp.errors import RunError
from autoexp.grading import Grade, Reason, Status
from autoexp.inspect._types import (
    AGENT_NAME,
    GRADE_KEY,
    ISOLATION_KEY,
    REPORTED_KEY,
    SCORER_NAME,
    SampleInfo,
)
from autoexp.runner._plan import RunConfig
from autoexp.runner._run import RESULTS_FILE, RunFile, RunState, new_run_id
from autoexp.runner._store import SqliteStore
from autoexp.runner._types import AttemptRecord, AttemptSpec

CONFIG_KEY = "autoexp_config"
"""Key of the RunConfig (as JSON) in the task metadata `autoexp_suite` logs."""


def _read(log_file: Path) -> EvalLog:
    if not log_file.is_file():
        raise RunError(f"{log_file}: no such Inspect log file")
    try:
        return read_eval_log(str(log_file))
    except Exception as e:  # any reader failure means: not a readable Inspect log
        raise RunError(
            f"{log_file}: not a readable Inspect eval log ({type(e).__name__}: {e})"
        ) from None


def _config(log_file: Path, log: EvalLog, model: str) -> RunConfig:
    raw = (log.eval.metadata or {}).get(CONFIG_KEY)
    if raw is None:
        raise RunError(
            f"{log_file}: the log's task metadata has no {CONFIG_KEY!r}; "
            "only logs of autoexp/autoexp_suite can be imported"
        )
    try:
        config = RunConfig.model_validate(raw)
    except ValidationError as e:
        raise RunError(
            f"{log_file}: task metadata {CONFIG_KEY!r} is not a run config: {e}"
        ) from None
    return config.model_copy(
        update={
            "agents": [AgentSpec(name=AGENT_NAME, model=model)],
            "trials": log.eval.config.epochs or 1,
        }
    )


def _spec(log_file: Path, sample: EvalSample, model: str) -> AttemptSpec:
    try:
        info = SampleInfo.model_validate(sample.metadata)
    except ValidationError as e:
        raise RunError(
            f"{log_file}: sample {sample.id!r} (epoch {sample.epoch}) has no autoexp metadata "
            f"(task_id, task_root, combo): {e.errors()[0]['msg']}"
        ) from None
    return AttemptSpec(
        task_id=info.task_id,
        task_root=info.task_root,
        agent=AgentSpec(name=AGENT_NAME, model=model),
        combo=info.combo,
        trial=sample.epoch - 1,
        setting=info.setting,
        budget=info.budget,
        seed=info.seed,
        integrity=info.integrity,
    )


def _grade(log_file: Path, sample: EvalSample) -> tuple[Grade, dict[str, Any] | None]:
    """The sample's grade and the metadata of its autoexp score (None for an errored one)."""
    score = (sample.scores or {}).get(SCORER_NAME)
    if score is not None and GRADE_KEY in (score.metadata or {}):
        try:
            return Grade.model_validate(score.metadata[GRADE_KEY]), score.metadata
        except ValidationError as e:
            raise RunError(
                f"{log_file}: sample {sample.id!r} (epoch {sample.epoch}): score metadata "
                f"{GRADE_KEY!r} is not an autoexp grade: {e}"
            ) from None
    if sample.error is not None:
        # Inspect's own error (the solver, the model API, the sandbox or grading raised):
        # not the agent's outcome, so it counts as autoexp counts infra errors.
        message = sample.error.message.strip().splitlines()[-1:] or [""]
        return Grade(
            status=Status.INFRA_ERROR, reason=Reason.AGENT_ERROR, detail=message[0][:500]
        ), None
    raise RunError(
        f"{log_file}: sample {sample.id!r} (epoch {sample.epoch}) has no {SCORER_NAME!r} "
        f"score with {GRADE_KEY!r} metadata; was it scored by autoexp's scorer?"
    )


def _iso(value: str | None) -> str:
    return (
        datetime.fromisoformat(value).astimezone(UTC).isoformat(timespec="seconds") if value else ""
    )


def _record(log_file: Path, sample: EvalSample, model: str) -> AttemptRecord:
    spec = _spec(log_file, sample, model)
    grade, meta = _grade(log_file, sample)
    usage = list(sample.model_usage.values())
    costs = [u.total_cost for u in usage]
    return AttemptRecord(
        attempt_id=spec.attempt_id,
        spec=spec,
        grade=grade,
        reported=(meta or {}).get(REPORTED_KEY),
        model=model,
        tokens_in=sum(u.input_tokens for u in usage),
        tokens_out=sum(u.output_tokens for u in usage),
        cost_usd=sum(c for c in costs if c is not None)
        if all(c is not None for c in costs)
        else None,
        steps=sum(1 for m in sample.messages if m.role == "assistant"),
        wall_s=sample.total_time or 0.0,
        agent_wall_s=sample.working_time or 0.0,
        isolation=(meta or {}).get(ISOLATION_KEY, "unknown"),
        error=sample.error.message if sample.error is not None else None,
        started_at=_iso(sample.started_at),
        finished_at=_iso(sample.completed_at),
    )


def import_inspect_log(log_file: str | Path, run_dir: str | Path | None = None) -> Path:
    """Write the run directory of `log_file` (an Inspect log of autoexp_suite): run.json with the
    plan (agent `inspect:<model>`, trials = epochs) and results.sqlite with one attempt per
    (sample, epoch). Returns the run directory (default: runs/<new id>).

    Raises RunError naming the file and what is missing: not a log, a log of another task, a
    sample without autoexp's grade, or a run directory that already holds a run.
    """
    log_file = Path(log_file)
    log = _read(log_file)
    if not log.samples:
        raise RunError(f"{log_file}: the log holds no samples (status {log.status})")
    model = log.eval.model
    config = _config(log_file, log, model)
    records = [_record(log_file, s, model) for s in log.samples]
    out = Path(run_dir) if run_dir else Path("runs") / new_run_id()
    if (out / "run.json").exists() or (out / RESULTS_FILE).exists():
        raise RunError(f"{out}: already holds a run; give another --run-dir")
    out.mkdir(parents=True, exist_ok=True)
    specs = list({r.spec.attempt_id: r.spec for r in records}.values())
    run_file = RunFile(
        run_id=out.name,
        created_at=_iso(log.eval.created) or datetime.now(UTC).isoformat(timespec="seconds"),
        state=RunState.FINISHED if log.status == "success" else RunState.INTERRUPTED,
        config=config,
        attempts=specs,
    )
    atomic_write_text(out / "run.json", run_file.model_dump_json(indent=1))
    with SqliteStore(out / RESULTS_FILE) as store:
        store.put_many(records)
    return out
