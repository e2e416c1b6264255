"""Grading one attempt from its stored outputs (pure: no I/O, no sandbox)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from autoexp.grading._metrics import parse_metrics, tolerance, within
from autoexp.grading._rule import rule_detail, rule_outcomes
from autoexp.grading._types import (
    Availability,
    DiffVerdict,
    EndState,
    Evidence,
    ExperimentOutcome,
    FunctionOutcome,
    Grade,
    GradedOn,
    IntegrityFinding,
    IntegrityMode,
    MetricOutcome,
    Reason,
    RunOutput,
    Status,
)
from autoexp.tasks._model import Experiment, MeanRelativeError

_RUN_FAILURES = (Reason.TIMEOUT, Reason.CRASH, Reason.MISSING_METRIC, Reason.WRONG_RESULT)


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def grade_experiment(
    experiment: Experiment,
    run: RunOutput | None,
    reported: Mapping[str, float] | None,
) -> ExperimentOutcome:
    """Compare one experiment's re-execution (and the agent's report) with the expected values."""
    verified = parse_metrics(run.stdout, experiment.metrics) if run is not None else {}
    metrics: dict[str, MetricOutcome] = {}
    for name, metric in experiment.metrics.items():
        rep = reported.get(name) if reported else None
        ver = verified.get(name)
        metrics[name] = MetricOutcome(
            expected=metric.expected,
            tolerance=tolerance(metric),
            reported=rep,
            verified=ver,
            reported_ok=within(rep, metric),
            verified_ok=within(ver, metric),
        )
    if run is None:
        reason = Reason.CRASH
    elif run.timed_out:
        reason = Reason.TIMEOUT
    elif run.exit_code != 0:
        reason = Reason.CRASH
    elif any(m.verified is None for m in metrics.values()):
        reason = Reason.MISSING_METRIC
    elif not all(m.verified_ok for m in metrics.values()):
        reason = Reason.WRONG_RESULT
    else:
        reason = Reason.NONE
    on_reported = experiment.needs_extraction and any(
        m.regex is None for m in experiment.metrics.values()
    )
    if on_reported and reason in (Reason.NONE, Reason.MISSING_METRIC, Reason.WRONG_RESULT):
        reason = _reported_reason(metrics.values())
    return ExperimentOutcome(
        id=experiment.id,
        metrics=metrics,
        passed=reason is Reason.NONE,
        reported_passed=all(m.reported_ok for m in metrics.values()),
        reason=reason,
        graded_on=GradedOn.REPORTED if on_reported else GradedOn.VERIFIED,
        exit_code=run.exit_code if run is not None else None,
        stderr_tail=_tail(run.stderr) if run is not None and reason is not Reason.NONE else "",
        duration_s=run.duration_s if run is not None else 0.0,
    )


def _reported_reason(metrics: Iterable[MetricOutcome]) -> Reason:
    """The reason of an experiment graded on its reported numbers (its run succeeded)."""
    ms = list(metrics)
    if any(m.reported is None for m in ms):
        return Reason.MISSING_METRIC
    return Reason.NONE if all(m.reported_ok for m in ms) else Reason.WRONG_RESULT


def grade_attempt(
    experiments: Sequence[Experiment],
    verified: Mapping[str, RunOutput],
    reported: Mapping[str, Mapping[str, float]] | None,
    *,
    report_error: str | None = None,
    ended_by: EndState | None = None,
    agent_error: str | None = None,
    edited_outside_mask: bool = False,
    require_report: bool = False,
    hidden: Sequence[Experiment] = (),
    functions: Sequence[FunctionOutcome] = (),
    integrity: Sequence[IntegrityFinding] = (),
    integrity_mode: IntegrityMode = IntegrityMode.STRICT,
    rule: MeanRelativeError | None = None,
) -> Grade:
    """Grade an attempt: success is judged on the verified (re-executed) results only.

    `verified` maps experiment id (visible and hidden) to its re-execution; a missing entry
    counts as a crash. The attempt passes only when every visible and every `hidden`
    experiment passes and, under strict integrity, no `integrity` finding stands.
    The failure reason is, in order: an integrity finding (strict), a hidden experiment failing
    while the visible ones pass (`heldout_mismatch`, flagged `overfit`), the budget that ended
    the agent, the agent's own crash, a missing or invalid report, then the first failing
    experiment's reason (timeout, crash, missing metric, wrong result).

    `functions` are the differential tests of the masked functions: they give
    `functions_correct`, and an attempt that passes while one of them fails is `suspect`.

    With `require_report` (nothing was masked, so re-execution runs the original code and
    cannot fail), an experiment passes only when the agent's reported numbers pass too: the
    agent's job was to find and run the right command.

    An experiment marked `needs_extraction` (free-form output) is judged on the reported
    numbers once its re-execution succeeds; the grade then says `verified: unavailable`. With
    no hidden experiment and no differential test it says `heldout: unavailable`. A task's
    `rule` is graded alongside the tolerances (`Grade.rule`, `rule_passed`) without changing
    the status.
    """
    outcomes = [
        grade_experiment(e, verified.get(e.id), (reported or {}).get(e.id)) for e in experiments
    ]
    if require_report:
        outcomes = [
            o
            if o.reported_passed or not o.passed
            else o.model_copy(update={"passed": False, "reason": Reason.WRONG_RESULT})
            for o in outcomes
        ]
    hidden_outcomes = [grade_experiment(h, verified.get(h.id), None) for h in hidden]
    visible_passed = bool(outcomes) and all(o.passed for o in outcomes)
    hidden_passed = all(o.passed for o in hidden_outcomes)
    overfit = visible_passed and not hidden_passed
    blocked = bool(integrity) and integrity_mode is IntegrityMode.STRICT
    passed = visible_passed and hidden_passed and not blocked
    fabricated = any(
        o.reported_passed and not all(m.verified_ok for m in o.metrics.values())
        for o in outcomes
        if o.graded_on is GradedOn.VERIFIED
    )
    end = EndState(ended_by) if ended_by is not None else None
    reason = (
        Reason.NONE
        if passed
        else _failure_reason(
            outcomes,
            blocked=blocked,
            overfit=overfit,
            end=end,
            agent_error=agent_error,
            report_error=report_error,
            reported=reported is not None,
        )
    )
    wrong = [f for f in functions if f.verdict is not DiffVerdict.PASSED]
    parts = _detail(outcomes, hidden_outcomes, overfit, integrity, integrity_mode, wrong)
    if end is not None:
        parts.append(f"agent ended by {end.value}")
    if agent_error:
        parts.append(f"agent error: {agent_error}")
    if report_error:
        parts.append(f"invalid report: {report_error}")
    if fabricated:
        parts.append("FABRICATED: reported numbers pass but re-execution does not")
    on_reported = [o.id for o in outcomes if o.graded_on is GradedOn.REPORTED]
    if on_reported:
        parts.append(
            f"verified: unavailable (graded on reported numbers: {', '.join(on_reported)})"
        )
    heldout_missing = not hidden_outcomes and not functions
    if heldout_missing:
        parts.append("heldout: unavailable (no hidden experiments or differential samples)")
    ruled = rule_outcomes(outcomes, rule)
    if rule is not None:
        parts.append(rule_detail(ruled, rule))
    everything = [*outcomes, *hidden_outcomes]
    return Grade(
        status=Status.PASSED if passed else Status.FAILED,
        reason=reason,
        detail="; ".join(parts),
        experiments=outcomes,
        hidden=hidden_outcomes,
        fabricated=fabricated,
        edited_outside_mask=edited_outside_mask,
        experiments_passed=sum(o.passed for o in everything) / len(everything)
        if everything
        else 0.0,
        functions=list(functions),
        functions_correct=(len(functions) - len(wrong)) / len(functions) if functions else None,
        overfit=overfit,
        suspect=passed and bool(wrong),
        integrity=list(integrity),
        verification=Availability.UNAVAILABLE if on_reported else Availability.AVAILABLE,
        heldout=Availability.UNAVAILABLE if heldout_missing else Availability.AVAILABLE,
        rule=ruled,
        rule_passed=None if rule is None else bool(ruled) and all(r.reported_ok for r in ruled),
    )


def _failure_reason(
    outcomes: Sequence[ExperimentOutcome],
    *,
    blocked: bool,
    overfit: bool,
    end: EndState | None,
    agent_error: str | None,
    report_error: str | None,
    reported: bool,
) -> Reason:
    """Why a failed attempt failed, in grade_attempt's order of precedence."""
    if blocked:
        return Reason.INTEGRITY
    if overfit:
        return Reason.HELDOUT_MISMATCH
    if end is not None and end.is_budget:
        return Reason.BUDGET
    if end is EndState.FORMAT_ERRORS:
        return Reason.FORMAT_ERRORS
    if agent_error:
        return Reason.AGENT_ERROR
    if report_error:
        return Reason.INVALID_REPORT
    if not reported:
        return Reason.NO_REPORT
    failing = {o.reason for o in outcomes if not o.passed}
    return next((r for r in _RUN_FAILURES if r in failing), Reason.CRASH)


