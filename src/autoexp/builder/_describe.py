"""Descriptions of the maskable functions: their docstrings; for the others, one written by a
model (`--model`) or a TODO marker that validation reports."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from autoexp.errors import AutoexpError
from autoexp.masking import extract_body, locate
from autoexp.protocols import Model
from autoexp.tasks._model import Task

TODO = "TODO:"
"""Descriptions (and other task text) starting with this still need an author."""
MAX_PAPER_CHARS = 12_000
"""Paper text sent with each request (its start)."""
_SYSTEM = (
    "You write the description of a Python function for a benchmark in which the function's "
    "body is removed and someone must re-implement it from the description and a paper. Say "
    "what the function must compute: its inputs and outputs, shapes and types, and every "
    "convention that changes the numbers (random draws and their order, tie-breaking, "
    "normalisation, edge cases). Do not give the code away: no code lines, no variable-by-"
    "variable walk-through. Answer with the description only, plain text, at most 120 words."
)


def todo_description(function_id: str) -> str:
    """The placeholder of a function without a docstring."""
    return (
        f"{TODO} describe what {function_id.split('::')[1]} must compute (inputs, outputs, "
        "conventions that change the numbers); it has no docstring."
    )


def is_todo(text: str) -> bool:
    """Whether a description is still a placeholder."""
    return text.lstrip().startswith(TODO)


def _clean(reply: str) -> str:
    text = reply.strip()
    text = re.sub(r"^```\w*\n|\n```$", "", text).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return re.sub(r"\s+", " ", text)


def model_description(model: Model, code_dir: Path, function_id: str, paper: str) -> str:
    """A description of `function_id` written by `model` from its source and the paper
    (raises ModelAPIError when the API keeps failing, AutoexpError on an empty answer)."""
    path, qual = function_id.split("::")
    source = (code_dir / path).read_text(encoding="utf-8")
    span = locate(source, qual, filename=path)
    code = span.signature + extract_body(source, qual, filename=path)
    user = (
        f"Paper (start):\n{paper[:MAX_PAPER_CHARS]}\n\n"
        f"Function `{function_id}`:\n```python\n{code}\n```\n\nWrite its description."
    )
    reply = model.query([{"role": "system", "content": _SYSTEM}, {"role": "user", "content": user}])
    text = _clean(reply.text or "")
    if not text:
        raise AutoexpError(f"{function_id}: the model answered with no text")
    return text


def describe(
    function_ids: list[str],
    docstrings: dict[str, str | None],
    code_dir: Path,
    paper: str,
    model: Model | None,
    on_note: Callable[[str], None] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """(function id -> description, function id -> where it came from: `docstring`, `model` or
    `todo`). Without a model, or when the model fails, a function without docstring gets a
    TODO placeholder."""
    out: dict[str, str] = {}
    source: dict[str, str] = {}
    for fid in function_ids:
        doc = docstrings.get(fid)
        if doc and doc.strip():
            out[fid], source[fid] = doc.strip(), "docstring"
            continue
        if model is not None:
            try:
                out[fid], source[fid] = model_description(model, code_dir, fid, paper), "model"
                continue
            except AutoexpError as e:
                if on_note:
                    on_note(f"model description of {fid} failed: {e}")
        out[fid], source[fid] = todo_description(fid), "todo"
    return out, source


def todo_items(task: Task) -> list[str]:
    """What of the task is still a TODO placeholder left by `autoexp build`: function and
    experiment descriptions, the title, the paper."""
    todo = [f"function {f.id}" for f in task.spec.functions if is_todo(f.description)]
    todo += [f"experiment {e.id}" for e in task.spec.experiments if is_todo(e.description)]
    if is_todo(task.spec.title):
        todo.append("title")
    if is_todo(task.paper()):
        todo.append(task.paper_path.name)
    return todo
