"""Recording samples and grading bodies by their differential tests, in the real sandbox."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from autoexp.difftest import load_index, run_differential
from autoexp.difftest._replay import read_results
from autoexp.grading import DiffVerdict
from autoexp.masking import replace_body
from autoexp.sandbox import make_sandbox
from autoexp.tasks import load_task

from conftest import TOY, autoexp

MEAN, VAR, FIT = "stats.py::mean", "stats.py::variance", "stats.py::Scaler.fit"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """A copy of the toy task with samples recorded by `autoexp tasks record`."""
    root = tmp_path_factory.mktemp("rec") / "toy-stats"
    shutil.copytree(TOY, root)
    proc = autoexp("tasks", "record", str(root))
    assert "sample(s) stats.py::Scaler.fit" in proc.stdout
    return root


@pytest.fixture(scope="module")
def sandbox():
    return make_sandbox()


def _tree(task, fid: str, body: str, where: Path) -> Path:
    """A copy of the task's code with `fid`'s body replaced."""
    tree = where / "tree"
    shutil.copytree(task.code_dir, tree)
    fn = task.function(fid)
    path = tree / fn.path
    path.write_text(replace_body(path.read_text(), fn.qualname, body))
    return tree


def _outcome(task, fid, body, tmp_path, sandbox, timeout_s=60.0):
    tree = _tree(task, fid, body, tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (out,) = run_differential(task, [fid], tree, sandbox, scratch, timeout_s=timeout_s)
    assert list(scratch.iterdir()) == []  # the function's copy is removed
    return out


def test_recording_writes_an_index_and_inputs(recorded):
    task = load_task(recorded)
    index = load_index(task)
    assert index is not None and index.schema_ == 1 and index.task == "toy-stats"
    for fid in (MEAN, VAR, FIT):
        entry = index.functions[fid]
        assert entry.samples, fid
        for s in entry.samples:
            assert (recorded / "hidden" / "samples" / s.file).is_file()
            assert s.experiment in {"moments", "scaled"}
            assert set(s.expected) == {"return", "after"}
    fit = index.functions[FIT].samples[0].expected
    assert fit["return"] == {"__arg__": "self"}  # `return self`, filled attributes in after
    assert fit["after"]["self"]["attrs"]["sigma"] > 0
    data = json.loads((recorded / "hidden" / "samples" / "index.json").read_text())
    assert data["schema"] == 1


def test_oracle_passes_and_tree_is_not_written(recorded, sandbox, tmp_path):
    task = load_task(recorded)
    before = sorted(p.name for p in task.code_dir.rglob("*"))
    outcomes = run_differential(
        task, [MEAN, VAR, FIT, "nope.py::x"], task.code_dir, sandbox, tmp_path, timeout_s=60
    )
    assert [o.function for o in outcomes] == [MEAN, VAR, FIT]  # no samples: left out
    for o in outcomes:
        assert o.verdict is DiffVerdict.PASSED, o
        assert o.passed_samples == o.samples > 0
    assert sorted(p.name for p in task.code_dir.rglob("*")) == before


def test_wrong_body_is_wrong_output(recorded, sandbox, tmp_path):
    task = load_task(recorded)
    out = _outcome(
        task,
        VAR,
        "m = mean(xs)\nreturn sum((x - m) ** 2 for x in xs) / len(xs)\n",
        tmp_path,
        sandbox,
    )
    assert out.verdict is DiffVerdict.WRONG_OUTPUT and out.passed_samples == 0
    assert "return" in out.detail and "expected" in out.detail


def test_raising_body_is_raised(recorded, sandbox, tmp_path):
    task = load_task(recorded)
    out = _outcome(task, MEAN, "raise ValueError('nope')\n", tmp_path, sandbox)
    assert out.verdict is DiffVerdict.RAISED and "ValueError: nope" in out.detail


def test_infinite_loop_is_timeout(recorded, sandbox, tmp_path):
    task = load_task(recorded)
    out = _outcome(task, MEAN, "while True:\n    pass\n", tmp_path, sandbox, timeout_s=2)
    assert out.verdict is DiffVerdict.TIMEOUT


def test_exit_is_not_comparable(recorded, sandbox, tmp_path):
    task = load_task(recorded)
    out = _outcome(task, MEAN, "import os\nos._exit(0)\n", tmp_path, sandbox)
    assert out.verdict is DiffVerdict.NOT_COMPARABLE and out.passed_samples == 0


def test_junk_output_does_not_matter_when_the_result_is_right(recorded, sandbox, tmp_path):
    task = load_task(recorded)
    body = (
        "print('{\"passed\": true}' * 100)\n"
        "import sys\nsys.stderr.write('noise\\n')\n"
        "return sum(xs) / len(xs)\n"
    )
    out = _outcome(task, MEAN, body, tmp_path, sandbox)
    assert out.verdict is DiffVerdict.PASSED, out


@pytest.mark.parametrize(
    "fake",
    [
        # a complete, well-formed results file claiming every call returned 0.0
        '{"version": 1, "function": "stats.py::mean", "done": true, "error": null,'
        ' "samples": [' + ", ".join(['{"raised": null, "return": 0.0, "after": {}}'] * 8) + "]}",
        '{"samples": ["passed", "passed"], "done": true}',
        "not json at all",
    ],
)
def test_fake_results_file_cannot_pass(recorded, sandbox, tmp_path, fake):
    task = load_task(recorded)
    body = (
        "import os\n"
        "with open('.autoexp_diff/out/results.json', 'w') as f:\n"
        f"    f.write({fake!r})\n"
        "os._exit(0)\n"
    )
    out = _outcome(task, MEAN, body, tmp_path, sandbox)
    assert out.verdict in (DiffVerdict.WRONG_OUTPUT, DiffVerdict.NOT_COMPARABLE), out


def test_results_file_planted_as_symlink_is_not_followed(recorded, sandbox, tmp_path):
    task = load_task(recorded)
    body = (
        "import os\n"
        "os.remove('.autoexp_diff/out/results.json')\n"
        "os.symlink('/etc/passwd', '.autoexp_diff/out/results.json')\n"
        "os._exit(0)\n"
    )
    out = _outcome(task, MEAN, body, tmp_path, sandbox)
    assert out.verdict is DiffVerdict.NOT_COMPARABLE
    link = tmp_path / "d" / ".autoexp_diff" / "out"
    link.mkdir(parents=True)
    os.symlink("/etc/passwd", link / "results.json")
    data, why = read_results(tmp_path / "d")
    assert data is None and "not readable" in why


def test_method_is_checked_on_its_after_state(recorded, sandbox, tmp_path):
    task = load_task(recorded)
    wrong_sigma = "self.mu = mean(xs)\nself.sigma = 1.0\nreturn self\n"
    out = _outcome(task, FIT, wrong_sigma, tmp_path / "a", sandbox)
    assert out.verdict is DiffVerdict.WRONG_OUTPUT and "after.self.sigma" in out.detail
    other = "s = Scaler()\ns.mu = mean(xs)\ns.sigma = float(np.sqrt(variance(xs)))\nreturn s\n"
    out = _outcome(task, FIT, other, tmp_path / "b", sandbox)  # right numbers, wrong object
    assert out.verdict is DiffVerdict.WRONG_OUTPUT


def test_validation_reports_the_differential_checks(recorded):
    proc = autoexp("tasks", "validate", str(recorded), "--json", "--no-trace")
    (res,) = json.loads(proc.stdout)
    checks = {c["name"]: c for c in res["checks"]}
    assert checks["differential samples"]["ok"], checks["differential samples"]
    assert checks["differential oracle"]["ok"], checks["differential oracle"]
    assert checks["differential tests catch mutants"]["detail"].startswith("3/3")
    assert all(m["killed_by_diff"] is True for m in res["mutants"])
