"""Choosing the maskable functions: defined in the repository, executed by an experiment, not
tests, not trivial; ranked so that the functions doing the work come first."""

from __future__ import annotations

import ast
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from autoexp.builder._calls import FunctionCalls

MIN_STATEMENTS = 3
"""A function whose body (docstring aside, nested statements included) has fewer statements
than this, and fewer than MIN_OPERATIONS operations, is trivial and not proposed."""
MIN_OPERATIONS = 2
"""A short body with at least this many operations (calls, arithmetic, comparisons, boolean
operators, subscripts) is not trivial: `return np.argmin(squared_distances(X, C), axis=1)`
is a computation worth masking, `return self._k` or `return len(self.items)` is not."""
_OPERATIONS = (ast.Call, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.Subscript)
_SKIP_DIRS = frozenset(
    {"__pycache__", ".git", ".hg", ".svn", ".venv", "venv", "env", "site-packages", "node_modules"}
)
_TEST_DIRS = frozenset({"test", "tests", "testing"})
_IO_CALLS = frozenset(
    {"print", "open", "input", "parse_args", "add_argument", "dump", "dumps", "savefig", "exit"}
)


class FunctionInfo(BaseModel):
    """A function of the repository as parsing sees it."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Address `path/to/file.py::Qual.name`."""
    statements: int
    """Statements of its body, docstring aside, nested ones included."""
    operations: int = 0
    """Operations of its body (calls, arithmetic, comparisons, boolean operators,
    subscripts)."""
    docstring: str | None = None
    """Its docstring, cleaned (None: it has none)."""
    is_test: bool = False
    """Defined in a test file or named like a test."""
    duplicated: bool = False
    """Its name is defined more than once in the file (it cannot be addressed)."""
    does_io: bool = False
    """Its body prints, opens files or parses arguments (a driver more than a computation)."""
    reads_argv: bool = False
    """Its body parses the command line (an entry point: called alone, as a differential test
    calls it, it would read the test's command line)."""


class Candidate(BaseModel):
    """A function considered for masking and what was decided."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Function id."""
    chosen: bool
    """Proposed as maskable."""
    reason: str = ""
    """Why it was left out (empty when chosen)."""
    score: float = 0.0
    """Rank score (higher first): experiments executing it, body size, minus penalties for
    drivers (printing, argument parsing) and for the entry-point files."""
    experiments: list[str] = Field(default_factory=list)
    """Experiments that execute it."""
    statements: int = 0
    """Statements of its body."""


