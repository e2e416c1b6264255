"""Differential tests of masked functions: each one called alone, in its own sandboxed
process, on inputs recorded from the original code (`hidden/samples/`), its outputs brought
back as JSON (never unpickled on the host) and compared with the recording."""

from autoexp.difftest._compare import compare
from autoexp.difftest._grade import judge, run_differential, suggested_timeout
from autoexp.difftest._index import function_slug, has_samples, index_path, load_index
from autoexp.difftest._record import record_samples
from autoexp.difftest._runner import canonical, encode
from autoexp.difftest._types import (
    INDEX_SCHEMA,
    FunctionRecord,
    FunctionSamples,
    RecordSummary,
    Sample,
    SampleIndex,
)

__all__ = [
    "INDEX_SCHEMA",
    "FunctionRecord",
    "FunctionSamples",
    "RecordSummary",
    "Sample",
    "SampleIndex",
    "canonical",
    "compare",
    "encode",
    "function_slug",
    "has_samples",
    "index_path",
    "judge",
    "load_index",
    "record_samples",
    "run_differential",
    "suggested_timeout",
]
