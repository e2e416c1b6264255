"""Locating, masking and restoring function bodies in one source text."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoexp.errors import MaskingError
from autoexp.masking import (
    body_of_def,
    dedent_body,
    extract_body,
    list_functions,
    locate,
    mask_source,
    masked_body,
    put_bodies,
    replace_body,
)

# name -> (source, qualnames to mask). Each exercises an edge case of locating a body.
CASES: dict[str, tuple[str, list[str]]] = {
    "several_any_order": (
        "import math\n\n\ndef a(x):\n    return x + 1\n\n\ndef b(y):\n    return math.sqrt(y)\n\n\n"
        "def c():\n    return a(1) + b(4)\n",
        ["c", "a", "b"],
    ),
    "methods_nested_classes": (
        "class Outer:\n    x = 1\n\n    def m(self):\n        return self.x\n\n"
        "    class Inner:\n        def deep(self, k):\n            return k * 2\n\n"
        "        def other(self):\n            return 0\n\n    def after(self):\n        return 3\n",
        ["Outer.Inner.deep", "Outer.m", "Outer.after"],
    ),
    "nested_function_in_body": (
        "def outer(xs):\n    def helper(v):\n        return v * v\n\n"
        "    class Local:\n        pass\n    return [helper(x) for x in xs]\n\n\ndef tail():\n    pass\n",
        ["outer"],
    ),
    "decorators": (
        "import functools\n\n@functools.lru_cache(maxsize=None)\n# a comment between\n"
        "@staticmethod\ndef f(n):\n    return n\n\nclass K:\n    @property\n    def p(self):\n"
        "        return 1\n\n    @classmethod\n    def q(cls):\n        return cls\n",
        ["f", "K.p", "K.q"],
    ),
    "async": (
        "import asyncio\n\nasync def fetch(x):\n    await asyncio.sleep(0)\n    return x\n\n"
        "class C:\n    async  def go(self):\n        return await fetch(1)\n",
        ["fetch", "C.go"],
    ),
    "one_line_bodies": (
        'def f(x): return x\ndef g(x): "doc"; return x  # trailing\nclass A:\n'
        "    def h(self): return (1 +\n        2)\n    def i(self):pass\n",
        ["f", "g", "A.h", "A.i"],
    ),
    "docstrings": (
        'def f(x):\n    """One line."""\n    return x\n\n\ndef g(x):\n    """Summary.\n\n'
        '    Details with a "quote" and \\\\ backslash.\n    """\n    return x\n\n\n'
        "def h():\n    '''Only a docstring.'''\n",
        ["f", "g", "h"],
    ),
    "crlf": (
        'import os\r\n\r\ndef f(a,\r\n      b=2):\r\n    """Doc."""\r\n    if a:\r\n'
        "        return b\r\n    return a\r\n\r\nclass A:\r\n    def m(self): return 1\r\n",
        ["f", "A.m"],
    ),
    "tabs": (
        "class A:\n\tdef m(self, x):\n\t\tif x:\n\t\t\treturn 1\n\n\t\treturn 2\n\n"
        "\tdef n(self): return 3\n\n\ndef top():\n\treturn A().m(0)\n",
        ["A.m", "A.n", "top"],
    ),
    "comments_around": (
        "# file header\n\ndef f(x):  # on the def line\n    # leading comment\n\n    y = x  # same line\n"
        "    return y\n    # trailing, indented\n\n    # trailing after a blank line\n"
        "# column 0 after the function\n\n\ndef g():\n    return 0\n# last comment\n",
        ["f", "g"],
    ),
    "defaults_and_annotations": (
        "from typing import Optional\n\n\ndef f(\n    a: int,\n    b: Optional[str] = None,\n"
        '    *args: int,\n    c: dict = {"k": (1, 2)},\n    **kw: float,\n) -> "list[int]":\n'
        "    return [a]\n",
        ["f"],
    ),
    "eof_no_newline": ("def f():\n    x = 1\n    return x", ["f"]),
    "eof_inline_no_newline": ("x = 1\ndef f(): return x", ["f"]),
    "eof_trailing_blank_lines": ("def f():\n    return 1\n\n\n\n", ["f"]),
    "multiline_strings": (
        'def f():\n    s = """\ncolumn zero\n    indented\n"""\n    t = f"""{s}\n  x"""\n'
        "    u = 'a' \\\n        'b'\n    return s + t + u\n",
        ["f"],
    ),
    "blank_lines_with_spaces": ("def f():\n    a = 1\n    \n\n        \n    return a\n", ["f"]),
    "unicode": (
        'π = 3.14\n\n\ndef área(r):\n    """Área del círculo — πr²."""\n    return π * r * r\n\n\n'
        "def ok():\n    return 'ü'\n",
        ["área", "ok"],
    ),
    "bom": ("\ufeffdef f():\n    return 1\n", ["f"]),
    "only_some_masked": (
        "def keep():\n    return 'kept'\n\n\ndef mask_me():\n    return 'gone'\n",
        ["mask_me"],
    ),
}
# Where dedenting then re-indenting a body cannot give the original back: a one-line body
# becomes a block.
INLINE = {"one_line_bodies", "eof_inline_no_newline", "crlf", "tabs"}


