"""Issue 11, item 4: text autoexp did not write (task text, ids, paths, commands, metric names,
model names, error messages) is printed verbatim by every command, never read as rich markup."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import TOY, autoexp

MARKUP = "[bold]b[/] X[rng.integers(n)] [red]x[/red]"
"""Rich would print this as `b X x` (and the task.yaml of kmeans-pp has `X[rng.integers(n)]`)."""
METRIC = "v[bold]ar[/]"
PATHY = "d[bold]x[red]"
"""Markup that fits in a file name (no `/`)."""


def flat(text: str) -> str:
    """Text with every run of whitespace as one space (rich wraps long lines)."""
    return " ".join(text.split())


def markup_task(parent: Path, task_id: str = "toy-markup", **changes: float) -> Path:
    """A copy of toy-stats whose title, topic, descriptions, command and a metric name hold
    markup; `changes` replaces expected values by metric name."""
    root = parent / task_id
    shutil.copytree(TOY, root)
    spec = yaml.safe_load((root / "task.yaml").read_text())
    spec.update(id=task_id, title=f"Moments {MARKUP}", topic=f"topic {MARKUP}")
    regex = {"regex": '"var": ([-0-9.e]+)'}
    exp, hidden = spec["experiments"][0], spec["hidden_experiments"][0]
    exp["description"] = f"Compute the moments {MARKUP}."
    exp["command"] = f"python run.py --exp moments  # {MARKUP}"
    for e in (exp, hidden):
        e["metrics"] = {"mean": e["metrics"]["mean"], METRIC: {**e["metrics"]["var"], **regex}}
    for name, value in changes.items():
        exp["metrics"][name]["expected"] = value
    spec["functions"][0]["description"] = f"Arithmetic mean {MARKUP}."
    (root / "task.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return root


@pytest.fixture(scope="module")
def tasks_dir(tmp_path_factory) -> Path:
    parent = tmp_path_factory.mktemp("tasks") / PATHY
    markup_task(parent)
    return parent


def test_tasks_show_and_list_print_task_text_verbatim(tasks_dir):
    task = tasks_dir / "toy-markup"
    shown = autoexp("tasks", "show", str(task)).stdout
    assert f"toy-markup: Moments {MARKUP}" in shown
    assert str(task) in shown
    assert f"python run.py --exp moments  # {MARKUP}" in shown
    assert f"{METRIC}=3.71403" in shown and f"{METRIC}=3.43583" in shown  # visible, hidden
    assert f"Arithmetic mean {MARKUP}." in shown
    listed = autoexp("tasks", "list", "--path", str(tasks_dir)).stdout
    assert f"topic {MARKUP}" in listed


def test_tasks_validate_prints_check_details_verbatim(tmp_path):
    bad = markup_task(tmp_path / PATHY, "toy-bad", **{METRIC: 99.0})
    proc = autoexp(
        "tasks", "validate", str(bad), "--workers", "1", "--no-mutants", "--no-trace", check=False
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"FAIL toy-bad: oracle moments (wrong_result {{'{METRIC}': (3.714029, 99.0)}}" in (
        proc.stdout
    )


def test_run_attempts_summary_print_paths_models_and_ids_verbatim(tasks_dir, tmp_path):
    run_dir = tmp_path / f"run{PATHY}"
    model = f"m{PATHY}"
    # a command agent that fails, shouting markup on stderr (it goes to agent.log)
    cmd = f'echo {{model}}; echo "{MARKUP}" >&2; exit 3'
    proc = autoexp(
        "run",
        str(tasks_dir / "toy-markup"),
        "--agent",
        "command",
        "--agent-cmd",
        cmd,
        "--model",
        model,
        "--run-dir",
        str(run_dir),
        "--workers",
        "1",
        "--no-progress",
    )
    err = flat(proc.stderr)
    assert f"run {run_dir}: 1 attempts planned" in err
    assert f"run directory: {run_dir}" in err
    assert f"report: {run_dir / 'report' / 'index.html'}" in err
    assert f"autoexp summary: {run_dir.name}" in proc.stdout
    assert f"command:{model}" in proc.stdout
    log = next((run_dir / "attempts").glob("*/agent.log")).read_text()
    assert MARKUP in log

    attempts = autoexp("attempts", str(run_dir)).stdout
    assert f"toy-markup.command-{model}.n1." in attempts
    summary = autoexp("summary", str(run_dir)).stdout
    assert f"autoexp summary: {run_dir.name}" in summary and f"command:{model}" in summary
    report = autoexp("report", str(run_dir)).stdout
    assert f"report: {run_dir / 'report' / 'index.html'}" in flat(report)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", f"nope/{MARKUP}"], f"'nope/{MARKUP}' is neither a path nor a built-in task"),
        (["tasks", "show", f"nope{MARKUP}"], f"'nope{MARKUP}' is neither a path"),
        (
            ["run", str(TOY), "--agent", "command", "--agent-cmd", f"x {{bad[0]}} {MARKUP}"],
            f"x {{bad[0]}} {MARKUP}",
        ),
        (["run", str(TOY), "--n", MARKUP], f"got '{MARKUP}'"),
        (["summary", f"/nonexistent/{PATHY}"], f"/nonexistent/{PATHY}"),
    ],
)
def test_error_messages_are_printed_verbatim(tmp_path, args, fragment):
    extra = ["--run-dir", str(tmp_path / "run"), "--no-progress"] if args[0] == "run" else []
    proc = autoexp(*args, *extra, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert flat(fragment) in flat(proc.stderr)


def test_prepare_prints_paths_and_functions_verbatim(tasks_dir, tmp_path):
    out = tmp_path / f"prep{PATHY}"
    proc = autoexp(
        "prepare", str(tasks_dir / "toy-markup"), "--functions", "stats.py::mean", "--out", str(out)
    )
    assert "masked 1 function(s): stats.py::mean" in proc.stdout
    assert f"workspace: {out / 'workspace'}" in proc.stdout
    assert f"prompt: {out / 'prompt.md'}" in flat(proc.stdout)