def _is_test_path(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1]
    return (
        any(p in _TEST_DIRS for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def _count(stmts: list[ast.stmt]) -> int:
    n = 0
    for s in stmts:
        n += 1
        for field in ("body", "orelse", "finalbody"):
            sub = getattr(s, field, None)
            if isinstance(sub, list) and sub and isinstance(sub[0], ast.stmt):
                n += _count(sub)
        for handler in getattr(s, "handlers", []) or []:
            n += 1 + _count(handler.body)
        for case in getattr(s, "cases", []) or []:
            n += 1 + _count(case.body)
    return n


def _body_without_docstring(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    body = node.body
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return body[1:]
    return body


def _does_io(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            f = sub.func
            name = (
                f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            )
            if name in _IO_CALLS:
                return True
    return False


def _reads_argv(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in (
            "parse_args",
            "parse_known_args",
            "argv",
        ):
            return True
    return False


def _functions_of(tree: ast.Module, path: str) -> list[FunctionInfo]:
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]] = []

    def walk(stmts: list[ast.stmt], prefix: str, in_test_class: bool) -> None:
        for s in stmts:
            if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((prefix + s.name, s, in_test_class))
            elif isinstance(s, ast.ClassDef):
                walk(s.body, f"{prefix}{s.name}.", in_test_class or s.name.startswith("Test"))

    walk(tree.body, "", False)
    names = [q for q, _, _ in found]
    test_file = _is_test_path(path)
    out = []
    for qual, node, in_test_class in found:
        out.append(
            FunctionInfo(
                id=f"{path}::{qual}",
                statements=_count(body := _body_without_docstring(node)),
                operations=sum(isinstance(n, _OPERATIONS) for stmt in body for n in ast.walk(stmt)),
                docstring=ast.get_docstring(node, clean=True),
                is_test=test_file or in_test_class or qual.split(".")[-1].startswith("test_"),
                duplicated=names.count(qual) > 1,
                does_io=_does_io(node),
                reads_argv=_reads_argv(node),
            )
        )
    return out


def scan_functions(code_dir: Path) -> dict[str, FunctionInfo]:
    """Every addressable function (module level, or a method of a possibly nested class) of
    the Python files under `code_dir`, by id; files that do not parse are skipped."""
    out: dict[str, FunctionInfo] = {}
    for file in sorted(code_dir.rglob("*.py")):
        rel = file.relative_to(code_dir)
        if any(p in _SKIP_DIRS or p.startswith(".") for p in rel.parts[:-1]):
            continue
        try:
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(rel))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for info in _functions_of(tree, rel.as_posix()):
            out[info.id] = info
    return out


def choose_functions(
    infos: dict[str, FunctionInfo],
    executed: dict[str, dict[str, FunctionCalls]],
    entry_files: set[str],
    *,
    override: list[str] | None = None,
    max_functions: int | None = None,
) -> list[Candidate]:
    """Rank the candidates; `executed` maps experiment id -> function id -> its calls.

    Chosen: executed by at least one experiment, not a test, not trivial (MIN_STATEMENTS,
    MIN_OPERATIONS), addressable (or, with
    `override`, exactly those ids that some experiment executes). Returns every function that
    an experiment executes or that `override` names, the chosen ones first in rank order.
    """
    by_fn: dict[str, list[str]] = {}
    for exp_id, calls in executed.items():
        for fid, c in calls.items():
            if c.calls and fid in infos:
                by_fn.setdefault(fid, []).append(exp_id)
    wanted = set(override or [])
    out: list[Candidate] = []
    for fid in sorted(set(by_fn) | wanted | set(infos)):
        info = infos.get(fid)
        exps = by_fn.get(fid, [])
        reason = ""
        if info is None:
            reason = "not an addressable function of the repository"
        elif not exps:
            reason = "no experiment executes it (dead code for these commands)"
        elif info.duplicated:
            reason = "defined more than once in its file"
        elif override is not None:
            reason = "" if fid in wanted else "not in --functions"
        elif info.is_test:
            reason = "test code"
        elif info.reads_argv:
            reason = "parses the command line (an entry point)"
        elif info.statements < MIN_STATEMENTS and info.operations < MIN_OPERATIONS:
            reason = (
                f"trivial: {info.statements} statement(s) < {MIN_STATEMENTS} and "
                f"{info.operations} operation(s) < {MIN_OPERATIONS}"
            )
        score = 0.0
        if info is not None:
            path = fid.split("::")[0]
            score = len(exps) + min(info.statements, 40) / 20
            score -= 2.0 if info.does_io else 0.0
            score -= 1.0 if path in entry_files else 0.0
        if info is not None and info.is_test and not exps and fid not in wanted:
            continue  # dead code is listed, to say why it is left out; unrun tests are not
        out.append(
            Candidate(
                id=fid,
                chosen=not reason,
                reason=reason,
                score=round(score, 3),
                experiments=exps,
                statements=info.statements if info else 0,
            )
        )
    out.sort(key=lambda c: (not c.chosen, -c.score, c.id))
    if max_functions is not None:
        kept = 0
        for c in out:
            if c.chosen:
                kept += 1
                if kept > max_functions:
                    c.chosen, c.reason = False, f"ranked below the first {max_functions}"
        out.sort(key=lambda c: (not c.chosen, -c.score, c.id))
    return out
