"""Loading tasks from disk, with errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from autoexp._io import load_yaml
from autoexp.errors import TaskError
from autoexp.tasks._model import Task, TaskSpec

BUILTIN_DIR = Path(__file__).parent / "builtin"
"""Where the built-in suite lives inside the package."""


def _loc(loc: tuple[int | str, ...]) -> str:
    parts = ["schema" if p == "schema_" else _part(p) for p in loc]
    return ".".join(parts) or "(top level)"


def _part(p: int | str) -> str:
    """One step of a field path; a key from the file that is not plain text is quoted, so it
    can neither break the message's lines nor pass for another field."""
    text = str(p)
    if isinstance(p, int) or (text and text.isprintable() and not any(c in text for c in " .:")):
        return text
    return repr(p)


def _cut(text: str, limit: int = 500) -> str:
    """`text`, cut so an error message stays readable whatever the file holds."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


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
        text = yml.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise TaskError(f"{yml}: not UTF-8 text (byte {e.start}: {e.reason})") from None
    except OSError as e:
        raise TaskError(f"{yml}: cannot be read: {e.strerror or e}") from None
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as e:
        raise TaskError(f"{yml}: not valid YAML: {_cut(str(e))}") from None
    except RecursionError:
        raise TaskError(f"{yml}: not valid YAML: nested too deeply") from None
    except Exception as e:  # PyYAML's constructors raise ValueError etc. on bad scalars
        raise TaskError(f"{yml}: not valid YAML: {type(e).__name__}: {_cut(str(e))}") from None
    if not isinstance(raw, dict):
        raise TaskError(f"{yml}: must be a mapping at the top level, got {type(raw).__name__}")
    try:
        spec = TaskSpec.model_validate(raw)
    except ValidationError as e:
        lines = [f"{yml}: {e.error_count()} problem(s)"]
        for err in e.errors():
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"  field {_cut(_loc(err['loc']))}: {_cut(msg)}")
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
