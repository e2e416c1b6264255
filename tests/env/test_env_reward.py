"""reward(): a pure function of a Grade, tested on grades made by autoexp's own grading."""

from __future__ import annotations

import json

import pytest

from autoexp.env import RewardConfig, RewardWeights, Violation, reward
from autoexp.grading import (
    DiffVerdict,
    FunctionOutcome,
    Grade,
    IntegrityMode,
    Reason,
    RunOutput,
    Status,
    check_body,
    grade_attempt,
)
from autoexp.masking import extract_body, put_bodies
from autoexp.tasks._load import builtin_tasks


@pytest.fixture(scope="module")
def task():
    return next(t for t in builtin_tasks() if t.id == "naive-bayes")


def _printing(experiment, ok: bool = True) -> RunOutput:
    """The run of an experiment that prints its expected metrics (or, not ok, crashes)."""
    if not ok:
        return RunOutput(exit_code=1, stderr="NotImplementedError")
    values = {k: m.expected for k, m in experiment.metrics.items()}
    return RunOutput(exit_code=0, stdout=json.dumps(values))


def _grade(task, visible_ok, hidden_ok, functions_ok, **kw) -> Grade:
    visible = task.spec.experiments
    hidden = task.spec.hidden_experiments[: len(hidden_ok)]
    runs = {e.id: _printing(e, ok) for e, ok in zip(visible, visible_ok, strict=True)}
    runs |= {h.id: _printing(h, ok) for h, ok in zip(hidden, hidden_ok, strict=True)}
    functions = [
        FunctionOutcome(
            function=f"f{i}", verdict=DiffVerdict.PASSED if ok else DiffVerdict.WRONG_OUTPUT
        )
        for i, ok in enumerate(functions_ok)
    ]
    return grade_attempt(
        visible,
        runs,
        kw.pop("reported", None),
        hidden=hidden,
        functions=functions,
        **kw,
    )


def test_a_full_pass_is_one_and_a_full_failure_zero(task):
    best = reward(_grade(task, [True] * 3, [True] * 3, [True, True]))
    assert best.status is Status.PASSED
    assert best.reward == 1.0 and best.partial == 1.0 and best.violations == []
    worst = reward(_grade(task, [False] * 3, [False] * 3, [False, False]))
    assert worst.reward == 0.0 and worst.counted


def test_partial_credit_is_the_weighted_mean_of_the_components(task):
    b = reward(_grade(task, [True, False, False], [True, True, False], [True, False]))
    assert (b.visible, b.hidden, b.functions) == (1 / 3, 2 / 3, 0.5)
    assert b.reward == pytest.approx(0.4 / 3 + 0.3 * 2 / 3 + 0.3 * 0.5)
    weights = RewardConfig(weights=RewardWeights(visible=1, hidden=0, functions=0))
    assert reward(_grade(task, [True, False, False], [True] * 3, [True]), weights).reward == (
        pytest.approx(1 / 3)
    )


def test_missing_components_are_left_out_not_counted_as_zero(task):
    b = reward(_grade(task, [True, True, False], [], []))
    assert b.hidden is None and b.functions is None
    assert b.reward == pytest.approx(2 / 3)


def test_every_pass_more_earns_more(task):
    steps = [
        ([False] * 3, [False] * 3, [False, False]),
        ([True, False, False], [False] * 3, [False, False]),
        ([True, False, False], [True, False, False], [False, False]),
        ([True, False, False], [True, False, False], [True, False]),
        ([True] * 3, [True] * 3, [True, True]),
    ]
    rewards = [reward(_grade(task, *s)).reward for s in steps]
    assert rewards == sorted(rewards) and len(set(rewards)) == len(rewards)


def test_an_integrity_finding_zeroes_a_perfect_grade(task):
    """A body that computes the right thing yet carries an exit: every experiment and test
    passes under `warn`, and the reward is still 0, in either integrity mode."""
    fn = task.function("text.py::count_matrix")
    original = (task.code_dir / fn.path).read_text()
    body = "    if len(docs) < 0:\n        import os\n        os._exit(0)\n"
    cheat = put_bodies(original, {fn.qualname: body + extract_body(original, fn.qualname)})
    findings = check_body(cheat, fn.qualname, fn.id)
    assert findings and findings[0].rule == "exit"
    for mode in IntegrityMode:
        g = _grade(task, [True] * 3, [True] * 3, [True], integrity=findings, integrity_mode=mode)
        b = reward(g)
        assert b.partial == 1.0 and b.violations == [Violation.INTEGRITY]
        assert b.reward == 0.0
    assert _grade(task, [True] * 3, [True] * 3, [True], integrity=findings).reason is (
        Reason.INTEGRITY
    )


def test_fabricated_numbers_and_outside_edits_are_violations(task):
    paper = {e.id: {k: m.expected for k, m in e.metrics.items()} for e in task.spec.experiments}
    fabricated = _grade(task, [True, False, False], [True] * 3, [True], reported=paper)
    assert fabricated.fabricated
    b = reward(fabricated)
    assert b.violations == [Violation.FABRICATED] and b.reward == 0.0 < b.partial
    edited = _grade(task, [True] * 3, [True] * 3, [True], edited_outside_mask=True)
    assert reward(edited).reward == 1.0  # discarded by the merge: harmless by default
    strict = RewardConfig(outside_edits=True)
    assert reward(edited, strict).reward == 0.0
    assert reward(edited, strict.model_copy(update={"penalty": -1.0})).reward == -1.0


def test_cheating_never_pays_more_than_honest_failure(task):
    honest_failure = reward(_grade(task, [False] * 3, [False] * 3, [False])).reward
    for penalty in (0.0, -0.5):
        config = RewardConfig(penalty=penalty, outside_edits=True)
        for flags in ({"edited_outside_mask": True}, {"integrity_mode": IntegrityMode.WARN}):
            g = _grade(task, [True] * 3, [True] * 3, [True], **flags)
            if "integrity_mode" in flags:
                g = g.model_copy(
                    update={
                        "integrity": check_body(
                            "import sys\ndef f():\n    sys.exit(0)\n", "f", "x.py::f"
                        )
                    }
                )
            assert reward(g, config).reward <= honest_failure


def test_infra_and_grader_errors_are_not_counted():
    for status, why in ((Status.INFRA_ERROR, Reason.SANDBOX), (Status.GRADER_ERROR, Reason.LEAK)):
        b = reward(Grade(status=status, reason=why))
        assert b.reward == 0.0 and not b.counted


def test_the_weights_and_penalty_are_validated():
    with pytest.raises(ValueError):
        RewardConfig(penalty=0.5)
    with pytest.raises(ValueError):
        RewardWeights(visible=-1)
