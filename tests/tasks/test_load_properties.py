"""Property-based tests of loading task.yaml: whatever the file holds, `load_task` either loads
it or raises TaskError naming the file (and, for a validation error, the field); never another
exception, never a traceback from the CLI.

The documents are mutations of the toy-stats fixture: fields dropped, renamed, retyped or
nested wrongly, random scalars, lists and mappings, duplicate ids, an unknown `of`, huge
numbers, NaN; and, as text, YAML syntax errors, bad scalars and non-UTF-8 bytes.
"""

from __future__ import annotations

import copy
import datetime
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoexp.errors import TaskError
from autoexp.tasks import load_task

from conftest import TOY
from conftest import autoexp as autoexp_cli

pytestmark = pytest.mark.bad_input

BAD_INPUT = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""Fast and deterministic in CI: the same examples on every run."""

ORIGINAL: dict[str, Any] = yaml.safe_load((TOY / "task.yaml").read_text(encoding="utf-8"))
ORIGINAL_BYTES = (TOY / "task.yaml").read_bytes()
MAX_LINE = 700
"""No line of an error message is longer than this, whatever the file holds."""


@pytest.fixture(scope="module")
def task_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the fixture; every example rewrites its task.yaml."""
    d = tmp_path_factory.mktemp("props") / "toy"
    shutil.copytree(TOY, d, ignore=shutil.ignore_patterns("__pycache__"))
    return d


# --- strategies ------------------------------------------------------------------------------


def _huge(spec: tuple[int, int]) -> int:
    """sign * 10**exponent (built lazily: hypothesis cannot repr an int of > 4300 digits, and
    yaml cannot dump one; those come as text, in YAML_SNIPPETS)."""
    sign, exponent = spec
    return sign * 10**exponent


HUGE = st.one_of(
    st.tuples(st.sampled_from([1, -1]), st.sampled_from([19, 309, 400, 4000])).map(_huge),
    st.sampled_from([2**63, -(2**63) - 1, 1e308, -1e308, 5e-324]),
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "stats.py::mean", "moments", "x.py::f", "toy-stats", "Ünïcode ✓"]),
    st.binary(max_size=20),
    st.dates(),
    st.datetimes(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=10), st.integers()), inner, max_size=4),
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a node of the document (the root is ())."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


PATHS = _paths(ORIGINAL)


