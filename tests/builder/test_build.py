"""`autoexp build`, end to end on a small repository (tests/data/build-repo): dead code, a
function first reached after 10 s, an unseeded experiment and a metric printed as plain text
become a task that validates, with differential samples and hidden experiments that grading
runs; and `--model` writes the missing descriptions."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from autoexp.agents import AgentSpec
from autoexp.difftest import load_index
from autoexp.models import FakeServer
from autoexp.runner import AttemptSpec, run_attempt
from autoexp.tasks import load_task

from conftest import DATA, autoexp

REPO = DATA / "build-repo"
PAPER = DATA / "build-paper.md"
COMMANDS = ["python main.py --exp fit", "python main.py --exp pi", "python late.py"]


@pytest.mark.slow
def test_a_repository_builds_into_a_task_that_validates(tmp_path):
    src, out = tmp_path / "repo", tmp_path / "repo-task"
    shutil.copytree(REPO, src)
    args = ["build", str(src), "--paper", str(PAPER), "--out", str(out), "--workers", "4"]
    proc = autoexp(*args, *(x for c in COMMANDS for x in ("-c", c)), check=False)
    res = json.loads((out / "hidden" / "build.json").read_text())  # what the build found
    failed = {c["name"]: c["detail"] for c in res["validation"]["checks"] if not c["ok"]}
    # every check passes but the one saying what the author must still write
    assert list(failed) == ["no TODO left"] and proc.returncode == 1, proc.stderr
    assert "function fitting.py::residual_rms" in failed["no TODO left"]  # no docstring

    task = load_task(out)
    spec = task.spec
    fns = [f.id for f in spec.functions]
    assert set(fns) == {
        "fitting.py::make_data",
        "fitting.py::fit_line",
        "fitting.py::residual_rms",
        "montecarlo.py::estimate_pi",
        "late.py::trimmed_mean",  # first called after 10 s: found all the same
    }
    why = {c["id"]: c["reason"] for c in res["candidates"] if not c["chosen"]}
    assert "dead code" in why["fitting.py::fit_line_robust"]
    assert "dead code" in why["fitting.py::count"]
    assert "main.py::main" in why  # an entry point
    assert not any("test_" in c["id"] for c in res["candidates"])
    late = next(e for e in res["experiments"] if e["id"] == "late")
    assert late["functions"]["late.py::trimmed_mean"]["first_s"] >= 10.0
    assert not any(f.startswith("<") for e in res["experiments"] for f in e["functions"])

    by_id = {e.id: e for e in spec.experiments}
    assert by_id["pi"].depends_on == ["montecarlo.py::estimate_pi"]
    assert by_id["late"].depends_on == ["fitting.py::make_data", "late.py::trimmed_mean"]
    # the plain-text metric is read by a regex; deterministic metrics get tight tolerances,
    # the unseeded estimate a loose one, calibrated on more runs
    stat = by_id["late"].metrics["late_statistic"]
    assert stat.regex and stat.rtol == 1e-4 and stat.expected == pytest.approx(5.159245)
    assert by_id["fit"].metrics["slope"].rtol == 1e-4
    pi = by_id["pi"].metrics["pi"]
    assert 0.005 < pi.rtol < 0.2 and abs(pi.expected - 3.1416) < 0.05
    cal = json.loads((out / "hidden" / "calibration.json").read_text())
    assert cal["experiments"]["pi"]["runs"] == 10 and cal["experiments"]["pi"]["output_varies"]
    assert cal["experiments"]["fit"]["metrics"]["slope"]["spread"] == 0.0

    # hidden experiments: the seed and size of `fit` differ; pi's do not change its numbers
    hidden = {h.id: h for h in spec.hidden_experiments}
    assert hidden["fit-seed1"].command == "python main.py --exp fit --seed 1"
    assert {h.of for h in spec.hidden_experiments} == {"fit"}
    rejected = [h for h in res["hidden"] if h["of"] == "pi"]
    assert rejected and all("within tolerance" in h["reason"] for h in rejected)

    index = load_index(task)  # a differential sample for every maskable function
    assert index is not None and all(index.functions[f].samples for f in fns)
    assert "TODO" in (out / "task.yaml").read_text()  # the review header and the TODOs
    assert "to review:" in proc.stdout and "late: metrics ['late_statistic']" in proc.stdout

    # grading runs the hidden experiments and the differential test of the masked function
    for agent, status in (("oracle", "passed"), ("noop", "failed")):
        spec_ = AttemptSpec(
            task_id=task.id,
            task_root=str(task.root),
            agent=AgentSpec(name=agent),
            combo=("fitting.py::fit_line",),
            trial=0,
        )
        grade = run_attempt(spec_, tmp_path / f"run-{agent}").grade
        assert grade.status.value == status
        assert {h.id for h in grade.hidden} == {"fit-seed1", "fit-n-points150"}
        assert [f.function for f in grade.functions] == ["fitting.py::fit_line"]
        assert grade.functions_correct == (1.0 if agent == "oracle" else 0.0)


def test_a_model_writes_the_missing_descriptions(tmp_path):
    src, out = tmp_path / "repo", tmp_path / "task"
    shutil.copytree(REPO, src)
    text = "Root mean square of the residuals y - (slope * x + intercept) over all points."
    script = {"routes": [{"match": "fitting.py::residual_rms", "entries": [{"text": text}]}]}
    with FakeServer(script) as srv:
        autoexp(
            "build", str(src), "-c", "python main.py --exp fit", "--out", str(out),
            "--model", "fake", "--base-url", srv.base_url, "--repeats", "1",
            "--no-samples", "--no-validate",
        )  # fmt: skip
        asked = srv.chat_requests()
    assert len(asked) == 1 and "def residual_rms" in asked[0]["messages"][1]["content"]
    spec = yaml.safe_load((out / "task.yaml").read_text())
    descriptions = {f["id"]: f["description"] for f in spec["functions"]}
    assert descriptions["fitting.py::residual_rms"] == text
    assert descriptions["fitting.py::fit_line"].startswith("Ordinary least-squares")  # docstring
    record = json.loads((out / "hidden" / "build.json").read_text())
    assert record["descriptions"]["fitting.py::residual_rms"] == "model"
