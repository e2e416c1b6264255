"""Writing a built task: task.yaml (with a header saying what to review), the paper, hidden/
(calibration, build record, mutants), and pruning functions that got no sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from pydantic import BaseModel

from autoexp._io import atomic_write_text
from autoexp.builder._describe import TODO
from autoexp.difftest import RecordSummary, index_path, load_index
from autoexp.tasks._load import load_task
from autoexp.tasks._model import DiffTolerance, TaskSpec

PAPER_PLACEHOLDER = (
    f"{TODO} put the paper's text here (what the agent reads): its method and the numbers of "
    "the visible experiments, never those of the hidden ones.\n"
)


def write_json(path: Path, model: BaseModel) -> None:
    """`model` as indented JSON at `path` (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, model.model_dump_json(by_alias=True, indent=1))


def write_spec(task_dir: Path, spec: TaskSpec, src_name: str) -> None:
    """task.yaml, without the fields left at their empty defaults, under a review header."""
    data = spec.model_dump(mode="json", by_alias=True)
    for key in ("topic", "setup"):
        if not data.get(key):
            data.pop(key, None)
    default_diff = DiffTolerance().model_dump()
    for f in data["functions"]:
        if f.get("paper_excerpt") is None:
            f.pop("paper_excerpt", None)
        if f.get("differential") == default_diff:
            f.pop("differential")
    for e in data["hidden_experiments"]:
        if not e["depends_on"]:
            e.pop("depends_on")  # the same as the experiment it varies
    for e in [*data["experiments"], *data["hidden_experiments"]]:
        for m in e["metrics"].values():
            for key, default in (("regex", None), ("rtol", 0.0), ("atol", 0.0)):
                if m.get(key) == default:
                    m.pop(key)
    header = (
        f"# Built by `autoexp build` from {src_name}. Review it: the TODOs, the metrics (and\n"
        "# their regexes), the tolerances (hidden/calibration.json has the spread they come\n"
        "# from) and the hidden experiments; then run `autoexp tasks validate` on this task.\n"
    )
    text = yaml.safe_dump(data, sort_keys=False, width=100, allow_unicode=True)
    atomic_write_text(task_dir / "task.yaml", header + text)


def write_paper(task_dir: Path, paper: Path | None, text: str | None) -> None:
    """paper.md (paper.txt for a .txt paper), or a TODO placeholder without a paper."""
    if paper is not None and text is not None:
        name = "paper.txt" if paper.suffix == ".txt" else "paper.md"
        atomic_write_text(task_dir / name, text)
    else:
        atomic_write_text(task_dir / "paper.md", PAPER_PLACEHOLDER)


def copy_mutants(task_dir: Path, mutants: Path) -> int:
    """Copy the mutant files (`*.py`) of `mutants` into hidden/mutants/; return how many."""
    files = sorted(Path(mutants).glob("*.py"))
    target = task_dir / "hidden" / "mutants"
    target.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copyfile(f, target / f.name)
    return len(files)


def prune_unsampled(task_dir: Path, summary: RecordSummary, spec: TaskSpec) -> TaskSpec:
    """The spec without the functions that got no differential sample (`spec` itself when
    all got some); their entries leave the sample index too."""
    empty = {f.function for f in summary.functions if not f.samples}
    if not empty:
        return spec
    task = load_task(task_dir)
    index = load_index(task)
    if index is not None:
        for fid in empty:
            index.functions.pop(fid, None)
        atomic_write_text(index_path(task), index.model_dump_json(by_alias=True))

    def keep(ids: list[str]) -> list[str]:
        return [d for d in ids if d not in empty]

    return spec.model_copy(
        update={
            "functions": [f for f in spec.functions if f.id not in empty],
            "experiments": [
                e.model_copy(update={"depends_on": keep(e.depends_on)}) for e in spec.experiments
            ],
            "hidden_experiments": [  # one whose own list empties executes nothing maskable
                h.model_copy(update={"depends_on": keep(h.depends_on)})
                for h in spec.hidden_experiments
                if not h.depends_on or keep(h.depends_on)
            ],
        }
    )
