"""Dedent and re-indent function bodies without changing what any string literal contains.

A body is handled as a list of physical lines. A line that starts inside a multi-line string
("frozen") is never touched, because its leading whitespace is part of the string's value. The
docstring is the exception: its continuation lines follow the body's indentation, which
changes nothing that `inspect.cleandoc` (and the compiler from Python 3.13 on) keeps.
Whitespace-only lines are kept as they are, which makes dedent followed by re-indent exact.
"""

from __future__ import annotations

import io
import tokenize

_SKIP = {
    tokenize.ENCODING,
    tokenize.NL,
    tokenize.COMMENT,
    tokenize.INDENT,
    tokenize.DEDENT,
}
# Python 3.12+ tokenizes f-strings (3.14+: t-strings) into several tokens.
_OPENERS = {
    getattr(tokenize, n) for n in ("FSTRING_START", "TSTRING_START") if hasattr(tokenize, n)
}
_CLOSERS = {getattr(tokenize, n) for n in ("FSTRING_END", "TSTRING_END") if hasattr(tokenize, n)}


def frozen_lines(text: str) -> set[int] | None:
    """0-based indices of the lines of `text` (split on "\\n") that start inside a string
    literal other than the docstring; None when `text` does not tokenize."""
    frozen: set[int] = set()
    opened: list[int] = []
    first: tokenize.TokenInfo | None = None
    seen_first = False
    decided = False
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in _SKIP:
                continue
            if not decided and seen_first:
                decided = True
                if first is not None and tok.type not in (tokenize.NEWLINE, tokenize.ENDMARKER):
                    frozen.update(range(first.start[0], first.end[0]))
                first = None
            if tok.type == tokenize.STRING:
                if not seen_first:
                    first = tok
                else:
                    frozen.update(range(tok.start[0], tok.end[0]))
            elif tok.type in _OPENERS:
                opened.append(tok.start[0])
            elif tok.type in _CLOSERS and opened:
                frozen.update(range(opened.pop(), tok.end[0]))
            seen_first = True
    except (tokenize.TokenError, SyntaxError):
        return None
    return frozen


def dedent_lines(lines: list[str], indent: str) -> list[str]:
    """Remove `indent` from the start of every line that has it, except frozen and
    whitespace-only lines."""
    frozen = frozen_lines("\n".join(lines)) or set()
    return [
        line[len(indent) :]
        if i not in frozen and line.strip() and line.startswith(indent)
        else line
        for i, line in enumerate(lines)
    ]


def indent_lines(lines: list[str], indent: str) -> list[str]:
    """Prefix `indent` to every line except frozen and whitespace-only lines."""
    frozen = frozen_lines("\n".join(lines)) or set()
    return [
        indent + line if i not in frozen and line.strip() else line for i, line in enumerate(lines)
    ]
