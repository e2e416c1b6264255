"""Find a function's body in source text by parsing it (libcst), never by line numbers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import (
    CodeRange,
    MetadataWrapper,
    PositionProvider,
    WhitespaceInclusivePositionProvider,
)
from pydantic import BaseModel, ConfigDict

from autoexp.errors import MaskingError

# libcst's position providers count lines with exactly this pattern; using the same one to map
# (line, column) back to character offsets keeps the mapping exact.
_NEWLINE_RE = re.compile(r"\r\n?|\n")
_BOM = "\ufeff"


class FunctionSpan(BaseModel):
    """Where one function's body sits in a source text.

    The body runs from the end of the `def` line (its newline included, any comment on the
    `def` line excluded) to the end of the last statement or indented trailing comment (its
    newline excluded). For a one-line function (`def f(x): return x`) it runs from just after
    the colon to the end of the line. `source[:body_start] + new + source[body_end:]` replaces
    exactly the body.
    """

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    qualname: str
    """Qualified name inside the file, e.g. `Outer.Inner.method`."""
    def_start: int
    """Offset of the `def` (or `async`) keyword."""
    body_start: int
    """Offset where the body starts."""
    body_end: int
    """Offset just past the body."""
    indent: str
    """Indentation of the body's statements (for a one-line body: the indentation a block body
    would get)."""
    newline: str
    """The newline sequence that ends the `def` line ("\\n" or "\\r\\n")."""
    inline: bool
    """True when the body is on the `def` line itself."""
    signature: str
    """The header text from `def`/`async` up to and including the colon (no decorators)."""
    docstring: str | None
    """The existing docstring, cleaned like `inspect.cleandoc`, or None."""


@dataclass
class ParsedSource:
    """A parsed source text with the metadata needed to compute offsets."""

    source: str
    filename: str
    module: cst.Module
    functions: dict[str, list[cst.FunctionDef]]
    _wide: Mapping[cst.CSTNode, CodeRange]
    _narrow: Mapping[cst.CSTNode, CodeRange]
    _line_starts: list[int]
    _shift: int

    def offset(self, line: int, column: int) -> int:
        """Character offset in `source` of a libcst (1-based line, 0-based column) position."""
        if line - 1 >= len(self._line_starts):
            return len(self.source)
        return min(self._shift + self._line_starts[line - 1] + column, len(self.source))

    def span(self, qualname: str) -> FunctionSpan:
        """The body span of the function `qualname`; MaskingError if missing or ambiguous."""
        found = self.functions.get(qualname, [])
        fid = f"{self.filename}::{qualname}"
        if not found:
            raise MaskingError(
                f"{fid}: no function {qualname!r} in {self.filename} (only module-level "
                "functions and methods of classes can be addressed)"
            )
        if len(found) > 1:
            raise MaskingError(
                f"{fid}: {qualname!r} is defined {len(found)} times in {self.filename}, "
                "so the id is ambiguous"
            )
        return self._span_of(qualname, found[0])

    def _start(self, node: cst.CSTNode, *, narrow: bool = False) -> int:
        pos = (self._narrow if narrow else self._wide)[node].start
        return self.offset(pos.line, pos.column)

    def _end(self, node: cst.CSTNode) -> int:
        pos = self._wide[node].end
        return self.offset(pos.line, pos.column)

    def _line_indent(self, offset: int) -> str:
        start = max(self.source.rfind("\n", 0, offset), self.source.rfind("\r", 0, offset)) + 1
        prefix = self.source[start:offset]
        return prefix if not prefix.strip() else ""

    def _span_of(self, qualname: str, node: cst.FunctionDef) -> FunctionSpan:
        src = self.source
        def_start = self._start(node, narrow=True)
        after_colon = self._start(node.body)
        def_indent = self._line_indent(def_start)
        body = node.body
        if isinstance(body, cst.SimpleStatementSuite):
            body_start = after_colon
            body_end = _strip_one_newline(src, body_start, self._end(body))
            newline = _newline_at(src, body_end) or self.module.default_newline
            indent = def_indent + self.module.default_indent
            inline = True
        else:
            header_end = self._end(body.header)
            body_start = _strip_one_newline(src, after_colon, header_end)
            newline = src[body_start:header_end] or self.module.default_newline
            last: cst.CSTNode = body.body[-1]
            for line in body.footer:
                if line.indent and line.comment is not None:
                    last = line
            body_end = _trim_end(src, body_start + len(newline), self._end(last))
            first_stmt = self._start(body.body[0], narrow=True)
            indent = self._line_indent(first_stmt) or def_indent + (
                body.indent if body.indent is not None else self.module.default_indent
            )
            inline = False
        return FunctionSpan(
            qualname=qualname,
            def_start=def_start,
            body_start=body_start,
            body_end=body_end,
            indent=indent,
            newline=newline,
            inline=inline,
            signature=src[def_start:after_colon],
            docstring=node.get_docstring(clean=True),
        )


def _newline_at(src: str, pos: int) -> str:
    if src.startswith("\r\n", pos):
        return "\r\n"
    if src.startswith(("\n", "\r"), pos):
        return src[pos]
    return ""


def _strip_one_newline(src: str, lo: int, end: int) -> int:
    """`end` moved back over one trailing newline sequence (not below `lo`)."""
    if end - 2 >= lo and src[end - 2 : end] == "\r\n":
        return end - 2
    if end - 1 >= lo and src[end - 1] in "\r\n":
        return end - 1
    return end


def _trim_end(src: str, lo: int, end: int) -> int:
    """`end` moved back over the final newline and any whitespace-only lines before it."""
    while True:
        stripped = _strip_one_newline(src, lo, end)
        if stripped == end:
            return end
        end = stripped
        line_start = max(src.rfind("\n", lo, end), src.rfind("\r", lo, end)) + 1
        if line_start <= lo or src[line_start:end].strip():
            return end
        end = line_start


def _index(
    stmts: Sequence[cst.CSTNode], prefix: str, out: dict[str, list[cst.FunctionDef]]
) -> None:
    for stmt in stmts:
        if isinstance(stmt, cst.FunctionDef):
            out.setdefault(prefix + stmt.name.value, []).append(stmt)
        elif isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
            _index(stmt.body.body, f"{prefix}{stmt.name.value}.", out)


def parse_source(source: str, filename: str = "<source>") -> ParsedSource:
    """Parse `source`; MaskingError (naming `filename`) if it does not parse or round-trip."""
    shift = 1 if source.startswith(_BOM) else 0
    text = source[shift:]
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError) as e:
        raise MaskingError(f"{filename}: does not parse: {e}") from None
    if module.code != text:
        raise MaskingError(
            f"{filename}: cannot be reproduced byte for byte after parsing "
            "(lone CR line endings are not supported)"
        )
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    wide = wrapper.resolve(WhitespaceInclusivePositionProvider)
    narrow = wrapper.resolve(PositionProvider)
    line_starts = [0] + [m.end() for m in _NEWLINE_RE.finditer(text)]
    functions: dict[str, list[cst.FunctionDef]] = {}
    _index(module.body, "", functions)
    return ParsedSource(source, filename, module, functions, wide, narrow, line_starts, shift)


def locate(source: str, qualname: str, *, filename: str = "<source>") -> FunctionSpan:
    """Where the body of `qualname` (e.g. `f` or `Outer.Inner.method`) is in `source`.

    Only module-level functions and methods of (possibly nested) classes are addressable; a
    missing or duplicated name raises MaskingError naming `filename` and the id.
    """
    return parse_source(source, filename).span(qualname)


def extract_body(source: str, qualname: str, *, filename: str = "<source>") -> str:
    """The body of `qualname` exactly as in the file (see FunctionSpan for its bounds)."""
    span = locate(source, qualname, filename=filename)
    return source[span.body_start : span.body_end]


def list_functions(source: str, *, filename: str = "<source>") -> list[str]:
    """Qualified names of every addressable function in `source`, in file order
    (names defined more than once appear once)."""
    parsed = parse_source(source, filename)
    return list(parsed.functions)
