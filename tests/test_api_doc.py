"""docs/api.md: its example runs as written, and the names it documents are the public API."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import autoexp

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)


def test_the_example_runs_as_written(tmp_path):
    """A self-test run of kmeans-pp at n=1 (oracle passes, noop fails), its summary, a regrade
    that changes nothing, in a fresh process writing under a temp directory."""
    (example,) = python_blocks(DOC.read_text(encoding="utf-8"))
    proc = subprocess.run(
        [sys.executable, "-c", example],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 attempts planned, 2 run now" in proc.stdout
    assert "regraded 2 attempt(s), 0 changed" in proc.stdout
    assert (tmp_path / "runs" / "selftest-kmeans" / "results.sqlite").is_file()


def test_every_documented_name_is_public():
    """The first cell of each table row names public names: `run(...)`, `Budget`, ..."""
    names = set()
    for cell in re.findall(r"^\| (.+?) \| ", DOC.read_text(encoding="utf-8"), flags=re.M):
        names |= {re.match(r"\w+", code).group() for code in re.findall(r"`([^`]+)`", cell)}
    assert len(names) > 20 and names <= set(autoexp.__all__), names - set(autoexp.__all__)
