"""parse_source finds every node's offsets in one codegen pass, where libcst's two position
providers take a pass each: the offsets must be exactly theirs (a libcst upgrade that changes
its codegen hooks fails here first), and a text parsed again is served from the cache."""

from __future__ import annotations

import re

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider, WhitespaceInclusivePositionProvider

from autoexp.masking._locate import parse_source
from autoexp.tasks import BUILTIN_DIR

_NEWLINE = re.compile(r"\r\n?|\n")
FILES = sorted(BUILTIN_DIR.glob("*/code/**/*.py"))


def _offsets(module: cst.Module, text: str, provider: type) -> dict[cst.CSTNode, tuple[int, int]]:
    """libcst's (line, column) ranges of `provider` for the nodes of `module`, as offsets."""
    starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def at(line: int, col: int) -> int:
        return len(text) if line - 1 >= len(starts) else min(starts[line - 1] + col, len(text))

    ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(provider)
    return {
        n: (at(r.start.line, r.start.column), at(r.end.line, r.end.column))
        for n, r in ranges.items()
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_offsets_are_libcsts(path):
    text = path.read_text(encoding="utf-8")
    for variant in (text, text.replace("\n", "\r\n"), text.rstrip("\n")):
        parsed = parse_source(variant, path.name)
        for mine, provider in (
            (parsed._wide, WhitespaceInclusivePositionProvider),
            (parsed._narrow, PositionProvider),
        ):
            theirs = _offsets(parsed.module, variant, provider)
            assert set(mine) == set(theirs)
            clamp = len(variant)
            assert {n: (min(a, clamp), min(b, clamp)) for n, (a, b) in mine.items()} == theirs


def test_the_same_text_is_parsed_once():
    text = FILES[0].read_text(encoding="utf-8")
    assert parse_source(text, "a.py") is parse_source(text, "a.py")
    assert parse_source(text, "a.py") is not parse_source(text, "b.py")  # errors name the file
