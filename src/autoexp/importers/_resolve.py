"""Resolving a recorded function (file + bare name + line numbers) to an autoexp function id
`file.py::Qual.name` by parsing the file. The recorded lines are only a hint to choose among
same-named definitions; every disagreement with where the function really is gets reported."""

from __future__ import annotations

import ast
import re
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict

from autoexp.importers._types import FunctionRecord, Problem, Severity


class Definition(BaseModel):
    """An addressable function of a file (module level, or a method of a possibly nested class),
    as the masking code finds them."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    qualname: str
    """Qualified name in the file, e.g. `Encoder.__init__`."""
    def_line: int
    """Line of the `def` keyword."""
    body_start: int
    """First line of the body (its docstring included)."""
    body_end: int
    """Last line of the body."""
    class_line: int | None
    """Line of the enclosing `class`, for a method."""
    words: frozenset[str]
    """Words of its qualified name and body (to compare with a description)."""
    defined: int
    """How many definitions in the file share this qualified name (more than 1: not
    addressable)."""


class Resolution(BaseModel):
    """Where a recorded function really is, or why it cannot be found."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    function_id: str | None
    """`file.py::Qual.name`, None when it could not be resolved."""
    problems: list[Problem]
    """Why it could not be resolved, or how its recorded lines disagree."""


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")


def _words(text: str) -> frozenset[str]:
    out: set[str] = set()
    for w in _WORD.findall(text):
        out.update(p.lower() for p in re.split(r"_|(?<=[a-z])(?=[A-Z])", w) if len(p) > 2)
    return frozenset(out)


def definitions(source: str, filename: str) -> list[Definition]:
    """Every addressable definition of `source`, in file order. SyntaxError if it does not
    parse."""
    tree = ast.parse(source, filename)
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, int | None]] = []

    def walk(body: list[ast.stmt], prefix: str, class_line: int | None) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((prefix + node.name, node, class_line))
            elif isinstance(node, ast.ClassDef):
                walk(node.body, f"{prefix}{node.name}.", node.lineno)

    walk(tree.body, "", None)
    counts: dict[str, int] = {}
    for qual, _, _ in found:
        counts[qual] = counts.get(qual, 0) + 1
    lines = source.splitlines()
    out = []
    for qual, node, class_line in found:
        end = node.end_lineno or node.lineno
        text = qual + "\n" + "\n".join(lines[node.body[0].lineno - 1 : end])
        out.append(
            Definition(
                qualname=qual,
                def_line=node.lineno,
                body_start=node.body[0].lineno,
                body_end=end,
                class_line=class_line,
                words=_words(text),
                defined=counts[qual],
            )
        )
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Share of the span `a` that lies inside `b` (0..1)."""
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return max(0, hi - lo + 1) / max(1, a[1] - a[0] + 1)


def _score(rec: FunctionRecord, d: Definition, use_lines: bool) -> float:
    """How well a definition fits the record: the recorded `def` line, the body span, the
    distance of the recorded lines, then the description's words."""
    score = 0.0
    if use_lines and rec.header_line is not None:
        if rec.header_line == d.def_line:
            score += 100
        elif rec.header_line == d.class_line:
            score += 20
        score -= min(abs(rec.header_line - d.def_line), 1000) / 100
    if use_lines and rec.line_start is not None and rec.line_end is not None:
        lo, hi = sorted((rec.line_start, rec.line_end))
        score += 40 * _overlap((lo, hi), (d.body_start, d.body_end))
    desc = _words(rec.description)
    if desc and d.words:
        score += 10 * len(desc & d.words) / len(desc | d.words)
    return score


def _disagreement(rec: FunctionRecord, d: Definition) -> str | None:
    """How the recorded lines differ from the definition's, or None when they agree."""
    recorded = (rec.header_line, rec.line_start, rec.line_end)
    actual = (d.def_line, d.body_start, d.body_end)
    if all(r is None or r == a for r, a in zip(recorded, actual, strict=True)):
        return None
    notes = []
    if rec.header_line is not None and rec.header_line == d.class_line:
        notes.append("header_line is the enclosing class line")
    elif rec.header_line is not None and rec.header_line != d.def_line:
        notes.append(f"shifted by {rec.header_line - d.def_line:+d}")
    if rec.line_start is not None and rec.line_end is not None and rec.line_start > rec.line_end:
        notes.append("line_start is after line_end")
    note = f" ({'; '.join(notes)})" if notes else ""
    return (
        f"recorded lines (def {_n(rec.header_line)}, body {_n(rec.line_start)}-"
        f"{_n(rec.line_end)}) disagree with {d.qualname} (def {d.def_line}, body "
        f"{d.body_start}-{d.body_end}){note}"
    )


