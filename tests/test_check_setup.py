"""bench/check_setup.py (issue 11, item 7) reads the README's set-up commands, so it cannot drift
from them: the README keeps the shape it reads, and its CPU load stops when asked."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def check_setup():
    spec = importlib.util.spec_from_file_location("check_setup", ROOT / "bench" / "check_setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reads_the_readmes_set_up_commands(check_setup):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    make, activate, commands = check_setup.setup_commands(readme)
    assert make == "python3 -m venv .venv" and activate == ". .venv/bin/activate"
    assert len(commands) == 2 and "autoexp run" in commands[0] and "pytest" in commands[1]
    assert all(f"```bash\n{c}\n```" in readme for c in commands)  # verbatim
    with pytest.raises(check_setup.ReadmeError, match="expected two"):
        check_setup.setup_commands(readme.replace(f"```bash\n{commands[1]}\n```", ""))


def test_load_is_stopped(check_setup, tmp_path):
    procs = check_setup.start_load(2, "true", tmp_path)
    assert len(procs) == 3 and all(p.poll() is None for p in procs)
    check_setup.stop_groups(procs)
    assert all(p.poll() is not None for p in procs)
