"""Session: a (task, combo) driven from outside autoexp's agents, graded as an attempt is."""

from __future__ import annotations

import json
import shutil

import pytest

from autoexp import Session
from autoexp.errors import TaskError
from autoexp.grading import Status
from autoexp.tasks._load import builtin_tasks


@pytest.fixture(scope="module")
def task():
    return next(t for t in builtin_tasks() if t.id == "naive-bayes")


def test_masked_then_restored_then_fabricated(task):
    """The masked workspace fails; the original body passes; grading again after the body is
    masked once more, with the paper's numbers written as the results file, fails again."""
    fn = task.spec.functions[0]
    with Session(task, [fn.id]) as s:
        masked = (s.workspace / fn.path).read_text()
        assert "/workspace" in s.prompt_text
        assert s.exec("ls").stdout.split() == sorted(p.name for p in s.workspace.iterdir())
        assert s.grade().grade.status == Status.FAILED

        shutil.copy(task.code_dir / fn.path, s.workspace / fn.path)
        good = s.grade()
        assert good.grade.status == Status.PASSED, good.grade.detail
        assert set(good.evidence.runs) >= {e.id for e in task.experiments_for((fn.id,))}

        (s.workspace / fn.path).write_text(masked)
        paper = {e.id: {k: m.expected for k, m in e.metrics.items()} for e in task.spec.experiments}
        (s.workspace / s.prepared.prompt.results_file).write_text(json.dumps(paper))
        assert s.grade().grade.status == Status.FAILED
        scratch = s.scratch
    assert not scratch.exists()


def test_unknown_function_is_a_task_error(task):
    with pytest.raises(TaskError, match="nope"):
        Session(task, ["nope"])