def _outside(source: str, qualnames: list[str]) -> list[str]:
    """The text between (and around) the bodies."""
    spans = sorted((locate(source, q) for q in qualnames), key=lambda s: s.body_start)
    pieces, pos = [], 0
    for s in spans:
        pieces.append(source[pos : s.body_start])
        pos = s.body_end
    return [*pieces, source[pos:]]


@pytest.mark.parametrize("name", sorted(CASES))
def test_mask_then_restore_is_byte_exact(name: str) -> None:
    source, quals = CASES[name]
    originals = {q: extract_body(source, q) for q in quals}
    masked = mask_source(source, [(q, f"Describe {q}.") for q in quals])
    assert masked != source
    assert _outside(masked, quals) == _outside(source, quals)
    for q in quals:
        assert extract_body(masked, q).rstrip().endswith("raise NotImplementedError")
    compile(masked.lstrip("\ufeff"), name, "exec")
    assert put_bodies(masked, originals) == source
    # In reverse order too: each put-back re-locates the remaining bodies.
    assert put_bodies(masked, dict(reversed(originals.items()))) == source


@pytest.mark.parametrize("name", sorted(set(CASES) - INLINE))
def test_dedent_then_replace_is_byte_exact(name: str) -> None:
    source, quals = CASES[name]
    for q in quals:
        assert replace_body(source, q, dedent_body(extract_body(source, q))) == source


def test_comments_and_body_bounds() -> None:
    source, _ = CASES["comments_around"]
    body = extract_body(source, "f")
    assert body.startswith("\n    # leading comment")
    assert body.endswith("# trailing after a blank line")
    assert "on the def line" not in body and "column 0" not in body
    masked = mask_source(source, [("f", None), ("g", None)])
    assert "# on the def line" in masked and "# column 0 after the function" in masked
    assert "# last comment" in masked and "leading comment" not in masked


def test_span_fields() -> None:
    source, _ = CASES["crlf"]
    span = locate(source, "f")
    assert span.newline == "\r\n" and span.indent == "    " and not span.inline
    assert span.signature == "def f(a,\r\n      b=2):"
    assert span.docstring == "Doc."
    inline = locate(source, "A.m")
    assert inline.inline and inline.indent == "        "
    assert source[inline.body_start : inline.body_end] == " return 1"
    tabs = locate(CASES["tabs"][0], "A.m")
    assert tabs.indent == "\t\t"
    assert locate(CASES["async"][0], "C.go").signature == "async  def go(self):"
    assert locate(CASES["decorators"][0], "f").signature == "def f(n):"


def test_masked_module_runs_and_documents() -> None:
    source = (
        "class Model:\n    class Head:\n        def score(self, x):\n            return x * 2\n\n"
        "    def fit(self, data, *, lr: float = 0.1) -> 'Model':\n        self.w = lr\n"
        "        return self\n\n\ndef train(n): return n\n"
    )
    descs = {
        "Model.Head.score": "Score x.",
        "Model.fit": 'Fit on "data" with step lr.\nUses C:\\path and """triple""" quotes.',
        "train": None,
    }
    masked = mask_source(source, list(descs.items()))
    ns: dict = {}
    exec(compile(masked, "masked.py", "exec", dont_inherit=True), ns)
    model = ns["Model"]
    with pytest.raises(NotImplementedError):
        model.Head().score(1)
    with pytest.raises(NotImplementedError):
        model().fit([1])
    with pytest.raises(NotImplementedError):
        ns["train"](1)
    assert model.Head.score.__doc__ == "Score x."
    assert inspect.getdoc(model.fit) == descs["Model.fit"]
    assert ns["train"].__doc__ is None
    # the signature (defaults, keyword-only, annotations) is untouched
    assert str(inspect.signature(model.fit)) == "(self, data, *, lr: float = 0.1) -> 'Model'"


def test_masked_body_text() -> None:
    assert masked_body(None) == "raise NotImplementedError"
    assert masked_body("  ") == "raise NotImplementedError"
    assert masked_body("Add one.") == '"""Add one."""\nraise NotImplementedError'
    assert masked_body('ends in "') == '"""ends in \\""""\nraise NotImplementedError'


