"""The benchmarks in bench/ (issue 14) stay runnable: each answers --help, and the cheap ones
print their final JSON line in --quick mode. No timing is asserted: the figures are the
benchmarks' business, on a machine chosen for it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHES = [
    f"bench_{name}.py"
    for name in ("sandbox", "harness", "prepare", "scaling", "startup", "report", "ray")
]
"""The benchmarks of the speed targets, each printing a final JSON line."""


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )


@pytest.mark.parametrize("script", BENCHES)
def test_help(script):
    proc = _run(script, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "usage:" in proc.stdout


@pytest.mark.parametrize("script", ["bench_prepare.py", "bench_report.py"])
def test_quick_mode_prints_its_figures_and_target(script):
    proc = _run(script, "--quick")
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["bench"] == script.removeprefix("bench_").removesuffix(".py")
    assert isinstance(figures["met"], bool) and figures["target"]