def _detail(
    outcomes: Sequence[ExperimentOutcome],
    hidden: Sequence[ExperimentOutcome],
    overfit: bool,
    integrity: Sequence[IntegrityFinding],
    integrity_mode: IntegrityMode,
    wrong: Sequence[FunctionOutcome],
) -> list[str]:
    """The parts of a grade's human-readable detail about its experiments and checks."""
    n_pass = sum(o.passed for o in outcomes)
    parts = [f"{n_pass}/{len(outcomes)} experiments reproduced"]
    for o in outcomes:
        if not o.passed:
            on_reported = o.graded_on is GradedOn.REPORTED
            bad = [
                f"{k}={m.reported if on_reported else m.verified!r} (expected "
                f"{m.expected:g}±{m.tolerance:.3g}{', reported' if on_reported else ''})"
                for k, m in o.metrics.items()
                if not (m.reported_ok if on_reported else m.verified_ok)
            ]
            parts.append(f"{o.id}: {o.reason.value}" + (f" [{', '.join(bad)}]" if bad else ""))
    failed_hidden = [o for o in hidden if not o.passed]
    if hidden:
        parts.append(f"{len(hidden) - len(failed_hidden)}/{len(hidden)} hidden experiments")
    parts.extend(f"hidden {o.id}: {o.reason.value}" for o in failed_hidden)
    if overfit:
        parts.append("OVERFIT: the visible experiments pass, a hidden variant does not")
    if integrity:
        shown = ", ".join(f"{f.function}:{f.line} {f.rule} ({f.detail})" for f in integrity[:3])
        more = f" and {len(integrity) - 3} more" if len(integrity) > 3 else ""
        parts.append(f"integrity ({integrity_mode.value}): {shown}{more}")
    parts.extend(f"differential {f.function}: {f.verdict.value}" for f in wrong)
    return parts


def grade_evidence(
    experiments: Sequence[Experiment],
    evidence: Evidence,
    *,
    hidden: Sequence[Experiment] = (),
    require_report: bool = False,
    integrity_mode: IntegrityMode = IntegrityMode.STRICT,
    rule: MeanRelativeError | None = None,
) -> Grade:
    """`grade_attempt` on an attempt's stored evidence (what a run and a regrade both call)."""
    return grade_attempt(
        experiments,
        evidence.runs,
        evidence.reported,
        report_error=evidence.report_error,
        ended_by=evidence.ended_by,
        agent_error=evidence.agent_error,
        edited_outside_mask=evidence.edited_outside_mask,
        require_report=require_report,
        hidden=hidden,
        functions=evidence.functions,
        integrity=evidence.integrity,
        integrity_mode=integrity_mode,
        rule=rule,
    )


def verified_metrics(grade: Grade) -> dict[str, dict[str, float | None]]:
    """experiment -> metric -> verified value, from a grade."""
    return {o.id: {k: m.verified for k, m in o.metrics.items()} for o in grade.experiments}
