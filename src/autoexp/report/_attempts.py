"""Attempts of a run for the viewer: the table rows (SQL columns only) and detail views
(record, trajectory.json, bodies.json, workspace.diff) for a capped selection."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from autoexp.agents._types import TRAJECTORY_SCHEMA, Trajectory
from autoexp.grading._types import Status
from autoexp.runner._store import SqliteStore
from autoexp.runner._types import AttemptRecord

TABLE_COLUMNS = (
    "run",
    "attempt",
    "task",
    "agent",
    "model",
    "setting",
    "n",
    "trial",
    "status",
    "reason",
    "fabricated",
    "experiments",
    "cost",
    "tokens",
    "wall_s",
    "combo",
    "anchor",
)
"""Columns of the attempts table's embedded JSON (`anchor`: id of the detail section or '')."""

STEP_CHARS = 4000
"""Characters of one trajectory step's text shown at most."""
TRAJECTORY_CHARS = 100_000
"""Characters of one attempt's trajectory shown at most (later steps are summarised)."""
TEXT_CHARS = 30_000
"""Characters of workspace.diff, prompt, error text or run.json shown at most."""


def anchor(run_index: int, attempt_id: str) -> str:
    """HTML id of an attempt's detail section (safe characters only)."""
    return f"a{run_index}-" + re.sub(r"[^A-Za-z0-9_.-]", "_", attempt_id)


def clip(text: str | None, limit: int) -> str:
    """The text, cut at `limit` characters with a note saying how much was left out."""
    if text is None:
        return ""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… [{len(text) - limit:,} more characters not shown]"


_TABLE_SOURCE = (
    "attempt_id",
    "task",
    "agent",
    "model",
    "setting",
    "n",
    "trial",
    "status",
    "reason",
    "fabricated",
    "experiments_passed",
    "cost_usd",
    "tokens_in",
    "tokens_out",
    "wall_s",
    "combo",
)
"""The store columns `table_rows` reads (the other JSON columns are not decoded)."""


def table_rows(store: SqliteStore, run: str) -> list[list[Any]]:
    """One list per attempt, in TABLE_COLUMNS order (anchor empty), from the store's rows."""
    return [
        [
            run,
            r["attempt_id"],
            r["task"],
            r["agent"],
            r["model"] or "",
            r["setting"],
            r["n"],
            r["trial"],
            r["status"],
            r["reason"],
            r["fabricated"],
            round(r["experiments_passed"], 4),
            r["cost_usd"],
            r["tokens_in"] + r["tokens_out"],
            round(r["wall_s"], 2),
            ", ".join(r["combo"]),
            "",
        ]
        for r in store.rows(_TABLE_SOURCE)
    ]


def pick_details(rows: list[list[Any]], per_bucket: int, total: int) -> list[int]:
    """Indices of the rows that get a detail section.

    Every row when there are at most `total`; else the first `per_bucket` of each
    (run, agent, model, setting, status), in store order, up to `total` in all, taken
    round-robin across buckets so that every agent and status is represented.
    """
    if len(rows) <= total:
        return list(range(len(rows)))
    buckets: dict[tuple, list[int]] = {}
    for i, r in enumerate(rows):
        b = buckets.setdefault((r[0], r[3], r[4], r[5], r[8]), [])
        if len(b) < per_bucket:
            b.append(i)
    picked: list[int] = []
    for depth in range(per_bucket):
        for b in buckets.values():
            if depth < len(b) and len(picked) < total:
                picked.append(b[depth])
    return sorted(picked)


@dataclass
class MetricView:
    """One metric line of an experiment."""

    name: str
    expected: float | None
    tolerance: float | None
    reported: float | None
    reported_ok: bool | None
    verified: float | None
    verified_ok: bool | None


@dataclass
class ExperimentView:
    """One experiment of an attempt: reported vs verified vs expected."""

    id: str
    passed: bool | None
    reason: str
    exit_code: int | None
    stderr_tail: str
    metrics: list[MetricView]


@dataclass
class BodyView:
    """Diff of one masked function's body: original vs the agent's."""

    function: str
    state: str
    lines: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class StepView:
    """One trajectory step, with texts clipped."""

    index: int
    kind: str
    content: str
    tool_calls: list[tuple[str, str]]
    tool_name: str | None
    tool_args: str
    tokens_in: int
    tokens_out: int
    cost_usd: float | None
    duration_s: float


@dataclass
class TrajectoryView:
    """A replayable trajectory (or why there is none)."""

    problem: str = ""
    prompt: str = ""
    ended_by: str | None = None
    steps: list[StepView] = field(default_factory=list)
    hidden_steps: int = 0
    tokens_in: int = 0
    tokens_out: int = 0


@dataclass
class AttemptView:
    """Everything the detail section of one attempt shows."""

    anchor: str
    run: str
    record: AttemptRecord
    path: str
    experiments: list[ExperimentView]
    bodies: list[BodyView]
    bodies_problem: str
    trajectory: TrajectoryView
    workspace_diff: str | None


def _experiments(record: AttemptRecord) -> list[ExperimentView]:
    if record.grade is not None and record.grade.experiments:
        return [
            ExperimentView(
                id=o.id,
                passed=o.passed,
                reason=o.reason.value,
                exit_code=o.exit_code,
                stderr_tail=clip(o.stderr_tail, TEXT_CHARS),
                metrics=[
                    MetricView(
                        k,
                        m.expected,
                        m.tolerance,
                        m.reported,
                        m.reported_ok,
                        m.verified,
                        m.verified_ok,
                    )
                    for k, m in o.metrics.items()
                ],
            )
            for o in record.grade.experiments
        ]
    ids = sorted(set(record.reported or {}) | set(record.verified))
    views = []
    for exp_id in ids:
        rep = (record.reported or {}).get(exp_id, {})
        ver = record.verified.get(exp_id, {})
        views.append(
            ExperimentView(
                id=exp_id,
                passed=None,
                reason="",
                exit_code=None,
                stderr_tail="",
                metrics=[
                    MetricView(k, None, None, rep.get(k), None, ver.get(k), None)
                    for k in sorted(set(rep) | set(ver))
                ],
            )
        )
    return views


