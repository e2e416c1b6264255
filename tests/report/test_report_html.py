"""write_report: every section, self-contained HTML, escaping, caps, compare, graceful skips."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from autoexp.agents._types import Trajectory, TrajectoryStep
from autoexp.grading import Status
from autoexp.report import write_report
from autoexp.runner._types import AttemptRecord

from report_helpers import make_record as record
from report_helpers import write_run as write_into


@pytest.fixture(scope="module")
def write_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Write records into a fresh <tmp>/<name>/results.sqlite through SqliteStore.put."""
    return lambda records, name="run-a": write_into(tmp_path_factory.mktemp("runs"), records, name)


PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
SECTIONS = (
    "headline",
    "aggregates",
    "reasons",
    "plots",
    "functions",
    "attempts",
    "details",
    "runs",
)
PLOTS = ("success_vs_n", "pass_at_k", "success_vs_cost", "function_heatmap")


def write_files(
    run_dir: Path, rec: AttemptRecord, *, trajectory: bool = True, bodies: bool = True
) -> None:
    d = run_dir / "attempts" / rec.attempt_id
    d.mkdir(parents=True, exist_ok=True)
    if trajectory:
        Trajectory(
            agent=rec.spec.agent.label,
            model=rec.model,
            prompt="Reproduce the paper. " + PAYLOAD,
            steps=[
                TrajectoryStep(
                    index=0,
                    kind="model",
                    content="Let me look. " + PAYLOAD,
                    tool_calls=[
                        {"id": "1", "name": "bash", "arguments": json.dumps({"cmd": "cat a.py"})}
                    ],
                    tokens_in=1234,
                    tokens_out=56,
                    cost_usd=0.002,
                ),
                TrajectoryStep(
                    index=1,
                    kind="tool",
                    tool_name="bash",
                    tool_args={"cmd": "cat a.py"},
                    content="def f(): ...\n</pre>" + PAYLOAD,
                ),
            ],
            ended_by="submitted",
        ).save(d / "trajectory.json")
    if bodies:
        (d / "bodies.json").write_text(
            json.dumps(
                {
                    fn: {"original": "    return 1\n", "agent": "    return 2  # " + PAYLOAD + "\n"}
                    for fn in rec.spec.combo
                }
            )
        )
    (d / "workspace.diff").write_text("--- a/a.py\n+++ b/a.py\n" + PAYLOAD)


@pytest.fixture(scope="module")
def run_dir(write_run) -> Path:
    recs = []
    for trial in range(3):
        recs.append(
            record(
                trial=trial,
                status=Status.PASSED if trial else Status.FAILED,
                cost=0.01,
                tokens=(1000, 100),
            )
        )
        recs.append(
            record(
                combo=("a.py::f", "a.py::g"),
                trial=trial,
                status=Status.FAILED,
                fabricated=trial == 0,
                cost=0.02,
                error=None,
            )
        )
        recs.append(record(agent="oracle", model=None, trial=trial, status=Status.PASSED))
    recs.append(
        record(
            model="x" + PAYLOAD,
            trial=0,
            status=Status.INFRA_ERROR,
            error="sandbox died: " + PAYLOAD,
        )
    )
    run = write_run(recs)
    for i, rec in enumerate(recs):
        if rec.spec.agent.name == "react":
            write_files(run, rec, bodies=i != 0)
    (run / "run.json").write_text(json.dumps({"schema_version": 1, "note": PAYLOAD}))
    return run


@pytest.fixture(scope="module")
def html(run_dir: Path) -> str:
    """The report of run_dir, written once for the tests that only read it."""
    return write_report(run_dir).read_text()


