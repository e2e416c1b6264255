"""The scorer's pure parts: a final answer read as a results object, the explanation line."""

from __future__ import annotations

from autoexp.grading import Grade, Reason, Status
from autoexp.inspect._scorer import completion_report, explain


def test_a_final_answer_that_is_a_results_object_is_a_report():
    assert completion_report('{"e": {"acc": 0.9}}') == {"e": {"acc": 0.9}}
    assert completion_report('```json\n{"e": {"acc": "0.9"}}\n```') == {"e": {"acc": 0.9}}
    assert completion_report("done, see results.json") is None
    assert completion_report('{"e": {"acc": "high"}}') is None
    assert completion_report("") is None


def test_the_explanation_names_status_reason_and_flags():
    grade = Grade(status=Status.FAILED, reason=Reason.WRONG_RESULT, detail="0/1", fabricated=True)
    assert explain(grade) == "failed (wrong_result) [fabricated]: 0/1"
    assert explain(Grade(status=Status.PASSED)) == "passed"
