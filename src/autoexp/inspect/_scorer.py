"""autoexp's grading as an Inspect scorer, and pass@k / pass^k over epochs as a metric."""

from __future__ import annotations

import re
from collections import defaultdict

import anyio
from inspect_ai.scorer import (
    CORRECT,
    INCORRECT,
    Metric,
    SampleScore,
    Score,
    Scorer,
    Target,
    accuracy,
    metric,
    scorer,
    stderr,
)
from inspect_ai.solver import TaskState
from inspect_ai.util import sandbox

from autoexp.grading import Grade, Status, parse_report
from autoexp.inspect._sandbox import AutoexpSandboxEnvironment
from autoexp.inspect._types import GRADE_KEY, ISOLATION_KEY, REPORTED_KEY
from autoexp.report._stats import pass_curves
from autoexp.runner._prepare import read_results_file
from autoexp.runner._session import Session

_FENCE = re.compile(r"^```(?:json)?\s*\n(.*)\n```$", re.DOTALL)


class GradingError(RuntimeError):
    """autoexp could not grade the sample (infra_error or grader_error): not the solver's
    fault, so the sample errors (and `--retry-on-error` retries it) instead of failing."""


def completion_report(completion: str) -> dict[str, dict[str, float]] | None:
    """The results in a final answer that is nothing but a results JSON object (optionally in a
    ```json fence), else None."""
    text = completion.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    if not text.startswith("{"):
        return None
    results, _problem = parse_report(text)
    return results


def submitted(session: Session, completion: str) -> dict[str, dict[str, float]] | None:
    """What the sample submitted: the results file the prompt asks for; when there is none, a
    final answer that is a results object; else None (Session.grade then reads the file and
    records why it is invalid, if it is)."""
    from_file, problem = read_results_file(session.prepared)
    if from_file is not None or problem is not None:
        return from_file
    return completion_report(completion)


def explain(grade: Grade) -> str:
    """One line for the log: status, reason, flags, detail."""
    flags = [
        name
        for name, on in (
            ("fabricated", grade.fabricated),
            ("overfit", grade.overfit),
            ("suspect", grade.suspect),
            ("edited_outside_mask", grade.edited_outside_mask),
            ("integrity", bool(grade.integrity)),
        )
        if on
    ]
    head = grade.status.value
    if grade.reason.value != "none":
        head += f" ({grade.reason.value})"
    if flags:
        head += " [" + ", ".join(flags) + "]"
    return f"{head}: {grade.detail}" if grade.detail else head


@metric(name="pass_k", scores="unreduced")
def pass_k() -> Metric:
    """autoexp's unbiased pass@k and pass^k, k = 1 .. the fewest epochs any sample has, over
    the samples' graded epochs (errored ones are not in the scores)."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for s in scores:
            group = groups[str(s.sample_id)]
            group[0] += 1
            group[1] += s.score.value == CORRECT
        at, hat = pass_curves([(n, c) for n, c in groups.values()])
        return {
            **{f"pass@{k}": v for k, v in at.items()},
            **{f"pass^{k}": v for k, v in hat.items()},
        }

    return compute


@scorer(metrics=[accuracy(), stderr(), pass_k()])
def autoexp_scorer() -> Scorer:
    """Grade the sample's workspace as autoexp grades an attempt: merge the masked bodies,
    re-run the visible and hidden experiments in a fresh sandbox, run the differential tests
    and the integrity scan. CORRECT when the grade is `passed`, INCORRECT when `failed`; an
    infra or grader error raises GradingError (the sample errors). The grade is in the score's
    metadata (`autoexp_grade`)."""

    async def score(state: TaskState, target: Target) -> Score:
        env = sandbox().as_type(AutoexpSandboxEnvironment)
        session = env.session
        reported = submitted(session, state.output.completion if state.output else "")
        graded = await anyio.to_thread.run_sync(session.grade, reported)
        grade = graded.grade
        if grade.status not in (Status.PASSED, Status.FAILED):
            raise GradingError(f"autoexp grade {explain(grade)}")
        return Score(
            value=CORRECT if grade.status == Status.PASSED else INCORRECT,
            answer=None if reported is None else str(reported),
            explanation=explain(grade),
            metadata={
                GRADE_KEY: grade.model_dump(mode="json"),
                REPORTED_KEY: graded.evidence.reported,
                ISOLATION_KEY: session.sandbox.isolation.value,
            },
        )

    return score