def _attempts_json(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="attempts-data">(.*?)</script>', html, re.S)
    assert m, "embedded attempts data missing"
    return json.loads(m.group(1))


def test_report_has_every_section_and_plot(run_dir: Path, html: str) -> None:
    assert (run_dir / "report" / "index.html").is_file()
    for section in SECTIONS:
        assert f'<section id="{section}">' in html, section
    for name in PLOTS:
        assert (run_dir / "report" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f'id="plot-{name}"' in html
    assert html.count('<img class="plot"') == 4
    assert html.count('src="data:image/png;base64,') == 4
    data = _attempts_json(html)
    assert len(data["rows"]) == 10
    assert data["columns"][:3] == ["run", "attempt", "task"]
    # every attempt has a detail section (small run), linked from the table
    assert html.count('<section class="attempt"') == 10
    assert all(row[-1] for row in data["rows"])
    md = (run_dir / "report" / "summary.md").read_text()
    for heading in (
        "## Success by agent",
        "## Failure reasons",
        "## Per-function difficulty",
        "## Plots",
    ):
        assert heading in md
    assert "![Success rate vs n" in md and "(success_vs_n.png)" in md


def test_attempt_details_show_trajectory_numbers_and_body_diffs(run_dir: Path, html: str) -> None:
    assert "Experiments: reported vs verified vs expected" in html
    assert "1,234 in / 56 out" in html  # step tokens
    assert "ended by <b>submitted</b>" in html
    assert '<span class="dd">-    return 1</span>' in html
    assert '<span class="da">+    return 2  # &lt;script&gt;' in html
    assert "bodies.json is missing for this attempt" in html  # first react attempt
    assert "This agent keeps no trajectory." in html  # oracle
    assert "fabricated" in html
    assert "sandbox died: &lt;script&gt;" in html


def test_text_from_runs_is_escaped(run_dir: Path, html: str) -> None:
    assert PAYLOAD not in html
    assert "<script>window.__pwned" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    # inside the embedded JSON, '<' is escaped so '</script>' cannot close the element
    data_block = html.split('id="attempts-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data_block and "\\u003cscript\\u003e" in data_block
    assert any("<script>" in row[3] for row in _attempts_json(html)["rows"])  # round-trips
    md = (run_dir / "report" / "summary.md").read_text()
    assert "<script>" not in md


def test_html_is_self_contained(run_dir: Path, html: str) -> None:
    refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html)
    assert refs and all(r.startswith(("data:", "#")) for r in refs), refs
    assert "http://" not in html and "https://" not in html
    assert "<link" not in html and "@import" not in html
    assert "default-src 'none'" in html  # CSP: nothing may be fetched


def test_detail_sections_are_capped_with_a_note(run_dir: Path, html: str) -> None:
    html = write_report(run_dir, details_total=3, details_per_bucket=1).read_text()
    assert html.count('<section class="attempt"') == 3
    assert "Detail sections are included for 3 of 10 attempts" in html
    rows = _attempts_json(html)["rows"]
    assert len(rows) == 10 and sum(bool(r[-1]) for r in rows) == 3
    # one per (agent, status) bucket, round-robin: failed react, passed react, passed oracle
    statuses = {(r[3], r[8]) for r in rows if r[-1]}
    assert ("oracle", "passed") in statuses and len(statuses) == 3


def test_compare_labels_rows_by_run(write_run) -> None:
    first = write_run([record(status=Status.FAILED), record(status=Status.PASSED, trial=1)])
    other = write_run([record(status=Status.PASSED, cost=0.03)], "run-b")
    same_name = write_run([record(status=Status.FAILED)], "run-a")
    html = write_report(first, compare=[other, same_name]).read_text()
    assert "<th>run</th>" in html
    rows = _attempts_json(html)["rows"]
    assert {r[0] for r in rows} == {"run-a", "run-b", "run-a (2)"}
    assert html.count('<span class="run-name">') >= 3
    assert not (other / "report").exists()  # the report goes into the first run only
    assert (first / "report" / "index.html").is_file()


def test_plots_skip_gracefully(write_run) -> None:
    unknown = write_run(
        [record(status=Status.PASSED, cost=None), record(status=Status.FAILED, trial=1, cost=None)],
        "unknown",
    )
    html = write_report(unknown).read_text()
    assert "Cost unknown (no price for the model), not plotted: react:m1" in html
    assert not (unknown / "report" / "success_vs_cost.png").exists()
    infra_only = write_run([record(status=Status.INFRA_ERROR)], "infra")
    html = write_report(infra_only).read_text()
    assert "No graded attempt yet" in html
    assert html.count('<img class="plot"') == 0
    empty = write_run([], "empty")
    html = write_report(empty).read_text()
    assert "No attempt in the store yet." in html


def test_unreadable_and_newer_trajectories_are_reported(write_run) -> None:
    a = record(trial=0, status=Status.FAILED)
    b = record(trial=1, status=Status.FAILED)
    run = write_run([a, b])
    for rec, text in ((a, "{not json"), (b, json.dumps({"schema_version": 99, "agent": "x"}))):
        d = run / "attempts" / rec.attempt_id
        d.mkdir(parents=True)
        (d / "trajectory.json").write_text(text)
    html = write_report(run).read_text()
    assert "trajectory.json is unreadable" in html
    assert "trajectory.json has schema 99; this autoexp reads up to 1." in html
