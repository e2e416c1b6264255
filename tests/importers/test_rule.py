"""Issue 13: the published grading rule (mean relative error) and grading on reported numbers
when an experiment's output cannot be read yet (pure functions, no sandbox)."""

from __future__ import annotations

import math

import pytest

from autoexp.grading import (
    Availability,
    GradedOn,
    RunOutput,
    grade_attempt,
    mean_relative_error,
)
from autoexp.tasks import Experiment, MeanRelativeError, Metric

RULE = MeanRelativeError(max=0.05)


def _exp(needs_extraction: bool = False) -> Experiment:
    return Experiment(
        id="e",
        description="d",
        command="python x.py",
        metrics={"a": Metric(expected=2.0, rtol=0.05), "b": Metric(expected=-4.0, rtol=0.05)},
        depends_on=[],
        needs_extraction=needs_extraction,
    )


def test_mean_relative_error_uses_the_absolute_gold_and_flags_zero():
    assert mean_relative_error({"a": 2.2, "b": -4.0}, {"a": 2.0, "b": -4.0}) == pytest.approx(0.05)
    assert mean_relative_error({"a": 0.0}, {"a": 0.0}) == 0.0
    assert mean_relative_error({"a": 1e-9}, {"a": 0.0}) == math.inf
    assert mean_relative_error({"a": None}, {"a": 1.0}) is None
    assert mean_relative_error({}, {}) is None


def test_the_rule_is_graded_alongside_the_tolerance():
    # a = 2.08 is within rtol 0.05 (0.1); the mean relative error is (0.04 + 0) / 2 <= 0.05
    run = RunOutput(exit_code=0, stdout='{"a": 2.08, "b": -4.0}\n')
    g = grade_attempt([_exp()], {"e": run}, {"e": {"a": 2.3, "b": -4.0}}, rule=RULE)
    assert g.status == "passed"
    (r,) = g.rule
    assert r.verified_ok and not r.reported_ok and r.negative_gold == ["b"]
    assert g.rule_passed is False  # the benchmark grades the reported numbers
    assert "rule mean_relative_error <= 0.05: reported 0/1, verified 1/1" in g.detail
    assert g.verification is Availability.AVAILABLE
    assert g.heldout is Availability.UNAVAILABLE and "heldout: unavailable" in g.detail


def test_free_form_output_is_graded_on_reported_numbers_and_says_so():
    run = RunOutput(exit_code=0, stdout="final a 2.0 and b -4.0\n")
    exp = _exp(needs_extraction=True)
    good = grade_attempt([exp], {"e": run}, {"e": {"a": 2.0, "b": -4.0}}, rule=RULE)
    assert good.status == "passed" and not good.fabricated
    assert good.experiments[0].graded_on is GradedOn.REPORTED
    assert good.verification is Availability.UNAVAILABLE
    assert "verified: unavailable" in good.detail
    wrong = grade_attempt([exp], {"e": run}, {"e": {"a": 3.0, "b": -4.0}})
    assert wrong.status == "failed" and wrong.reason == "wrong_result"
    crashed = grade_attempt([exp], {"e": RunOutput(exit_code=1)}, {"e": {"a": 2.0, "b": -4.0}})
    assert crashed.status == "failed" and crashed.reason == "crash"
    none = grade_attempt([exp], {"e": run}, None)
    assert none.reason == "no_report"


def test_once_every_metric_has_a_regex_the_verified_numbers_count_again():
    exp = _exp(needs_extraction=True).model_copy(
        update={
            "metrics": {
                "a": Metric(expected=2.0, rtol=0.05, regex=r"final a (\S+)"),
                "b": Metric(expected=-4.0, rtol=0.05, regex=r"b (\S+)$"),
            }
        }
    )
    run = RunOutput(exit_code=0, stdout="final a 2.0 and b -4.0\n")
    g = grade_attempt([exp], {"e": run}, {"e": {"a": 9.0, "b": 9.0}})
    assert g.status == "passed" and g.fabricated is False
    assert g.verification is Availability.AVAILABLE
    assert g.experiments[0].graded_on is GradedOn.VERIFIED
