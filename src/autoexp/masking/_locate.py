"""Find a function's body in source text by parsing it (libcst), never by line numbers."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import libcst as cst
from libcst._nodes.internal import CodegenState
from pydantic import BaseModel, ConfigDict

from autoexp.errors import MaskingError

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
    """A parsed source text with the character offsets of its nodes. Treat it as read-only:
    `parse_source` may hand the same object to several callers."""

    source: str
    filename: str
    module: cst.Module
    functions: dict[str, list[cst.FunctionDef]]
    _wide: Mapping[cst.CSTNode, tuple[int, int]]
    """Node -> (start, end) offsets in the parsed text, whitespace the node owns included."""
    _narrow: Mapping[cst.CSTNode, tuple[int, int]]
    """Node -> (start, end) offsets without leading/trailing whitespace that is not syntactic
    (libcst's PositionProvider)."""
    _shift: int

    def offset(self, position: int) -> int:
        """Offset in `source` of an offset in the parsed text (after a BOM)."""
        return min(self._shift + position, len(self.source))

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
        return self.offset((self._narrow if narrow else self._wide)[node][0])

    def _end(self, node: cst.CSTNode) -> int:
        return self.offset(self._wide[node][1])

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


class _PositionState(CodegenState):
    """One codegen pass that yields the code and, per node, the character offsets of both of
    libcst's position providers (WhitespaceInclusivePositionProvider and PositionProvider),
    which would otherwise take a codegen pass each."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.offset = 0
        self.wide: dict[cst.CSTNode, tuple[int, int]] = {}
        self.narrow: dict[cst.CSTNode, tuple[int, int]] = {}
        self.starts: list[int] = []

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        self.offset += sum(map(len, self.indent_tokens))

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        span = (self.starts.pop(), self.offset)
        self.wide.setdefault(node, span)
        self.narrow.setdefault(node, span)  # unless its syntactic position was recorded

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.narrow[start_node][0]
            if end_node is not None:
                end = self.narrow[end_node][1]
            self.narrow[node] = (start, end)


_CACHE_CHARS = 4_000_000
"""Source characters of the parses `parse_source` keeps (the most recently used first)."""
_cache: OrderedDict[tuple[str, str], ParsedSource] = OrderedDict()
_cache_chars = 0
_cache_lock = threading.Lock()


def parse_source(source: str, filename: str = "<source>") -> ParsedSource:
    """Parse `source`; MaskingError (naming `filename`) if it does not parse or round-trip.

    Parsing is deterministic, so the result for the same text and file name is kept and
    shared (an attempt parses the same few files many times: to mask, to restore, to merge,
    and to check each result)."""
    global _cache_chars
    key = (filename, source)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    parsed = _parse(source, filename)
    with _cache_lock:
        if key not in _cache and len(source) <= _CACHE_CHARS:
            _cache[key] = parsed
            _cache_chars += len(source)
            while _cache_chars > _CACHE_CHARS:
                (_, old), _ = _cache.popitem(last=False)
                _cache_chars -= len(old)
    return parsed


def _parse(source: str, filename: str) -> ParsedSource:
    shift = 1 if source.startswith(_BOM) else 0
    text = source[shift:]
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError) as e:
        raise MaskingError(f"{filename}: does not parse: {e}") from None
    state = _PositionState(module)
    module._codegen(state)
    if "".join(state.tokens) != text:  # what `module.code` would give
        raise MaskingError(
            f"{filename}: cannot be reproduced byte for byte after parsing "
            "(lone CR line endings are not supported)"
        )
    functions: dict[str, list[cst.FunctionDef]] = {}
    _index(module.body, "", functions)
    return ParsedSource(source, filename, module, functions, state.wide, state.narrow, shift)


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
