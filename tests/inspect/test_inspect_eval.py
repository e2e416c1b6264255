"""The suite run by real Inspect (mockllm, scripted solvers), graded by autoexp's grading; the
log's pass@k / pass^k; `autoexp import inspect-log` on that log; `inspect eval` from the CLI.

The mock model's default output makes Inspect count tokens with tiktoken, which downloads its
encoding on first use; these tests give the mock its outputs with usage set, so they run
offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog
from inspect_ai.model import Model, ModelOutput, ModelUsage, get_model
from inspect_ai.scorer import match
from inspect_solvers import paper_numbers, probe_paths, restore_original

from autoexp.inspect import SampleInfo, autoexp_suite
from autoexp.tasks._load import load_task

from conftest import autoexp

TASK = "naive-bayes"
MOCK = "mockllm/model"
HERE = Path(__file__).parent


def _usage(output: ModelOutput) -> ModelOutput:
    output.usage = ModelUsage(input_tokens=100, output_tokens=10, total_tokens=110)
    return output


def mock(outputs: list[ModelOutput] | None = None) -> Model:
    """mockllm with `outputs`, then its default text for ever (every output with usage)."""

    def gen() -> Iterator[ModelOutput]:
        yield from (_usage(o) for o in outputs or [])
        while True:
            yield _usage(ModelOutput.from_content(MOCK, "Default output from mockllm/model"))

    return get_model(MOCK, custom_outputs=gen())


def run(task: Task, tmp_path: Path, **kw) -> EvalLog:
    (log,) = inspect_eval(task, log_dir=str(tmp_path / "logs"), display="none", **kw)
    assert log.status == "success", log.error
    return log


def only_score(log: EvalLog):
    (sample,) = log.samples
    return sample.scores["autoexp_scorer"]


def test_the_default_agent_on_mock_output_fails_graded(tmp_path):
    log = run(autoexp_suite(tasks=TASK, max_steps=2), tmp_path, model=mock())
    score = only_score(log)
    assert score.value == "I"
    grade = score.metadata["autoexp_grade"]
    assert grade["status"] == "failed"
    assert grade["reason"] == "no_report"
    assert log.samples[0].error is None


def test_the_default_agent_driven_by_tool_calls_passes(tmp_path):
    """mockllm's tool calls drive Inspect's own agent and tools: python (stdin through the
    sandbox) writes the original body, bash runs the experiments and writes results.json."""
    suite = autoexp_suite(tasks=TASK, max_steps=5)
    info = SampleInfo.model_validate(suite.dataset[0].metadata)
    task = load_task(info.task_root)
    path = info.combo[0].split("::")[0]
    original = (task.code_dir / path).read_text()
    commands = {e.id: e.command for e in task.experiments_for(info.combo)}
    runner = (
        "import json, subprocess\n"
        f"commands = {commands!r}\n"
        "results = {}\n"
        "for exp, cmd in commands.items():\n"
        "    out = subprocess.run(cmd, shell=True, capture_output=True, text=True, check=True)\n"
        "    results[exp] = json.loads(out.stdout.strip().splitlines()[-1])\n"
        "json.dump(results, open('/workspace/results.json', 'w'))\n"
    )
    outputs = [
        ModelOutput.for_tool_call(
            MOCK, "python", {"code": f"open({path!r}, 'w').write({original!r})"}
        ),
        ModelOutput.for_tool_call(
            MOCK, "bash", {"command": f"python3 -c {json.dumps(runner)} && ls results.json"}
        ),
        ModelOutput.for_tool_call(MOCK, "submit", {"answer": "done"}),
    ]
    log = run(suite, tmp_path, model=mock(outputs))
    score = only_score(log)
    assert score.value == "C", score.explanation
    tool_results = [m.text for m in log.samples[0].messages if m.role == "tool"]
    assert "results.json" in tool_results[1]


def test_restored_code_passes_and_paper_numbers_fail(tmp_path):
    good = only_score(
        run(autoexp_suite(tasks=TASK), tmp_path, model=mock(), solver=restore_original())
    )
    assert good.value == "C", good.explanation
    grade = good.metadata["autoexp_grade"]
    assert grade["hidden"] and all(h["passed"] for h in grade["hidden"])
    assert grade["functions"] and grade["functions_correct"] == 1.0

    fake = only_score(
        run(autoexp_suite(tasks=TASK), tmp_path, model=mock(), solver=paper_numbers())
    )
    assert fake.value == "I"
    assert fake.metadata["autoexp_grade"]["fabricated"] is True
    assert "fabricated" in fake.explanation


def test_the_sandbox_keeps_to_the_workspace(tmp_path):
    log = run(autoexp_suite(tasks=TASK), tmp_path, model=mock(), solver=probe_paths())
    outcomes = log.samples[0].store["outcomes"]
    refused = [k for k, v in outcomes.items() if v.startswith("refused")]
    assert sorted(refused) == sorted(
        [
            "read /etc/hostname",
            "read ../x",
            "read out/hostname",
            "write /tmp/x",
            "write out/x",
            "write /workspace/../x",
            "exec cwd=/tmp",
        ]
    ), outcomes
    assert outcomes["read sub/dir/ok.txt"] == "fine"
    assert outcomes["python stdin"] == "42"
    if log.samples[0].scores["autoexp_scorer"].metadata["autoexp_isolation"] == "bubblewrap":
        assert outcomes["exec cwd=sub"] == "/workspace/sub"
        assert outcomes["network"] == "False"


@pytest.fixture(scope="module")
def two_epochs(tmp_path_factory) -> tuple[EvalLog, Path]:
    """Two epochs of one sample: the first restores the code (passes), the second does nothing."""
    tmp = tmp_path_factory.mktemp("epochs")
    log = run(
        autoexp_suite(tasks=TASK, epochs=2), tmp, model=mock(), solver=restore_original(epochs=[1])
    )
    return log, Path(log.location)


def test_epochs_are_trials_with_pass_at_k_in_the_log(two_epochs):
    log, _ = two_epochs
    assert sorted((s.epoch, s.scores["autoexp_scorer"].value) for s in log.samples) == [
        (1, "C"),
        (2, "I"),
    ]
    metrics = {k: m.value for s in log.results.scores for k, m in s.metrics.items()}
    assert metrics["accuracy"] == pytest.approx(0.5)
    assert metrics["pass@1"] == pytest.approx(0.5)
    assert metrics["pass@2"] == pytest.approx(1.0)
    assert metrics["pass^1"] == pytest.approx(0.5)
    assert metrics["pass^2"] == pytest.approx(0.0)


def test_import_inspect_log_gives_the_same_pass_counts(two_epochs, tmp_path):
    _, log_file = two_epochs
    run_dir = tmp_path / "run"
    autoexp("import", "inspect-log", str(log_file), "--run-dir", str(run_dir))
    (row,) = json.loads(autoexp("summary", str(run_dir), "--json").stdout)["rows"]
    assert (row["agent"], row["attempts"], row["passed"], row["failed"]) == (
        "inspect:mockllm/model",
        2,
        1,
        1,
    )
    assert row["trials"] == 2
    assert row["pass_at_k"] == {"1": 0.5, "2": 1.0}
    assert row["pass_hat_k"] == {"1": 0.5, "2": 0.0}
    assert row["tokens_in"] == 0  # the scripted solver made no model call
    assert row["usage_source"] == "inspect"  # counted by Inspect, not by autoexp or the agent
    autoexp("report", str(run_dir))
    assert (run_dir / "report" / "index.html").is_file()
    again = autoexp("import", "inspect-log", str(log_file), "--run-dir", str(run_dir), check=False)
    assert again.returncode == 2 and "already holds a run" in again.stderr


def test_import_of_a_bad_log_names_the_file(tmp_path):
    broken = tmp_path / "broken.eval"
    broken.write_bytes(b"this is not a zip")
    out = autoexp("import", "inspect-log", str(broken), check=False)
    assert out.returncode == 2
    assert (
        str(broken) in " ".join(out.stderr.split())
        and "not a readable Inspect eval log" in out.stderr
    )

    other = Task(dataset=[Sample(input="hi", target="hi")], solver=[], scorer=match())
    log = run(other, tmp_path, model=mock())
    out = autoexp("import", "inspect-log", log.location, check=False)
    assert out.returncode == 2
    assert "autoexp_config" in out.stderr and "autoexp/autoexp_suite" in out.stderr


def _inspect_cli() -> str:
    found = shutil.which("inspect", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("the inspect command is not installed beside this Python")
    return found


def test_inspect_eval_from_the_command_line(tmp_path):
    """`inspect eval autoexp/autoexp_suite` finds the task and the sandbox through the entry
    point; the scripted solver needs no model call."""
    logs = tmp_path / "logs"
    cmd = [
        _inspect_cli(),
        "eval",
        "autoexp/autoexp_suite",
        "--model",
        MOCK,
        "-T",
        f"tasks={TASK}",
        "--solver",
        f"{HERE / 'inspect_solvers.py'}@restore_original",
        "--log-dir",
        str(logs),
        "--display",
        "none",
        "--log-format",
        "json",
    ]
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (log_file,) = logs.glob("*.json")
    data = json.loads(log_file.read_text())
    assert data["status"] == "success"
    assert data["samples"][0]["scores"]["autoexp_scorer"]["value"] == "C"


def _tiktoken_ready() -> bool:
    try:
        import tiktoken

        tiktoken.get_encoding("o200k_base")
    except Exception:
        return False
    return True


def test_the_documented_command_with_the_default_mock_output(tmp_path):
    """docs/inspect.md's command as written: the real agent on mockllm's default output
    (needs tiktoken's encoding, which mockllm uses to count tokens: downloaded or cached)."""
    if not _tiktoken_ready():
        pytest.skip("tiktoken's o200k_base encoding is not available (no network, no cache)")
    logs = tmp_path / "logs"
    cmd = [_inspect_cli(), "eval", "autoexp/autoexp_suite", "--model", MOCK, "-T", f"tasks={TASK}"]
    cmd += [
        "-T",
        "max_steps=2",
        "--log-dir",
        str(logs),
        "--display",
        "none",
        "--log-format",
        "json",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (log_file,) = logs.glob("*.json")
    data = json.loads(log_file.read_text())
    assert data["samples"][0]["scores"]["autoexp_scorer"]["value"] == "I"
