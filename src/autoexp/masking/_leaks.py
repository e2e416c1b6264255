"""Check that no masked body can be recovered from anything in a prepared workspace."""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
import tokenize
import zipfile
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from autoexp.errors import LeakError
from autoexp.masking._indent import frozen_lines
from autoexp.masking._mask import dedent_body

MIN_LINE_CHARS = 12
"""Body lines shorter than this (after stripping) are too common to count as a leak."""
MAX_FILE_BYTES = 50_000_000
"""Files larger than this are not scanned for body lines."""
_VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr"})
_BYTECODE_SUFFIXES = (".pyc", ".pyo")
_ARCHIVE_SUFFIXES = (".zip", ".whl", ".egg", ".jar", ".tar", ".tar.gz", ".tgz", ".tar.bz2")
_NOT_CODE = frozenset(
    {
        tokenize.STRING,
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
        tokenize.ENCODING,
    }
)
_TRIVIAL = frozenset(
    {
        "raise NotImplementedError",
        "raise NotImplementedError()",
        "return NotImplemented",
        "return result",
        "return self",
        "return None",
        "return False",
        "return True",
        "else:",
        "try:",
        "finally:",
    }
)


class LeakKind(StrEnum):
    """How a masked body could be recovered."""

    TEXT = "text"
    """A line of a masked body appears in a file (source, comment, notebook, docs, data...)."""
    BYTECODE = "bytecode"
    """Byte-compiled Python (a __pycache__ directory or a .pyc file) is present."""
    VCS = "vcs"
    """A version-control directory (.git...) is present; its history has the original code."""
    SYMLINK = "symlink"
    """A symbolic link points outside the workspace (e.g. at the original code)."""


class Leak(BaseModel):
    """One way the gold code survives in a workspace."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    kind: LeakKind
    """What kind of leak this is."""
    path: str
    """Where, relative to the workspace (`archive.zip!member` inside an archive)."""
    function_id: str | None = None
    """The masked function whose body leaks; None when every masked function is exposed."""
    line: int | None = None
    """1-based line of the file where the body line was found, when known."""
    text: str = ""
    """The body line that was found, or what the problem is."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        who = f" [{self.function_id}]" if self.function_id else ""
        return f"{self.kind.value}: {where}{who}: {self.text}"


def _code_and_comment(line: str) -> tuple[str, str]:
    """Split one line of code into (code, comment), both stripped."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line).readline):
            if tok.type == tokenize.COMMENT:
                col = tok.start[1]
                return line[:col].strip(), line[col:].strip()
    except (tokenize.TokenError, SyntaxError):
        pass
    return line.strip(), ""


def _needles(body: str) -> list[str]:
    """The distinctive lines of a body (code, comments, string contents), stripped; the
    body's own docstring is left out (the description may repeat it)."""
    text = dedent_body(body) if body.startswith(("\n", "\r\n", " ", "\t")) else body
    lines = text.replace("\r\n", "\n").split("\n")
    frozen = frozen_lines("\n".join(lines))
    docstring = _docstring_lines(lines)
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in docstring:
            continue
        parts = [line.strip()] if frozen is None or i in frozen else _code_and_comment(line)
        for part in parts:
            if len(part) >= MIN_LINE_CHARS and part not in _TRIVIAL and part not in out:
                out.append(part)
    return out