def body_diff(original: str, agent: str | None) -> tuple[str, list[tuple[str, str]]]:
    """(state, [(css class, line)]) of the agent's body against the original.

    state: `unchanged`, `changed` or `no agent body` (the function is missing or was not
    written back).
    """
    if agent is None:
        return "no agent body", []
    if agent == original:
        return "identical to the original", []
    lines = []
    diff = difflib.unified_diff(
        original.splitlines(), agent.splitlines(), "original", "agent", lineterm="", n=3
    )
    for line in diff:
        if line.startswith(("---", "+++")):
            cls = "dh"
        elif line.startswith("@@"):
            cls = "dc"
        elif line.startswith("+"):
            cls = "da"
        elif line.startswith("-"):
            cls = "dd"
        else:
            cls = ""
        lines.append((cls, line))
    return "changed", lines


def _bodies(directory: Path, combo: tuple[str, ...]) -> tuple[list[BodyView], str]:
    path = directory / "bodies.json"
    if not path.is_file():
        return [], "bodies.json is missing for this attempt: no body diff available."
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        return [], f"bodies.json is unreadable: {exc}"
    views = []
    for fn in list(combo) + sorted(set(data) - set(combo)):
        entry = data.get(fn)
        if not isinstance(entry, dict) or not isinstance(entry.get("original"), str):
            views.append(BodyView(fn, "not in bodies.json"))
            continue
        agent = entry.get("agent")
        state, lines = body_diff(entry["original"], agent if isinstance(agent, str) else None)
        views.append(BodyView(fn, state, lines))
    return views, ""


def _args_text(args: Any) -> str:
    """Tool arguments for reading: `key: value`, multi-line strings as blocks (not JSON-escaped)."""
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            return args
    if args is None:
        return ""
    if not isinstance(args, dict):
        return json.dumps(args, indent=1, ensure_ascii=False)
    parts = []
    for key, value in args.items():
        if isinstance(value, str):
            parts.append(f"{key}:\n{value}" if "\n" in value else f"{key}: {value}")
        else:
            parts.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(parts)


def _trajectory(directory: Path, record: AttemptRecord) -> TrajectoryView:
    path = directory / "trajectory.json"
    if not path.is_file():
        why = (
            "This agent keeps no trajectory."
            if record.spec.agent.model is None
            else ("trajectory.json is missing for this attempt.")
        )
        return TrajectoryView(problem=why)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        version = raw.get("schema_version", TRAJECTORY_SCHEMA) if isinstance(raw, dict) else None
        if isinstance(version, int) and version > TRAJECTORY_SCHEMA:
            return TrajectoryView(
                problem=f"trajectory.json has schema {version}; this autoexp reads up to "
                f"{TRAJECTORY_SCHEMA}."
            )
        traj = Trajectory.model_validate(raw)
    except (OSError, ValueError, ValidationError) as exc:
        return TrajectoryView(problem=f"trajectory.json is unreadable: {clip(str(exc), 2000)}")
    view = TrajectoryView(prompt=clip(traj.prompt, TEXT_CHARS), ended_by=traj.ended_by)
    budget = TRAJECTORY_CHARS
    called: set[str] = set()  # arguments shown with the model's last calls
    for step in traj.steps:
        view.tokens_in += step.tokens_in
        view.tokens_out += step.tokens_out
        if budget <= 0:
            view.hidden_steps += 1
            continue
        content = clip(step.content, STEP_CHARS)
        calls = [
            (str(c.get("name", "?")), clip(_args_text(c.get("arguments")), STEP_CHARS))
            for c in step.tool_calls
        ]
        args = clip(_args_text(step.tool_args), STEP_CHARS)
        if step.kind == "model":
            called = {a for _, a in calls}
        elif args in called:
            args = ""  # the same arguments are shown with the call just above
        budget -= len(content) + len(args) + sum(len(a) for _, a in calls)
        view.steps.append(
            StepView(
                index=step.index,
                kind=step.kind,
                content=content,
                tool_calls=calls,
                tool_name=step.tool_name,
                tool_args=args,
                tokens_in=step.tokens_in,
                tokens_out=step.tokens_out,
                cost_usd=step.cost_usd,
                duration_s=step.duration_s,
            )
        )
    return view


def attempt_view(run_dir: Path, run: str, run_index: int, record: AttemptRecord) -> AttemptView:
    """The detail view of one attempt, reading its files under attempts/<id>/."""
    directory = run_dir / "attempts" / record.attempt_id
    bodies, problem = _bodies(directory, record.spec.combo)
    diff_path = directory / "workspace.diff"
    try:
        diff = clip(diff_path.read_text(encoding="utf-8", errors="replace"), TEXT_CHARS)
    except OSError:
        diff = None
    return AttemptView(
        anchor=anchor(run_index, record.attempt_id),
        run=run,
        record=record,
        path=str(directory),
        experiments=_experiments(record),
        bodies=bodies,
        bodies_problem=problem,
        trajectory=_trajectory(directory, record),
        workspace_diff=diff,
    )


def status_class(status: Status | str) -> str:
    """CSS class of a status badge."""
    return f"st-{Status(status).value}"
