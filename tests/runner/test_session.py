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


def test_a_gpu_task_gets_this_machines_gpus_or_says_why_not(monkeypatch):
    """Outside an executor (Inspect, an RL loop) a GPU task takes the machine's first GPUs
    ($AUTOEXP_GPUS names them here, as nothing is detected on a CPU machine), and a machine
    without one is a TaskError with the planner's reason."""
    smoke = next(t for t in builtin_tasks() if t.id == "gpu-smoke")
    fid = smoke.spec.functions[0].id
    monkeypatch.delenv("AUTOEXP_ASSIGNED_GPUS", raising=False)
    monkeypatch.setenv("AUTOEXP_GPUS", "none")
    with pytest.raises(TaskError, match="gpu-smoke: needs 1 GPU, this machine has none"):
        Session(smoke, [fid])
    monkeypatch.setenv("AUTOEXP_GPUS", "3,5")
    with Session(smoke, [fid], backend="none") as s:
        assert s.sandbox.config.gpus == [3]
    monkeypatch.setenv("AUTOEXP_ASSIGNED_GPUS", "5")  # an executor's assignment comes first
    with Session(smoke, [fid], backend="none") as s:
        assert s.sandbox.config.gpus == [5]
