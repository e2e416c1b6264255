"""Loading tasks from disk, with errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from autoexp.errors import TaskError
from autoexp.tasks._model import Task, TaskSpec

BUILTIN_DIR = Path(__file__).parent / "builtin"
"""Where the built-in suite lives inside the package."""


def _loc(loc: tuple[int | str, ...]) -> str:
    parts = ["schema" if p == "schema_" else str(p) for p in loc]
    return ".".join(parts) or "(top level)"


def load_task(path: str | Path) -> Task:
    """Load and validate the task in directory `path` (or the task.yaml file itself).

    Raises TaskError naming the file, the field and what is wrong.
    """
    p = Path(path)
    root = p.parent if p.name == "task.yaml" else p
    yml = root / "task.yaml"
    if not root.is_dir():
        raise TaskError(f"{root}: no such task directory")
    if not yml.is_file():
        raise TaskError(f"{yml}: missing (a task directory needs task.yaml)")
    try:
        raw = yaml.safe_load(yml.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise TaskError(f"{yml}: not valid YAML: {e}") from None
    if not isinstance(raw, dict):
        raise TaskError(f"{yml}: must be a mapping at the top level, got {type(raw).__name__}")
    try:
        spec = TaskSpec.model_validate(raw)
    except ValidationError as e:
        lines = [f"{yml}: {e.error_count()} problem(s)"]
        for err in e.errors():
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"  field {_loc(err['loc'])}: {msg}")
        raise TaskError("\n".join(lines)) from None
    task = Task(spec=spec, root=root.resolve())
    if not task.code_dir.is_dir():
        raise TaskError(f"{task.code_dir}: missing (a task directory needs code/)")
    if not (root / "paper.md").is_file() and not (root / "paper.txt").is_file():
        raise TaskError(f"{root}: needs paper.md or paper.txt")
    for i, f in enumerate(spec.functions):
        if not (task.code_dir / f.path).is_file():
            raise TaskError(f"{yml}: field functions.{i}.id: {f.path} is not a file in code/")
    return task


def is_task_dir(path: Path) -> bool:
    """Whether `path` holds a task.yaml."""
    return (path / "task.yaml").is_file()


def discover(path: str | Path) -> list[Path]:
    """Task directories at `path`: itself if it is a task, else its sub-directories that are."""
    p = Path(path)
    if is_task_dir(p):
        return [p]
    if not p.is_dir():
        raise TaskError(f"{p}: no such task or folder of tasks")
    found = sorted(d for d in p.iterdir() if d.is_dir() and is_task_dir(d))
    if not found:
        raise TaskError(f"{p}: holds no task (no sub-directory with a task.yaml)")
    return found


def builtin_tasks() -> list[Task]:
    """The built-in suite, sorted by id."""
    return [load_task(d) for d in discover(BUILTIN_DIR)]


def resolve_tasks(refs: list[str] | None) -> list[Task]:
    """Tasks named by `refs`: built-in ids, task directories or folders of tasks.

    No refs means the whole built-in suite.
    """
    if not refs:
        return builtin_tasks()
    out: list[Task] = []
    for ref in refs:
        p = Path(ref)
        if p.exists():
            out.extend(load_task(d) for d in discover(p))
            continue
        cand = BUILTIN_DIR / ref
        if is_task_dir(cand):
            out.append(load_task(cand))
            continue
        known = ", ".join(d.name for d in discover(BUILTIN_DIR)) if BUILTIN_DIR.is_dir() else ""
        raise TaskError(f"{ref!r} is neither a path nor a built-in task (built-in: {known})")
    seen: set[str] = set()
    for t in out:
        if t.id in seen:
            raise TaskError(f"task id {t.id!r} is given twice ({t.root})")
        seen.add(t.id)
    return out
