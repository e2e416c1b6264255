"""Functions of every shape: generators, static and class methods, *args / **kwargs, global
random state (numpy's and `random`'s), unpicklable arguments."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from autoexp.difftest import load_index, record_samples, run_differential
from autoexp.grading import DiffVerdict
from autoexp.masking import replace_body
from autoexp.sandbox import make_sandbox
from autoexp.tasks import load_task

KINDS = """
import random

import numpy as np


def draws(n, *, scale=1.0):
    return [scale * v for v in np.random.rand(n)]


def pyrand(k):
    return [random.random() for _ in range(k)]


def chunks(xs, size):
    for i in range(0, len(xs), size):
        yield xs[i : i + size]


def total(*args, **kwargs):
    return sum(args) + sum(kwargs.values())


def apply(f, x):
    return x + 1


class Acc:
    def __init__(self):
        self.items = []

    def add(self, x):
        self.items.append(x)
        return len(self.items)

    @staticmethod
    def double(x):
        return 2 * x

    @classmethod
    def named(cls, name):
        return f"{cls.__name__}:{name}"
"""

RUN = """
import json
import random

import numpy as np

from kinds import Acc, apply, chunks, draws, pyrand, total

np.random.seed(1)
random.seed(2)
acc = Acc()
out = {
    "d": sum(draws(3, scale=2.0)) + sum(draws(2)),
    "p": sum(pyrand(2)),
    "c": len(list(chunks(list(range(7)), 3))),
    "t": total(1, 2, a=3),
    "f": apply(lambda v: v, 1),
    "a": acc.add(1) + acc.add(2) + Acc.double(2) + len(Acc.named("x")),
}
print(json.dumps(out))
"""

FUNCTIONS = [
    "kinds.py::draws",
    "kinds.py::pyrand",
    "kinds.py::chunks",
    "kinds.py::total",
    "kinds.py::apply",
    "kinds.py::Acc.add",
    "kinds.py::Acc.double",
    "kinds.py::Acc.named",
]


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    root = tmp_path_factory.mktemp("kinds") / "kinds"
    (root / "code").mkdir(parents=True)
    (root / "code" / "kinds.py").write_text(textwrap.dedent(KINDS))
    (root / "code" / "run.py").write_text(textwrap.dedent(RUN))
    (root / "paper.md").write_text("A paper about kinds of functions.\n")
    spec = {
        "schema": 1,
        "id": "kinds",
        "title": "kinds",
        "experiments": [
            {
                "id": "all",
                "description": "everything",
                "command": "python run.py",
                "metrics": {"t": {"expected": 6.0, "atol": 0.1}},
                "depends_on": FUNCTIONS,
            }
        ],
        "functions": [{"id": f, "description": f} for f in FUNCTIONS],
    }
    (root / "task.yaml").write_text(yaml.safe_dump(spec))
    sandbox = make_sandbox()
    summary = record_samples(load_task(root), sandbox)
    return root, summary, sandbox


def _verdict(root: Path, sandbox, fid: str, body: str, tmp: Path) -> DiffVerdict:
    task = load_task(root)
    tree = tmp / "tree"
    shutil.copytree(task.code_dir, tree)
    fn = task.function(fid)
    path = tree / fn.path
    path.write_text(replace_body(path.read_text(), fn.qualname, body))
    (out,) = run_differential(task, [fid], tree, sandbox, tmp, timeout_s=60)
    return out.verdict


def test_every_kind_is_recorded_and_the_oracle_passes(kinds, tmp_path):
    root, summary, sandbox = kinds
    by_id = {f.function: f for f in summary.functions}
    assert by_id["kinds.py::apply"].samples == 0  # a lambda argument cannot be pickled
    assert any("unpicklable" in s for s in by_id["kinds.py::apply"].skipped)
    assert by_id["kinds.py::draws"].samples == 2
    assert by_id["kinds.py::chunks"].calls == 1  # a generator's resumptions are not calls
    assert not summary.ok
    task = load_task(root)
    recorded = [f for f in FUNCTIONS if f != "kinds.py::apply"]
    for fid in recorded:
        assert load_index(task).functions[fid].samples, fid
    outcomes = run_differential(task, FUNCTIONS, task.code_dir, sandbox, tmp_path, timeout_s=60)
    assert [o.function for o in outcomes] == recorded
    assert all(o.verdict is DiffVerdict.PASSED for o in outcomes), outcomes


@pytest.mark.parametrize(
    ("fid", "body"),
    [
        ("kinds.py::draws", "return [scale * v for v in np.random.randn(n)]\n"),  # other draws
        ("kinds.py::pyrand", "random.random()\nreturn [random.random() for _ in range(k)]\n"),
        ("kinds.py::chunks", "for i in range(0, len(xs), size):\n    yield xs[i : i + size + 1]\n"),
        ("kinds.py::total", "return sum(args)\n"),
        ("kinds.py::Acc.add", "return len(self.items) + 1\n"),  # right return, no append
        ("kinds.py::Acc.double", "return 3 * x\n"),
        ("kinds.py::Acc.named", "return name\n"),
    ],
)
def test_a_wrong_body_of_every_kind_is_caught(kinds, tmp_path, fid, body):
    root, _, sandbox = kinds
    assert _verdict(root, sandbox, fid, body, tmp_path) is DiffVerdict.WRONG_OUTPUT


def test_pyrand_extra_draw_is_seen_in_the_global_state_only(kinds, tmp_path):
    root, _, sandbox = kinds
    body = "out = [random.random() for _ in range(k)]\nrandom.random()\nreturn out\n"
    assert _verdict(root, sandbox, "kinds.py::pyrand", body, tmp_path) is DiffVerdict.WRONG_OUTPUT
