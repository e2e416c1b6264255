"""The task model: what `task.yaml` may contain.

The pydantic models here are the source of truth for the task format; every field carries a
docstring, which is what `autoexp tasks schema` prints and what validation errors refer to.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1
"""The task.yaml schema version this autoexp writes and reads."""

_FUNCTION_ID = re.compile(r"^(?P<path>[^:\s]+\.py)::(?P<qual>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def split_function_id(function_id: str) -> tuple[str, str]:
    """Split `path/to/file.py::Class.method` into (`path/to/file.py`, `Class.method`)."""
    m = _FUNCTION_ID.match(function_id)
    if not m:
        raise ValueError(
            f"function id {function_id!r} must look like 'path/to/file.py::name' "
            "or 'path/to/file.py::Class.method'"
        )
    path = m.group("path")
    if path.startswith("/") or ".." in path.split("/") or "\\" in path:
        raise ValueError(
            f"function id {function_id!r}: the path must be relative to code/ and stay inside it"
        )
    return path, m.group("qual")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Metric(_Strict):
    """One expected number of an experiment and how close a result must be."""

    expected: float
    """The paper's value."""
    rtol: float = Field(default=0.0, ge=0.0)
    """Relative tolerance: passes when |got - expected| <= atol + rtol * |expected|."""
    atol: float = Field(default=0.0, ge=0.0)
    """Absolute tolerance (use it for zero or near-zero targets)."""
    regex: str | None = None
    """Optional regex with one group that captures the value from the command's output;
    without it the metric is read from the last stdout line that parses as a JSON object."""

    @field_validator("expected", "rtol", "atol")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number (an infinite tolerance passes anything)")
        return v

    @field_validator("regex")
    @classmethod
    def _one_group(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            compiled = re.compile(v)
        except re.error as e:
            raise ValueError(f"regex does not compile: {e}") from None
        if compiled.groups != 1:
            raise ValueError("regex must have exactly one capturing group (the value)")
        return v

    @model_validator(mode="after")
    def _some_tolerance_for_zero(self) -> Metric:
        if self.expected == 0.0 and self.atol == 0.0:
            raise ValueError("expected is 0, so rtol alone demands an exact 0: set atol")
        return self


class Experiment(_Strict):
    """One command of the codebase whose output the paper reports."""

    id: str
    """Short unique id, also the key of this experiment in the agent's results JSON."""
    description: str
    """What the experiment does and what it reports, in the paper's terms."""
    command: str
    """Shell command, run from the root of code/, that prints the metrics."""
    timeout_s: float = Field(default=120.0, gt=0, le=7 * 86_400)
    """Wall-clock limit for one run of the command, in seconds (at most a week)."""
    metrics: dict[str, Metric]
    """Metric name -> expected value and tolerance."""
    depends_on: list[str] = Field(default_factory=list)
    """Function ids (`file.py::Qual.name`) that this experiment executes."""
    needs_extraction: bool = False
    """The command prints free-form output (imported tasks): until every metric has a regex,
    the experiment is graded on the agent's reported numbers (its re-execution must still
    succeed) and every attempt says `verified: unavailable`."""

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _SLUG.match(v):
            raise ValueError("must be lowercase letters, digits, '.', '_' or '-'")
        return v

    @field_validator("metrics")
    @classmethod
    def _non_empty(cls, v: dict[str, Metric]) -> dict[str, Metric]:
        if not v:
            raise ValueError("an experiment needs at least one metric")
        return v

    @field_validator("depends_on")
    @classmethod
    def _function_ids(cls, v: list[str]) -> list[str]:
        for fid in v:
            split_function_id(fid)
        return v


class HiddenExperiment(Experiment):
    """A held-out variant of a visible experiment (another seed, size or hyper-parameter).

    Never shown to the agent (neither its command, description nor numbers), and its numbers
    must not appear in the paper. Grading runs it after the visible experiments; an attempt
    passes only when its hidden experiments pass too.
    """

    of: str
    """Id of the visible experiment this one varies; the hidden experiment is part of every
    attempt that includes that experiment."""
    description: str = ""
    """What the variant changes (for task authors; never shown to the agent)."""
    depends_on: list[str] = Field(default_factory=list)
    """Function ids it executes; empty means the same as the visible experiment's."""


class DiffTolerance(_Strict):
    """How close a masked function's output must be to the recorded one in its differential
    test (numbers compare with |got - expected| <= atol + rtol * |expected|)."""

    rtol: float = Field(default=1e-6, ge=0.0)
    """Relative tolerance for every number of the output."""
    atol: float = Field(default=1e-9, ge=0.0)
    """Absolute tolerance for every number of the output."""


class Function(_Strict):
    """A maskable function or method of the codebase."""

    id: str
    """Address `path/to/file.py::name` or `path/to/file.py::Class.method` (relative to code/)."""
    description: str
    """What the function must do; kept as its docstring when the body is masked."""
    paper_excerpt: str | None = None
    """Optional passage of the paper relevant to this function (used by `--paper excerpts`)."""
    differential: DiffTolerance = Field(default_factory=DiffTolerance)
    """Tolerance of this function's differential test (samples in hidden/samples/)."""

    @field_validator("id")
    @classmethod
    def _valid_id(cls, v: str) -> str:
        split_function_id(v)
        return v

    @property
    def path(self) -> str:
        """File of the function, relative to code/."""
        return split_function_id(self.id)[0]

    @property
    def qualname(self) -> str:
        """Qualified name inside the file, e.g. `Class.method`."""
        return split_function_id(self.id)[1]


class Needs(_Strict):
    """What running the task's experiments takes beyond autoexp's own environment (imported
    papers often need GPUs, their own packages and data they download)."""

    requirements: list[str] = Field(default_factory=list)
    """Files of code/ that list what must be installed (requirements.txt, environment.yml,
    setup.py, ...); empty: nothing beyond autoexp's environment."""
    conda_env: str | None = None
    """Name of the conda environment the experiments were run in by their authors."""
    gpus: int = Field(default=0, ge=0)
    """GPUs an experiment needs (0: runs on CPU)."""
    setup_network: bool = False
    """The code downloads data or weights, so setting the task up needs network (the
    experiments, and grading, never get it)."""


class MeanRelativeError(_Strict):
    """A benchmark's own pass rule, graded alongside (never instead of) the metrics'
    tolerances: an experiment passes when the mean over its metrics of
    |got - expected| / |expected| is at most `max`. A zero expected value makes its term
    infinite unless the value is exactly 0."""

    max: float = Field(default=0.05, ge=0.0)
    """Largest mean relative error that passes."""
    source: str = ""
    """Whose rule it is, e.g. `AutoExperiment (arXiv 2506.19724)`."""


class Origin(_Strict):
    """Where an imported task comes from."""

    dataset: str
    """The benchmark it was imported from, e.g. `autoexperiment`."""
    paper_id: str
    """The paper's id in that benchmark (an arXiv id)."""
    repository: str | None = None
    """URL of the paper's code repository."""


class TaskSpec(_Strict):
    """The content of task.yaml."""

    schema_: int = Field(alias="schema")
    """Version of the task.yaml format (currently 1)."""
    id: str
    """Unique id of the task (lowercase, digits, '-', '_', '.')."""
    title: str
    """Title of the paper."""
    topic: str = ""
    """One-line topic, shown in task lists."""
    setup: str | None = None
    """Optional command run once in the workspace before the experiments."""
    experiments: list[Experiment]
    """The experiments whose numbers the paper reports."""
    hidden_experiments: list[HiddenExperiment] = Field(default_factory=list)
    """Held-out variants of the experiments, never shown to the agent (see HiddenExperiment)."""
    functions: list[Function]
    """The maskable functions."""
    combos: list[list[str]] = Field(default_factory=list)
    """Fixed combos (function ids masked together), e.g. a benchmark's published ones;
    `autoexp run --combos published` masks exactly these instead of drawing combos."""
    rule: MeanRelativeError | None = None
    """The pass rule of the benchmark the task comes from, graded alongside the tolerances
    (the grade records its verdict; status still follows the tolerances)."""
    needs: Needs = Field(default_factory=Needs)
    """What running the experiments takes (packages, GPUs, network to set up)."""
    origin: Origin | None = None
    """Where the task was imported from (None: written for autoexp)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
    )

    @field_validator("schema_")
    @classmethod
    def _known_schema(cls, v: int) -> int:
        if v > SCHEMA_VERSION or v < 1:
            raise ValueError(
                f"schema {v} is not supported; this autoexp reads schema 1..{SCHEMA_VERSION}"
            )
        return v

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _SLUG.match(v):
            raise ValueError("must be lowercase letters, digits, '.', '_' or '-'")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> TaskSpec:
        if not self.experiments:
            raise ValueError("experiments: a task needs at least one experiment")
        exp_ids = [e.id for e in self.experiments]
        dup = {i for i in exp_ids if exp_ids.count(i) > 1}
        if dup:
            raise ValueError(f"experiments: duplicate ids {sorted(dup)}")
        fn_ids = [f.id for f in self.functions]
        dup = {i for i in fn_ids if fn_ids.count(i) > 1}
        if dup:
            raise ValueError(f"functions: duplicate ids {sorted(dup)}")
        hidden_ids = [h.id for h in self.hidden_experiments]
        dup = {i for i in hidden_ids if hidden_ids.count(i) > 1 or i in exp_ids}
        if dup:
            raise ValueError(
                f"hidden_experiments: ids {sorted(dup)} are duplicated or name a visible experiment"
            )
        known = set(fn_ids)
        for field, exps in (
            ("experiments", self.experiments),
            ("hidden_experiments", self.hidden_experiments),
        ):
            for i, e in enumerate(exps):
                unknown = [d for d in e.depends_on if d not in known]
                if unknown:
                    raise ValueError(
                        f"{field}.{i}.depends_on ({e.id}): {unknown} are not in functions"
                    )
        for i, h in enumerate(self.hidden_experiments):
            if h.of not in exp_ids:
                raise ValueError(
                    f"hidden_experiments.{i}.of ({h.id}): {h.of!r} is not a visible experiment"
                )
        for i, combo in enumerate(self.combos):
            unknown = [f for f in combo if f not in known]
            if unknown:
                raise ValueError(f"combos.{i}: {unknown} are not in functions")
            if len(set(combo)) != len(combo) or combo != sorted(combo):
                raise ValueError(f"combos.{i}: must list distinct function ids, sorted")
        return self


class Task(BaseModel):
    """A loaded task: its spec plus where its files are."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    spec: TaskSpec
    """The validated task.yaml."""
    root: Path
    """The task directory."""

    @property
    def id(self) -> str:
        """The task id."""
        return self.spec.id

    @property
    def code_dir(self) -> Path:
        """The original codebase (never shown to agents as-is)."""
        return self.root / "code"

    @property
    def hidden_dir(self) -> Path:
        """Differential-test samples, mutants, calibration data (never shown)."""
        return self.root / "hidden"

    @property
    def paper_path(self) -> Path:
        """paper.md, or paper.txt when there is no paper.md."""
        md = self.root / "paper.md"
        return md if md.exists() else self.root / "paper.txt"

    def paper(self) -> str:
        """The paper's text."""
        return self.paper_path.read_text(encoding="utf-8")

    def function(self, function_id: str) -> Function:
        """The function with this id (KeyError if the task has none)."""
        for f in self.spec.functions:
            if f.id == function_id:
                return f
        raise KeyError(f"task {self.id} has no function {function_id!r}")

    def experiment(self, experiment_id: str) -> Experiment:
        """The experiment with this id (KeyError if the task has none)."""
        for e in self.spec.experiments:
            if e.id == experiment_id:
                return e
        raise KeyError(f"task {self.id} has no experiment {experiment_id!r}")

    def hidden_experiment(self, experiment_id: str) -> HiddenExperiment:
        """The hidden experiment with this id (KeyError if the task has none)."""
        for h in self.spec.hidden_experiments:
            if h.id == experiment_id:
                return h
        raise KeyError(f"task {self.id} has no hidden experiment {experiment_id!r}")

    def hidden_depends_on(self, hidden: HiddenExperiment) -> list[str]:
        """What a hidden experiment executes: its own depends_on, else its visible one's."""
        return hidden.depends_on or self.experiment(hidden.of).depends_on

    def hidden_for(self, combo: tuple[str, ...] | list[str]) -> list[HiddenExperiment]:
        """Hidden variants of the combo's experiments that execute a masked function (all of
        them for an empty combo)."""
        visible = {e.id for e in self.experiments_for(combo)}
        chosen = set(combo)
        return [
            h
            for h in self.spec.hidden_experiments
            if h.of in visible and (not chosen or chosen.intersection(self.hidden_depends_on(h)))
        ]

    def maskable(self) -> list[str]:
        """Function ids some experiment depends on, in task.yaml order (combos draw from these)."""
        used = {d for e in self.spec.experiments for d in e.depends_on}
        return [f.id for f in self.spec.functions if f.id in used]

    def experiments_for(self, combo: tuple[str, ...] | list[str]) -> list[Experiment]:
        """Experiments whose dependencies intersect the combo; all of them for an empty combo."""
        if not combo:
            return list(self.spec.experiments)
        chosen = set(combo)
        return [e for e in self.spec.experiments if chosen.intersection(e.depends_on)]
