"""CLI options that reach a command agent: --sandbox-ro, --agent-env, --agent-option."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import TOY, attempts_json, autoexp

AGENT = """#!/bin/sh
echo "secret=$MY_TOKEN home=$HOME"
printf '{"moments": {"mean": 1}}' > "$AUTOEXP_RESULTS"
"""


@pytest.fixture
def tool_dir():
    d = Path(tempfile.mkdtemp(prefix="autoexp-tool-"))
    d.chmod(0o755)
    (d / "agent.sh").write_text(AGENT)
    (d / "agent.sh").chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_command_agent_gets_ro_path_env_and_options(tmp_path, tool_dir):
    run_dir = tmp_path / "run"
    env = {**os.environ, "MY_TOKEN": "tok-123"}
    autoexp(
        "run",
        str(TOY),
        "--agent",
        "command",
        "--agent-cmd",
        f"{tool_dir}/agent.sh",
        "--sandbox-ro",
        str(tool_dir),
        "--agent-env",
        "MY_TOKEN",
        "--agent-option",
        "env={HOME: /workspace/.autoexp/home}",
        "--run-dir",
        str(run_dir),
        "--no-progress",
        env=env,
    )
    (row,) = attempts_json(run_dir)
    assert row["reported"] == {"moments": {"mean": 1.0}}
    log = (run_dir / "attempts" / row["attempt_id"] / "agent.log").read_text()
    assert "secret=tok-123 home=/workspace/.autoexp/home" in log


def test_without_sandbox_ro_the_tool_is_not_there(tmp_path, tool_dir):
    run_dir = tmp_path / "run"
    args = ["run", str(TOY), "--agent", "command", "--agent-cmd", f"{tool_dir}/agent.sh",
            "--run-dir", str(run_dir), "--no-progress"]  # fmt: skip
    proc = autoexp(*args, check=False)  # the pre-flight finds it missing: nothing runs
    assert proc.returncode == 2 and "not found inside the sandbox" in proc.stderr
    assert f"add --sandbox-ro {tool_dir}" in " ".join(proc.stderr.split())
    assert not run_dir.exists()
    autoexp(*args, "--no-preflight")  # then it exits 127 at once: the agent's error, not a crash
    (row,) = attempts_json(run_dir)
    assert row["status"] == "failed" and row["reason"] == "agent_error"
    assert "exited 127" in row["error"], row


def test_bad_agent_option_is_a_clear_error(tmp_path):
    proc = autoexp(
        "run",
        str(TOY),
        "--agent",
        "command",
        "--agent-cmd",
        "true",
        "--agent-option",
        "novalue",
        "--run-dir",
        str(tmp_path / "r"),
        check=False,
    )
    assert proc.returncode == 2 and "--agent-option takes KEY=VALUE" in proc.stderr
    proc = autoexp(
        "run", str(TOY), "--agent", "react", "--run-dir", str(tmp_path / "r2"), check=False
    )
    assert proc.returncode == 2 and "needs a model" in proc.stderr
