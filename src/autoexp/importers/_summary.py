"""The summary of an import: what was written and every problem found."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, computed_field

from autoexp.importers._types import Problem, Severity

SUMMARY_FILE = "import.json"
"""Written in the output directory: the ImportSummary as JSON."""


class ImportSummary(BaseModel):
    """What `autoexp import autoexperiment` did."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    source: str
    """The dataset root."""
    out: str
    """The output directory."""
    papers: int = 0
    """Papers found in the dataset."""
    tasks: list[str] = Field(default_factory=list)
    """Task directories written."""
    functions: int = 0
    """Functions imported (over all tasks)."""
    experiments: int = 0
    """Experiments imported (over all tasks)."""
    needs_extraction: int = 0
    """Of those, experiments that print free-form output (graded on reported numbers until
    their regexes are filled in)."""
    combos: dict[int, int] = Field(default_factory=dict)
    """K -> published combos of K functions imported."""
    problems: list[Problem] = Field(default_factory=list)
    """Every problem found, errors and warnings."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def errors(self) -> int:
        """Problems that left something out."""
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def warnings(self) -> int:
        """Problems to check in what was imported."""
        return sum(p.severity is Severity.WARNING for p in self.problems)


def summary_lines(s: ImportSummary) -> list[str]:
    """The summary as text lines: counts, then every problem (errors first)."""
    combos = ", ".join(f"K={k}: {n}" for k, n in sorted(s.combos.items())) or "none"
    lines = [
        f"papers: {s.papers} found, {len(s.tasks)} imported as tasks in {s.out}",
        f"functions: {s.functions}",
        f"experiments: {s.experiments} ({s.needs_extraction} need metric extraction: graded "
        "on reported numbers, verified: unavailable)",
        f"published combos: {combos}",
        "heldout: unavailable (no hidden experiments or differential samples; see "
        "`autoexp tasks record`)",
        f"problems: {s.errors} error(s) (left out), {s.warnings} warning(s) (imported, check)",
    ]
    ordered = sorted(
        s.problems, key=lambda p: (p.severity is not Severity.ERROR, p.file, p.line or 0)
    )
    lines += [f"  {p}" for p in ordered]
    return lines
