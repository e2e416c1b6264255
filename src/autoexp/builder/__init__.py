# ruff: noqa: F401
"""Task building and validation: `autoexp build` (profiling the commands, choosing the
maskable functions, metrics, calibrated tolerances, hidden experiments, samples), tracing
dependencies, mutants, checks.

The names are loaded on first use (as in `autoexp`), so that the command line can import the
light `autoexp.builder._options` without loading the builder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autoexp._lazy import lazy_exports

_PUBLIC = {
    "BuildError": "autoexp.builder._types",
    "BuildOptions": "autoexp.builder._options",
    "BuildResult": "autoexp.builder._types",
    "Calibration": "autoexp.builder._tolerance",
    "Candidate": "autoexp.builder._choose",
    "Check": "autoexp.builder._validate",
    "CommandProfile": "autoexp.builder._calls",
    "ExperimentReport": "autoexp.builder._types",
    "ExperimentSpread": "autoexp.builder._tolerance",
    "FoundMetric": "autoexp.builder._metrics",
    "FoundMetrics": "autoexp.builder._metrics",
    "FunctionCalls": "autoexp.builder._calls",
    "FunctionInfo": "autoexp.builder._choose",
    "HiddenReport": "autoexp.builder._types",
    "Knob": "autoexp.builder._hidden",
    "MetricSpread": "autoexp.builder._tolerance",
    "MutantRow": "autoexp.builder._validate",
    "TaskValidation": "autoexp.builder._validate",
    "Variant": "autoexp.builder._hidden",
    "build_task": "autoexp.builder._build",
    "calibrate": "autoexp.builder._tolerance",
    "choose_functions": "autoexp.builder._choose",
    "compare_with_builtin": "autoexp.builder._recover",
    "describe": "autoexp.builder._describe",
    "entry_file": "autoexp.builder._hidden",
    "experiment_id": "autoexp.builder._build",
    "find_knobs": "autoexp.builder._hidden",
    "find_metrics": "autoexp.builder._metrics",
    "is_todo": "autoexp.builder._describe",
    "load_calibration": "autoexp.builder._tolerance",
    "output_varies": "autoexp.builder._tolerance",
    "profile_command": "autoexp.builder._calls",
    "read_mutant": "autoexp.builder._validate",
    "review_points": "autoexp.builder._summary",
    "scan_functions": "autoexp.builder._choose",
    "summary_lines": "autoexp.builder._summary",
    "todo_check": "autoexp.builder._validate",
    "todo_items": "autoexp.builder._describe",
    "trace_experiment": "autoexp.builder._trace",
    "traced_calls": "autoexp.builder._trace",
    "traced_command": "autoexp.builder._trace",
    "validate_task": "autoexp.builder._validate",
    "variants": "autoexp.builder._hidden",
}
"""Public name -> the module that defines it."""

__all__ = [*_PUBLIC]

if TYPE_CHECKING:  # for type checkers only; the names are served by __getattr__
    from autoexp.builder._build import build_task, experiment_id
    from autoexp.builder._calls import CommandProfile, FunctionCalls, profile_command
    from autoexp.builder._choose import Candidate, FunctionInfo, choose_functions, scan_functions
    from autoexp.builder._describe import describe, is_todo, todo_items
    from autoexp.builder._hidden import Knob, Variant, entry_file, find_knobs, variants
    from autoexp.builder._metrics import FoundMetric, FoundMetrics, find_metrics
    from autoexp.builder._options import BuildOptions
    from autoexp.builder._recover import compare_with_builtin
    from autoexp.builder._summary import review_points, summary_lines
    from autoexp.builder._tolerance import (
        Calibration,
        ExperimentSpread,
        MetricSpread,
        calibrate,
        load_calibration,
        output_varies,
    )
    from autoexp.builder._trace import trace_experiment, traced_calls, traced_command
    from autoexp.builder._types import BuildError, BuildResult, ExperimentReport, HiddenReport
    from autoexp.builder._validate import (
        Check,
        MutantRow,
        TaskValidation,
        read_mutant,
        todo_check,
        validate_task,
    )


__getattr__ = lazy_exports(__name__, _PUBLIC)
