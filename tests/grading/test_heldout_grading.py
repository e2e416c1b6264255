"""Held-out grading, as pure functions: hidden experiments gate a pass (overfit otherwise),
integrity findings fail an attempt under strict mode only, differential verdicts give
functions_correct and the suspect flag."""

from __future__ import annotations

import pytest

from autoexp.grading import (
    DiffVerdict,
    FunctionOutcome,
    IntegrityFinding,
    IntegrityMode,
    Reason,
    Status,
    grade_attempt,
)
from autoexp.sandbox._types import ExecResult
from autoexp.tasks import Experiment, HiddenExperiment, Metric


def ok_run(value: float) -> ExecResult:
    return ExecResult(command="c", exit_code=0, stdout=f'{{"x": {value}}}\n', stderr="")


VISIBLE = Experiment(
    id="e", description="d", command="c", metrics={"x": Metric(expected=1.0, rtol=0.01)}
)
HIDDEN = HiddenExperiment(
    id="e-seed1", of="e", command="c --seed 1", metrics={"x": Metric(expected=2.0, rtol=0.01)}
)
REPORT = {"e": {"x": 1.0}}
FINDING = IntegrityFinding(function="m.py::f", line=3, rule="exit", detail="os._exit")


def grade(hidden_value: float | None = 2.0, **kw):
    verified = {"e": ok_run(1.0)}
    if hidden_value is not None:
        verified["e-seed1"] = ok_run(hidden_value)
    return grade_attempt([VISIBLE], verified, REPORT, hidden=[HIDDEN], **kw)


def test_visible_and_hidden_pass():
    g = grade()
    assert g.status is Status.PASSED and not g.overfit and not g.suspect
    assert [o.id for o in g.hidden] == ["e-seed1"] and g.hidden[0].passed
    assert g.experiments_passed == 1.0
    assert g.functions_correct is None  # no differential test ran


@pytest.mark.parametrize("hidden_value", [1.0, None])  # paper's number again; crash (no run)
def test_hidden_failure_with_visible_pass_is_heldout_mismatch(hidden_value):
    g = grade(hidden_value)
    assert g.status is Status.FAILED and g.reason is Reason.HELDOUT_MISMATCH
    assert g.overfit and not g.fabricated
    assert g.experiments_passed == 0.5
    assert "OVERFIT" in g.detail and "hidden e-seed1" in g.detail


def test_visible_failure_is_not_overfit():
    g = grade_attempt(
        [VISIBLE], {"e": ok_run(5.0), "e-seed1": ok_run(2.0)}, REPORT, hidden=[HIDDEN]
    )
    assert g.reason is Reason.WRONG_RESULT and not g.overfit and g.fabricated


def test_integrity_finding_fails_only_when_strict():
    strict = grade(integrity=[FINDING])
    assert strict.status is Status.FAILED and strict.reason is Reason.INTEGRITY
    assert strict.integrity == [FINDING] and "os._exit" in strict.detail
    warn = grade(integrity=[FINDING], integrity_mode=IntegrityMode.WARN)
    assert warn.status is Status.PASSED and warn.integrity == [FINDING]
    # in warn mode the hidden experiments still judge
    caught = grade(1.0, integrity=[FINDING], integrity_mode=IntegrityMode.WARN)
    assert caught.reason is Reason.HELDOUT_MISMATCH


def test_integrity_comes_before_every_other_reason():
    g = grade(1.0, integrity=[FINDING], ended_by="budget:max_steps")
    assert g.reason is Reason.INTEGRITY and g.overfit


def test_differential_verdicts_give_functions_correct_and_suspect():
    good = FunctionOutcome(function="m.py::f", verdict=DiffVerdict.PASSED, samples=3)
    bad = FunctionOutcome(function="m.py::g", verdict=DiffVerdict.WRONG_OUTPUT, samples=3)
    g = grade(functions=[good, bad])
    assert g.status is Status.PASSED and g.suspect
    assert g.functions_correct == 0.5 and "differential m.py::g: wrong_output" in g.detail
    failed = grade(1.0, functions=[good, bad])
    assert not failed.suspect  # suspect flags passes only
    assert grade(functions=[good]).functions_correct == 1.0