def _get(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


@st.composite
def mutated_docs(draw: st.DrawFn) -> tuple[Any, list[tuple]]:
    """(a mutated copy of the fixture's document, the paths that were mutated)."""
    doc = copy.deepcopy(ORIGINAL)
    touched: list[tuple] = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        try:
            parent = _get(doc, path[:-1]) if path else None
            _get(doc, path)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or retyped it
        op = draw(
            st.sampled_from(["drop", "rename", "retype", "nest_list", "nest_dict", "duplicate"])
        )
        if not path:
            doc = draw(values)
            touched.append(path)
            break
        key = path[-1]
        if op == "drop":
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            new = draw(st.text(max_size=12))
            parent[new] = parent.pop(key)
            touched.append((*path[:-1], new))
        elif op == "nest_list":
            parent[key] = [parent[key]]
        elif op == "nest_dict":
            parent[key] = {draw(st.text(max_size=8)): parent[key]}
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            parent[key] = draw(values)
        touched.append(path)
    return doc, touched


@st.composite
def targeted_docs(draw: st.DrawFn) -> tuple[Any, list[tuple]]:
    """Cross-field problems the random walk rarely hits: duplicate ids, unknown `of`,
    dangling depends_on, huge or non-finite numbers in numeric fields."""
    doc = copy.deepcopy(ORIGINAL)
    kind = draw(st.sampled_from(["dup_id", "of", "depends_on", "number", "function_id"]))
    if kind == "dup_id":
        section = draw(st.sampled_from(["experiments", "hidden_experiments", "functions"]))
        other = draw(st.sampled_from(["experiments", "hidden_experiments", "functions"]))
        doc[section][-1]["id"] = doc[other][0]["id"]
        return doc, [(section,)]
    if kind == "of":
        i = draw(st.integers(0, len(doc["hidden_experiments"]) - 1))
        doc["hidden_experiments"][i]["of"] = draw(st.one_of(st.text(max_size=20), values))
        return doc, [("hidden_experiments",)]
    if kind == "depends_on":
        i = draw(st.integers(0, len(doc["experiments"]) - 1))
        doc["experiments"][i]["depends_on"].append(draw(st.text(max_size=30)))
        return doc, [("experiments",)]
    if kind == "function_id":
        i = draw(st.integers(0, len(doc["functions"]) - 1))
        doc["functions"][i]["id"] = draw(
            st.one_of(
                st.text(max_size=30),
                st.sampled_from(["/etc/passwd.py::f", "../x.py::f", "a b.py::f", "x.py::1"]),
            )
        )
        return doc, [("functions",)]
    section = draw(st.sampled_from(["experiments", "hidden_experiments"]))
    i = draw(st.integers(0, len(doc[section]) - 1))
    exp = doc[section][i]
    number = draw(st.one_of(HUGE, st.floats(), st.sampled_from([math.nan, math.inf, 0])))
    field = draw(st.sampled_from(["timeout_s", "expected", "rtol", "atol"]))
    if field == "timeout_s":
        exp["timeout_s"] = number
    else:
        next(iter(exp["metrics"].values()))[field] = number
    return doc, [(section,)]


YAML_SNIPPETS = [
    "[",
    "{",
    "]",
    ": :",
    "\t",
    "- - -",
    "key: value: other",
    "!!python/object:os.system x",
    "!!python/name:os.system",
    "&a [*a]",
    "*undefined",
    "9" * 5000,
    "x: " + "9" * 5000,
    "when: 2020-13-45",
    "when: 2020-02-30 10:00:00",
    "n: !!int abc",
    "f: !!float abc",
    "t: !!timestamp abc",
    "b: !!binary ***",
    "s: !!set {a}",
    "? [a, b]\n: 1",
    "[" * 3000,
    "{a: " * 3000,
    "- " * 2000 + "x",
    "%YAML 9.9\n---",
    "---\n---",
    "...",
    "'unclosed",
    '"bad \\q escape"',
    "id: toy-stats\nid: again",
    "schema: .nan",
    "schema: " + "9" * 400,
    "experiments: []",
    "functions: {}",
]


@st.composite
def mutated_texts(draw: st.DrawFn) -> bytes:
    """The fixture's bytes with a snippet, random bytes or a cut at a random place."""
    data = ORIGINAL_BYTES
    lines = data.split(b"\n")
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["snippet", "bytes", "cut", "encode", "replace_line"]))
        if op == "snippet":
            at = draw(st.integers(0, len(lines)))
            indent = draw(st.sampled_from([b"", b"  ", b"    ", b"      "]))
            lines.insert(at, indent + draw(st.sampled_from(YAML_SNIPPETS)).encode())
        elif op == "bytes":
            at = draw(st.integers(0, len(lines) - 1))
            pos = draw(st.integers(0, len(lines[at])))
            blob = draw(st.binary(min_size=1, max_size=8))
            lines[at] = lines[at][:pos] + blob + lines[at][pos:]
        elif op == "cut":
            joined = b"\n".join(lines)
            joined = joined[: draw(st.integers(0, len(joined)))]
            lines = joined.split(b"\n")
        elif op == "replace_line":
            at = draw(st.integers(0, len(lines) - 1))
            lines[at] = draw(st.text(max_size=40)).encode("utf-8")
        else:
            text = b"\n".join(lines).decode("utf-8", "replace")
            codec = draw(st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252", "utf-8-sig"]))
            lines = text.encode(codec, "replace").split(b"\n")
    return b"\n".join(lines)


# --- the properties --------------------------------------------------------------------------


def _dump(doc: Any) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


def _check(task_dir: Path) -> str | None:
    """Load the task: None when it loads, else the TaskError's message (checked)."""
    try:
        load_task(task_dir)
    except TaskError as e:
        msg = str(e)
    else:
        return None
    yml = task_dir / "task.yaml"
    assert str(yml) in msg or str(task_dir / "code") in msg, msg[:2000]
    assert "Traceback" not in msg, msg[:2000]
    assert all(len(line) <= MAX_LINE for line in msg.splitlines()), msg[:2000]
    if "problem(s)" in msg:
        _first, *rest = msg.splitlines()
        assert rest, msg
        assert all(line.startswith("  field ") for line in rest), msg[:2000]
    return msg


def _assert_names_field(msg: str | None, touched: list[tuple]) -> None:
    """A validation error names a field of the mutated part of the document."""
    if msg is None or "problem(s)" not in msg or not touched or () in touched:
        return  # loaded, not a validation error, or the whole document was replaced
    tops = {p[0] for p in touched if p}
    if not tops:
        return
    named = any(str(t) in msg or repr(t) in msg for t in tops)
    assert named or "field (top level)" in msg, (touched, msg[:2000])


@BAD_INPUT
@given(mutated_docs())
def test_mutated_task_yaml_loads_or_names_the_file_and_field(task_dir, mutated):
    doc, touched = mutated
    (task_dir / "task.yaml").write_bytes(_dump(doc))
    _assert_names_field(_check(task_dir), touched)


@BAD_INPUT
@given(targeted_docs())
def test_cross_field_problems_name_the_file_and_field(task_dir, mutated):
    doc, touched = mutated
    (task_dir / "task.yaml").write_bytes(_dump(doc))
    _assert_names_field(_check(task_dir), touched)


@BAD_INPUT
@given(mutated_texts())
def test_broken_yaml_text_is_a_task_error(task_dir, data):
    (task_dir / "task.yaml").write_bytes(data)
    _check(task_dir)


@BAD_INPUT
@given(st.one_of(st.binary(max_size=200), values.map(_dump)))
def test_arbitrary_bytes_or_documents_are_a_task_error(task_dir, data):
    (task_dir / "task.yaml").write_bytes(data)
    msg = _check(task_dir)
    assert msg is not None  # nothing random is a valid task


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"schema: 1\nid: \xff\xfe\n", "not UTF-8"),
        (b"a: " + b"[" * 5000, "not valid YAML"),
        (ORIGINAL_BYTES.replace(b"timeout_s: 30", b"timeout_s: " + b"9" * 5000, 1), "YAML"),
        (ORIGINAL_BYTES.replace(b"of: moments", b"of: nosuch", 1), "hidden_experiments.0.of"),
    ],
    ids=["non-utf8", "deep", "huge-int", "unknown-of"],
)
def test_cli_tasks_show_reports_bad_task_yaml_without_traceback(tmp_path, content, needle):
    d = tmp_path / "toy"
    shutil.copytree(TOY, d, ignore=shutil.ignore_patterns("__pycache__"))
    (d / "task.yaml").write_bytes(content)
    proc = autoexp_cli("tasks", "show", str(d), check=False, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    assert "task.yaml" in out and needle in out, out[-3000:]
    assert len(out.splitlines()) <= 12, out[-3000:]


def test_yaml_dates_and_binary_are_rejected_as_wrong_types(task_dir):
    """Scalars YAML turns into non-JSON types still get a field error."""
    doc = copy.deepcopy(ORIGINAL)
    doc["title"] = datetime.date(2020, 1, 1)
    doc["experiments"][0]["timeout_s"] = datetime.datetime(2020, 1, 1)
    (task_dir / "task.yaml").write_bytes(_dump(doc))
    msg = _check(task_dir)
    assert msg is not None and "field title" in msg and "field experiments.0.timeout_s" in msg


@pytest.mark.parametrize("value", [".inf", "1.0e+300", "1e12", "604801"])
def test_timeout_too_large_for_the_sandbox_is_a_field_error(task_dir, value):
    """A timeout the sandbox's poll cannot take (OverflowError at grading time) is refused at
    load time instead."""
    text = ORIGINAL_BYTES.decode("utf-8").replace("timeout_s: 30", f"timeout_s: {value}", 1)
    (task_dir / "task.yaml").write_text(text, encoding="utf-8")
    msg = _check(task_dir)
    assert msg is not None and "field experiments.0.timeout_s" in msg, msg
