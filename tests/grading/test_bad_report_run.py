"""End to end: one attempt's bad results never stop the run.

A command agent writes a garbage results file, next to the oracle, on a copy of toy-stats,
through the real `autoexp run`: the run completes, both attempts are stored, the bad one is
failed/invalid_report with a detail naming what was wrong, and `autoexp attempts --json` and
the report still work. (tests/security/test_escapes.py covers 100 MB, 200 000-level-deep and
NaN results the same way; these are the wrong-type and too-long-integer cases.)
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import TOY, attempts_json, autoexp

pytestmark = pytest.mark.bad_input

AGENT = """#!/bin/sh
cat "$(dirname "$0")/results.json" > "$AUTOEXP_RESULTS"
"""


@pytest.mark.parametrize(
    ("results", "needle"),
    [
        ('{"scaled": {"max_z": "abc"}}', "results['scaled']['max_z'] is not a number: 'abc'"),
        ('{"scaled": {"max_z": ' + "9" * 5000 + "}}", "results are not valid JSON"),
    ],
    ids=["not-a-number", "5000-digit-int"],
)
def test_garbage_results_fail_one_attempt_and_the_run_goes_on(tmp_path, results, needle):
    tool = Path(tempfile.mkdtemp(prefix="autoexp-bad-report-"))
    try:
        tool.chmod(0o755)
        (tool / "agent.sh").write_text(AGENT, encoding="utf-8")
        (tool / "agent.sh").chmod(0o755)
        (tool / "results.json").write_text(results, encoding="utf-8")
        (tool / "results.json").chmod(0o644)
        task = tmp_path / "toy-stats"
        shutil.copytree(TOY, task, ignore=shutil.ignore_patterns("__pycache__"))
        run_dir = tmp_path / "run"
        proc = autoexp(
            "run", str(task), "--agent", "command", "--agent", "oracle",
            "--agent-cmd", f"{tool}/agent.sh", "--sandbox-ro", str(tool),
            "--run-dir", str(run_dir), "--no-progress", "--workers", "2",
            check=False,
        )  # fmt: skip
    finally:
        shutil.rmtree(tool, ignore_errors=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "Traceback" not in out, out[-3000:]

    rows = {r["agent"]: r for r in attempts_json(run_dir)}
    assert set(rows) == {"command", "oracle"}
    assert rows["oracle"]["status"] == "passed", rows["oracle"]
    bad = rows["command"]
    assert (bad["status"], bad["reason"]) == ("failed", "invalid_report"), bad
    assert bad["reported"] is None

    record = json.loads(
        (run_dir / "attempts" / bad["attempt_id"] / "attempt.json").read_text(encoding="utf-8")
    )
    detail = record["grade"]["detail"]
    assert f"invalid report: {needle}" in detail, detail
    assert "Traceback" not in detail and len(detail) < 2000, detail[:3000]

    index = (run_dir / "report" / "index.html").read_text(encoding="utf-8")
    assert "invalid report" in index
