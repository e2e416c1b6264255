"""Shared fixtures: paths of the fixture tasks and a helper to call the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
