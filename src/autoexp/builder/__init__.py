"""Task building and validation: tracing dependencies, mutants, checks."""

from autoexp.builder._trace import trace_experiment, traced_calls, traced_command
from autoexp.builder._validate import Check, MutantRow, TaskValidation, read_mutant, validate_task

__all__ = [
    "Check",
    "MutantRow",
    "TaskValidation",
    "read_mutant",
    "trace_experiment",
    "traced_calls",
    "traced_command",
    "validate_task",
]
