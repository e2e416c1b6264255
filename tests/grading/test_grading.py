"""Grading edge cases: tolerance, zero/negative targets, NaN/inf, missing metrics, noisy output."""

from __future__ import annotations

import math

import pytest

from autoexp.grading import (
    Reason,
    Status,
    grade_attempt,
    last_json_object,
    parse_metrics,
    parse_report,
    within,
)
from autoexp.sandbox._types import ExecResult
from autoexp.tasks import Experiment, Metric


def run(stdout: str, code: int | None = 0, timed_out: bool = False) -> ExecResult:
    return ExecResult(
        command="x", exit_code=code, stdout=stdout, stderr="boom", timed_out=timed_out
    )


def exp(**metrics: Metric) -> Experiment:
    return Experiment(id="e", description="d", command="c", metrics=metrics)


@pytest.mark.parametrize(
    ("got", "expected", "rtol", "atol", "ok"),
    [
        (1.0, 1.0, 0.0, 1e-12, True),
        (1.01, 1.0, 0.01, 0.0, True),
        (1.0101, 1.0, 0.01, 0.0, False),
        (-5.04, -5.0, 0.01, 0.0, True),  # negative target: tolerance uses |expected|
        (-4.94, -5.0, 0.01, 0.0, False),
        (0.0005, 0.0, 0.0, 1e-3, True),  # zero target needs atol
        (-0.002, 0.0, 0.5, 1e-3, False),
        (math.nan, 1.0, 1.0, 1.0, False),
        (math.inf, 1.0, 1.0, 1.0, False),
        (-math.inf, -1.0, 1.0, 1.0, False),
        (None, 1.0, 1.0, 1.0, False),
    ],
)
def test_within(got, expected, rtol, atol, ok):
    assert within(got, Metric(expected=expected, rtol=rtol, atol=atol)) is ok


@pytest.mark.bad_input
def test_zero_target_without_atol_is_rejected():
    with pytest.raises(ValueError, match="set atol"):
        Metric(expected=0.0, rtol=0.1)


@pytest.mark.bad_input
def test_last_json_object_skips_noise_and_non_objects():
    text = 'loading...\n{"a": 1}\nprogress 50%\n[1, 2]\n{"a": 2, "b": 3}\n{broken\ndone\n'
    assert last_json_object(text) == {"a": 2, "b": 3}
    assert last_json_object("no json here\n[1]\n") is None


@pytest.mark.bad_input
def test_parse_metrics_json_regex_and_missing():
    metrics = {
        "acc": Metric(expected=0.9, rtol=0.01),
        "loss": Metric(expected=0.1, rtol=0.01, regex=r"loss=([-+0-9.eE]+)"),
        "gone": Metric(expected=1.0, rtol=0.01),
        "text": Metric(expected=1.0, rtol=0.01),
    }
    out = "epoch 1 loss=0.5\nepoch 2 loss=0.1\n" + '{"acc": 0.9, "text": "n/a", "flag": true}\n'
    assert parse_metrics(out, metrics) == {"acc": 0.9, "loss": 0.1, "gone": None, "text": None}


@pytest.mark.bad_input
def test_parse_metrics_nan_is_parsed_but_never_passes():
    m = {"x": Metric(expected=1.0, rtol=0.5)}
    values = parse_metrics('{"x": NaN}\n', m)
    assert math.isnan(values["x"])
    g = grade_attempt([exp(x=m["x"])], {"e": run('{"x": NaN}\n')}, None)
    assert g.status is Status.FAILED and g.reason is Reason.NO_REPORT
    assert g.experiments[0].reason is Reason.WRONG_RESULT


def test_grade_passes_on_verified_even_without_report():
    e = exp(x=Metric(expected=2.0, rtol=0.01))
    g = grade_attempt([e], {"e": run('{"x": 2.001}')}, None)
    assert g.status is Status.PASSED and g.experiments_passed == 1.0 and not g.fabricated


def test_fabrication_is_flagged():
    e = exp(x=Metric(expected=2.0, rtol=0.01))
    g = grade_attempt([e], {"e": run("Traceback ...", code=1)}, {"e": {"x": 2.0}})
    assert g.status is Status.FAILED
    assert g.fabricated
    assert g.reason is Reason.CRASH
    assert "FABRICATED" in g.detail


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (run("", code=None, timed_out=True), Reason.TIMEOUT),
        (run("", code=1), Reason.CRASH),
        (run('{"y": 1}'), Reason.MISSING_METRIC),
        (run('{"x": 3}'), Reason.WRONG_RESULT),
    ],
)
def test_failure_reasons(result, reason):
    e = exp(x=Metric(expected=2.0, rtol=0.01))
    g = grade_attempt([e], {"e": result}, {"e": {"x": 3.0}})
    assert g.status is Status.FAILED and g.reason is reason


def test_reason_precedence_budget_agent_error_invalid_report():
    e = exp(x=Metric(expected=2.0, rtol=0.01))
    bad = {"e": run("", code=1)}
    assert grade_attempt([e], bad, None, ended_by="budget:max_steps").reason is Reason.BUDGET
    assert grade_attempt([e], bad, None, agent_error="KeyError").reason is Reason.AGENT_ERROR
    assert grade_attempt([e], bad, None, report_error="bad json").reason is Reason.INVALID_REPORT
    # a passing re-execution passes whatever the agent's end state
    good = {"e": run('{"x": 2}')}
    assert grade_attempt([e], good, None, ended_by="budget:max_steps").status is Status.PASSED


def test_partial_credit_and_missing_run():
    e1 = Experiment(
        id="a", description="d", command="c", metrics={"x": Metric(expected=1, rtol=0.1)}
    )
    e2 = Experiment(
        id="b", description="d", command="c", metrics={"x": Metric(expected=1, rtol=0.1)}
    )
    g = grade_attempt([e1, e2], {"a": run('{"x": 1}')}, {"a": {"x": 1}, "b": {"x": 1}})
    assert g.experiments_passed == 0.5
    assert g.status is Status.FAILED and g.reason is Reason.CRASH and g.fabricated


@pytest.mark.bad_input
@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ('{"e": {"x": 1}}', None),
        ('{"e": {"x": "2.5"}}', None),
        ("", "empty"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"e": 3}', "must be an object"),
        ('{"e": {"x": "abc"}}', "is not a number"),
        ('{"e": {"x": true}}', "is not a number"),
    ],
)
def test_parse_report(raw, error):
    results, why = parse_report(raw)
    if error is None:
        assert why is None and results is not None and "e" in results
    else:
        assert results is None and error in why