def _docstring_lines(lines: list[str]) -> set[int]:
    """Indices of the lines of the body's leading docstring, if it has one."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO("\n".join(lines)).readline):
            if tok.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.ENCODING):
                continue
            if tok.type == tokenize.STRING:
                return set(range(tok.start[0] - 1, tok.end[0]))
            return set()
    except (tokenize.TokenError, SyntaxError):
        pass
    return set()


def _code_lines(text: str) -> list[str]:
    """The code of each line of a Python file that has code on it (comments removed, stripped):
    what masking leaves visible anyway. Lines inside strings and lines holding only strings
    (docstrings) are not code."""
    lines = text.replace("\r\n", "\n").split("\n")
    has_code: dict[int, int] = {}  # 0-based line -> column where a comment starts (or -1)
    try:
        for tok in tokenize.generate_tokens(io.StringIO("\n".join(lines)).readline):
            row = tok.start[0] - 1
            if tok.type == tokenize.COMMENT:
                if row in has_code:
                    has_code[row] = tok.start[1]
            elif tok.type not in _NOT_CODE:
                has_code.setdefault(row, -1)
    except (tokenize.TokenError, SyntaxError):
        return []
    out = []
    for row, comment_at in has_code.items():
        line = lines[row] if row < len(lines) else ""
        out.append((line[:comment_at] if comment_at >= 0 else line).strip())
    return out


class _VisibleCode:
    """Whether a needle is code in one of the workspace's Python files (see `_code_lines`).

    A code line is a substring of its file's text, so only files that contain the needle at
    all are tokenized, each at most once: the same answer as tokenizing every file, without
    tokenizing a large repository whose files hold none of the needles."""

    def __init__(self, sources: list[str]) -> None:
        self.sources = sources
        self.code: dict[int, str] = {}
        self.known: dict[str, bool] = {}

    def has(self, needle: str) -> bool:
        if needle not in self.known:
            self.known[needle] = any(
                needle in self._code(i) for i, text in enumerate(self.sources) if needle in text
            )
        return self.known[needle]

    def _code(self, i: int) -> str:
        if i not in self.code:
            self.code[i] = "\n".join(_code_lines(self.sources[i]))
        return self.code[i]


def _walk(root: Path) -> Iterator[tuple[str, os.stat_result, bool]]:
    """(relative path, lstat, is a directory) for everything under root, without following
    symbolic links or entering version-control directories."""
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            yield (rel / name).as_posix(), os.lstat(full), name in dirnames
        dirnames[:] = [d for d in dirnames if d not in _VCS_DIRS]


def _texts(rel: str, data: bytes) -> Iterator[tuple[str, str, bool]]:
    """(where, text, lines are the file's) pieces to scan in one file: its text, the strings
    inside JSON and notebooks, and the members of archives."""
    lower = rel.lower()
    if lower.endswith(_ARCHIVE_SUFFIXES):
        for where, text in _archive_texts(rel, data):
            yield where, text, False
        return
    if b"\0" in data[:8192]:
        return
    text = data.decode("utf-8", errors="replace")
    yield rel, text, True
    if lower.endswith((".json", ".ipynb")):
        try:
            strings = list(_json_strings(json.loads(text)))
        except (ValueError, RecursionError):
            return
        yield rel, "\n".join(strings), False


def _json_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_strings(v)


def _archive_texts(rel: str, data: bytes) -> Iterator[tuple[str, str]]:
    members: list[tuple[str, bytes]] = []
    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for info in zf.infolist()[:10_000]:
                    if not info.is_dir() and info.file_size <= MAX_FILE_BYTES:
                        members.append((info.filename, zf.read(info)))
        else:
            with tarfile.open(fileobj=io.BytesIO(data)) as tf:
                for ti in tf.getmembers()[:10_000]:
                    f = tf.extractfile(ti) if ti.isfile() and ti.size <= MAX_FILE_BYTES else None
                    if f is not None:
                        members.append((ti.name, f.read()))
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError):
        return
    for name, content in members:
        if b"\0" not in content[:8192]:
            yield f"{rel}!{name}", content.decode("utf-8", errors="replace")


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return None if pos < 0 else text.count("\n", 0, pos) + 1


def leak_check(
    workspace: Path, bodies: dict[str, str], *, exclude: Iterable[str] = ()
) -> list[Leak]:
    """Every way the masked bodies (function id -> original body, raw or dedented) could be
    recovered from the workspace.

    - a distinctive line of a body (code, comment or string content, stripped; at least
      MIN_LINE_CHARS long; not the function's own docstring; not a line that is also code
      elsewhere in the workspace's Python files, like a common idiom) found in any file:
      source, comments, other docstrings, notebooks and JSON (decoded), docs, zip/tar archives;
    - any byte-compiled file or __pycache__ directory;
    - any version-control directory (.git, ...);
    - any symbolic link that points outside the workspace.

    `exclude` lists relative paths not scanned for body lines (e.g. the paper, when a task
    legitimately quotes code in it).
    """
    workspace = Path(workspace)
    root = workspace.resolve()
    skip = set(exclude)
    leaks: list[Leak] = []
    files: list[str] = []
    for rel, st, is_dir in _walk(workspace):
        name = rel.rsplit("/", 1)[-1]
        if stat.S_ISLNK(st.st_mode):
            target = (workspace / rel).resolve()
            if not target.is_relative_to(root):
                leaks.append(Leak(kind=LeakKind.SYMLINK, path=rel, text=f"points to {target}"))
        elif name in _VCS_DIRS:
            leaks.append(Leak(kind=LeakKind.VCS, path=rel, text="version-control data"))
        elif is_dir and name == "__pycache__":
            leaks.append(Leak(kind=LeakKind.BYTECODE, path=rel, text="__pycache__ directory"))
        elif not is_dir and name.endswith(_BYTECODE_SUFFIXES):
            leaks.append(Leak(kind=LeakKind.BYTECODE, path=rel, text="byte-compiled file"))
        elif stat.S_ISREG(st.st_mode) and st.st_size <= MAX_FILE_BYTES and rel not in skip:
            files.append(rel)

    texts: list[tuple[str, str, bool]] = []
    sources: list[str] = []
    for rel in files:
        for where, text, own_lines in _texts(rel, (workspace / rel).read_bytes()):
            texts.append((where, text, own_lines))
            if own_lines and rel.endswith(".py"):
                sources.append(text)
    visible = _VisibleCode(sources)
    # A needle has no newline, so it is in this text iff it is in one of the pieces: one fast
    # search answers for the usual case (a masked body is nowhere in its workspace).
    everything = "\n".join(text for _, text, _ in texts)

    seen: set[tuple[str, str, str]] = set()
    for fid, body in bodies.items():
        needles = [n for n in _needles(body) if n in everything and not visible.has(n)]
        for where, text, own_lines in texts:
            for needle in needles:
                if needle in text and (fid, where, needle) not in seen:
                    seen.add((fid, where, needle))
                    line = _line_of(text, needle) if own_lines else None
                    leaks.append(
                        Leak(
                            kind=LeakKind.TEXT, path=where, function_id=fid, line=line, text=needle
                        )
                    )
    return leaks


def ensure_no_leaks(
    workspace: Path, bodies: dict[str, str], *, exclude: Iterable[str] = ()
) -> None:
    """Raise LeakError listing every leak `leak_check` finds (at most 20 in the message)."""
    leaks = leak_check(workspace, bodies, exclude=exclude)
    if leaks:
        shown = "\n".join(f"  {leak}" for leak in leaks[:20])
        more = f"\n  ... and {len(leaks) - 20} more" if len(leaks) > 20 else ""
        raise LeakError(f"{len(leaks)} leak(s) in {workspace}:\n{shown}{more}")
