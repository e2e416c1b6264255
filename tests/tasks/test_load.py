"""Loading tasks: broken task files get errors that name the file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from autoexp.errors import TaskError
from autoexp.tasks import load_task, resolve_tasks

TOY = Path(__file__).parents[1] / "data" / "tasks" / "toy-stats"


@pytest.fixture
def task_dir(tmp_path: Path) -> Path:
    d = tmp_path / "toy"
    shutil.copytree(TOY, d)
    return d


def edit(task_dir: Path, fn) -> None:
    p = task_dir / "task.yaml"
    data = yaml.safe_load(p.read_text())
    fn(data)
    p.write_text(yaml.safe_dump(data))


def test_toy_loads():
    t = load_task(TOY)
    assert t.id == "toy-stats"
    assert t.maskable() == ["stats.py::mean", "stats.py::variance", "stats.py::Scaler.fit"]
    assert [e.id for e in t.experiments_for(("stats.py::Scaler.fit",))] == ["scaled"]
    assert [e.id for e in t.experiments_for(())] == ["moments", "scaled"]


@pytest.mark.bad_input
@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d.pop("experiments"), "field experiments: Field required"),
        (lambda d: d.update(schema=9), "field schema: schema 9 is not supported"),
        (lambda d: d["experiments"][0].update(timeout_s=-1), "field experiments.0.timeout_s"),
        (
            lambda d: d["experiments"][1]["metrics"]["max_z"].update(expected="abc"),
            "field experiments.1.metrics.max_z.expected",
        ),
        (lambda d: d["functions"][0].update(id="stats.py:mean"), "field functions.0.id"),
        (lambda d: d["experiments"][0].update(depends_on=["stats.py::nope"]), "not in functions"),
        (lambda d: d.update(colour="blue"), "field colour: Extra inputs are not permitted"),
        (
            lambda d: d["experiments"][0]["metrics"]["mean"].update(regex="no group"),
            "exactly one capturing group",
        ),
        (lambda d: d["experiments"].append(dict(d["experiments"][0])), "duplicate ids"),
        (
            lambda d: d["experiments"][0]["metrics"]["mean"].update(rtol=float("inf")),
            "field experiments.0.metrics.mean.rtol",
        ),
        (
            lambda d: d["functions"].append({"id": "../x.py::f", "description": "x"}),
            "must be relative to code/ and stay inside it",
        ),
        (
            lambda d: d["functions"].append({"id": "/etc/passwd.py::f", "description": "x"}),
            "must be relative to code/ and stay inside it",
        ),
        (
            lambda d: d["functions"].append({"id": "missing.py::f", "description": "x"}),
            "missing.py is not a file in code/",
        ),
    ],
)
def test_broken_task_yaml_names_file_and_field(task_dir, mutate, needle):
    edit(task_dir, mutate)
    with pytest.raises(TaskError) as info:
        load_task(task_dir)
    msg = str(info.value)
    assert str(task_dir / "task.yaml") in msg
    assert needle in msg


@pytest.mark.bad_input
def test_not_yaml_and_not_mapping(task_dir):
    (task_dir / "task.yaml").write_text("id: [unclosed\n")
    with pytest.raises(TaskError, match="not valid YAML"):
        load_task(task_dir)
    (task_dir / "task.yaml").write_text("- a list\n")
    with pytest.raises(TaskError, match="must be a mapping"):
        load_task(task_dir)


@pytest.mark.bad_input
def test_missing_parts(task_dir):
    (task_dir / "paper.md").unlink()
    with pytest.raises(TaskError, match=r"needs paper\.md or paper\.txt"):
        load_task(task_dir)
    with pytest.raises(TaskError, match="no such task"):
        load_task(task_dir / "nope")


@pytest.mark.bad_input
def test_resolve_unknown_and_duplicates(tmp_path):
    with pytest.raises(TaskError, match="neither a path nor a built-in task"):
        resolve_tasks(["no-such-task-anywhere"])
    with pytest.raises(TaskError, match="given twice"):
        resolve_tasks([str(TOY), str(TOY)])
    with pytest.raises(TaskError, match="holds no task"):
        resolve_tasks([str(tmp_path)])