def _n(value: int | None) -> str:
    return "?" if value is None else str(value)


def clean_path(path: str) -> str | None:
    """The recorded file as a relative posix path inside code/ (a leading `./` or `code/`
    dropped), or None when it points outside."""
    p = path.strip().replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    parts = PurePosixPath(p).parts
    if not p or p.startswith("/") or ".." in parts:
        return None
    return p


def resolve(rec: FunctionRecord, code_dir: Path) -> Resolution:
    """Find `rec` in its file under `code_dir`."""
    problems: list[Problem] = []

    def problem(severity: Severity, message: str) -> None:
        problems.append(
            Problem(severity=severity, file=rec.at_file, line=rec.at_line or None, message=message)
        )

    def fail(message: str) -> Resolution:
        problem(Severity.ERROR, f"func_id {rec.func_id!r} ({rec.name}): {message}; left out")
        return Resolution(function_id=None, problems=problems)

    path = clean_path(rec.file)
    if path is None:
        return fail(f"file {rec.file!r} is not a relative path inside code/")
    if not (code_dir / path).is_file() and path.startswith("code/"):
        path = path.removeprefix("code/")
    file = code_dir / path
    if not path.endswith(".py"):
        return fail(f"file {path} is not a Python file")
    if not file.is_file():
        return fail(f"file {path} does not exist in code/")
    try:
        source = file.read_bytes().decode("utf-8")
        defs = definitions(source, path)
    except UnicodeDecodeError:
        return fail(f"{path} is not UTF-8 text")
    except (SyntaxError, ValueError) as e:
        line = getattr(e, "lineno", None)
        return fail(f"{path} does not parse (line {line}: {getattr(e, 'msg', e)})")
    n_lines = len(source.splitlines())
    bare = rec.name.strip().split(".")[-1]
    candidates = [d for d in defs if d.qualname == rec.name.strip()] or [
        d for d in defs if d.qualname.split(".")[-1] == bare
    ]
    if not candidates:
        nested = re.search(rf"^[ \t]+(async[ \t]+)?def[ \t]+{re.escape(bare)}\b", source, re.M)
        why = " outside a class (a nested function cannot be masked)" if nested else ""
        return fail(f"no function named {rec.name!r} in {path}{why}")
    outside = [n for n in rec.recorded_lines if not 1 <= n <= n_lines]
    ignored = (
        f"func_id {rec.func_id!r} ({rec.name}): line {outside[0]} is outside {path} "
        f"({n_lines} lines); the line numbers are ignored"
        if outside
        else ""
    )
    scored = sorted(
        ((_score(rec, d, use_lines=not outside), d) for d in candidates),
        key=lambda sd: -sd[0],
    )
    best_score, best = scored[0]
    tied = [d.qualname for s, d in scored if s >= best_score - 1e-9]
    if ignored and len(tied) > 1:
        problem(Severity.WARNING, ignored)
    elif ignored and len(candidates) > 1:
        problem(Severity.WARNING, f"{ignored}; {best.qualname} chosen by its description")
    elif ignored:
        problem(Severity.WARNING, f"{ignored}; {best.qualname} is the only {bare} in the file")
    if len(tied) > 1:
        return fail(
            f"{rec.name!r} is defined several times in {path} ({', '.join(tied)}) and nothing tells "
            "which one is meant"
        )
    if best.defined > 1:
        return fail(
            f"{path}::{best.qualname} is defined {best.defined} times, so autoexp cannot address it"
        )
    if not outside:
        why = _disagreement(rec, best)
        if why:
            problem(Severity.WARNING, f"func_id {rec.func_id!r} ({rec.name}): {why}")
    return Resolution(function_id=f"{path}::{best.qualname}", problems=problems)
