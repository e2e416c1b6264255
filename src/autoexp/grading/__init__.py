"""Grading: metrics parsing, tolerance, grades (pure functions, no I/O)."""

from autoexp.grading._grade import (
    grade_attempt,
    grade_evidence,
    grade_experiment,
    verified_metrics,
)
from autoexp.grading._integrity import RULES as INTEGRITY_RULES
from autoexp.grading._integrity import check_body
from autoexp.grading._metrics import last_json_object, parse_metrics, tolerance, within
from autoexp.grading._report import Results, parse_report
from autoexp.grading._rule import mean_relative_error, rule_outcome
from autoexp.grading._types import (
    EVIDENCE_SCHEMA,
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
    RuleOutcome,
    RunOutput,
    Status,
)

__all__ = [
    "EVIDENCE_SCHEMA",
    "INTEGRITY_RULES",
    "Availability",
    "DiffVerdict",
    "EndState",
    "Evidence",
    "ExperimentOutcome",
    "FunctionOutcome",
    "Grade",
    "GradedOn",
    "IntegrityFinding",
    "IntegrityMode",
    "MetricOutcome",
    "Reason",
    "Results",
    "RuleOutcome",
    "RunOutput",
    "Status",
    "check_body",
    "grade_attempt",
    "grade_evidence",
    "grade_experiment",
    "last_json_object",
    "mean_relative_error",
    "parse_metrics",
    "parse_report",
    "rule_outcome",
    "tolerance",
    "verified_metrics",
    "within",
]
