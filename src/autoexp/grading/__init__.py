"""Grading: metrics parsing, tolerance, grades (pure functions, no I/O)."""

from autoexp.grading._grade import grade_attempt, grade_experiment, verified_metrics
from autoexp.grading._metrics import last_json_object, parse_metrics, tolerance, within
from autoexp.grading._report import Results, parse_report
from autoexp.grading._types import ExperimentOutcome, Grade, MetricOutcome, Reason, Status

__all__ = [
    "ExperimentOutcome",
    "Grade",
    "MetricOutcome",
    "Reason",
    "Results",
    "Status",
    "grade_attempt",
    "grade_experiment",
    "last_json_object",
    "parse_metrics",
    "parse_report",
    "tolerance",
    "verified_metrics",
    "within",
]
