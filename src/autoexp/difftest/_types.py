"""Data types of differential testing: the sample index on disk and the recording summary."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

INDEX_SCHEMA = 1
"""Version of hidden/samples/index.json this autoexp writes and reads."""


class Sample(BaseModel):
    """One recorded call of a function: where its inputs are and what it must give."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    file: str
    """Input pickle, relative to hidden/samples/ (e.g. `stats.py--mean-1a2b3c/0.pkl`)."""
    experiment: str
    """Visible experiment the call was recorded in."""
    call: int
    """0-based index of the call among the function's calls in that experiment."""
    random_file: str | None = None
    """Pickle of the global random states at the call, relative to hidden/samples/ (shared by
    the samples that had the same states; None: neither `random` nor numpy was imported)."""
    blobs: list[str] = Field(default_factory=list)
    """Large arrays among the arguments, stored once per task by content, relative to
    hidden/samples/ (e.g. `_blobs/<sha>.pkl`)."""
    bytes: int = 0
    """Size of the input pickle and its blobs (zlib-compressed)."""
    expected: dict[str, Any]
    """What the original code gives on replay, in the runner's safe encoding:
    {"return": ..., "after": {argument name: state after the call}}; arrays of more than
    1024 elements are kept as sketches (see `autoexp.difftest._sketch`)."""


class FunctionSamples(BaseModel):
    """The samples of one function and how to import it."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    module: str
    """Dotted module name the runner imports."""
    import_root: str = ""
    """Directory (relative to the tree, "" = its root) put first on sys.path so that `module`
    is importable under that name."""
    sys_path: list[str] = Field(default_factory=list)
    """Other sys.path entries inside the tree that the experiment had (relative)."""
    calls: dict[str, int] = Field(default_factory=dict)
    """Calls of the function per experiment, as counted while recording."""
    samples: list[Sample] = Field(default_factory=list)
    """The recorded calls, replayed by the differential test."""
    skipped: list[str] = Field(default_factory=list)
    """Why some calls were not kept (unpicklable, too large, not deterministic, ...)."""
    replay_seconds: float = 0.0
    """Wall time of one replay of all samples of the original (a hint for timeouts)."""


class SampleIndex(BaseModel):
    """hidden/samples/index.json: the differential-test samples of a task."""

    model_config = ConfigDict(use_attribute_docstrings=True, populate_by_name=True)

    schema_: int = Field(default=INDEX_SCHEMA, alias="schema")
    """Version of this file's format."""
    task: str
    """Task id."""
    functions: dict[str, FunctionSamples] = Field(default_factory=dict)
    """Function id -> its samples (functions without any sample are listed with none)."""


class FunctionRecord(BaseModel):
    """What recording found for one function."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    function: str
    """Function id."""
    calls: int = 0
    """Calls seen over all visible experiments."""
    samples: int = 0
    """Samples kept."""
    bytes: int = 0
    """Size of the kept inputs, compressed (arrays shared between samples counted in each)."""
    skipped: list[str] = Field(default_factory=list)
    """Calls or functions that could not be recorded, and why."""


class RecordSummary(BaseModel):
    """Outcome of `record_samples` on one task."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    task: str
    """Task id."""
    index: str
    """Path of the index.json written."""
    functions: list[FunctionRecord] = Field(default_factory=list)
    """Per function, in task.yaml order."""
    errors: list[str] = Field(default_factory=list)
    """Experiments that failed while recording (their calls are missing)."""
    total_bytes: int = 0
    """Size of hidden/samples/ on disk (pickles and index)."""
    seconds: float = 0.0
    """Wall time of the recording."""

    @property
    def ok(self) -> bool:
        """No experiment failed and every function has at least one sample."""
        return not self.errors and all(f.samples for f in self.functions)
