"""summary() over a real store, checked against values computed by hand."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from test_report_stats import brute_pass_at_k, brute_pass_hat_k

from autoexp.agents import Setting
from autoexp.errors import RunError
from autoexp.grading import Reason, Status
from autoexp.report import render_summary_table, summary, wilson_interval
from autoexp.report._table import table_text

from conftest import autoexp
from report_helpers import make_record as record
from report_helpers import write_run as write_into


@pytest.fixture(scope="module")
def write_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Write records into a fresh <tmp>/<name>/results.sqlite through SqliteStore.put."""
    return lambda records, name="run-a": write_into(tmp_path_factory.mktemp("runs"), records, name)


P, F, INFRA, G = Status.PASSED, Status.FAILED, Status.INFRA_ERROR, Status.GRADER_ERROR
A, B, C = ("a.py::f",), ("a.py::f", "a.py::g"), ("a.py::g",)


@pytest.fixture
def run_dir(write_run) -> Path:
    common = {"tokens": (100, 10), "wall": 2.0, "cost": 0.01}
    recs = [
        # react:m1, n=1, combo A: passed, failed (fabricated, half the experiments), passed, infra
        record(combo=A, trial=0, status=P, **common),
        record(combo=A, trial=1, status=F, fabricated=True, experiments_passed=0.5, **common),
        record(combo=A, trial=2, status=P, **common),
        record(combo=A, trial=3, status=INFRA, **common),
        # react:m1, n=1, combo C: three passes, functions_correct 0.5, 1.0, None
        record(combo=C, trial=0, status=P, functions_correct=0.5, **common),
        record(combo=C, trial=1, status=P, functions_correct=1.0, **common),
        record(combo=C, trial=2, status=P, **common),
        # react:m1, n=2, combo B: failed with unknown cost, failed, passed, grader error
        record(combo=B, trial=0, status=F, reason=Reason.CRASH, **{**common, "cost": None}),
        record(combo=B, trial=1, status=F, reason=Reason.CRASH, **common),
        record(combo=B, trial=2, status=P, **common),
        record(combo=B, trial=3, status=G, **common),
        # noop, n=1, combo A: two failures without report
        record(agent="noop", model=None, combo=A, trial=0, status=F, reason=Reason.NO_REPORT),
        record(agent="noop", model=None, combo=A, trial=1, status=F, reason=Reason.NO_REPORT),
        # react:m1 in another setting
        record(combo=A, trial=0, status=P, setting=Setting(commands="hidden"), **common),
    ]
    return write_run(recs)


def _row(s, agent, n, setting="pc+cmd"):
    [row] = [r for r in s.rows if r.agent == agent and r.n == n and r.setting == setting]
    return row


def test_rows_match_hand_computed_values(run_dir: Path) -> None:
    s = summary(run_dir)
    assert s.run == "run-a" and s.attempts == 14
    assert [(r.agent, r.setting, r.n) for r in s.rows] == [
        ("noop", "pc+cmd", 1),
        ("react:m1", "pc", 1),
        ("react:m1", "pc+cmd", 1),
        ("react:m1", "pc+cmd", 2),
    ]
    r = _row(s, "react:m1", 1)
    assert (r.attempts, r.passed, r.failed, r.infra_error, r.grader_error) == (7, 5, 1, 1, 0)
    assert r.graded == 6
    assert r.success_rate == pytest.approx(5 / 6)
    assert (r.ci_low, r.ci_high) == pytest.approx(wilson_interval(5, 6))
    assert r.groups == 2 and r.trials == 3
    groups = [[True, False, True], [True, True, True]]
    for k in (1, 2, 3):
        assert r.pass_at_k[k] == pytest.approx(sum(brute_pass_at_k(g, k) for g in groups) / 2)
        assert r.pass_hat_k[k] == pytest.approx(sum(brute_pass_hat_k(g, k) for g in groups) / 2)
    assert r.pass_hat_k[3] == pytest.approx(0.5)
    assert r.experiments_passed == pytest.approx(5.5 / 6)
    assert r.functions_correct == pytest.approx(0.75)
    assert (r.fabricated, r.fabrication_rate) == (1, pytest.approx(1 / 6))
    # cost: all 7 attempts known; per attempt / per success over the 6 graded ones
    assert r.cost_usd == pytest.approx(0.07) and r.cost_unknown == 0
    assert r.cost_per_attempt == pytest.approx(0.01)
    assert r.cost_per_success == pytest.approx(0.06 / 5)
    assert (r.tokens_in, r.tokens_out) == (700, 70)
    assert r.tokens_per_attempt == pytest.approx(110)
    assert r.tokens_per_success == pytest.approx(660 / 5)
    assert r.wall_s == pytest.approx(14.0)
    assert r.wall_s_per_success == pytest.approx(12 / 5)
    assert r.reasons == {"sandbox": 1, "wrong_result": 1}


