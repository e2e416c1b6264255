"""Where a task's samples live and how the index is read."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pydantic import ValidationError

from autoexp.difftest._types import INDEX_SCHEMA, SampleIndex
from autoexp.errors import TaskError
from autoexp.tasks._model import Task

SAMPLES_DIR = "samples"
"""Folder of hidden/ holding the samples."""
INDEX_FILE = "index.json"
"""The index inside hidden/samples/."""
MAX_INDEX_BYTES = 64 << 20
"""Largest index.json read."""


def samples_dir(task: Task) -> Path:
    """hidden/samples/ of the task."""
    return task.hidden_dir / SAMPLES_DIR


def index_path(task: Task) -> Path:
    """hidden/samples/index.json of the task."""
    return samples_dir(task) / INDEX_FILE


def has_samples(task: Task) -> bool:
    """Whether the task has recorded samples."""
    return index_path(task).is_file()


def function_slug(function_id: str) -> str:
    """A folder name for a function id: readable, and unique by a short hash."""
    readable = re.sub(r"[^A-Za-z0-9._]+", "-", function_id.replace("::", "--")).strip("-")
    return f"{readable[:80]}-{hashlib.sha1(function_id.encode()).hexdigest()[:6]}"


def load_index(task: Task) -> SampleIndex | None:
    """The task's sample index, None when it has none (TaskError when it is unreadable)."""
    path = index_path(task)
    if not path.is_file():
        return None
    if path.stat().st_size > MAX_INDEX_BYTES:
        raise TaskError(f"{path}: larger than {MAX_INDEX_BYTES} bytes")
    try:
        index = SampleIndex.model_validate_json(path.read_bytes())
    except ValidationError as e:
        raise TaskError(f"{path}: not a valid sample index: {e}") from None
    if index.schema_ > INDEX_SCHEMA:
        raise TaskError(f"{path}: schema {index.schema_} is newer than this autoexp reads")
    return index


def module_for(path: str, recorded: str | None) -> tuple[str, str]:
    """(dotted module name, import root relative to the tree) of the file `path`.

    `recorded` is the module's `__name__` in the experiment: when it names the file (its
    dotted path ends the file's), the file is imported under that name, from the directory
    it implies; otherwise (e.g. `__main__`) under the name its path gives from the tree root.
    """
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if recorded and recorded != "__main__":
        names = recorded.split(".")
        if len(names) <= len(parts) and parts[len(parts) - len(names) :] == names:
            return recorded, "/".join(parts[: len(parts) - len(names)])
    return ".".join(parts), ""
