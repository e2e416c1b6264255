"""Replace function bodies in one source text: mask them, put bodies back, read a model's def.

Two forms of a body are used:
- *raw*: the text exactly as in the file, as `extract_body` returns it (it starts with the
  `def` line's newline, or for a one-line body with the text after the colon). Putting a raw
  body back into a function at the same indentation is byte-exact.
- *dedented*: the statements at column 0 with "\\n" newlines, as `body_of_def` and
  `masked_body` return it and `replace_body` takes it.
"""

from __future__ import annotations

import re
import textwrap

import libcst as cst

from autoexp.errors import MaskingError
from autoexp.masking._indent import dedent_lines, indent_lines
from autoexp.masking._locate import FunctionSpan, ParsedSource, parse_source

_STATEMENT_LINE_SKIP = ("#",)


def _docstring_literal(description: str) -> str:
    """A triple-quoted literal whose value is `description` (newlines normalised, stripped)."""
    text = description.replace("\r\n", "\n").replace("\r", "\n").strip()
    # Quotes in a run of three or more, or at the very end, would end the literal: escape them.
    escaped_quotes: set[int] = set()
    for m in re.finditer(r'"+', text):
        if m.end() - m.start() >= 3 or m.end() == len(text):
            escaped_quotes.update(range(m.start(), m.end()))
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"' if i in escaped_quotes else ch)
        elif ch in "\n\t":
            out.append(ch)
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\x{ord(ch):02x}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:  # lone surrogates cannot be written as UTF-8
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    escaped = "".join(out)
    return f'"""{escaped}\n"""' if "\n" in escaped else f'"""{escaped}"""'


def masked_body(description: str | None) -> str:
    """Dedented body of a masked function: `description` as its docstring (escaped so that any
    text is safe) and `raise NotImplementedError`; only the raise when there is no description."""
    if description is None or not description.strip():
        return "raise NotImplementedError"
    return _docstring_literal(description) + "\nraise NotImplementedError"


def _first_statement_indent(lines: list[str]) -> str:
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith(_STATEMENT_LINE_SKIP):
            return line[: len(line) - len(line.lstrip())]
    return ""


def dedent_body(raw: str) -> str:
    """The dedented form of a raw body (as returned by `extract_body`)."""
    for newline in ("\r\n", "\n"):
        if raw.startswith(newline):
            lines = raw[len(newline) :].split(newline)
            return "\n".join(dedent_lines(lines, _first_statement_indent(lines)))
    return raw.lstrip(" \t\f").replace("\r\n", "\n")


def render_body(body: str, indent: str, newline: str) -> str:
    """Raw text for a body slot: the dedented `body` indented by `indent`, each line preceded
    by `newline`. Trailing blank lines are dropped; an empty body is a MaskingError."""
    lines = body.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise MaskingError("the new body is empty")
    return "".join(newline + line for line in indent_lines(lines, indent))


def _apply(source: str, parsed: ParsedSource, edits: list[tuple[FunctionSpan, str]]) -> str:
    """Put each new raw body text in its span, then check that the result parses and that every
    function's body is exactly the inserted text (so nothing leaked out of a function)."""
    result = source
    for span, new in sorted(edits, key=lambda e: e[0].body_start, reverse=True):
        result = result[: span.body_start] + new + result[span.body_end :]
    fname = parsed.filename
    try:
        check = parse_source(result, fname)
    except MaskingError as e:
        names = ", ".join(f"{fname}::{s.qualname}" for s, _ in edits)
        raise MaskingError(f"{names}: the file no longer parses with the new body: {e}") from None
    for span, new in edits:
        got = check.span(span.qualname)
        if result[got.body_start : got.body_end] != new:
            raise MaskingError(
                f"{fname}::{span.qualname}: the new body does not stay inside the function"
            )
    return result