def test_unknown_cost_and_grader_errors(run_dir: Path) -> None:
    r = _row(summary(run_dir), "react:m1", 2)
    assert (r.attempts, r.passed, r.failed, r.grader_error, r.graded) == (4, 1, 2, 1, 3)
    assert r.success_rate == pytest.approx(1 / 3)
    assert r.cost_usd is None and r.cost_unknown == 1
    assert r.cost_per_attempt is None and r.cost_per_success is None
    assert r.pass_at_k[3] == 1.0 and r.pass_hat_k[3] == 0.0
    assert r.reasons == {"crash": 2, "leak": 1}
    assert r.functions_correct is None


def test_noop_row_totals_and_function_difficulty(run_dir: Path) -> None:
    s = summary(run_dir)
    noop = _row(s, "noop", 1)
    assert noop.model is None and noop.agent_name == "noop"
    assert (noop.success_rate, noop.ci_low) == (0.0, 0.0)
    assert noop.pass_at_k == {1: 0.0, 2: 0.0}
    assert noop.cost_usd == 0.0 and noop.cost_per_success is None
    assert noop.reasons == {"no_report": 2}

    [total] = [t for t in s.totals if t.agent == "react:m1" and t.setting == "pc+cmd"]
    assert total.n is None and total.attempts == 11 and total.passed == 6 and total.graded == 9
    groups = [[True, False, True], [True, True, True], [False, False, True]]
    assert total.pass_at_k[2] == pytest.approx(sum(brute_pass_at_k(g, 2) for g in groups) / 3)
    assert total.reasons == {"crash": 2, "leak": 1, "sandbox": 1, "wrong_result": 1}

    diff = {
        (f.agent, f.setting, f.function): (f.solved, f.masked)
        for f in s.functions
        if f.task == "toy"
    }
    assert diff[("react:m1", "pc+cmd", "a.py::f")] == (3, 6)
    assert diff[("react:m1", "pc+cmd", "a.py::g")] == (4, 6)
    assert diff[("noop", "pc+cmd", "a.py::f")] == (0, 2)


def test_summary_aggregates_columns_not_record_json(run_dir: Path) -> None:
    before = summary(run_dir)
    with sqlite3.connect(run_dir / "results.sqlite") as conn:
        conn.execute("UPDATE attempts SET record = '{}'")
    after = summary(run_dir)
    for b, a in zip(before.rows, after.rows, strict=True):
        assert (a.attempts, a.passed, a.success_rate, a.pass_at_k, a.cost_usd) == (
            b.attempts,
            b.passed,
            b.success_rate,
            b.pass_at_k,
            b.cost_usd,
        )


def test_cli_summary_json_contract(run_dir: Path) -> None:
    data = json.loads(autoexp("summary", str(run_dir), "--json").stdout)
    assert data["schema_version"] == 1
    for row in data["rows"]:
        for key in (
            "agent",
            "model",
            "n",
            "attempts",
            "passed",
            "failed",
            "infra_error",
            "success_rate",
            "pass_at_k",
            "pass_hat_k",
        ):
            assert key in row
    react = next(
        r
        for r in data["rows"]
        if r["agent"] == "react:m1" and r["n"] == 1 and r["setting"] == "pc+cmd"
    )
    assert set(react["pass_at_k"]) == {"1", "2", "3"}


def test_table_text_and_markup_escaping(write_run) -> None:
    run = write_run(
        [
            record(model="[red]evil", status=P),
            record(model="[red]evil", status=INFRA, trial=1),
        ]
    )
    text = autoexp("summary", str(run)).stdout
    assert "react:[red]evil" in text
    assert "100% [" in text and "infra" in text
    table = render_summary_table(summary(run))
    assert table.row_count == 1


def test_table_drops_minor_columns_on_narrow_terminals(run_dir: Path) -> None:
    table = render_summary_table(summary(run_dir))
    wide = table_text(table, width=200)
    for header in (
        "agent",
        "setting",
        "pass",
        "fail",
        "infra",
        "grader",
        "pass@k",
        "pass^k",
        "$/success",
        "fab.",
    ):
        assert header in wide, header
    assert "83% [44–97]" in wide and "0.50 (k=3)" in wide  # react:m1, n=1: 5 of 6
    narrow = table_text(table, width=70)
    assert "fab." not in narrow and "pass^k" not in narrow
    assert "react:m1" in narrow and "83% [44–97]" in narrow
    assert max(len(line) for line in narrow.splitlines()) <= 70


def test_missing_and_empty_stores(tmp_path: Path, write_run) -> None:
    with pytest.raises(RunError, match=r"no results\.sqlite"):
        summary(tmp_path / "nope")
    assert not (tmp_path / "nope").exists()
    empty = write_run([], "empty")
    s = summary(empty)
    assert s.rows == [] and s.attempts == 0
    assert "No attempt" in autoexp("summary", str(empty)).stdout