_TEXT = st.lists(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\t")
    | st.sampled_from(['"', '"""', "\\", "\n", "'", "\r\n", "\x00", "\u2028", "\\\n"]),
    max_size=40,
).map("".join)


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_TEXT)
def test_any_description_is_safe(description: str) -> None:
    source = "class A:\n    def m(self):\n        return 1\n"
    masked = mask_source(source, [("A.m", description)])
    ns: dict = {}
    exec(compile(masked, "m.py", "exec"), ns)
    with pytest.raises(NotImplementedError):
        ns["A"]().m()
    text = description.replace("\r\n", "\n").replace("\r", "\n").strip()
    doc = ns["A"].m.__doc__
    if not text.strip():
        assert doc is None
    elif "\n" not in text:
        assert doc == text
    else:

        def words(s: str) -> list[str]:
            return [line.strip() for line in s.split("\n") if line.strip()]

        assert words(doc) == words(text)
    assert put_bodies(masked, {"A.m": "\n        return 1"}) == source


def test_replace_body_reindents_and_keeps_string_values() -> None:
    source = "class A:\r\n    def m(self):\r\n        return 1\r\n\r\nx = 2\r\n"
    body = 's = """\nline\n  kept"""\nfor i in range(2):\n    s += str(i)\n\nreturn s\n\n'
    out = replace_body(source, "A.m", body)
    assert out == (
        'class A:\r\n    def m(self):\r\n        s = """\r\nline\r\n  kept"""\r\n'
        "        for i in range(2):\r\n            s += str(i)\r\n\r\n        return s\r\n"
        "\r\nx = 2\r\n"
    )
    ns: dict = {}
    exec(compile(out.replace("\r\n", "\n"), "a.py", "exec"), ns)
    assert ns["A"]().m() == "\nline\n  kept01"
    # a one-line body becomes a block
    inline = replace_body("def f(x): return x\n", "f", "y = x\nreturn y")
    assert inline == "def f(x):\n    y = x\n    return y\n"


def test_replace_body_rejects_bodies_that_break_the_file() -> None:
    source = "def f():\n    return 1\n"
    with pytest.raises(MaskingError, match="f"):
        replace_body(source, "f", "if True:\nreturn 2")
    with pytest.raises(MaskingError, match="empty"):
        replace_body(source, "f", "\n  \n")


def test_put_bodies_accepts_dedented_and_other_indentation() -> None:
    source = "class A:\n    def m(self):\n        raise NotImplementedError\n"
    # dedented multi-line text
    out = put_bodies(source, {"A.m": "x = 1\nreturn x"})
    assert out == "class A:\n    def m(self):\n        x = 1\n        return x\n"
    # a raw body taken from a function at another indentation
    raw = extract_body("def m(self):\n    y = 2\n    return y\n", "m")
    out = put_bodies(source, {"A.m": raw})
    assert out == "class A:\n    def m(self):\n        y = 2\n        return y\n"


def test_missing_and_ambiguous_ids_name_file_and_id() -> None:
    source = (
        "def f():\n    pass\n\n\ndef f():\n    pass\n\n\nclass A:\n    def m(self):\n"
        "        def inner():\n            pass\n"
    )
    with pytest.raises(MaskingError, match=r"model\.py::f: .*2 times.*ambiguous"):
        locate(source, "f", filename="model.py")
    with pytest.raises(MaskingError, match=r"model\.py::g: no function"):
        locate(source, "g", filename="model.py")
    # nested functions are part of their function's body, not addressable
    with pytest.raises(MaskingError, match=r"model\.py::A\.m\.inner"):
        locate(source, "A.m.inner", filename="model.py")
    with pytest.raises(MaskingError, match=r"model\.py::A\.x"):
        mask_source(source, [("A.m", None), ("A.x", None)], filename="model.py")
    with pytest.raises(MaskingError, match=r"bad\.py: does not parse"):
        locate("def f(:\n", "f", filename="bad.py")
    assert list_functions(source) == ["f", "A.m"]


def test_body_of_def() -> None:
    answer = (
        "Here is my answer:\nimport numpy as np  # needed\n\n# the function\n@decorator\n"
        'def f(x, y=2):\n    """Doc."""\n    z = np.add(x, y)\n    return z\n'
    )
    with pytest.raises(MaskingError, match="does not parse"):
        body_of_def(answer)
    body = body_of_def(answer.split("\n", 1)[1])
    assert body == '"""Doc."""\nz = np.add(x, y)\nreturn z'
    assert body_of_def("    def m(self):\n        return self.k\n") == "return self.k"
    assert body_of_def("def f(): return 1  # c") == "return 1  # c"
    with pytest.raises(MaskingError, match="found 0"):
        body_of_def("x = 1\nclass A:\n    def m(self):\n        pass\n")
    with pytest.raises(MaskingError, match="found 2"):
        body_of_def("def a():\n    pass\n\ndef b():\n    pass\n")


def test_lone_cr_files_are_refused() -> None:
    with pytest.raises(MaskingError, match="lone CR"):
        locate("x = 1\rdef f():\r    return 1\r", "f")