def replace_body(source: str, qualname: str, body: str, *, filename: str = "<source>") -> str:
    """`source` with the body of `qualname` replaced by `body`.

    `body` is dedented (column 0, "\\n" newlines); it is indented like the function's body and
    written with the file's newlines. Everything outside the body stays byte-identical.
    """
    parsed = parse_source(source, filename)
    span = parsed.span(qualname)
    return _apply(source, parsed, [(span, render_body(body, span.indent, span.newline))])


def mask_source(
    source: str,
    qualnames_and_descriptions: list[tuple[str, str | None]],
    *,
    filename: str = "<source>",
) -> str:
    """Mask several functions of one file at once (any order): each body becomes its
    description as a docstring plus `raise NotImplementedError`."""
    names = [q for q, _ in qualnames_and_descriptions]
    dup = sorted({q for q in names if names.count(q) > 1})
    if dup:
        raise MaskingError(f"{filename}: functions listed twice: {dup}")
    parsed = parse_source(source, filename)
    edits = []
    for qualname, description in qualnames_and_descriptions:
        span = parsed.span(qualname)
        edits.append((span, render_body(masked_body(description), span.indent, span.newline)))
    return _apply(source, parsed, edits) if edits else source


def _raw_text_for(span: FunctionSpan, raw: str) -> str:
    """The text to put in `span` for a raw body: the raw text itself when its indentation and
    newlines match, else its dedented form re-indented."""
    for newline in ("\r\n", "\n"):
        if raw.startswith(newline):
            lines = raw[len(newline) :].split(newline)
            indent = _first_statement_indent(lines)
            if indent == span.indent and newline == span.newline:
                return raw
            return render_body("\n".join(dedent_lines(lines, indent)), span.indent, span.newline)
    if span.inline or raw[:1] in (" ", "\t") or "\n" not in raw:
        return raw  # a one-line body goes back on the def line
    return render_body(raw, span.indent, span.newline)


def put_bodies(source: str, bodies: dict[str, str], *, filename: str = "<source>") -> str:
    """`source` with the given raw bodies (qualname -> `extract_body` text) put back.

    A raw body goes back byte for byte when the function has the same indentation and
    newlines; otherwise it is re-indented. A dedented body is accepted too.
    """
    if not bodies:
        return source
    parsed = parse_source(source, filename)
    spans = {q: parsed.span(q) for q in bodies}
    try:  # all at once: one parse to locate, one to check
        return _apply(
            source, parsed, [(spans[q], _raw_text_for(spans[q], b)) for q, b in bodies.items()]
        )
    except MaskingError:
        pass
    # One by one, so that a body which is not raw after all (e.g. a dedented multi-line body)
    # can be indented instead, and an error names the function it is about.
    for qualname, raw in bodies.items():
        parsed = parse_source(source, filename)
        span = parsed.span(qualname)
        text = _raw_text_for(span, raw)
        try:
            source = _apply(source, parsed, [(span, text)])
        except MaskingError:
            if text.startswith(("\n", "\r\n")):
                raise
            source = _apply(source, parsed, [(span, render_body(raw, span.indent, span.newline))])
    return source


def body_of_def(def_source: str) -> str:
    """The dedented body of the one top-level `def` in `def_source` (a mutant file, a model's
    answer...; comments, decorators and imports around it are fine). Zero or several
    top-level defs, or text that does not parse, is a MaskingError."""
    try:
        parsed = parse_source(def_source, "<def>")
    except MaskingError:
        dedented = textwrap.dedent(def_source)
        if dedented == def_source:
            raise
        parsed = parse_source(dedented, "<def>")
    defs = [s for s in parsed.module.body if isinstance(s, cst.FunctionDef)]
    if len(defs) != 1:
        names = [d.name.value for d in defs]
        raise MaskingError(f"expected exactly one top-level def, found {len(defs)} {names}")
    span = parsed.span(defs[0].name.value)
    return dedent_body(parsed.source[span.body_start : span.body_end])
