"""Shared fixtures: paths of the fixture tasks and a helper to call the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
TOY = DATA / "tasks" / "toy-stats"


def autoexp(
    *args: str, check: bool = True, timeout: float = 600, env: dict | None = None, **kw
) -> subprocess.CompletedProcess:
    """Run the real `autoexp` CLI in a subprocess (`env`: its environment, default ours)."""
    env = {**(env or os.environ), "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "autoexp.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        **kw,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"autoexp {' '.join(args)} exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc


def attempts_json(run_dir: Path) -> list[dict]:
    """`autoexp attempts RUN_DIR --json`, parsed."""
    return json.loads(autoexp("attempts", str(run_dir), "--json").stdout)


@pytest.fixture
def toy() -> Path:
    return TOY


SUMMARY_MARKS = (("attack", "attacks tried/contained"), ("fault", "faults injected/recovered"),
                 ("bad_input", "bad inputs tried/handled"))  # fmt: skip
"""Markers counted in the final summary line: (marker, label)."""


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One line after the rest of the summary (only pytest's `N passed` line follows): passed/
    total of the tests carrying each SUMMARY_MARKS marker. Reads the reports the controller
    collected, so it counts the same under xdist. A skipped test was not tried and is left out;
    an xfail counts as tried and not handled."""
    try:
        return (yield)
    finally:
        _summary_line(terminalreporter)


def _summary_line(terminalreporter) -> None:
    outcome: dict[str, tuple[set[str], bool]] = {}  # nodeid -> (its markers, all phases ok)
    for category, reports in terminalreporter.stats.items():
        if category in ("", "deselected", "warnings"):
            continue
        for rep in reports:
            keywords = getattr(rep, "keywords", None)
            nodeid = getattr(rep, "nodeid", None)
            if not keywords or not nodeid:
                continue
            marks = {m for m, _ in SUMMARY_MARKS if m in keywords}
            if not marks:
                continue
            prev = outcome.get(nodeid, (marks, True))
            ok = prev[1] and category not in ("failed", "error", "xfailed", "xpassed")
            if category == "skipped":
                ok = None  # not tried
            outcome[nodeid] = (marks, ok if prev[1] is not None else None)
    parts = []
    for mark, label in SUMMARY_MARKS:
        tried = [ok for marks, ok in outcome.values() if mark in marks and ok is not None]
        parts.append(f"{label} {sum(tried)}/{len(tried)}")
    terminalreporter.write_line("autoexp: " + ", ".join(parts))


def alive(mark: str, within_s: float = 10.0) -> list[int]:
    """Pids of processes whose command line holds `mark` and that have not ended within
    `within_s` (a SIGKILLed process needs a moment to be gone; zombies count as gone)."""
    deadline = time.monotonic() + within_s
    while (pids := _matching(mark)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids


def _matching(mark: str) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmdline = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if mark in cmdline and state != "Z":
            pids.append(int(d.name))
    return pids
